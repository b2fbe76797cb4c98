"""The proctor's view of a running session and the interventions that change a candidate's sitting.

Every intervention takes the proctor (``actor``) and, where it affects a result, a reason; each is
recorded twice: as an incident on the session (what the console and the exports list) and as an audit
event (the trail that issue-level checks verify).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.idnumber import mask
from exam_tui.domain.session_summary import Outcome, SessionSummary, summarize
from exam_tui.domain.sittings import SessionState
from exam_tui.services import appointments
from exam_tui.services.access import check_proctor
from exam_tui.services.accounts import SignedIn
from exam_tui.services.attempts import IN_PROGRESS, submit
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.session_control import SessionDetail, read_session_detail
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import (
    AttemptRow,
    AuditEventRow,
    CadreRow,
    ExamRow,
    ExamSessionRow,
    IncidentRow,
    ResponseRow,
    SessionCandidateRow,
)

# A terminal sends a heartbeat every 5 s while idle; six missed in a row is worth a proctor's glance.
SILENT_AFTER = timedelta(seconds=30)
# Incidents the proctor records (the candidate's own terminal records focus, resize, resume …).
PROCTOR_INCIDENTS = ("terminated", "reopened", "absent", "moved")


@dataclass(frozen=True)
class ConsoleView:
    detail: SessionDetail
    now: datetime  # the database clock when the view was read
    planned_end: datetime | None  # start (or scheduled start) + duration + time added for everyone

    def silent(self, id_number: str) -> bool:
        """A candidate answering whose terminal has not been heard from for SILENT_AFTER."""
        record = next(c for c in self.detail.candidates if c.id_number == id_number)
        if record.state != "in_progress" or record.last_heartbeat_at is None:
            return False
        return self.now - record.last_heartbeat_at > SILENT_AFTER

    def time_left(self, id_number: str) -> timedelta | None:
        record = next(c for c in self.detail.candidates if c.id_number == id_number)
        if record.state != "in_progress" or record.deadline_at is None:
            return None
        return max(record.deadline_at - self.now, timedelta(0))


def console_view(
    db: Database, session_id: int, *, clock: MaybeClock = None, by: SignedIn | None = None
) -> ConsoleView:
    """The session as its console shows it; ``by`` must be an admin or a proctor assigned it (access)."""
    # One read transaction: refreshed every two seconds beside 200 saving terminals, each round trip counts.
    with db.read() as session:
        check_proctor(session, by, session_id)
        now = now_in(session, clock)
        detail = read_session_detail(session, session_id)
    begins = detail.started_at or detail.session.starts_at
    minutes = detail.session.duration_minutes + detail.extra_minutes
    return ConsoleView(detail=detail, now=now, planned_end=begins + timedelta(minutes=minutes))


def session_summary(detail: SessionDetail, *, bins: int = 10) -> SessionSummary:
    outcomes = [Outcome(c.id_number, c.name, c.unit, c.state, c.score, c.passed) for c in detail.candidates]
    return summarize(outcomes, total_points=detail.total_points, bins=bins)


# ---- interventions ------------------------------------------------------------------------------


def terminate_attempt(
    db: Database,
    session_id: int,
    id_number: str,
    *,
    reason: str,
    actor: str | None,
    clock: MaybeClock = None,
    by: SignedIn | None = None,
) -> None:
    """违纪终止: the attempt is handed in with what it holds and graded; the reason stays with it."""
    reason = _required(reason)
    with _intervention(db, session_id, id_number, clock, by) as (session, now, _entry, attempt):
        if attempt is None or attempt.state != IN_PROGRESS:
            raise SessionError("proctor.not_in_progress", id_number=mask(id_number))
        submit(session, attempt, "terminated", now)
        _record(session, now, actor, "terminated", session_id, attempt.id, reason, id_number=id_number)


def reopen_attempt(
    db: Database,
    session_id: int,
    id_number: str,
    *,
    reason: str,
    actor: str | None,
    clock: MaybeClock = None,
    by: SignedIn | None = None,
) -> None:
    """Undo a hand-in the candidate made by mistake, while the session is open and time remains.

    Only the candidate's own hand-in can be undone (a timed-out or terminated paper cannot), and only
    before the grading is final, which is when the session closes. The grade is cleared; the candidate
    signs in again and resumes with every answer and the original deadline.
    """
    reason = _required(reason)
    with _intervention(db, session_id, id_number, clock, by) as (session, now, _entry, attempt):
        if attempt is None or attempt.state == IN_PROGRESS:
            raise SessionError("proctor.not_handed_in", id_number=mask(id_number))
        if attempt.submit_reason != "candidate":
            raise SessionError("proctor.reopen_reason", reason=f"result.reason.{attempt.submit_reason}")
        if now >= attempt.deadline_at:
            raise SessionError("proctor.reopen_time")
        previous = {
            "score": attempt.score,
            "passed": attempt.passed,
            "submitted_at": str(attempt.submitted_at),
        }
        attempt.state = IN_PROGRESS
        attempt.submitted_at = attempt.submit_reason = None
        attempt.score = attempt.passed = attempt.level = attempt.graded_at = None
        session.add(attempt)
        for response in session.execute(
            select(ResponseRow).where(ResponseRow.attempt_id == attempt.id)
        ).scalars():
            response.score = None
            session.add(response)
        _record(
            session, now, actor, "reopened", session_id, attempt.id, reason, id_number=id_number, **previous
        )


def mark_absent(
    db: Database,
    session_id: int,
    id_number: str,
    *,
    reason: str,
    actor: str | None,
    clock: MaybeClock = None,
    by: SignedIn | None = None,
) -> None:
    """缺考: a candidate who has not begun is recorded absent and can no longer sign in to this session."""
    reason = _required(reason)
    with _intervention(db, session_id, id_number, clock, by) as (session, now, entry, attempt):
        if attempt is not None:
            raise SessionError("proctor.has_attempt", id_number=mask(id_number))
        if entry.absent:
            raise SessionError("proctor.already_absent", id_number=mask(id_number))
        exam_session = session.get(ExamSessionRow, session_id)
        assert exam_session is not None
        exam = session.get(ExamRow, exam_session.exam_id)
        assert exam is not None
        entry.absence_counts = appointments.absence_counts(
            session, entry.cadre_id, exam, appointments.absence_moment(exam_session)
        )
        entry.absent = True
        session.add(entry)
        _record(session, now, actor, "absent", session_id, None, reason, id_number=id_number)
        session.flush()
        appointments.refresh(session, entry.cadre_id, now, actor=actor, why=f"absent:{session_id}")


def move_machine(
    db: Database,
    session_id: int,
    id_number: str,
    *,
    to_machine: str,
    note: str = "",
    actor: str | None,
    clock: MaybeClock = None,
    by: SignedIn | None = None,
) -> None:
    """A note that the candidate changed machines; the attempt itself resumes on any machine."""
    to_machine = to_machine.strip()
    if not to_machine:
        raise SessionError("proctor.machine_required")
    with _intervention(db, session_id, id_number, clock, by) as (session, now, _entry, attempt):
        _record(
            session,
            now,
            actor,
            "moved",
            session_id,
            attempt.id if attempt else None,
            note.strip() or None,
            id_number=id_number,
            from_machine=attempt.hostname if attempt else None,
            to_machine=to_machine,
        )


@contextmanager
def _intervention(
    db: Database, session_id: int, id_number: str, clock: MaybeClock, by: SignedIn | None
) -> Iterator[tuple[Session, datetime, SessionCandidateRow, AttemptRow | None]]:
    """One intervention's transaction: ``by`` still assigned the session, the session still open, the
    candidate on its roster, and their attempt (if any) locked."""
    with db.write() as session:
        check_proctor(session, by, session_id)
        now = now_in(session, clock)
        _live_session(session, session_id)
        entry, cadre = _on_roster(session, session_id, id_number)
        yield session, now, entry, _attempt(session, session_id, cadre.id)  # type: ignore[arg-type]


def _required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise SessionError("proctor.reason_required")
    return reason


def _live_session(session: Session, session_id: int) -> ExamSessionRow:
    row = session.get(ExamSessionRow, session_id, with_for_update=True)
    if row is None:
        raise SessionError("session.not_found", id=session_id)
    if row.state == SessionState.CLOSED:
        raise SessionError("session.is_closed", id=session_id)
    return row


def _on_roster(session: Session, session_id: int, id_number: str) -> tuple[SessionCandidateRow, CadreRow]:
    found = session.execute(
        select(SessionCandidateRow, CadreRow)
        .join(CadreRow, CadreRow.id == SessionCandidateRow.cadre_id)  # type: ignore[arg-type]
        .where(SessionCandidateRow.session_id == session_id, CadreRow.id_number == id_number.upper())
    ).first()
    if found is None:
        raise SessionError("proctor.not_on_roster", id_number=mask(id_number))
    return found[0], found[1]


def _attempt(session: Session, session_id: int, cadre_id: int) -> AttemptRow | None:
    return session.execute(
        select(AttemptRow)
        .where(AttemptRow.session_id == session_id, AttemptRow.cadre_id == cadre_id)
        .with_for_update()
    ).scalar_one_or_none()


def _record(
    session: Session,
    now: datetime,
    actor: str | None,
    kind: str,
    session_id: int,
    attempt_id: int | None,
    reason: str | None,
    **details: Any,
) -> None:
    session.add(
        IncidentRow(
            session_id=session_id,
            attempt_id=attempt_id,
            kind=kind,
            reason=reason,
            actor=actor,
            created_at=now,
            details=details,
        )
    )
    session.add(
        AuditEventRow(
            at=now,
            actor=actor,
            action=f"attempt.{kind}" if attempt_id else f"candidate.{kind}",
            entity="attempt" if attempt_id else "session_candidate",
            entity_id=str(attempt_id) if attempt_id else f"{session_id}:{details.get('id_number')}",
            details={"session": session_id, "reason": reason, **details},
        )
    )
