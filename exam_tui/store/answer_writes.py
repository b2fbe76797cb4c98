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
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy.engine import Connection, Dialect

from exam_tui.domain.audit_chain import GENESIS, link_hash, normalise_payload
from exam_tui.store.audit_log import RESPONSE_WRITE, attempt_chain, canonical_json, response_details
from exam_tui.store.models import AttemptRow, AuditEventRow, ResponseRow

_ATTEMPT = AttemptRow.__table__  # type: ignore[attr-defined]
_RESPONSE = ResponseRow.__table__  # type: ignore[attr-defined]
_EVENT_TABLE = AuditEventRow.__table__  # type: ignore[attr-defined]

_HEAD = "SELECT state, submit_reason, deadline_at, item_count, audit_seq, audit_hash{clock} FROM attempt WHERE id = :id"
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
_HOLDER = "SELECT 1 FROM attempt_token WHERE attempt_id = :attempt_id AND token_hash = :token_hash"
# PostgreSQL: the whole save in one statement, one round trip between BEGIN and COMMIT (the head, upsert
# and heartbeat as three statements took five round trips with BEGIN and COMMIT, and with 200 terminals
# and the server on one machine the round trips are the cost). The row lock of ``head`` orders this save
# after any hand-in in progress; the upsert and the heartbeat run only if the attempt still takes answers
# (``ok``), and the caller learns from the returned head why not. Data-modifying WITH clauses run once and
# to completion whether or not the final SELECT reads them.
_SAVE_PG = """
WITH head AS (
    SELECT id, state, submit_reason, deadline_at, item_count, audit_seq, audit_hash,
           COALESCE(CAST(%(now)s AS timestamptz), clock_timestamp()) AS now
    FROM attempt WHERE id = %(id)s FOR UPDATE
), ok AS (
    SELECT id, now FROM head
    WHERE state = %(open_state)s
      AND now <= deadline_at + CAST(%(grace_s)s AS double precision) * interval '1 second'
      AND CAST(%(item)s AS integer) BETWEEN 1 AND item_count
      AND (CAST(%(token_hash)s AS text) IS NULL OR EXISTS (
          SELECT 1 FROM attempt_token
          WHERE attempt_token.attempt_id = head.id AND attempt_token.token_hash = %(token_hash)s))
), up AS (
    INSERT INTO response (attempt_id, item, answer, flagged, revision, saved_at)
    SELECT id, CAST(%(item)s AS integer), CAST(%(answer)s AS json), CAST(%(flagged)s AS boolean),
           CAST(%(revision)s AS integer), now
    FROM ok
    ON CONFLICT (attempt_id, item) DO UPDATE SET answer = excluded.answer, flagged = excluded.flagged,
        revision = excluded.revision, saved_at = excluded.saved_at
    WHERE response.revision < excluded.revision
    RETURNING revision
), link AS (
    SELECT ok.id, ok.now, head.audit_seq + 1 AS seq, head.audit_hash AS prev,
           to_char(ok.now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text
    FROM ok, head, up
), event AS (
    SELECT link.*, %(details_head)s || ',"saved_at":"' || at_text || '"}' AS details FROM link
), hashed AS (
    SELECT event.*, encode(sha256(convert_to(
        '{"action":"response.write","actor":null,"at":"' || at_text || '","chain":"attempt:' || id
        || '","details":' || details || ',"entity":"response","entity_id":"' || id || ':'
        || CAST(%(item)s AS integer) || '","prev":"' || prev || '","seq":' || seq || '}', 'UTF8')), 'hex')
        AS hash
    FROM event
), logged AS (
    INSERT INTO audit_event (at, actor, action, entity, entity_id, details, chain, seq, prev_hash, hash)
    SELECT now, NULL, 'response.write', 'response', id || ':' || CAST(%(item)s AS integer),
           CAST(details AS json), 'attempt:' || id, seq, prev, hash
    FROM hashed
    RETURNING seq
), touched AS (
    UPDATE attempt SET last_heartbeat_at = ok.now,
        current_item = COALESCE(CAST(%(current_item)s AS integer), attempt.current_item),
        audit_seq = COALESCE((SELECT seq FROM hashed), attempt.audit_seq),
        audit_hash = COALESCE((SELECT hash FROM hashed), attempt.audit_hash)
    FROM ok WHERE attempt.id = ok.id
    RETURNING attempt.id
)
SELECT head.state, head.submit_reason, head.deadline_at, head.item_count, head.now,
       EXISTS (SELECT 1 FROM ok), (SELECT revision FROM up)
FROM head
"""
_TOUCH = (
    "UPDATE attempt SET last_heartbeat_at = :now, current_item = COALESCE(CAST(:current_item AS INTEGER), "
    "current_item) WHERE id = :id"
)
# SQLite: the save's event, chained in Python onto the attempt's chain (store.audit_log).
_EVENT = (
    "INSERT INTO audit_event (at, actor, action, entity, entity_id, details, chain, seq, prev_hash, hash) "
    f"VALUES (:at, NULL, '{RESPONSE_WRITE}', 'response', :entity_id, :details, :chain, :seq, :prev_hash, :hash)"
)
_LINK = "UPDATE attempt SET audit_seq = :seq, audit_hash = :hash WHERE id = :id"


@dataclass(frozen=True)
class AttemptHead:
    state: str
    submit_reason: str | None
    deadline_at: datetime
    item_count: int
    server_now: (
        datetime | None
    )  # PostgreSQL's clock, read with the row (one round trip fewer); None on SQLite
    audit_seq: int = 0  # the head of the attempt's chain of answer saves
    audit_hash: str = GENESIS


@dataclass(frozen=True)
class SaveRequest:
    attempt_id: int
    item: int
    answer: Any
    flagged: bool
    revision: int
    current_item: int | None
    now: datetime | None  # None: the database's clock
    open_state: str  # the attempt state that takes answers
    grace: timedelta  # how late after the deadline an answer in flight is still taken
    # The SHA-256 of the writing terminal's token: the answer is taken only while that token is the
    # attempt's (no later begin on another terminal replaced it). None: not checked.
    token_hash: str | None = None


@dataclass(frozen=True)
class SaveOutcome:
    head: AttemptHead | None  # None: no such attempt
    now: datetime  # the time the save was judged by (and stored with, if written)
    accepted: bool  # the attempt took the answer: open, in time, the item on the paper, the token held
    revision: int | None  # the revision that stands once accepted (this one, or a newer one kept)


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
        self._holder = sql(_HOLDER)
        self._revision = sql(_REVISION)
        self._touch = sql(_TOUCH)
        self._event = sql(_EVENT)
        self._link = sql(_LINK)
        self._bind_details = _bind(_EVENT_TABLE.c.details, dialect)
        self._save_pg = _SAVE_PG if pg else None
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

    def save(self, conn: Connection, r: SaveRequest) -> SaveOutcome:
        """Store one answer if the attempt is ``open_state``, within ``grace`` of its deadline and the
        item is on the paper; then the heartbeat."""
        if self._save_pg is None:
            return self._save_in_steps(conn, r)
        row = conn.exec_driver_sql(
            self._save_pg,
            {
                "id": r.attempt_id,
                "item": r.item,
                "answer": self._bind_answer(r.answer),
                "flagged": self._bind_flag(r.flagged),
                "revision": r.revision,
                "current_item": r.current_item,
                "now": None if r.now is None else self._bind_time(r.now),
                "open_state": r.open_state,
                "grace_s": r.grace.total_seconds(),
                "token_hash": r.token_hash,
                # The event's payload but its time, which the statement appends (keys sort last).
                "details_head": canonical_json(
                    {
                        "answer": normalise_payload(r.answer),
                        "attempt_id": r.attempt_id,
                        "flagged": bool(r.flagged),
                        "item": r.item,
                        "revision": r.revision,
                    }
                )[:-1],
            },
        ).first()
        if row is None:
            return SaveOutcome(None, r.now or datetime.now(UTC), accepted=False, revision=None)
        judged_at = row[4].astimezone(UTC)
        head = AttemptHead(row[0], row[1], self._read_time(row[2]), row[3], judged_at)
        stored = row[6]
        if row[5] and stored is None:  # a newer revision is stored: it stands
            stored = self._standing_revision(conn, r.attempt_id, r.item)
        return SaveOutcome(head, judged_at, accepted=bool(row[5]), revision=stored)

    def _save_in_steps(self, conn: Connection, r: SaveRequest) -> SaveOutcome:
        """SQLite: no round trips to save, and its data-modifying statements cannot share a WITH; the
        same conditions as the PostgreSQL statement, in the same order."""
        head = self.head(conn, r.attempt_id)
        judged_at = r.now if r.now is not None else datetime.now(UTC)  # see store.db.database_now
        if head is None:
            return SaveOutcome(None, judged_at, accepted=False, revision=None)
        accepted = (
            head.state == r.open_state
            and judged_at <= head.deadline_at + r.grace
            and 1 <= r.item <= head.item_count
            and (r.token_hash is None or self.holds(conn, r.attempt_id, r.token_hash))
        )
        if not accepted:
            return SaveOutcome(head, judged_at, accepted=False, revision=None)
        stored, written = self._upsert_row(
            conn,
            attempt_id=r.attempt_id,
            item=r.item,
            answer=r.answer,
            flagged=r.flagged,
            revision=r.revision,
            now=judged_at,
        )
        if written:
            self._log(conn, head, r, judged_at)
        self.touch(conn, r.attempt_id, judged_at, r.current_item)
        return SaveOutcome(head, judged_at, accepted=True, revision=stored)

    def _log(self, conn: Connection, head: AttemptHead, r: SaveRequest, at: datetime) -> None:
        """The save's ``response.write`` event on the attempt's chain (SQLite; PostgreSQL's statement
        does the same in SQL)."""
        seq = head.audit_seq + 1
        details = response_details(r.attempt_id, r.item, r.answer, r.flagged, r.revision, at)
        chain, entity_id = attempt_chain(r.attempt_id), f"{r.attempt_id}:{r.item}"
        digest = link_hash(
            seq, at, None, RESPONSE_WRITE, "response", entity_id, details, head.audit_hash, chain
        )
        conn.exec_driver_sql(
            self._event,
            {
                "at": self._bind_time(at),
                "entity_id": entity_id,
                "details": self._bind_details(details),
                "chain": chain,
                "seq": seq,
                "prev_hash": head.audit_hash,
                "hash": digest,
            },
        )
        conn.exec_driver_sql(self._link, {"seq": seq, "hash": digest, "id": r.attempt_id})

    def holds(self, conn: Connection, attempt_id: int, token_hash: str) -> bool:
        """Whether ``token_hash`` is the attempt's terminal token now."""
        row = conn.exec_driver_sql(self._holder, {"attempt_id": attempt_id, "token_hash": token_hash})
        return row.first() is not None

    def _standing_revision(self, conn: Connection, attempt_id: int, item: int) -> int:
        row = conn.exec_driver_sql(self._revision, {"attempt_id": attempt_id, "item": item}).first()
        assert row is not None
        return int(row[0])

    def head(self, conn: Connection, attempt_id: int) -> AttemptHead | None:
        """The attempt's state, deadline and size; locked until commit on PostgreSQL (SQLite: the
        transaction already holds the write lock)."""
        row = conn.exec_driver_sql(self._head, {"id": attempt_id}).first()
        if row is None:
            return None
        server_now = row[6].astimezone(UTC) if len(row) > 6 else None
        return AttemptHead(row[0], row[1], self._read_time(row[2]), row[3], server_now, row[4], row[5])

    def _upsert_row(
        self,
        conn: Connection,
        *,
        attempt_id: int,
        item: int,
        answer: Any,
        flagged: bool,
        revision: int,
        now: datetime,
    ) -> tuple[int, bool]:
        """Store the answer unless a newer revision is stored: the revision that stands, and whether this
        one was written (only then does the save get its audit event)."""
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
            return self._standing_revision(conn, attempt_id, item), False
        return int(row[0]), True

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
