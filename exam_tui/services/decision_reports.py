"""Reading decisions: appointments (the deferred list), qualifications held, and one cadre's whole record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.idnumber import mask
from exam_tui.services.appointments import cadre_by_id_number
from exam_tui.services.points import YearPoints, years_of
from exam_tui.services.runtime import Database
from exam_tui.services.sessions import SessionError
from exam_tui.services.training import CourseTaken, courses_of
from exam_tui.store.models import (
    AppealRow,
    AppointmentDecisionRow,
    AppointmentRow,
    AttemptRow,
    BankRow,
    BankVersionRow,
    CadreRow,
    ExamRow,
    ExamSessionRow,
    SessionCandidateRow,
    UnitRow,
)

STATUSES = ("pending_exam", "cleared", "deferred")


@dataclass(frozen=True)
class AppointmentView:
    id: int
    id_number: str  # personal data: shown only when asked for (--unmasked)
    id_number_masked: str
    name: str
    unit: str
    post: str
    exam_ref: str
    exam: str
    status: str  # in effect: the override's when there is one
    policy_status: str
    reason: str
    score: float | None
    attempts_used: int
    max_attempts: int
    retake_from: date | None
    decided_at: datetime | None
    opened_at: datetime
    override_status: str | None
    override_reason: str | None
    override_by: str | None
    note: str | None


@dataclass(frozen=True)
class DecisionEntry:
    at: datetime
    actor: str | None
    source: str
    status: str
    reason: str
    score: float | None
    retake_from: date | None
    note: str | None


def _exam_of(session: Session, bank_slug: str, exam_slug: str) -> ExamRow | None:
    return session.execute(
        select(ExamRow)
        .join(BankVersionRow, ExamRow.bank_version_id == BankVersionRow.id)  # type: ignore[arg-type]
        .join(BankRow, BankVersionRow.bank_id == BankRow.id)  # type: ignore[arg-type]
        .where(BankRow.slug == bank_slug, ExamRow.slug == exam_slug)
        .order_by(BankVersionRow.number.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).scalar_one_or_none()


def _unit_id(session: Session, unit: str | None) -> int | None:
    if unit is None:
        return None
    found = session.execute(select(UnitRow.id).where(UnitRow.name == unit)).scalar_one_or_none()
    if found is None:
        raise SessionError("cadre.unit_not_found", unit=unit)
    return found


def list_appointments(
    db: Database, *, status: str | None = None, unit: str | None = None
) -> list[AppointmentView]:
    """Appointments by unit and name; ``status`` filters on the decision in effect."""
    if status is not None and status not in STATUSES:
        raise SessionError("appointment.bad_status", status=status)
    with db.read() as session:
        stmt = (
            select(AppointmentRow, CadreRow, UnitRow.name)
            .join(CadreRow, AppointmentRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
            .join(UnitRow, CadreRow.unit_id == UnitRow.id)  # type: ignore[arg-type]
            .order_by(UnitRow.name, CadreRow.name, AppointmentRow.id)
        )
        if status is not None:
            stmt = stmt.where(AppointmentRow.effective_status == status)
        unit_id = _unit_id(session, unit)
        if unit_id is not None:
            stmt = stmt.where(CadreRow.unit_id == unit_id)
        exams: dict[tuple[str, str], ExamRow | None] = {}
        views = []
        for row, cadre, unit_name in session.execute(stmt).all():
            ref = (row.bank_slug, row.exam_slug)
            if ref not in exams:
                exams[ref] = _exam_of(session, *ref)
            views.append(_view(row, cadre, unit_name, exams[ref]))
        return views


def deferred_list(db: Database, *, unit: str | None = None) -> list[AppointmentView]:
    """暂缓任用: cadres whose appointment is deferred, with why and when a retake may begin."""
    return list_appointments(db, status="deferred", unit=unit)


def _view(row: AppointmentRow, cadre: CadreRow, unit: str, exam: ExamRow | None) -> AppointmentView:
    return AppointmentView(
        id=row.id,  # type: ignore[arg-type]
        id_number=cadre.id_number,
        id_number_masked=mask(cadre.id_number),
        name=cadre.name,
        unit=unit,
        post=row.post,
        exam_ref=f"{row.bank_slug}/{row.exam_slug}",
        exam=exam.title if exam else row.exam_slug,
        status=row.effective_status,
        policy_status=row.status,
        reason=row.reason,
        score=row.score,
        attempts_used=row.attempts_used,
        max_attempts=exam.max_attempts if exam else 0,
        retake_from=row.retake_from,
        decided_at=row.decided_at,
        opened_at=row.opened_at,
        override_status=row.override_status,
        override_reason=row.override_reason,
        override_by=row.override_by,
        note=row.note,
    )


def appointment_history(db: Database, appointment_id: int) -> tuple[AppointmentView, list[DecisionEntry]]:
    """The appointment and every change of its decision, oldest first: who, when, why."""
    with db.read() as session:
        row = session.get(AppointmentRow, appointment_id)
        if row is None:
            raise SessionError("appointment.not_found", id=appointment_id)
        cadre = session.get(CadreRow, row.cadre_id)
        assert cadre is not None
        unit = session.get(UnitRow, cadre.unit_id)
        view = _view(row, cadre, unit.name if unit else "", _exam_of(session, row.bank_slug, row.exam_slug))
        return view, _history(session, appointment_id)


def _history(session: Session, appointment_id: int) -> list[DecisionEntry]:
    return [
        DecisionEntry(d.at, d.actor, d.source, d.status, d.reason, d.score, d.retake_from, d.note)
        for d in session.execute(
            select(AppointmentDecisionRow)
            .where(AppointmentDecisionRow.appointment_id == appointment_id)
            .order_by(AppointmentDecisionRow.id)  # type: ignore[arg-type]
        ).scalars()
    ]


# ---- qualifications ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualificationView:
    id_number_masked: str
    name: str
    unit: str
    exam: str
    exam_ref: str
    level: str
    score: float
    granted_on: date
    attempt_id: int


def qualifications(db: Database, *, unit: str | None = None) -> list[QualificationView]:
    """Levels held: for each cadre and qualification exam, the latest passed, graded attempt."""
    with db.read() as session:
        return _qualifications(session, unit_id=_unit_id(session, unit))


def _qualifications(
    session: Session, *, unit_id: int | None = None, cadre_id: int | None = None
) -> list[QualificationView]:
    stmt = (
        select(AttemptRow, CadreRow, UnitRow.name, ExamRow, BankRow.slug)
        .join(CadreRow, AttemptRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
        .join(UnitRow, CadreRow.unit_id == UnitRow.id)  # type: ignore[arg-type]
        .join(ExamRow, AttemptRow.exam_id == ExamRow.id)  # type: ignore[arg-type]
        .join(BankVersionRow, ExamRow.bank_version_id == BankVersionRow.id)  # type: ignore[arg-type]
        .join(BankRow, BankVersionRow.bank_id == BankRow.id)  # type: ignore[arg-type]
        .where(
            ExamRow.kind == "qualification",
            AttemptRow.state == "graded",
            AttemptRow.passed.is_(True),  # type: ignore[union-attr]
            AttemptRow.level.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(AttemptRow.submitted_at)
    )
    if unit_id is not None:
        stmt = stmt.where(CadreRow.unit_id == unit_id)
    if cadre_id is not None:
        stmt = stmt.where(CadreRow.id == cadre_id)
    latest: dict[tuple[int, str, str], QualificationView] = {}
    for attempt, cadre, unit_name, exam, bank_slug in session.execute(stmt).all():
        when = (attempt.submitted_at or attempt.started_at).astimezone().date()
        latest[(cadre.id, bank_slug, exam.slug)] = QualificationView(
            mask(cadre.id_number),
            cadre.name,
            unit_name,
            exam.title,
            f"{bank_slug}/{exam.slug}",
            attempt.level or "",
            attempt.score or 0.0,
            when,
            attempt.id,  # type: ignore[arg-type]
        )
    return sorted(latest.values(), key=lambda q: (q.unit, q.name, q.exam_ref))


# ---- one cadre's record -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SittingView:
    attempt_id: int
    session_id: int
    session: str
    exam: str
    kind: str
    number: int
    started_at: datetime
    submitted_at: datetime | None
    state: str
    submit_reason: str | None
    score: float | None
    total_points: float
    passed: bool | None
    level: str | None


@dataclass(frozen=True)
class CadreRecord:
    id_number: str
    name: str
    unit: str
    rank: str | None
    position: str | None
    proposed_post: str | None
    sittings: list[SittingView]
    absences: list[tuple[int, str, str]]  # session id, session title, exam title
    appointments: list[tuple[AppointmentView, list[DecisionEntry]]]
    qualifications: list[QualificationView]
    appeals: list[dict[str, Any]] = field(default_factory=list)
    courses: list[CourseTaken] = field(default_factory=list)
    points: list[YearPoints] = field(default_factory=list)

    @property
    def id_number_masked(self) -> str:
        """What every screen and export shows; ``id_number`` is for finding the cadre again."""
        return mask(self.id_number)


def cadre_record(db: Database, id_number: str) -> CadreRecord:
    """Everything the system holds on a cadre's exams and decisions (for ``cadre show`` and the TUI)."""
    with db.read() as session:
        cadre = cadre_by_id_number(session, id_number)
        unit = session.get(UnitRow, cadre.unit_id)
        rows = session.execute(
            select(AttemptRow, ExamSessionRow.title, ExamRow)
            .join(ExamSessionRow, AttemptRow.session_id == ExamSessionRow.id)  # type: ignore[arg-type]
            .join(ExamRow, AttemptRow.exam_id == ExamRow.id)  # type: ignore[arg-type]
            .where(AttemptRow.cadre_id == cadre.id)
            .order_by(AttemptRow.started_at)
        ).all()
        sittings = [
            SittingView(
                a.id,  # type: ignore[arg-type]
                a.session_id,
                title,
                exam.title,
                exam.kind,
                a.number,
                a.started_at,
                a.submitted_at,
                a.state,
                a.submit_reason,
                a.score,
                exam.total_points,
                a.passed,
                a.level,
            )
            for a, title, exam in rows
        ]
        absences = [
            (s.id, s.title, e.title)
            for s, e in session.execute(
                select(ExamSessionRow, ExamRow)
                .join(SessionCandidateRow, SessionCandidateRow.session_id == ExamSessionRow.id)  # type: ignore[arg-type]
                .join(ExamRow, ExamSessionRow.exam_id == ExamRow.id)  # type: ignore[arg-type]
                .where(SessionCandidateRow.cadre_id == cadre.id, SessionCandidateRow.absent.is_(True))  # type: ignore[attr-defined]
                .order_by(ExamSessionRow.starts_at)
            ).all()
        ]
        appointments = []
        for row in session.execute(
            select(AppointmentRow).where(AppointmentRow.cadre_id == cadre.id).order_by(AppointmentRow.id)  # type: ignore[arg-type]
        ).scalars():
            view = _view(
                row, cadre, unit.name if unit else "", _exam_of(session, row.bank_slug, row.exam_slug)
            )
            appointments.append((view, _history(session, row.id)))  # type: ignore[arg-type]
        attempt_ids = [s.attempt_id for s in sittings]
        appeals = [
            {
                "id": a.id,
                "attempt": a.attempt_id,
                "filed_at": a.filed_at,
                "state": a.state,
                "outcome": a.outcome,
                "reason": a.reason,
            }
            for a in session.execute(
                select(AppealRow).where(AppealRow.attempt_id.in_(attempt_ids)).order_by(AppealRow.id)  # type: ignore[attr-defined,arg-type]
            ).scalars()
        ]
        held = _qualifications(session, cadre_id=cadre.id)
        courses = courses_of(session, cadre.id)  # type: ignore[arg-type]
        years = years_of(session, cadre.id)  # type: ignore[arg-type]
    return CadreRecord(
        cadre.id_number,
        cadre.name,
        unit.name if unit else "",
        cadre.rank,
        cadre.position,
        cadre.proposed_post,
        sittings,
        absences,
        appointments,
        held,
        appeals,
        courses,
        years,
    )
