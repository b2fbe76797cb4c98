"""Engines, sessions and transactions for SQLite and PostgreSQL.

SQLite settings, applied to every connection:

- ``journal_mode=WAL``: readers (the proctor's console) never block the writer saving an answer, and
  many ``exam-tui sit`` processes on one machine can share the file.
- ``synchronous=FULL``: in WAL mode the default NORMAL may lose the last commits on a power cut (not on
  a crash of the program). An acknowledged answer must survive the lab losing power, so every commit
  is synced; an answer write is small, so the cost is one fsync per keystroke-burst.
- ``foreign_keys=ON``: SQLite leaves them off by default.
- ``busy_timeout=10000``: a writer waits up to 10 s for another process's transaction instead of
  failing at once with "database is locked".

Writers also take turns on a lock file next to the database (``.NAME.write-turn``, ``flock``) before
``BEGIN IMMEDIATE``. SQLite's own busy handler polls the write lock with growing sleeps (1, 2, 5, 10 …
then 100 ms at a time), so under many writers a waiter that has slept long loses the lock again and
again to newcomers: with 50 candidates saving twice a second a save's p99 was 90-340 ms, nearly all of
it asleep, against ~40 ms with the turns (bench/autosave.py). A waiter on ``flock`` sleeps in the kernel
and is woken as soon as the holder is done; a holder that dies releases its turn with its process. The
turn only orders our own writers: SQLite's lock still guards the data. The wait for a turn has no
timeout (``flock`` has none, and waiting in a helper thread costs a second wake-up per hand-over, which
measured worse than no turns at all under 200 writers); only a writer stopped inside its transaction
(SIGSTOP, a debugger) makes the others wait past the busy timeout, and they could not write then anyway.

The Python sqlite3 module's own transaction handling is switched off so that SQLAlchemy's BEGIN is the
one that counts; write transactions may ask for ``BEGIN IMMEDIATE`` (see :meth:`Database.write`) so
that two processes never both read and then race to upgrade to a write lock.
"""

from __future__ import annotations

import contextvars
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10
PG_PING_AFTER_IDLE_S = 10.0  # longer than the heartbeat (5 s) and the console's refresh (2 s)
# File systems on which SQLite's locking cannot be trusted.
NETWORK_FILESYSTEMS = {
    "nfs",
    "nfs4",
    "cifs",
    "smbfs",
    "smb3",
    "fuse.sshfs",
    "9p",
    "afs",
    "ncpfs",
    "glusterfs",
}

_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_begin_immediate", default=False)


class DatabaseError(Exception):
    """The database cannot be used (bad URL, unreachable server, unsafe location)."""


class NetworkFilesystemError(DatabaseError):
    def __init__(self, path: Path, fstype: str) -> None:
        super().__init__(f"{path} is on {fstype}")
        self.path, self.fstype = path, fstype


@dataclass
class Database:
    url: str
    engine: Engine

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read whose statements all see one moment: an export or a report taken while papers are
        handed in never pairs a total with item points from another moment. A read transaction on
        SQLite is a snapshot already; PostgreSQL's default (READ COMMITTED) lets each statement see
        commits made between them, so the transaction asks for REPEATABLE READ as its first statement."""
        with self.read() as session:
            if self.backend == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back whole if it raises."""
        nested = _immediate.get()
        token = _immediate.set(True)
        try:
            with (
                _write_turn(self.engine, nested),
                Session(self.engine, expire_on_commit=False) as session,
                session.begin(),
            ):
                yield session
        finally:
            _immediate.reset(token)

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _write_turn(engine: Engine, nested: bool) -> Iterator[None]:
    """This writer's turn at a SQLite file (see the module notes); nothing to do on PostgreSQL.

    A write opened inside another in the same context takes no turn: it would wait for itself.
    """
    database = engine.url.database
    if nested or engine.dialect.name != "sqlite" or not database or database in (":memory:", ""):
        yield
        return
    if database.startswith("file:"):
        yield
        return
    path = Path(database)
    try:
        fd = os.open(
            path.with_name(f".{path.name}.write-turn"), os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o666
        )
    except OSError:
        yield  # e.g. a read-only directory: SQLite's own lock and busy timeout still apply
        return
    try:
        # Blocks until the previous writer is done; the kernel releases it if that writer dies.
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor ends the turn


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseError(f"not a database URL: {url}") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.get_backend_name() == "postgresql":
        return _pg_engine(url)
    raise DatabaseError(f"unsupported database: {parsed.get_backend_name()} (use sqlite or postgresql)")


def _pg_engine(url: str) -> Engine:
    """One kept connection per process: a lab of 200 terminals then holds ~200 on the server, not 1000;
    the rare moment a screen's worker reads while the saver writes opens an overflow connection that is
    closed again on return.

    ``connect_timeout``: a terminal whose server is gone finds out in seconds, not after the OS gives up
    on the TCP handshake (minutes); its answers wait in the local journal meanwhile. TCP keepalives: a
    connection cut by a firewall or a dead server is noticed by the kernel within about a minute even
    while a query waits for its reply.
    """
    engine = create_engine(
        url,
        pool_size=1,
        max_overflow=4,
        connect_args={
            "connect_timeout": PG_CONNECT_TIMEOUT_S,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        },
    )

    # A connection that sat idle (a lab machine left at the sign-in screen, a server restarted over
    # lunch) is tested before use and replaced if dead. SQLAlchemy's pool_pre_ping tests on every
    # checkout: three round trips (BEGIN, SELECT 1, ROLLBACK) on top of a save's five, measured at
    # ~40 % of a save's cost; a terminal saving or sending its heartbeat every few seconds needs no test,
    # and if its server does go away the failed save is retried (the pool then reconnects).
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PG_PING_AFTER_IDLE_S:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out a fresh one (up to three tries).
            raise DisconnectionError() from exc

    return engine


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        path.parent.mkdir(parents=True, exist_ok=True)
        fstype = filesystem_type(path.parent)
        if fstype in NETWORK_FILESYSTEMS:
            raise NetworkFilesystemError(path, fstype)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")

    return engine


def filesystem_type(path: Path) -> str | None:
    """The type of the file system holding ``path``, from /proc/mounts (Linux); None elsewhere."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    target = os.path.realpath(path)
    best, best_type = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def database_now(session: Session) -> datetime:
    """The database server's clock (UTC): the one clock every lab machine shares.

    PostgreSQL's ``clock_timestamp()`` is the real time (``now()`` is frozen at transaction start). SQLite
    has no server: its ``'now'`` is the system clock of the machine holding the file, and every writer
    runs on that machine (network file systems are refused), so reading the same clock here saves a
    statement inside every write transaction.
    """
    if session.get_bind().dialect.name == "postgresql":
        value = session.execute(text("SELECT clock_timestamp()")).scalar_one()
        return value.astimezone(UTC)
    return datetime.now(UTC)
