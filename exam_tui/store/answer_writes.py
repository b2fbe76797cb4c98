"""The answer-save statements, prepared once per backend and run on the driver directly.

Every candidate saves every answer, and on SQLite every save holds the one write lock from BEGIN to
COMMIT, so the work done inside the transaction decides how many terminals one file can serve. Built
through SQLAlchemy's expression layer, a save spent ~2.5 ms of Python per transaction (statement
construction, cache keys, ORM bookkeeping) against ~0.8 ms for the commit itself, which capped SQLite
near 300 saves/s (bench/autosave.py: 200 terminals want 400). Here the SQL text is fixed and values go
through the columns' own type processors (the same conversions the ORM applies), so what is stored is
exactly what the ORM would store and read back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy.engine import Connection, Dialect

from exam_tui.store.models import AttemptRow, ResponseRow

_ATTEMPT = AttemptRow.__table__  # type: ignore[attr-defined]
_RESPONSE = ResponseRow.__table__  # type: ignore[attr-defined]

_HEAD = "SELECT state, submit_reason, deadline_at, item_count{clock} FROM attempt WHERE id = :id"
# An older write retried after a newer one landed changes nothing: the newer answer stands, and
# RETURNING yields no row, which tells the caller to read the revision that stands.
_UPSERT = (
    "INSERT INTO response (attempt_id, item, answer, flagged, revision, saved_at) "
    "VALUES (:attempt_id, :item, :answer, :flagged, :revision, :saved_at) "
    "ON CONFLICT (attempt_id, item) DO UPDATE SET answer = excluded.answer, flagged = excluded.flagged, "
    "revision = excluded.revision, saved_at = excluded.saved_at "
    "WHERE response.revision < excluded.revision RETURNING revision"
)
_REVISION = "SELECT revision FROM response WHERE attempt_id = :attempt_id AND item = :item"
_TOUCH = (
    "UPDATE attempt SET last_heartbeat_at = :now, current_item = COALESCE(CAST(:current_item AS INTEGER), "
    "current_item) WHERE id = :id"
)


@dataclass(frozen=True)
class AttemptHead:
    state: str
    submit_reason: str | None
    deadline_at: datetime
    item_count: int
    server_now: (
        datetime | None
    )  # PostgreSQL's clock, read with the row (one round trip fewer); None on SQLite


class AnswerWrites:
    """The statements for one dialect; ``for_dialect`` keeps one per backend."""

    _cache: ClassVar[dict[str, AnswerWrites]] = {}

    def __init__(self, dialect: Dialect) -> None:
        pg = dialect.name == "postgresql"

        def sql(text: str) -> str:
            # psycopg takes %(name)s; sqlite3 takes :name.
            return re.sub(r":(\w+)", r"%(\1)s", text) if pg else text

        # On PostgreSQL the transaction's clock comes with the locked row, saving a round trip per save.
        self._head = sql(
            _HEAD.format(clock=", clock_timestamp()" if pg else "") + (" FOR UPDATE" if pg else "")
        )
        self._upsert = sql(_UPSERT)
        self._revision = sql(_REVISION)
        self._touch = sql(_TOUCH)
        self._bind_time = _bind(_ATTEMPT.c.last_heartbeat_at, dialect)
        self._read_time = _result(_ATTEMPT.c.deadline_at, dialect)
        self._bind_answer = _bind(_RESPONSE.c.answer, dialect)
        self._bind_flag = _bind(_RESPONSE.c.flagged, dialect)

    @classmethod
    def for_dialect(cls, dialect: Dialect) -> AnswerWrites:
        writes = cls._cache.get(dialect.name)
        if writes is None:
            writes = cls._cache[dialect.name] = cls(dialect)
        return writes

    def head(self, conn: Connection, attempt_id: int) -> AttemptHead | None:
        """The attempt's state, deadline and size; locked until commit on PostgreSQL (SQLite: the
        transaction already holds the write lock)."""
        row = conn.exec_driver_sql(self._head, {"id": attempt_id}).first()
        if row is None:
            return None
        server_now = row[4].astimezone(UTC) if len(row) > 4 else None
        return AttemptHead(row[0], row[1], self._read_time(row[2]), row[3], server_now)

    def upsert(
        self,
        conn: Connection,
        *,
        attempt_id: int,
        item: int,
        answer: Any,
        flagged: bool,
        revision: int,
        now: datetime,
    ) -> int:
        """Store the answer unless a newer revision is stored; returns the revision that stands."""
        key = {"attempt_id": attempt_id, "item": item}
        row = conn.exec_driver_sql(
            self._upsert,
            {
                **key,
                "answer": self._bind_answer(answer),
                "flagged": self._bind_flag(flagged),
                "revision": revision,
                "saved_at": self._bind_time(now),
            },
        ).first()
        if row is None:
            row = conn.exec_driver_sql(self._revision, key).first()
            assert row is not None
        return int(row[0])

    def touch(self, conn: Connection, attempt_id: int, now: datetime, current_item: int | None) -> None:
        """The heartbeat, and where the candidate is (kept when ``current_item`` is None)."""
        conn.exec_driver_sql(
            self._touch, {"id": attempt_id, "now": self._bind_time(now), "current_item": current_item}
        )


def _bind(column: Any, dialect: Dialect) -> Any:
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor or (lambda value: value)


def _result(column: Any, dialect: Dialect) -> Any:
    processor = column.type.dialect_impl(dialect).result_processor(dialect, None)
    return processor or (lambda value: value)
