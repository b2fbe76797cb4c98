"""Appointments (任前考试): the record per cadre and proposed post, kept up to date by domain.policy.

A decision is never typed in. Whenever a sitting changes (hand-in, grading, absence, an appeal's regrade
or key correction), :func:`refresh` recomputes the cadre's appointments from their sittings and, where
the decision moved, stores it with a row in ``appointment_decision`` saying who or what moved it, when
and why. An admin may add a note, or override with a reason; both are recorded the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.idnumber import InvalidIdNumber, mask, normalise_id_number
from exam_tui.domain.policy import Decision, Outcome, RetakeRule, Sitting, Status, decide
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError, bank_slug_of, find_exam
from exam_tui.services.settings import retake_gap_days
from exam_tui.store.models import (
    AppointmentDecisionRow,
    AppointmentRow,
    AttemptRow,
    AuditEventRow,
    BankRow,
    BankVersionRow,
    CadreRow,
    ExamRow,
    ExamSessionRow,
    SessionCandidateRow,
)

PRE_APPOINTMENT = "pre_appointment"


@dataclass(frozen=True)
class DecisionChange:
    """An appointment whose effective decision moved (an appeal reports these)."""

    appointment_id: int
    cadre_id: int
    post: str
    before: str
    after: str
    reason: str


# ---- sittings and the rule -------------------------------------------------------------------


def _exam_ids(session: Session, bank_slug: str, exam_slug: str) -> list[int]:
    """The exam in every version of its bank: a retake may be drawn from a newer version."""
    return list(
        session.execute(
            select(ExamRow.id)
            .join(BankVersionRow, ExamRow.bank_version_id == BankVersionRow.id)  # type: ignore[arg-type]
            .join(BankRow, BankVersionRow.bank_id == BankRow.id)  # type: ignore[arg-type]
            .where(BankRow.slug == bank_slug, ExamRow.slug == exam_slug)
        ).scalars()
    )


def _local(at: datetime) -> datetime:
    # Retake dates are calendar days where the exam is held: this machine's zone, not UTC.
    return at.astimezone()


def outcome_of(attempt: AttemptRow) -> Outcome:
    if attempt.state == "in_progress":
        return Outcome.IN_PROGRESS
    if attempt.state == "pending_grading":
        return Outcome.PENDING_GRADING
    if attempt.submit_reason == "terminated":
        return Outcome.TERMINATED
    return Outcome.PASSED if attempt.passed else Outcome.FAILED


def sittings(session: Session, cadre_id: int, exam_ids: list[int], since: datetime | None) -> list[Sitting]:
    """The cadre's attempts at these exams and the sessions of them they were absent from."""
    found: list[Sitting] = []
    attempts = select(AttemptRow).where(
        AttemptRow.cadre_id == cadre_id,
        AttemptRow.exam_id.in_(exam_ids),  # type: ignore[attr-defined]
    )
    for a in session.execute(attempts).scalars():
        if since is not None and a.started_at < since:
            continue
        found.append(
            Sitting(
                at=_local(a.started_at),
                outcome=outcome_of(a),
                ended_at=_local(a.submitted_at) if a.submitted_at else None,
                score=a.score,
                attempt_id=a.id,
                session_id=a.session_id,
                # Sign-in (admission) let it begin under the rules of that day: it counts, whatever
                # the gap or the attempt limit has become since.
                permitted=True,
            )
        )
    absences = (
        select(ExamSessionRow, SessionCandidateRow.absence_counts)
        .join(SessionCandidateRow, SessionCandidateRow.session_id == ExamSessionRow.id)  # type: ignore[arg-type]
        .where(
            SessionCandidateRow.cadre_id == cadre_id,
            SessionCandidateRow.absent.is_(True),  # type: ignore[attr-defined]
            ExamSessionRow.exam_id.in_(exam_ids),  # type: ignore[attr-defined]
        )
    )
    for s, counts in session.execute(absences).all():
        at = absence_moment(s)
        if since is not None and at < since:
            continue
        ended = s.closed_at or at
        found.append(
            Sitting(
                at=_local(at),
                outcome=Outcome.ABSENT,
                ended_at=_local(ended),
                session_id=s.id,
                permitted=counts,
            )
        )
    return found


def absence_moment(exam_session: ExamSessionRow) -> datetime:
    """When an absence from this session happened: its start, or its planned start if it never started."""
    return exam_session.started_at or exam_session.starts_at


def absence_counts(session: Session, cadre_id: int, exam: ExamRow, at: datetime) -> bool | None:
    """Whether an absence at ``at`` counts as a sitting: sign-in would have let the cadre begin then.

    Judged when the absence is recorded and stored with it, so a later change of the gap or the limit
    does not turn an absence the cadre could not help into a used attempt (or the other way round).
    None for exams the policy does not govern.
    """
    if not policy_applies(exam):
        return None
    cadre = session.get(CadreRow, cadre_id)
    assert cadre is not None
    return retake_refusal(session, cadre, exam, at) is None


def rule_for(session: Session, exam_ids: list[int]) -> RetakeRule:
    """The newest version's attempt limit and gap (the gap falls back to the global setting)."""
    exam = session.execute(
        select(ExamRow).where(ExamRow.id.in_(exam_ids)).order_by(ExamRow.id.desc()).limit(1)  # type: ignore[attr-defined]
    ).scalar_one()
    gap = exam.retake_gap_days if exam.retake_gap_days is not None else retake_gap_days(session)
    return RetakeRule(max_attempts=exam.max_attempts, gap_days=gap)


def decision_for(session: Session, appointment: AppointmentRow) -> Decision:
    exam_ids = _exam_ids(session, appointment.bank_slug, appointment.exam_slug)
    return decide(
        sittings(session, appointment.cadre_id, exam_ids, appointment.opened_at), rule_for(session, exam_ids)
    )


# ---- keeping decisions current ----------------------------------------------------------------


def refresh(
    session: Session, cadre_id: int, now: datetime, *, actor: str | None, why: str
) -> list[DecisionChange]:
    """Recompute every appointment of the cadre; store and record each one that moved.

    ``why`` is the event as a code, ``kind:number[:detail]`` (``hand_in:12:time_up``, ``absent:3``,
    ``marked:12``, ``review:12``, ``key_corrected:4``, ``opened``), kept in the decision's history with
    ``actor`` and put into words when shown (decision_exports.why_text), in whichever language.
    """
    changes = []
    for appointment in session.execute(
        select(AppointmentRow).where(AppointmentRow.cadre_id == cadre_id).with_for_update()
    ).scalars():
        decision = decision_for(session, appointment)
        change = _apply(session, appointment, decision, now, actor=actor, why=why)
        if change is not None:
            changes.append(change)
    return changes


def _apply(
    session: Session,
    appointment: AppointmentRow,
    decision: Decision,
    now: datetime,
    *,
    actor: str | None,
    why: str,
) -> DecisionChange | None:
    deciding = decision.deciding
    fields = {
        "status": decision.status.value,
        "reason": decision.reason.value,
        "attempts_used": decision.attempts_used,
        "attempt_id": deciding.attempt_id if deciding else None,
        "score": deciding.score if deciding else None,
        "retake_from": decision.retake_from,
    }
    if all(getattr(appointment, name) == value for name, value in fields.items()):
        return None
    before = appointment.effective_status
    # The decision dates from when it was taken: a retake date that only moved (the gap was changed)
    # keeps it; the history records the move.
    if any(getattr(appointment, name) != fields[name] for name in fields if name != "retake_from"):
        appointment.decided_at = now
    for name, value in fields.items():
        setattr(appointment, name, value)
    appointment.effective_status = appointment.override_status or appointment.status
    session.add(appointment)
    session.add(
        AppointmentDecisionRow(
            appointment_id=appointment.id,  # type: ignore[arg-type]
            at=now,
            actor=actor,
            source="policy",
            status=appointment.status,
            reason=appointment.reason,
            attempt_id=appointment.attempt_id,
            score=appointment.score,
            retake_from=appointment.retake_from,
            note=why,
        )
    )
    _audit(session, now, actor, "appointment.decide", appointment, why=why, **_jsonable(fields))
    if before == appointment.effective_status:
        return None
    return DecisionChange(
        appointment.id,  # type: ignore[arg-type]
        appointment.cadre_id,
        appointment.post,
        before,
        appointment.effective_status,
        appointment.reason,
    )


def refresh_many(
    session: Session, cadre_ids: Iterable[int], now: datetime, *, actor: str | None, why: str
) -> list[DecisionChange]:
    changes: list[DecisionChange] = []
    for cadre_id in sorted(set(cadre_ids)):
        changes.extend(refresh(session, cadre_id, now, actor=actor, why=why))
    return changes


def open_for_seated(
    session: Session, exam: ExamRow, cadres: Iterable[CadreRow], now: datetime, actor: str | None
) -> int:
    """Seating cadres in a pre-appointment session opens an appointment for each one with a proposed post.

    A cadre who already has an appointment for that post and exam keeps it: the new session is their
    retake (or, when cleared, a sitting that cannot change it). A new appointment for a post of the same
    name is opened by hand (``exam-tui appointment add``).
    """
    if exam.kind != PRE_APPOINTMENT:
        return 0
    bank_slug = bank_slug_of(session, exam)
    opened = 0
    for cadre in cadres:
        if not cadre.proposed_post:
            continue
        existing = session.execute(
            select(AppointmentRow).where(
                AppointmentRow.cadre_id == cadre.id,
                AppointmentRow.post == cadre.proposed_post,
                AppointmentRow.bank_slug == bank_slug,
                AppointmentRow.exam_slug == exam.slug,
            )
        ).first()
        if existing is None:
            _new(session, cadre, cadre.proposed_post, bank_slug, exam.slug, now, now, actor)
            opened += 1
    return opened


def _new(
    session: Session,
    cadre: CadreRow,
    post: str,
    bank_slug: str,
    exam_slug: str,
    opened_at: datetime,
    now: datetime,
    actor: str | None,
) -> AppointmentRow:
    row = AppointmentRow(
        cadre_id=cadre.id,  # type: ignore[arg-type]
        post=post,
        bank_slug=bank_slug,
        exam_slug=exam_slug,
        opened_at=opened_at,
        opened_by=actor,
        decided_at=now,
    )
    session.add(row)
    session.flush()
    session.add(
        AppointmentDecisionRow(
            appointment_id=row.id,  # type: ignore[arg-type]
            at=now,
            actor=actor,
            source="policy",
            status=row.status,
            reason=row.reason,
            note="opened",
        )
    )
    _audit(session, now, actor, "appointment.open", row, cadre=cadre.id_number, post=post)
    _apply(session, row, decision_for(session, row), now, actor=actor, why="opened")
    return row


def open_appointment(
    db: Database,
    *,
    id_number: str,
    post: str,
    exam_ref: str,
    since: datetime | None = None,
    actor: str | None,
    clock: MaybeClock = None,
) -> int:
    """An appointment opened by hand (``exam-tui appointment add``); sittings from ``since`` count."""
    post = post.strip()
    if not post:
        raise SessionError("appointment.post_required")
    with db.write() as session:
        now = now_in(session, clock)
        cadre = cadre_by_id_number(session, id_number)
        exam = find_exam(session, exam_ref)
        if exam.kind != PRE_APPOINTMENT:
            raise SessionError("appointment.not_pre_appointment", exam=exam_ref)
        bank_slug = bank_slug_of(session, exam)
        duplicate = session.execute(
            select(AppointmentRow.id).where(
                AppointmentRow.cadre_id == cadre.id,
                AppointmentRow.post == post,
                AppointmentRow.bank_slug == bank_slug,
                AppointmentRow.exam_slug == exam.slug,
                AppointmentRow.effective_status != Status.CLEARED.value,
            )
        ).first()
        if duplicate is not None:
            raise SessionError("appointment.exists", id=duplicate[0])
        row = _new(session, cadre, post, bank_slug, exam.slug, since or now, now, actor)
        return row.id  # type: ignore[return-value]


def cadre_by_id_number(session: Session, id_number: str) -> CadreRow:
    try:
        number = normalise_id_number(id_number)
    except InvalidIdNumber as exc:
        raise SessionError("login.bad_id", reason=exc.reason) from exc
    cadre = session.execute(select(CadreRow).where(CadreRow.id_number == number)).scalar_one_or_none()
    if cadre is None:
        raise SessionError("cadre.not_found", id_number=mask(number))
    return cadre


# ---- what an admin may add: a note, an override --------------------------------------------------


def add_note(db: Database, appointment_id: int, note: str, *, actor: str, clock: MaybeClock = None) -> None:
    note = note.strip()
    if not note:
        raise SessionError("appointment.note_required")
    with db.write() as session:
        now = now_in(session, clock)
        row = _appointment(session, appointment_id)
        row.note = note
        session.add(row)
        _history(session, row, now, actor, "note", note)
        _audit(session, now, actor, "appointment.note", row, note=note)


def override(
    db: Database,
    appointment_id: int,
    status: str | None,
    reason: str,
    *,
    actor: str,
    clock: MaybeClock = None,
) -> None:
    """Set (``status`` cleared/deferred) or lift (``status`` None) an admin's override; a reason is required."""
    reason = reason.strip()
    if not reason:
        raise SessionError("appointment.reason_required")
    if status is not None and status not in (Status.CLEARED.value, Status.DEFERRED.value):
        raise SessionError("appointment.bad_status", status=status)
    with db.write() as session:
        now = now_in(session, clock)
        row = _appointment(session, appointment_id)
        if status is None and row.override_status is None:
            raise SessionError("appointment.no_override", id=appointment_id)
        row.override_status = status
        row.override_reason = reason if status else None
        row.override_by = actor if status else None
        row.override_at = now if status else None
        row.effective_status = status or row.status
        session.add(row)
        _history(session, row, now, actor, "override" if status else "override_lifted", reason)
        _audit(session, now, actor, "appointment.override", row, status=status, reason=reason)


def _appointment(session: Session, appointment_id: int) -> AppointmentRow:
    row = session.get(AppointmentRow, appointment_id, with_for_update=True)
    if row is None:
        raise SessionError("appointment.not_found", id=appointment_id)
    return row


def _history(
    session: Session, row: AppointmentRow, now: datetime, actor: str, source: str, note: str
) -> None:
    session.add(
        AppointmentDecisionRow(
            appointment_id=row.id,  # type: ignore[arg-type]
            at=now,
            actor=actor,
            source=source,
            status=row.effective_status,
            reason=row.reason,
            attempt_id=row.attempt_id,
            score=row.score,
            retake_from=row.retake_from,
            note=note,
        )
    )


def _jsonable(fields: dict[str, object]) -> dict[str, object]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()}


def _audit(
    session: Session, now: datetime, actor: str | None, action: str, row: AppointmentRow, **details: object
) -> None:
    session.add(
        AuditEventRow(
            at=now,
            actor=actor,
            action=action,
            entity="appointment",
            entity_id=str(row.id),
            details=dict(details),
        )
    )


# ---- may this sitting begin? ---------------------------------------------------------------------


def policy_applies(exam: ExamRow) -> bool:
    """Whether sittings of ``exam`` are limited by domain.policy (attempts and the retake gap).

    Exams that decide something (pre-appointment, qualification) are, and any exam that sets its own
    gap; practice and training may be repeated up to their attempt limit at any time.
    """
    return exam.kind in (PRE_APPOINTMENT, "qualification") or exam.retake_gap_days is not None


def retake_refusal(session: Session, cadre: CadreRow, exam: ExamRow, now: datetime) -> SessionError | None:
    """Why a cadre may not sign in to a sitting of ``exam`` now (a retake too early, none left), else None.

    For exams where :func:`policy_applies`. For a pre-appointment exam only sittings since the open
    appointment count, so a cadre proposed for a second post years later starts afresh.
    """
    bank_slug = bank_slug_of(session, exam)
    exam_ids = _exam_ids(session, bank_slug, exam.slug)
    since = None
    if exam.kind == PRE_APPOINTMENT:
        open_one = session.execute(
            select(AppointmentRow.opened_at)
            .where(
                AppointmentRow.cadre_id == cadre.id,
                AppointmentRow.bank_slug == bank_slug,
                AppointmentRow.exam_slug == exam.slug,
                AppointmentRow.effective_status != Status.CLEARED.value,
            )
            .order_by(AppointmentRow.opened_at)  # type: ignore[arg-type]
            .limit(1)
        ).scalar_one_or_none()
        since = open_one
    decision = decide(sittings(session, cadre.id, exam_ids, since), rule_for(session, exam_ids))  # type: ignore[arg-type]
    if decision.status is not Status.DEFERRED:
        return None
    if decision.attempts_exhausted:
        return SessionError("login.attempts_exhausted", used=decision.attempts_used)
    if decision.retake_from is not None and _local(now).date() < decision.retake_from:
        return SessionError("login.retake_too_early", date=decision.retake_from.isoformat())
    return None


def refresh_all(session: Session, now: datetime, *, actor: str | None, why: str) -> list[DecisionChange]:
    """Every cadre with an appointment (after a change of the rules, such as the retake gap)."""
    cadre_ids = session.execute(select(AppointmentRow.cadre_id).distinct()).scalars().all()
    return refresh_many(session, cadre_ids, now, actor=actor, why=why)
