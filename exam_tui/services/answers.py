"""Answers as the candidate gives them: saves, closed-book incidents and the terminal's heartbeat.

Every save is its own transaction and carries the client's revision number for that item: a write older
than the stored one is ignored, so a retried save can never overwrite a newer answer. A save arriving
after the deadline (beyond a short grace for one in flight) is refused and hands the attempt in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from exam_tui.services.attempts import (
    IN_PROGRESS,
    AttemptClosed,
    TerminalReplaced,
    hash_of_token,
    submit,
)
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.store.answer_writes import AnswerWrites, AttemptHead, SaveRequest
from exam_tui.store.models import AttemptRow, IncidentRow

# A save that left the terminal just before the deadline may arrive a little after it.
LATE_WRITE_GRACE = timedelta(seconds=5)
INCIDENT_KINDS = ("focus_lost", "focus_back", "resize", "resume", "quit", "late_write", "time_up")


@dataclass(frozen=True)
class SaveAck:
    item: int
    revision: int
    saved_at: datetime
    deadline_at: datetime


@dataclass(frozen=True)
class Tick:
    server_now: datetime
    deadline_at: datetime
    state: str


def save_answer(
    db: Database,
    attempt_id: int,
    *,
    item: int,
    answer: Any,
    flagged: bool,
    revision: int,
    current_item: int | None = None,
    clock: MaybeClock = None,
    token: str | None = None,
) -> SaveAck:
    """Store one item's answer and mark; acknowledged only once committed.

    Raises AttemptClosed when the attempt takes no more answers; a write arriving more than
    LATE_WRITE_GRACE after the deadline is refused, logged, and the attempt handed in. With the
    terminal's ``token``, raises TerminalReplaced (and writes nothing) once another terminal has begun
    the attempt since: its answers and this one's would otherwise share revisions, and one terminal's
    answer could be acknowledged while the other's stands.

    This is the hot path (every candidate, every answer): on PostgreSQL one statement that is its own
    transaction, on SQLite three statements in one; both on the driver (``store.answer_writes``), never
    loading the paper.
    """
    json.dumps(answer)  # refuse anything that would not survive the JSON column, before writing
    request = SaveRequest(
        attempt_id=attempt_id,
        item=item,
        answer=answer,
        flagged=flagged,
        revision=revision,
        current_item=current_item,
        now=clock() if clock is not None else None,
        open_state=IN_PROGRESS,
        grace=LATE_WRITE_GRACE,
        token_hash=None if token is None else hash_of_token(token),
    )
    if db.backend == "postgresql":
        # The one statement is atomic on its own: run as its own transaction it is one round trip (no
        # BEGIN, no COMMIT, no ORM session), which is what 200 terminals saving at once on one server
        # cost. Anything but an accepted answer is decided again below, in a transaction that may write
        # the late write's hand-in.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            outcome = AnswerWrites.for_dialect(conn.dialect).save(conn, request)
        if outcome.accepted and outcome.head is not None and outcome.revision is not None:
            return SaveAck(
                item=item,
                revision=outcome.revision,
                saved_at=outcome.now,
                deadline_at=outcome.head.deadline_at,
            )
    with db.write() as session:
        conn = session.connection()
        writes = AnswerWrites.for_dialect(conn.dialect)
        outcome = writes.save(conn, request)
        head = _open_head(outcome.head)
        if outcome.accepted:
            assert outcome.revision is not None
            return SaveAck(
                item=item, revision=outcome.revision, saved_at=outcome.now, deadline_at=head.deadline_at
            )
        if request.token_hash is not None and not writes.holds(conn, attempt_id, request.token_hash):
            raise TerminalReplaced(f"attempt {attempt_id}")
        if outcome.now <= head.deadline_at + LATE_WRITE_GRACE:
            raise ValueError(f"item {item} is not on this paper")
        _refuse_late_write(session, attempt_id, outcome.now, item=item, revision=revision)
    raise AttemptClosed("time_up")  # the late write's hand-in is committed; the candidate is told


def _now(session: Session, clock: MaybeClock, head: AttemptHead) -> datetime:
    """The injected clock (tests), else the database's, which PostgreSQL sent along with the row."""
    if clock is None and head.server_now is not None:
        return head.server_now
    return now_in(session, clock)


def _open_head(head: AttemptHead | None) -> AttemptHead:
    """The head of an attempt that still takes writes."""
    if head is None:
        raise AttemptClosed("missing")
    if head.state != IN_PROGRESS:
        raise AttemptClosed(head.submit_reason or head.state)
    return head


def _refuse_late_write(session: Session, attempt_id: int, now: datetime, *, item: int, revision: int) -> None:
    attempt = session.get(AttemptRow, attempt_id)
    assert attempt is not None
    session.add(
        IncidentRow(
            session_id=attempt.session_id,
            attempt_id=attempt.id,
            kind="late_write",
            created_at=now,
            details={
                "item": item,
                "revision": revision,
                "late_by_s": (now - attempt.deadline_at).total_seconds(),
            },
        )
    )
    submit(session, attempt, "time_up", now)


def heartbeat(
    db: Database,
    attempt_id: int,
    *,
    current_item: int | None = None,
    clock: MaybeClock = None,
    token: str | None = None,
) -> Tick:
    """The terminal is alive; hands the attempt in once its deadline has passed. With the terminal's
    ``token``, raises TerminalReplaced once another terminal has begun the attempt since."""
    with db.write() as session:
        conn = session.connection()
        writes = AnswerWrites.for_dialect(conn.dialect)
        head = writes.head(conn, attempt_id)
        if head is None:
            raise AttemptClosed("missing")
        if token is not None and not writes.holds(conn, attempt_id, hash_of_token(token)):
            raise TerminalReplaced(f"attempt {attempt_id}")
        now = _now(session, clock, head)
        if head.state != IN_PROGRESS:
            return Tick(server_now=now, deadline_at=head.deadline_at, state=head.state)
        if now >= head.deadline_at:
            attempt = session.get(AttemptRow, attempt_id)
            assert attempt is not None
            submit(session, attempt, "time_up", now)
            return Tick(server_now=now, deadline_at=attempt.deadline_at, state=attempt.state)
        writes.touch(conn, attempt_id, now, current_item)
        return Tick(server_now=now, deadline_at=head.deadline_at, state=head.state)


def record_incident(
    db: Database,
    attempt_id: int,
    kind: str,
    details: dict[str, Any] | None = None,
    *,
    clock: MaybeClock = None,
    token: str | None = None,
) -> None:
    """A closed-book signal (focus lost, resize, …) with time and machine, for the proctor. With the
    terminal's ``token``, raises TerminalReplaced (and records nothing) once another terminal has begun
    the attempt since: the machine the candidate left is not theirs to report on."""
    if kind not in INCIDENT_KINDS:
        raise ValueError(f"unknown incident kind {kind}")
    with db.write() as session:
        now = now_in(session, clock)
        attempt = session.get(AttemptRow, attempt_id)
        if attempt is None:
            raise AttemptClosed("missing")
        if token is not None:
            conn = session.connection()
            if not AnswerWrites.for_dialect(conn.dialect).holds(conn, attempt_id, hash_of_token(token)):
                raise TerminalReplaced(f"attempt {attempt_id}")
        if kind == "focus_lost" and attempt.state == IN_PROGRESS:
            attempt.focus_losses += 1
            session.add(attempt)
        session.add(
            IncidentRow(
                session_id=attempt.session_id,
                attempt_id=attempt_id,
                kind=kind,
                created_at=now,
                details={"hostname": attempt.hostname, **(details or {})},
            )
        )
