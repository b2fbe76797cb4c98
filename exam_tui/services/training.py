"""Training courses: create, enrol, record attendance per half-day, link the closing test, close (结业).

A course's points are posted when it is closed; after that, every change that can move them
(attendance, roles, the closing test's results) posts the difference in the same transaction
(services.points.sync_course), so the ledger follows the records without a line per half-day taken.
Each change is an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from exam_tui.domain.idnumber import InvalidIdNumber, mask, normalise_id_number
from exam_tui.domain.training import CourseKind, Half, Presence, attended, course_span_problem, half_days
from exam_tui.i18n import t
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError, SessionView, find_exam, schedule_session, session_views
from exam_tui.store.models import AuditEventRow, CadreRow, ExamSessionRow, UnitRow
from exam_tui.store.models_training import AttendanceRow, CourseEnrolmentRow, CourseRoleRow, CourseRow

TITLE_LIMIT = 300
ROLES = ("organiser", "lecturer")


@dataclass(frozen=True)
class CourseView:
    id: int
    title: str
    kind: str
    starts_on: date
    ends_on: date
    place: str | None
    organiser: str | None
    target: str | None
    notes: str | None
    enrolled: int
    closing_session_id: int | None
    created_at: datetime
    created_by: str | None
    closed_at: datetime | None
    closed_by: str | None


@dataclass(frozen=True)
class Participant:
    cadre_id: int
    id_number_masked: str
    name: str
    unit: str
    rank: str | None


@dataclass(frozen=True)
class AttendanceMark:
    """One cell of the grid as entered: None as the status clears it."""

    cadre_id: int
    day: date
    half: str
    status: str | None
    reason: str | None = None


@dataclass(frozen=True)
class AttendanceGrid:
    course: CourseView
    participants: list[Participant]
    periods: list[tuple[date, Half]]
    # (cadre_id, day, half) → (status, reason)
    cells: dict[tuple[int, date, str], tuple[str, str | None]]


def _view(session: Session, row: CourseRow) -> CourseView:
    enrolled = session.execute(
        select(func.count()).select_from(CourseEnrolmentRow).where(CourseEnrolmentRow.course_id == row.id)
    ).scalar_one()
    return CourseView(
        id=row.id,  # type: ignore[arg-type]
        title=row.title,
        kind=row.kind,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        place=row.place,
        organiser=row.organiser,
        target=row.target,
        notes=row.notes,
        enrolled=enrolled,
        closing_session_id=row.closing_session_id,
        created_at=row.created_at,
        created_by=row.created_by,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
    )


def course_row(session: Session, course_id: int, *, lock: bool = False) -> CourseRow:
    row = session.get(CourseRow, course_id, with_for_update=lock)
    if row is None:
        raise SessionError("course.not_found", id=course_id)
    return row


def _audit(
    session: Session, now: datetime, actor: str | None, action: str, course_id: int, **details: Any
) -> None:
    session.add(
        AuditEventRow(
            at=now, actor=actor, action=action, entity="course", entity_id=str(course_id), details=details
        )
    )


def _cadres(session: Session, id_numbers: Sequence[str]) -> list[CadreRow]:
    """The cadres with these ID numbers, in the order given; unknown or malformed numbers refuse all."""
    wanted: list[str] = []
    for raw in id_numbers:
        try:
            wanted.append(normalise_id_number(raw))
        except InvalidIdNumber as exc:
            raise SessionError("course.bad_id", value=raw, reason=exc.reason) from exc
    wanted = list(dict.fromkeys(wanted))
    found = {
        c.id_number: c
        for c in session.execute(select(CadreRow).where(CadreRow.id_number.in_(wanted))).scalars()  # type: ignore[attr-defined]
    }
    missing = [n for n in wanted if n not in found]
    if missing:
        raise SessionError("session.unknown_cadres", numbers=", ".join(mask(n) for n in missing))
    return [found[n] for n in wanted]


def create_course(
    db: Database,
    *,
    title: str,
    kind: str,
    starts_on: date,
    ends_on: date,
    place: str | None = None,
    organiser: str | None = None,
    target: str | None = None,
    notes: str | None = None,
    id_numbers: Sequence[str] = (),
    organisers: Sequence[str] = (),
    lecturers: Sequence[str] = (),
    actor: str | None,
    clock: MaybeClock = None,
) -> CourseView:
    """A course with its enrolled cadres and the cadres who organise it or give its lecture."""
    title = " ".join(title.split())
    if not title:
        raise SessionError("course.title_required")
    if len(title) > TITLE_LIMIT:
        raise SessionError("course.title_too_long", limit=TITLE_LIMIT)
    if kind not in set(CourseKind):
        raise SessionError("course.bad_kind", kind=kind, kinds=", ".join(CourseKind))
    problem = course_span_problem(starts_on, ends_on)
    if problem is not None:
        raise SessionError(problem, starts=starts_on.isoformat(), ends=ends_on.isoformat())
    with db.write() as session:
        now = now_in(session, clock)
        row = CourseRow(
            title=title,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            place=_blank_none(place),
            organiser=_blank_none(organiser),
            target=_blank_none(target),
            notes=_blank_none(notes),
            created_at=now,
            created_by=actor,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        _enrol(session, row.id, _cadres(session, id_numbers), now)
        for role, numbers in (("organiser", organisers), ("lecturer", lecturers)):
            for cadre in _cadres(session, numbers):
                session.add(CourseRoleRow(course_id=row.id, cadre_id=cadre.id, role=role))  # type: ignore[arg-type]
        session.flush()
        _audit(session, now, actor, "course.create", row.id, title=title, kind=kind, enrolled=len(id_numbers))
        _sync(session, row.id, now, actor)
        return _view(session, row)


def _blank_none(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _enrol(session: Session, course_id: int, cadres: Sequence[CadreRow], now: datetime) -> int:
    already = set(
        session.execute(
            select(CourseEnrolmentRow.cadre_id).where(CourseEnrolmentRow.course_id == course_id)
        ).scalars()
    )
    added = 0
    for cadre in cadres:
        if cadre.id not in already:
            session.add(CourseEnrolmentRow(course_id=course_id, cadre_id=cadre.id, enrolled_at=now))  # type: ignore[arg-type]
            already.add(cadre.id)  # type: ignore[arg-type]
            added += 1
    return added


def enrol(
    db: Database, course_id: int, id_numbers: Sequence[str], *, actor: str | None, clock: MaybeClock = None
) -> int:
    """Add cadres to a course (those already enrolled are left as they are); returns how many were added."""
    with db.write() as session:
        now = now_in(session, clock)
        course_row(session, course_id, lock=True)
        added = _enrol(session, course_id, _cadres(session, id_numbers), now)
        _audit(session, now, actor, "course.enrol", course_id, added=added)
        return added


def set_role(
    db: Database,
    course_id: int,
    id_number: str,
    role: str,
    *,
    remove: bool = False,
    actor: str | None,
    clock: MaybeClock = None,
) -> None:
    """Record (or remove) a cadre as the course's organiser or lecturer; points follow."""
    if role not in ROLES:
        raise SessionError("course.bad_role", role=role, roles=", ".join(ROLES))
    with db.write() as session:
        now = now_in(session, clock)
        course_row(session, course_id, lock=True)
        (cadre,) = _cadres(session, [id_number])
        existing = session.execute(
            select(CourseRoleRow).where(
                CourseRoleRow.course_id == course_id,
                CourseRoleRow.cadre_id == cadre.id,
                CourseRoleRow.role == role,
            )
        ).scalar_one_or_none()
        if remove and existing is not None:
            session.delete(existing)
        elif not remove and existing is None:
            session.add(CourseRoleRow(course_id=course_id, cadre_id=cadre.id, role=role))  # type: ignore[arg-type]
        session.flush()
        _audit(
            session, now, actor, "course.role", course_id, cadre=cadre.id_number, role=role, removed=remove
        )
        _sync(session, course_id, now, actor)


def list_courses(db: Database, *, year: int | None = None) -> list[CourseView]:
    """Courses, latest first; ``year`` keeps those that start in it."""
    with db.read() as session:
        stmt = select(CourseRow).order_by(CourseRow.starts_on.desc(), CourseRow.id.desc())  # type: ignore[attr-defined]
        if year is not None:
            stmt = stmt.where(
                CourseRow.starts_on >= date(year, 1, 1), CourseRow.starts_on <= date(year, 12, 31)
            )
        return [_view(session, row) for row in session.execute(stmt).scalars()]


def course(db: Database, course_id: int) -> CourseView:
    with db.read() as session:
        return _view(session, course_row(session, course_id))


def participants(session: Session, course_id: int) -> list[Participant]:
    """The enrolled cadres by unit and name, as the grid and the record list them."""
    rows = session.execute(
        select(CadreRow, UnitRow.name)
        .join(CourseEnrolmentRow, CourseEnrolmentRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
        .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
        .where(CourseEnrolmentRow.course_id == course_id)
        .order_by(UnitRow.id, CadreRow.id)
    ).all()
    return [Participant(c.id, mask(c.id_number), c.name, unit, c.rank) for c, unit in rows]  # type: ignore[arg-type]


@dataclass(frozen=True)
class CourseTaken:
    """A course as a cadre's record shows it: what it was, and how much of it they attended."""

    id: int
    title: str
    kind: str
    starts_on: date
    ends_on: date
    attended: int  # half-days present or late
    half_days: int
    closed: bool


def courses_of(session: Session, cadre_id: int) -> list[CourseTaken]:
    """Every course the cadre was enrolled in, the latest first."""
    rows = session.execute(
        select(CourseRow)
        .join(CourseEnrolmentRow, CourseEnrolmentRow.course_id == CourseRow.id)  # type: ignore[arg-type]
        .where(CourseEnrolmentRow.cadre_id == cadre_id)
        .order_by(CourseRow.starts_on.desc())  # type: ignore[attr-defined]
    ).scalars()
    taken = []
    for row in rows:
        statuses = session.execute(
            select(AttendanceRow.status).where(
                AttendanceRow.course_id == row.id, AttendanceRow.cadre_id == cadre_id
            )
        ).scalars()
        taken.append(
            CourseTaken(
                row.id,  # type: ignore[arg-type]
                row.title,
                row.kind,
                row.starts_on,
                row.ends_on,
                attended(statuses),
                len(half_days(row.starts_on, row.ends_on)),
                row.closed_at is not None,
            )
        )
    return taken


def enrolled_numbers(db: Database, course_id: int) -> dict[str, int]:
    """The enrolled cadres' full ID numbers → their ids (for commands that name cadres by ID number)."""
    with db.read() as session:
        course_row(session, course_id)
        return dict(
            session.execute(
                select(CadreRow.id_number, CadreRow.id)
                .join(CourseEnrolmentRow, CourseEnrolmentRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
                .where(CourseEnrolmentRow.course_id == course_id)
            ).all()
        )


def _cells(session: Session, course_id: int) -> dict[tuple[int, date, str], tuple[str, str | None]]:
    return {
        (a.cadre_id, a.day, a.half): (a.status, a.reason)
        for a in session.execute(select(AttendanceRow).where(AttendanceRow.course_id == course_id)).scalars()
    }


def attendance_grid(db: Database, course_id: int) -> AttendanceGrid:
    """The course's cadres × half-days with what has been recorded so far."""
    with db.read() as session:
        row = course_row(session, course_id)
        return AttendanceGrid(
            _view(session, row),
            participants(session, course_id),
            half_days(row.starts_on, row.ends_on),
            _cells(session, course_id),
        )


def record_attendance(
    db: Database,
    course_id: int,
    marks: Sequence[AttendanceMark],
    *,
    actor: str | None,
    clock: MaybeClock = None,
) -> int:
    """Enter or correct cells of the attendance grid, all or none; returns how many cells changed.

    An absence needs its reason (病假, 公务, …); late and present do not. A cell set back to None is
    cleared (not yet taken).
    """
    with db.write() as session:
        now = now_in(session, clock)
        row = course_row(session, course_id, lock=True)
        periods = set(half_days(row.starts_on, row.ends_on))
        enrolled = set(
            session.execute(
                select(CourseEnrolmentRow.cadre_id).where(CourseEnrolmentRow.course_id == course_id)
            ).scalars()
        )
        existing = {
            (a.cadre_id, a.day, a.half): a
            for a in session.execute(
                select(AttendanceRow).where(AttendanceRow.course_id == course_id)
            ).scalars()
        }
        changed = 0
        for mark in marks:
            if mark.cadre_id not in enrolled:
                raise SessionError("course.not_enrolled", cadre=mark.cadre_id)
            if (mark.day, mark.half) not in periods:
                raise SessionError("course.no_such_half_day", day=mark.day.isoformat(), half=mark.half)
            reason = _blank_none(mark.reason)
            if mark.status is not None and mark.status not in set(Presence):
                raise SessionError("course.bad_status", status=mark.status)
            if mark.status == Presence.ABSENT and reason is None:
                raise SessionError("course.absence_reason")
            cell = existing.get((mark.cadre_id, mark.day, mark.half))
            if mark.status is None:
                if cell is not None:
                    session.delete(cell)
                    changed += 1
                continue
            keep = reason if mark.status == Presence.ABSENT else None
            if cell is None:
                session.add(
                    AttendanceRow(
                        course_id=course_id,
                        cadre_id=mark.cadre_id,
                        day=mark.day,
                        half=mark.half,
                        status=mark.status,
                        reason=keep,
                        recorded_at=now,
                        recorded_by=actor,
                    )
                )
                changed += 1
            elif (cell.status, cell.reason) != (mark.status, keep):
                cell.status, cell.reason, cell.recorded_at, cell.recorded_by = mark.status, keep, now, actor
                session.add(cell)
                changed += 1
        session.flush()
        if changed:
            _audit(session, now, actor, "course.attendance", course_id, cells=changed)
            _sync(session, course_id, now, actor)
        return changed


def all_present(
    db: Database, course_id: int, day: date, half: str, *, actor: str | None, clock: MaybeClock = None
) -> int:
    """Everyone not yet recorded for this half-day is present: the grid's first stroke for most sessions."""
    grid = attendance_grid(db, course_id)
    marks = [
        AttendanceMark(p.cadre_id, day, half, Presence.PRESENT)
        for p in grid.participants
        if (p.cadre_id, day, half) not in grid.cells
    ]
    return record_attendance(db, course_id, marks, actor=actor, clock=clock)


def open_closing_test(
    db: Database,
    course_id: int,
    *,
    exam_ref: str,
    starts_at: datetime,
    room: str | None = None,
    title: str | None = None,
    actor: str | None,
    clock: MaybeClock = None,
) -> SessionView:
    """The course's closed-book closing test: an exam session of a training exam, seating everyone enrolled."""
    with db.read() as session:
        row = course_row(session, course_id)
        if row.closing_session_id is not None:
            raise SessionError("course.has_closing_test", id=course_id, session=row.closing_session_id)
        if find_exam(session, exam_ref).kind != "training":
            raise SessionError("course.not_training_exam", exam=exam_ref)
        numbers = list(
            session.execute(
                select(CadreRow.id_number)
                .join(CourseEnrolmentRow, CourseEnrolmentRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
                .where(CourseEnrolmentRow.course_id == course_id)
            ).scalars()
        )
        course_title = row.title
    if not numbers:
        raise SessionError("course.nobody_enrolled", id=course_id)
    view = schedule_session(
        db,
        exam_ref=exam_ref,
        title=title or t("course.closing_title", title=course_title),
        room=room,
        starts_at=starts_at,
        id_numbers=numbers,
        open_now=True,
        clock=clock,
        actor=actor,
    )
    link_closing_test(db, course_id, view.id, actor=actor, clock=clock)
    return view


def link_closing_test(
    db: Database, course_id: int, session_id: int, *, actor: str | None, clock: MaybeClock = None
) -> None:
    """Make an existing training-exam session the course's closing test."""
    with db.write() as session:
        now = now_in(session, clock)
        row = course_row(session, course_id, lock=True)
        exam_session = session.get(ExamSessionRow, session_id)
        if exam_session is None:
            raise SessionError("session.not_found", id=session_id)
        row.closing_session_id = session_id
        session.add(row)
        session.flush()
        _audit(session, now, actor, "course.closing_test", course_id, exam_session=session_id)
        _sync(session, course_id, now, actor)


def close_course(db: Database, course_id: int, *, actor: str | None, clock: MaybeClock = None) -> int:
    """结业: the course is over; its points are posted from its records. Returns the entries written."""
    with db.write() as session:
        now = now_in(session, clock)
        row = course_row(session, course_id, lock=True)
        if row.closed_at is not None:
            raise SessionError("course.closed", id=course_id)
        row.closed_at, row.closed_by = now, actor
        session.add(row)
        session.flush()
        _audit(session, now, actor, "course.close", course_id)
        return _sync(session, course_id, now, actor)


def reopen_course(
    db: Database, course_id: int, *, reason: str, actor: str | None, clock: MaybeClock = None
) -> int:
    """Undo a 结业 made by mistake: the course's points are reversed until it is closed again."""
    reason = reason.strip()
    if not reason:
        raise SessionError("course.reason_required")
    with db.write() as session:
        now = now_in(session, clock)
        row = course_row(session, course_id, lock=True)
        if row.closed_at is None:
            raise SessionError("course.not_closed", id=course_id)
        row.closed_at, row.closed_by = None, None
        session.add(row)
        session.flush()
        _audit(session, now, actor, "course.reopen", course_id, reason=reason)
        return _sync(session, course_id, now, actor)


def closing_session(session: Session, course_id: int) -> SessionView | None:
    row = course_row(session, course_id)
    if row.closing_session_id is None:
        return None
    exam_session = session.get(ExamSessionRow, row.closing_session_id)
    return session_views(session, [exam_session])[0] if exam_session is not None else None


def _sync(session: Session, course_id: int, now: datetime, actor: str | None) -> int:
    from exam_tui.services import points  # points reads courses through this module

    return points.sync_course(session, course_id, now, actor=actor)
