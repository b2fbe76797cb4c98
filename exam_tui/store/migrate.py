"""Bring a database to the newest schema with Alembic, safely when many machines start at once.

Every command calls :func:`upgrade`; on an up-to-date database it only reads the version row. When
60 lab machines start ``exam-tui sit`` together against one PostgreSQL, an advisory lock lets one of
them migrate while the others wait; on SQLite a lock file next to the database does the same.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from exam_tui.store.db import Database

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions. Kept here so that starting on an up-to-date database does not
# import Alembic (about 100 ms of a candidate terminal's cold start); a test checks it against Alembic.
SCHEMA_HEAD = "0012"
# An arbitrary constant: the key of the PostgreSQL advisory lock that serialises migrations.
_PG_LOCK_KEY = 7_305_512_041


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    return heads[0]


def current_revision(db: Database) -> str | None:
    """The revision recorded in the database; None for an empty database."""
    with db.engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            return None  # no version table yet


def upgrade(db: Database) -> str:
    """Upgrade to head if needed; returns the revision the database is at."""
    if current_revision(db) == SCHEMA_HEAD:
        return SCHEMA_HEAD
    head = head_revision()
    with _migration_lock(db):
        if current_revision(db) != head:
            migrate_to(db, "upgrade", "head")
    return head


def migrate_to(db: Database, direction: Literal["upgrade", "downgrade"], revision: str) -> None:
    """Run Alembic up or down to ``revision`` in one transaction (a failed step leaves the schema as it was)."""
    from alembic import command

    config = alembic_config(db)
    with migration_connection(db) as conn:
        config.attributes["connection"] = conn
        getattr(command, direction)(config, revision)


class MigrationError(RuntimeError):
    """A migration would leave rows pointing at rows that are not there."""


@contextmanager
def migration_connection(db: Database) -> Iterator[Connection]:
    """A connection inside one transaction, for Alembic.

    On SQLite, batch mode changes a table by copying it and dropping the old one, and ``DROP TABLE`` of a
    table other rows point at fails while foreign keys are enforced. SQLite ignores the pragma inside a
    transaction, so it is switched off on the raw connection before BEGIN, the references are checked
    with ``foreign_key_check`` before COMMIT, and enforcement is back on before the connection returns
    to the pool.
    """
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection if db.backend == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                yield conn
                if raw is not None:
                    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        table, rowid, parent, _ = dangling[0]
                        raise MigrationError(
                            f"{len(dangling)} row(s) would point at missing rows "
                            f"(first: {table} rowid {rowid} → {parent}); nothing was changed"
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


@contextmanager
def _migration_lock(db: Database) -> Iterator[None]:
    if db.backend == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
        return
    database = db.engine.url.database
    if db.backend == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        lock_path = Path(database).with_name(f".{Path(database).name}.migrate-lock")
        with lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    yield
