"""Signing a candidate in: the ID number (or its last six characters and the name) and the access code.

Admission only checks and records the check-in; the attempt itself starts in :func:`attempts.begin`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.idnumber import InvalidIdNumber, mask, normalise_id_number
from exam_tui.domain.sittings import SessionState, normalise_access_code
from exam_tui.services import appointments
from exam_tui.services.attempts import IN_PROGRESS, attempt_of, attempts_used, too_late
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError, SessionView, session_views
from exam_tui.store.models import CadreRow, ExamRow, ExamSessionRow, SessionCandidateRow, UnitRow


@dataclass(frozen=True)
class Candidate:
    cadre_id: int
    name: str
    unit: str
    masked_id: str


@dataclass(frozen=True)
class ExamBrief:
    title: str
    kind: str
    duration_minutes: int
    questions: int
    total_points: float
    pass_score: float
    review: str


@dataclass(frozen=True)
class Admission:
    session: SessionView
    candidate: Candidate
    exam: ExamBrief
    resuming: bool  # an attempt is already under way


def admit(
    db: Database,
    *,
    login: str,
    access_code: str,
    name: str | None = None,
    session_id: int | None = None,
    clock: MaybeClock = None,
) -> Admission:
    """Check a candidate in: ``login`` is the ID number, or its last 6 characters with ``name``.

    ``session_id`` limits sign-in to one session (a terminal started with ``sit --session``).
    """
    code = normalise_access_code(access_code)
    with db.write() as session:
        stmt = select(ExamSessionRow).where(ExamSessionRow.access_code == code)
        if session_id is not None:
            stmt = stmt.where(ExamSessionRow.id == session_id)
        exam_sessions = session.execute(stmt).scalars().all()
        live = [s for s in exam_sessions if s.state != SessionState.CLOSED]
        if not live:
            raise SessionError("login.closed" if exam_sessions else "login.bad_code")
        cadre = _find_cadre(session, login, name, [s.id for s in live])  # type: ignore[misc]
        entry, exam_session = None, None
        for s in live:
            entry = session.execute(
                select(SessionCandidateRow).where(
                    SessionCandidateRow.session_id == s.id, SessionCandidateRow.cadre_id == cadre.id
                )
            ).scalar_one_or_none()
            if entry is not None:
                exam_session = s
                break
        if entry is None or exam_session is None:
            raise SessionError("login.not_on_roster")
        if exam_session.state == SessionState.SCHEDULED:
            raise SessionError("login.not_open")
        exam = session.get(ExamRow, exam_session.exam_id)
        assert exam is not None
        attempt = attempt_of(session, exam_session.id, cadre.id)  # type: ignore[arg-type]
        if attempt is not None and attempt.state != IN_PROGRESS:
            raise SessionError("login.submitted")
        if attempt is None:
            if entry.absent:
                raise SessionError("login.absent")
            now = now_in(session, clock)
            if appointments.policy_applies(exam):
                # Attempts and the retake gap as the appointment counts them (since it was opened).
                refusal = appointments.retake_refusal(session, cadre, exam, now)
                if refusal is not None:
                    raise refusal
            else:
                used = attempts_used(session, cadre.id, exam)  # type: ignore[arg-type]
                if used >= exam.max_attempts:
                    raise SessionError("login.attempts_exhausted", used=used)
            if too_late(exam_session, now):
                raise SessionError("login.too_late", minutes=exam_session.allow_late_minutes)
        if entry.checked_in_at is None:
            entry.checked_in_at = now_in(session, clock)
            session.add(entry)
        unit = session.get(UnitRow, cadre.unit_id)
        count = sum(int(s["draw"]) for s in exam.sections)
        return Admission(
            session=session_views(session, [exam_session])[0],
            candidate=Candidate(cadre.id, cadre.name, unit.name if unit else "", mask(cadre.id_number)),  # type: ignore[arg-type]
            exam=ExamBrief(
                exam.title,
                exam.kind,
                exam.duration_minutes,
                count,
                exam.total_points,
                exam.pass_score,
                exam.review,
            ),
            resuming=attempt is not None,
        )


def _find_cadre(session: Session, login: str, name: str | None, session_ids: list[int]) -> CadreRow:
    typed = "".join(login.split()).upper()
    if len(typed) == 6:
        # Last six characters plus the name, accepted only when the rosters make it unambiguous.
        if not name or not name.strip():
            raise SessionError("login.need_name")
        matches = (
            session.execute(
                select(CadreRow)
                .join(SessionCandidateRow, SessionCandidateRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
                .where(
                    SessionCandidateRow.session_id.in_(session_ids),  # type: ignore[attr-defined]
                    CadreRow.id_number.endswith(typed),  # type: ignore[attr-defined]
                    CadreRow.name == name.strip(),
                )
            )
            .scalars()
            .unique()
            .all()
        )
        if len(matches) > 1:
            raise SessionError("login.ambiguous")
        if not matches:
            raise SessionError("login.not_on_roster")
        return matches[0]
    try:
        number = normalise_id_number(typed, check_place=False)
    except InvalidIdNumber as exc:
        raise SessionError("login.bad_id", reason=exc.reason) from exc
    cadre = session.execute(select(CadreRow).where(CadreRow.id_number == number)).scalar_one_or_none()
    if cadre is None:
        # Every number on a roster passed the full check; a number that is on none gets the full check
        # here, so that a mistyped region code is named as such.
        try:
            normalise_id_number(typed)
        except InvalidIdNumber as exc:
            raise SessionError("login.bad_id", reason=exc.reason) from exc
        raise SessionError("login.unknown_candidate")
    return cadre


def session_state(db: Database, session_id: int) -> str:
    """Polled by a waiting candidate until the proctor starts the session."""
    with db.read() as session:
        row = session.get(ExamSessionRow, session_id)
        if row is None:
            raise SessionError("session.not_found", id=session_id)
        return row.state
