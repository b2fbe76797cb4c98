"""Running a session: open it from a plan, start it (开考), extend time, close it (收卷), and its record.

Starting, extending and closing take ``by``, the signed-in staff account, checked by services.access."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from exam_tui.domain.idnumber import mask
from exam_tui.domain.sittings import SessionState
from exam_tui.formats.session_plan import PlanFile, read_plan
from exam_tui.i18n import t
from exam_tui.services import appointments
from exam_tui.services.access import check_proctor
from exam_tui.services.accounts import SignedIn
from exam_tui.services.attempts import IN_PROGRESS, submit
from exam_tui.services.cadres import RosterImportError, import_roster
from exam_tui.services.runtime import Database, MaybeClock, now_in, system_clock
from exam_tui.services.sessions import (
    SessionError,
    SessionView,
    find_exam,
    schedule_session,
    session_view,
    session_views,
)
from exam_tui.store.models import (
    AttemptRow,
    AuditEventRow,
    BankRow,
    BankVersionRow,
    CadreRow,
    ExamRow,
    ExamSessionRow,
    ResponseRow,
    SessionCandidateRow,
    UnitRow,
)


class PlanError(Exception):
    """A plan file with problems; ``lines`` are ``FILE:LINE:COL: message``."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def plan_lines(plan_file: PlanFile) -> list[str]:
    return [f"{plan_file.path}:{p.line}:{p.column}: {t(p.key, **p.params)}" for p in plan_file.problems]


def open_from_plan(
    db: Database,
    path: Path,
    *,
    rng: random.Random | None = None,
    clock: MaybeClock = None,
    actor: str | None = None,
) -> SessionView:
    """Check the plan, import its roster file if it names one, and open the session for sign-in."""
    plan_file = read_plan(path)
    if plan_file.plan is None:
        raise PlanError(plan_lines(plan_file))
    plan = plan_file.plan
    with db.read() as session:
        find_exam(session, plan.exam)  # fail before the roster is touched
    numbers = list(plan.id_numbers)
    if plan.roster_file is not None:
        try:
            numbers = import_roster(db, plan.roster_file, clock=clock or system_clock, actor=actor).id_numbers
        except RosterImportError as exc:
            raise PlanError(exc.lines) from exc
    return schedule_session(
        db,
        exam_ref=plan.exam,
        title=plan.title,
        room=plan.room,
        starts_at=plan.starts_at,
        id_numbers=numbers,
        allow_late_minutes=plan.allow_late_minutes,
        open_now=True,
        rng=rng,
        clock=clock,
        actor=actor,
    )


def _session_row(session: Session, session_id: int) -> ExamSessionRow:
    row = session.get(ExamSessionRow, session_id, with_for_update=True)
    if row is None:
        raise SessionError("session.not_found", id=session_id)
    return row


def _audit(
    session: Session, now: datetime, actor: str | None, action: str, session_id: int, **details: Any
) -> None:
    session.add(
        AuditEventRow(
            at=now,
            actor=actor,
            action=action,
            entity="exam_session",
            entity_id=str(session_id),
            details=details,
        )
    )


def start_session(
    db: Database,
    session_id: int,
    *,
    clock: MaybeClock = None,
    actor: str | None = None,
    by: SignedIn | None = None,
) -> SessionView:
    """开考: waiting candidates may begin; their clocks start when each begins."""
    with db.write() as session:
        check_proctor(session, by, session_id)
        row = _session_row(session, session_id)
        if row.state == SessionState.STARTED:
            raise SessionError("session.already_started", id=session_id)
        if row.state == SessionState.CLOSED:
            raise SessionError("session.is_closed", id=session_id)
        now = now_in(session, clock)
        row.state, row.started_at = SessionState.STARTED, now
        row.opened_at = row.opened_at or now
        session.add(row)
        _audit(session, now, actor, "session.start", session_id)
        return session_views(session, [row])[0]


def close_session(
    db: Database,
    session_id: int,
    *,
    clock: MaybeClock = None,
    actor: str | None = None,
    by: SignedIn | None = None,
) -> SessionView:
    """收卷: hand in every open attempt with what it holds, grade it, and mark no-shows absent."""
    with db.write() as session:
        check_proctor(session, by, session_id)
        row = _session_row(session, session_id)
        if row.state == SessionState.CLOSED:
            raise SessionError("session.is_closed", id=session_id)
        now = now_in(session, clock)
        handed_in = 0
        for attempt in session.execute(
            select(AttemptRow)
            .where(AttemptRow.session_id == session_id, AttemptRow.state == IN_PROGRESS)
            .with_for_update()
        ).scalars():
            submit(session, attempt, "time_up" if now >= attempt.deadline_at else "closed", now)
            handed_in += 1
        began = select(AttemptRow.cadre_id).where(AttemptRow.session_id == session_id)
        exam = session.get(ExamRow, row.exam_id)
        assert exam is not None
        absent = 0
        no_shows: list[int] = []
        for entry in session.execute(
            select(SessionCandidateRow).where(
                SessionCandidateRow.session_id == session_id,
                SessionCandidateRow.cadre_id.not_in(began),  # type: ignore[attr-defined]
            )
        ).scalars():
            # Marked absent earlier too: their absence is now dated by the close, and so is the retake.
            no_shows.append(entry.cadre_id)
            if not entry.absent:
                entry.absence_counts = appointments.absence_counts(
                    session, entry.cadre_id, exam, appointments.absence_moment(row)
                )
                entry.absent = True
                session.add(entry)
                absent += 1
        row.state, row.closed_at = SessionState.CLOSED, now
        session.add(row)
        session.flush()
        # After closed_at is set: an absence is dated by the session's close.
        appointments.refresh_many(session, no_shows, now, actor=actor, why=f"absent:{session_id}")
        _audit(session, now, actor, "session.close", session_id, handed_in=handed_in, absent=absent)
        return session_views(session, [row])[0]


def extend_time(
    db: Database,
    session_id: int,
    *,
    minutes: int,
    id_number: str | None = None,
    clock: MaybeClock = None,
    actor: str | None = None,
    by: SignedIn | None = None,
) -> int:
    """Add minutes for one candidate, or for everyone (also those who begin later). Returns attempts changed."""
    if not 1 <= minutes <= 240:
        raise SessionError("session.extend_range")
    with db.write() as session:
        check_proctor(session, by, session_id)
        row = _session_row(session, session_id)
        if row.state == SessionState.CLOSED:
            raise SessionError("session.is_closed", id=session_id)
        now = now_in(session, clock)
        stmt = select(AttemptRow).where(AttemptRow.session_id == session_id, AttemptRow.state == IN_PROGRESS)
        if id_number is not None:
            cadre = session.execute(
                select(CadreRow).where(CadreRow.id_number == id_number)
            ).scalar_one_or_none()
            if cadre is None:
                raise SessionError("login.unknown_candidate")
            stmt = stmt.where(AttemptRow.cadre_id == cadre.id)
        else:
            row.extra_minutes += minutes
            session.add(row)
        attempts = session.execute(stmt.with_for_update()).scalars().all()
        if id_number is not None and not attempts:
            raise SessionError("session.extend_no_attempt", id_number=mask(id_number))
        for attempt in attempts:
            attempt.extra_minutes += minutes
            attempt.deadline_at += timedelta(minutes=minutes)
            session.add(attempt)
        _audit(
            session,
            now,
            actor,
            "session.extend",
            session_id,
            minutes=minutes,
            candidate=id_number,
            attempts=len(attempts),
        )
        return len(attempts)


# ---- the session's record ------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateRecord:
    id_number: str
    name: str
    unit: str
    rank: str | None
    state: str  # not_signed_in, waiting, in_progress, handed_in, time_up, closed, terminated, absent
    checked_in_at: datetime | None
    attempt_id: int | None
    answered: int
    questions: int
    started_at: datetime | None
    deadline_at: datetime | None
    submitted_at: datetime | None
    submit_reason: str | None
    grading: str | None  # graded / pending_grading
    score: float | None
    passed: bool | None
    level: str | None
    hostname: str | None
    focus_losses: int
    resumes: int
    last_heartbeat_at: datetime | None = None
    current_item: int | None = None


@dataclass(frozen=True)
class SessionDetail:
    session: SessionView
    pass_score: float
    total_points: float
    started_at: datetime | None
    closed_at: datetime | None
    extra_minutes: int
    allow_late_minutes: int
    candidates: list[CandidateRecord]


def session_detail(db: Database, session_id: int) -> SessionDetail:
    with db.read() as session:
        return read_session_detail(session, session_id)


def read_session_detail(session: Session, session_id: int) -> SessionDetail:
    """The session and every candidate on its roster, inside the caller's transaction.

    The console reads this every two seconds for up to 200 candidates beside their saving terminals, so
    it is two statements of plain columns: the session with its exam, then one row per roster entry
    with its attempt and answered count (an attempt row's frozen paper is never loaded).
    """
    header = session.execute(
        select(ExamSessionRow, ExamRow, BankRow.slug)
        .join(ExamRow, ExamRow.id == ExamSessionRow.exam_id)  # type: ignore[arg-type]
        .join(BankVersionRow, BankVersionRow.id == ExamRow.bank_version_id)  # type: ignore[arg-type]
        .join(BankRow, BankRow.id == BankVersionRow.bank_id)  # type: ignore[arg-type]
        .where(ExamSessionRow.id == session_id)
    ).first()
    if header is None:
        raise SessionError("session.not_found", id=session_id)
    row, exam, bank_slug = header
    questions = sum(int(s["draw"]) for s in exam.sections)
    # Plain columns go through the Core connection: the ORM's result machinery is most of the cost here.
    rows = session.connection().execute(_ROSTER, {"session_id": session_id})
    records = [_candidate_record(c, questions) for c in rows]
    return SessionDetail(
        session=session_view(row, exam, bank_slug, candidates=len(records)),
        pass_score=exam.pass_score,
        total_points=exam.total_points,
        started_at=row.started_at,
        closed_at=row.closed_at,
        extra_minutes=row.extra_minutes,
        allow_late_minutes=row.allow_late_minutes,
        candidates=records,
    )


def _roster_statement() -> Any:
    """Roster entry, cadre, unit, attempt (if any) and answered count, by unit, then name; built once
    (the same SQL text each time also lets psycopg prepare it on the server)."""
    answered = (
        select(func.count())
        .where(
            ResponseRow.attempt_id == AttemptRow.id,
            ResponseRow.answer.is_not(None),  # type: ignore[union-attr]
        )
        .correlate(AttemptRow)
        .scalar_subquery()
    )
    return (
        select(
            SessionCandidateRow.absent,
            SessionCandidateRow.checked_in_at,
            CadreRow.id_number,
            CadreRow.name,
            CadreRow.rank,
            UnitRow.name.label("unit_name"),  # type: ignore[attr-defined]
            AttemptRow.id.label("attempt_id"),  # type: ignore[union-attr]
            *(getattr(AttemptRow, name) for name in _ATTEMPT_COLUMNS),
            answered.label("answered"),
        )
        .join(CadreRow, CadreRow.id == SessionCandidateRow.cadre_id)  # type: ignore[arg-type]
        .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
        .outerjoin(
            AttemptRow,
            (AttemptRow.session_id == SessionCandidateRow.session_id)  # type: ignore[arg-type]
            & (AttemptRow.cadre_id == SessionCandidateRow.cadre_id),
        )
        .where(SessionCandidateRow.session_id == bindparam("session_id"))
        .order_by(UnitRow.name, CadreRow.name, CadreRow.id_number)
    )


def _candidate_record(c: Any, questions: int) -> CandidateRecord:
    """One row of ``_roster_statement`` (it carries both the entry's and the attempt's columns)."""
    has_attempt = c.attempt_id is not None
    return CandidateRecord(
        id_number=c.id_number,
        name=c.name,
        unit=c.unit_name,
        rank=c.rank,
        state=candidate_state(c, c if has_attempt else None),
        checked_in_at=c.checked_in_at,
        attempt_id=c.attempt_id,
        answered=c.answered if has_attempt else 0,
        questions=c.item_count if has_attempt else questions,
        started_at=c.started_at,
        deadline_at=c.deadline_at,
        submitted_at=c.submitted_at,
        submit_reason=c.submit_reason,
        grading=c.state if has_attempt and c.state != IN_PROGRESS else None,
        score=c.score,
        passed=c.passed,
        level=c.level,
        hostname=c.hostname,
        focus_losses=c.focus_losses if has_attempt else 0,
        resumes=c.resumes if has_attempt else 0,
        last_heartbeat_at=c.last_heartbeat_at,
        current_item=c.current_item,
    )


# Everything the console shows of an attempt; its frozen paper stays in the database.
_ATTEMPT_COLUMNS = (
    "state",
    "item_count",
    "started_at",
    "deadline_at",
    "submitted_at",
    "submit_reason",
    "score",
    "passed",
    "level",
    "hostname",
    "focus_losses",
    "resumes",
    "last_heartbeat_at",
    "current_item",
)
_ROSTER = _roster_statement()


def roster_rows(session: Session, session_id: int) -> list[Any]:
    """(roster entry, cadre, unit name) of every candidate on the session, by unit, then name."""
    return list(
        session.execute(
            select(SessionCandidateRow, CadreRow, UnitRow.name)
            .join(CadreRow, CadreRow.id == SessionCandidateRow.cadre_id)  # type: ignore[arg-type]
            .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
            .where(SessionCandidateRow.session_id == session_id)
            .order_by(UnitRow.name, CadreRow.name, CadreRow.id_number)
        ).all()
    )


def candidate_state(entry: SessionCandidateRow, attempt: Any) -> str:
    """The candidate's state as the console and the exports name it, from the roster entry and attempt."""
    if attempt is None:
        if entry.absent:
            return "absent"
        return "waiting" if entry.checked_in_at is not None else "not_signed_in"
    if attempt.state == IN_PROGRESS:
        return "in_progress"
    return {
        "candidate": "handed_in",
        "time_up": "time_up",
        "closed": "closed",
        "terminated": "terminated",
    }.get(attempt.submit_reason or "", "handed_in")
