"""Appending to the audit trail: every event chained (domain.audit_chain), and every write of a result
sealed by an event, whatever service made it.

Two kinds of chain. The main chain holds what people and the system did (a session opened, a paper
handed in, a mark, a decision) and the seals below; its head is the one row of ``audit_head``, locked
for the append so that two transactions never chain onto the same event. Each attempt has its own chain
of answer saves, headed in the attempt row itself (``audit_seq``, ``audit_hash``): a save already locks
that row, so answers need no lock shared by the whole lab, and a save on PostgreSQL stays one statement
(store.answer_writes builds its event in SQL). A hand-in event on the main chain records the attempt
chain's head at that moment, so answers can no more be changed after the hand-in than events can.

Seals: an insert, change or delete of a row in :data:`SEALS` through the ORM adds an event carrying
the row's values (``attempt.write``, ``mark.write`` …; answers go to the attempt's chain as
``response.write``). ``exam-tui audit verify`` compares every sealed row with its latest event, so a
result changed behind the application's back — raw SQL, a database tool — no longer matches.

Events are chained when the transaction commits (``before_commit``), after everything it writes: the
head lock is always the last lock a transaction takes, which keeps PostgreSQL free of lock cycles, and
it is held only for the commit itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from exam_tui.domain.audit_chain import GENESIS, link_hash, normalise_payload, time_text
from exam_tui.store.models import (
    AppealRow,
    AppealStepRow,
    AppointmentDecisionRow,
    AppointmentRow,
    AttemptRow,
    AuditEventRow,
    BankVersionRow,
    KeyCorrectionRow,
    MarkRow,
    ResponseRow,
    SettingRow,
)
from exam_tui.store.models_accounts import UserAccountRow, UserAssignmentRow
from exam_tui.store.models_training import FinalAnswerRow, PointsEntryRow

MAIN = "main"
HAND_IN = "attempt.hand_in"
RESPONSE_WRITE = "response.write"  # store.answer_writes writes these itself, in SQL on PostgreSQL
_DRAFTS = "audit_drafts"


def attempt_chain(attempt_id: int) -> str:
    return f"attempt:{attempt_id}"


def canonical_json(value: Any) -> str:
    """JSON as the chain hashes it (keys sorted, no spaces, UTF-8 as is)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


# ---------------------------------------------------------------------------------------------- seals


@dataclass(frozen=True)
class Seal:
    """How a table's rows are sealed: the event's entity, which columns it carries (all but
    ``exclude``; ``digest`` columns as a SHA-256 of their JSON), its subject id and its chain."""

    entity: str
    exclude: frozenset[str] = frozenset()
    digest: frozenset[str] = frozenset()
    key: Callable[[Mapping[str, Any]], str] = lambda row: str(row["id"])
    chain: Callable[[Mapping[str, Any]], str] = lambda row: MAIN

    def columns(self, model: type) -> list[str]:
        table = model.__table__  # type: ignore[attr-defined]
        return [c.name for c in table.columns if c.name not in self.exclude]

    def snapshot(self, row: Mapping[str, Any], columns: Iterable[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in columns:
            value = row[name]
            if name in self.digest:
                values[f"{name}_sha256"] = hashlib.sha256(canonical_json(value).encode()).hexdigest()
            else:
                values[name] = value
        return normalise_payload(values)


# What the candidate's terminal refreshes as it goes (the heartbeat, where it is, focus and resumes)
# is not a result; the chain head in the attempt row is the chain's own bookkeeping.
ATTEMPT_VOLATILE = frozenset(
    {"last_heartbeat_at", "current_item", "hostname", "focus_losses", "resumes", "audit_seq", "audit_hash"}
)

SEALS: dict[type, Seal] = {
    AttemptRow: Seal("attempt", exclude=ATTEMPT_VOLATILE, digest=frozenset({"paper"})),
    ResponseRow: Seal(
        "response",
        exclude=frozenset({"id"}),
        key=lambda row: f"{row['attempt_id']}:{row['item']}",
        chain=lambda row: attempt_chain(int(row["attempt_id"])),
    ),
    MarkRow: Seal("mark"),
    KeyCorrectionRow: Seal("key_correction"),
    BankVersionRow: Seal("bank_version"),
    AppointmentRow: Seal("appointment"),
    AppointmentDecisionRow: Seal("appointment_decision"),
    AppealRow: Seal("appeal"),
    AppealStepRow: Seal("appeal_step"),
    PointsEntryRow: Seal("points_entry"),
    FinalAnswerRow: Seal("final_answer"),
    SettingRow: Seal("setting", key=lambda row: str(row["key"])),
    # Who may do what: a role granted by SQL shows. The lockout's counters change at every sign-in and
    # are left out; the password hash is carried only as a digest.
    UserAccountRow: Seal(
        "user_account",
        exclude=frozenset({"failed_attempts", "locked_until", "last_login_at"}),
        digest=frozenset({"password_hash"}),
    ),
    UserAssignmentRow: Seal("user_assignment"),
}
SEAL_BY_ENTITY = {seal.entity: (model, seal) for model, seal in SEALS.items()}


def response_details(
    attempt_id: int, item: int, answer: Any, flagged: bool, revision: int, saved_at: datetime
) -> dict[str, Any]:
    """A ``response.write`` event's payload: the response row's columns (its id aside)."""
    return normalise_payload(
        {
            "answer": answer,
            "attempt_id": attempt_id,
            "flagged": flagged,
            "item": item,
            "revision": revision,
            "saved_at": time_text(saved_at),
        }
    )


# ---------------------------------------------------------------------------------------------- drafts


@dataclass
class Draft:
    """An event to chain at commit; ``event_id`` when the ORM already inserted it (unchained)."""

    action: str
    entity: str
    entity_id: str | None
    details: Any
    chain: str = MAIN
    actor: str | None = None
    at: datetime | None = None  # None: the database's clock when chained
    event_id: int | None = None


def _row_values(obj: Any, model: type) -> dict[str, Any]:
    table = model.__table__  # type: ignore[attr-defined]
    return {c.name: getattr(obj, c.key) for c in table.columns}


def _write_draft(seal: Seal, values: Mapping[str, Any], columns: Iterable[str]) -> Draft:
    """The ``ENTITY.write`` event sealing a row's ``columns``."""
    return Draft(
        f"{seal.entity}.write",
        seal.entity,
        seal.key(values),
        seal.snapshot(values, columns),
        seal.chain(values),
    )


def _seal_draft(obj: Any, deleted: bool = False) -> Draft:
    model = type(obj)
    seal = SEALS[model]
    values = _row_values(obj, model)
    if deleted:
        return Draft(f"{seal.entity}.delete", seal.entity, seal.key(values), None, seal.chain(values))
    return _write_draft(seal, values, seal.columns(model))


def _changed(obj: Any, seal: Seal) -> bool:
    state = inspect(obj)
    return any(
        state.attrs[name].history.has_changes() for name in seal.columns(type(obj)) if name in state.attrs
    )


def _after_flush(session: Session, _context: Any) -> None:
    drafts: list[Draft] = session.info.setdefault(_DRAFTS, [])
    for obj in session.new:
        if isinstance(obj, AuditEventRow):
            if obj.seq is None:
                drafts.append(
                    Draft(
                        obj.action,
                        obj.entity,
                        obj.entity_id,
                        obj.details,
                        actor=obj.actor,
                        at=obj.at,
                        event_id=obj.id,
                    )
                )
        elif type(obj) in SEALS:
            drafts.append(_seal_draft(obj))
    for obj in session.dirty:
        seal = SEALS.get(type(obj))
        if seal is not None and _changed(obj, seal):
            drafts.append(_seal_draft(obj))
    for obj in session.deleted:
        if type(obj) in SEALS:
            drafts.append(_seal_draft(obj, deleted=True))


def _before_commit(session: Session) -> None:
    session.flush()
    drafts = session.info.pop(_DRAFTS, None)
    if drafts:
        append(session.connection(), drafts)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_DRAFTS, None)


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_rollback", _forget)
event.listen(Session, "after_soft_rollback", _forget)


# ---------------------------------------------------------------------------------------------- append


def _now(conn: Connection) -> datetime:
    if conn.dialect.name == "postgresql":
        value = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
        return value.astimezone(UTC)
    return datetime.now(UTC)


def _attempt_head(conn: Connection, attempt_id: int, lock: bool) -> tuple[int, str] | None:
    suffix = " FOR UPDATE" if lock and conn.dialect.name == "postgresql" else ""
    row = conn.execute(
        text(f"SELECT audit_seq, audit_hash FROM attempt WHERE id = :id{suffix}"), {"id": attempt_id}
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def _main_head(conn: Connection) -> tuple[int, str]:
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    select_head = text(f"SELECT seq, hash FROM audit_head WHERE id = 1{lock}")
    row = conn.execute(select_head).first()
    if row is None:  # a database made without the migrations (create_all): start the chain
        conn.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :genesis) ON CONFLICT DO NOTHING"),
            {"genesis": GENESIS},
        )
        row = conn.execute(select_head).first()
        assert row is not None
    return int(row[0]), str(row[1])


def _link(draft: Draft, seq: int, prev: str, now: datetime) -> dict[str, Any]:
    at = draft.at or now
    details = normalise_payload(draft.details)
    digest = link_hash(
        seq, at, draft.actor, draft.action, draft.entity, draft.entity_id, details, prev, draft.chain
    )
    return {
        "at": at,
        "actor": draft.actor,
        "action": draft.action,
        "entity": draft.entity,
        "entity_id": draft.entity_id,
        "details": details,
        "chain": draft.chain,
        "seq": seq,
        "prev_hash": prev,
        "hash": digest,
    }


def append(conn: Connection, drafts: list[Draft]) -> None:
    """Chain ``drafts`` in order inside the caller's transaction: attempt chains first (each under its
    attempt row's lock, in id order), then the main chain under the head's lock."""
    now = _now(conn)
    table = AuditEventRow.__table__  # type: ignore[attr-defined]
    insert = table.insert()
    by_attempt: dict[int, list[Draft]] = {}
    main: list[Draft] = []
    for draft in drafts:
        if draft.chain == MAIN:
            main.append(draft)
        else:
            by_attempt.setdefault(int(draft.chain.split(":", 1)[1]), []).append(draft)
    heads: dict[int, tuple[int, str]] = {}
    for attempt_id in sorted(by_attempt):
        head = _attempt_head(conn, attempt_id, lock=True)
        if head is None:
            raise ValueError(f"no attempt {attempt_id} to chain its answers to")
        seq, prev = head
        rows = []
        for draft in by_attempt[attempt_id]:
            seq += 1
            rows.append(_link(draft, seq, prev, now))
            prev = rows[-1]["hash"]
        conn.execute(insert, rows)
        conn.execute(
            text("UPDATE attempt SET audit_seq = :seq, audit_hash = :hash WHERE id = :id"),
            {"seq": seq, "hash": prev, "id": attempt_id},
        )
        heads[attempt_id] = (seq, prev)
    if not main:
        return
    seq, prev = _main_head(conn)
    new_rows = []
    for draft in main:
        if draft.action == HAND_IN and draft.entity_id is not None:
            attempt_id = int(draft.entity_id)
            answers = heads.get(attempt_id) or _attempt_head(conn, attempt_id, lock=False) or (0, GENESIS)
            draft.details = {**(draft.details or {}), "answers_seq": answers[0], "answers_hash": answers[1]}
        seq += 1
        row = _link(draft, seq, prev, now)
        prev = row["hash"]
        if draft.event_id is not None:
            conn.execute(
                table.update()
                .where(table.c.id == draft.event_id)
                .values(
                    at=row["at"],
                    details=row["details"],
                    chain=row["chain"],
                    seq=row["seq"],
                    prev_hash=row["prev_hash"],
                    hash=row["hash"],
                )
            )
        else:
            new_rows.append(row)
    if new_rows:
        conn.execute(insert, new_rows)
    conn.execute(
        text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"), {"seq": seq, "hash": prev}
    )


def chain_existing(conn: Connection) -> None:
    """Chain the events written before the trail was chained, in the order they were written, and seal
    every result as it stands (the 0009 migration). Only the columns the table has at that point are
    read, so a later migration's columns do not break an upgrade from an older schema."""
    from sqlalchemy import inspect as inspect_db
    from sqlalchemy import select

    table = AuditEventRow.__table__  # type: ignore[attr-defined]
    drafts = [
        Draft(row.action, row.entity, row.entity_id, row.details, actor=row.actor, at=row.at, event_id=row.id)
        for row in conn.execute(select(table).where(table.c.seq.is_(None)).order_by(table.c.id))
    ]
    present = inspect_db(conn)
    for model, seal in SEALS.items():
        sealed = model.__table__  # type: ignore[attr-defined]
        existing = {column["name"] for column in present.get_columns(sealed.name)}
        columns = [name for name in seal.columns(model) if name in existing]
        readable = [sealed.c[name] for name in existing if name in sealed.c]
        for row in conn.execute(select(*readable)).mappings():
            drafts.append(_write_draft(seal, row, columns))
    if drafts:
        append(conn, drafts)
