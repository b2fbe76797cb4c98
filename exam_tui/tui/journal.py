"""The candidate terminal's local answer journal: what it holds while the database cannot be reached.

One append-only JSON-lines file per attempt under the user's data directory. Every answer is written
and fsynced here before it goes to the database, so an answer given while the server or the network is
down survives the terminal being killed or the lab losing power, and is replayed in order when the
terminal (or a restarted one on the same machine) reaches the database again. The database ignores a
revision older than the one it holds, which makes a replay safe even for answers that already landed.

Nothing is ever rewritten in place: an acknowledgement is another line. Acknowledgements are not
fsynced: losing one only means a harmless replay, and the next answer's fsync carries it to disk anyway.
A line cut short by a power cut is skipped on reading, and the next append starts on a fresh line.

Pure Python on purpose: the TUI may not import storage (import-linter), and the journal must work when
nothing else does.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

JOURNAL_DIR_ENV = "EXAM_TUI_JOURNAL_DIR"


def _local_now() -> str:
    # For a person reading the file after an incident: the terminal's own clock, with its offset.
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class JournalEntry:
    item: int
    answer: Any
    flagged: bool
    revision: int
    current_item: int
    at: str = field(default_factory=_local_now)


def journal_dir() -> Path:
    """``$EXAM_TUI_JOURNAL_DIR``, else ``$XDG_DATA_HOME/exam-tui/journal``, else ``~/.local/share/…``."""
    override = os.environ.get(JOURNAL_DIR_ENV)
    if override:
        return Path(override)
    data_home = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    base = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return base / "exam-tui" / "journal"


def database_identity(url: str) -> str:
    """The database URL without its password, relative SQLite paths made absolute.

    Hashed into the file name: a password must not reach the disk, and a rotated password must not
    orphan a journal. A relative SQLite path names a different file in each working directory.
    """
    if url.startswith("sqlite:///"):
        path, sep, query = url[len("sqlite:///") :].partition("?")
        if path and path != ":memory:" and not path.startswith(("/", "file:")):
            path = os.path.abspath(path)
            return f"sqlite:///{path}{sep}{query}"
        return url
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = f"{userinfo.partition(':')[0]}{at}{hostport}"
    return urlunsplit(parts._replace(netloc=netloc))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AnswerJournal:
    """Append-only JSON lines: ``{"op": "save", …entry}`` and ``{"op": "ack", "item", "revision"}``.

    An ack of (item, revision) settles every save of that item up to that revision: the database holds
    that revision or a newer one. Safe to use from several threads of one process.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._name_synced = True  # False from creating the file until its directory is fsynced
        self._lock = threading.Lock()

    @classmethod
    def for_attempt(
        cls, database_url: str, attempt_id: int, *, paper: str = "", directory: Path | None = None
    ) -> AnswerJournal:
        """The journal of one attempt; ``paper`` (the paper's seed) tells apart attempts of a database
        that was recreated under the same URL, whose ids start again from 1."""
        digest = hashlib.sha256(f"{database_identity(database_url)}\n{paper}".encode()).hexdigest()[:16]
        return cls((directory or journal_dir()) / f"{digest}-attempt-{attempt_id}.jsonl")

    # ---- writing ------------------------------------------------------------------------------

    def append(self, entry: JournalEntry) -> None:
        """Write one answer and fsync it: once this returns the answer survives a crash or power cut."""
        record = {"op": "save", **asdict(entry)}
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            fd = self._open()
            try:
                os.write(fd, line.encode())
                os.fsync(fd)
                if not self._name_synced:
                    _fsync_dir(self.path.parent)  # the new file's name must be on disk too
                    self._name_synced = True
            except OSError:
                self._drop_fd()  # a partial line (disk full): the next open ends it with a newline
                raise

    def acknowledge(self, item: int, revision: int) -> None:
        """The database holds ``revision`` (or newer) of ``item``."""
        line = json.dumps({"op": "ack", "item": item, "revision": revision}, separators=(",", ":")) + "\n"
        with self._lock:
            fd = self._open()
            try:
                os.write(fd, line.encode())
            except OSError:
                self._drop_fd()
                raise

    def _open(self) -> int:
        if self._fd is not None:
            return self._fd
        directory = self.path.parent
        if not directory.is_dir():
            directory.mkdir(parents=True, mode=0o700, exist_ok=True)
            _fsync_dir(directory.parent)
        created = not self.path.exists()
        # 0600: the answers of a candidate are nobody else's business on a shared lab machine.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        if not created and _ends_torn(self.path):
            os.write(fd, b"\n")  # end the torn line, so that the next entry is not glued to it
        self._fd = fd
        self._name_synced = self._name_synced and not created
        return fd

    def _drop_fd(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        with self._lock:
            self._drop_fd()

    def discard_if_settled(self) -> bool:
        """Remove the file when every answer in it is acknowledged; True if nothing is left."""
        with self._lock:
            if self._pending_unlocked():
                return False
            self._drop_fd()
            self.path.unlink(missing_ok=True)
            return True

    # ---- reading ------------------------------------------------------------------------------

    def pending(self) -> list[JournalEntry]:
        """Answers not yet acknowledged by the database, in the order they were given."""
        with self._lock:
            return self._pending_unlocked()

    def _pending_unlocked(self) -> list[JournalEntry]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        saves: list[JournalEntry] = []
        acked: dict[int, int] = {}
        for record in _records(data.split(b"\n")):
            if record.get("op") == "ack":
                acked[record["item"]] = max(acked.get(record["item"], 0), record["revision"])
            elif record.get("op") == "save":
                saves.append(
                    JournalEntry(
                        item=record["item"],
                        answer=record.get("answer"),
                        flagged=bool(record.get("flagged", False)),
                        revision=record["revision"],
                        current_item=record.get("current_item", record["item"]),
                        at=str(record.get("at", "")),
                    )
                )
        return [e for e in saves if e.revision > acked.get(e.item, 0)]


def _records(lines: Iterable[bytes]) -> Iterable[dict[str, Any]]:
    """The well-formed records; a line torn by a power cut (or anything else unreadable) is skipped."""
    for raw in lines:
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if (
            isinstance(record, dict)
            and isinstance(record.get("item"), int)
            and isinstance(record.get("revision"), int)
        ):
            yield record


def _ends_torn(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        if f.tell() == 0:
            return False
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


def newest_per_item(entries: Iterable[JournalEntry]) -> list[JournalEntry]:
    """One entry per item, its newest revision, in the order those newest answers were given."""
    newest: dict[int, JournalEntry] = {}
    for entry in entries:
        if entry.item not in newest or entry.revision >= newest[entry.item].revision:
            newest.pop(entry.item, None)  # re-inserted: dict order follows the newest answer
            newest[entry.item] = entry
    return list(newest.values())
