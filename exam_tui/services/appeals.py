"""Appeals (申诉复核): filed against an attempt, reviewed on the exact paper, decided with a recorded outcome.

A reviewer may regrade a short answer (the reviewer's mark replaces the graders') or correct a question's
key, which re-scores every attempt that had the question and reports whose result and decision changed.
Each step is an ``appeal_step`` and an audit event; the decision compares the attempt's result and the
cadre's appointment decisions at filing with those at deciding: ``changed`` or ``upheld``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.paper import Paper, PaperItem
from exam_tui.domain.questions import BadKey, parse_key
from exam_tui.services import appointments
from exam_tui.services.appointments import DecisionChange
from exam_tui.services.grading import (
    IN_PROGRESS,
    corrections_for,
    grade_attempt,
    mark_in,
    marks_of,
    scoring_paper,
)
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import (
    AppealRow,
    AppealStepRow,
    AppointmentRow,
    AttemptRow,
    AuditEventRow,
    CadreRow,
    ExamRow,
    KeyCorrectionRow,
    QuestionRow,
    ResponseRow,
    UnitRow,
)

OPEN, DECIDED = "open", "decided"


def _required(text: str, key: str) -> str:
    text = (text or "").strip()
    if not text:
        raise SessionError(key)
    return text


def _snapshot(session: Session, attempt: AttemptRow) -> dict[str, Any]:
    """The result and the decisions an appeal can change, as plain values to store and compare."""
    decisions = session.execute(
        select(AppointmentRow.id, AppointmentRow.post, AppointmentRow.effective_status)
        .where(AppointmentRow.cadre_id == attempt.cadre_id)
        .order_by(AppointmentRow.id)  # type: ignore[arg-type]
    ).all()
    return {
        "state": attempt.state,
        "score": attempt.score,
        "passed": attempt.passed,
        "level": attempt.level,
        "decisions": [{"appointment": i, "post": p, "status": s} for i, p, s in decisions],
    }


def _step(
    session: Session, appeal: AppealRow, now: datetime, actor: str, action: str, **details: Any
) -> None:
    session.add(AppealStepRow(appeal_id=appeal.id, at=now, actor=actor, action=action, details=details))  # type: ignore[arg-type]
    session.add(
        AuditEventRow(
            at=now,
            actor=actor,
            action=f"appeal.{action}",
            entity="appeal",
            entity_id=str(appeal.id),
            details={"attempt": appeal.attempt_id, **details},
        )
    )


def _open_appeal(session: Session, appeal_id: int) -> AppealRow:
    appeal = session.get(AppealRow, appeal_id, with_for_update=True)
    if appeal is None:
        raise SessionError("appeal.not_found", id=appeal_id)
    if appeal.state != OPEN:
        raise SessionError("appeal.decided", id=appeal_id)
    return appeal


# ---- filing -----------------------------------------------------------------------------------------


def file_appeal(
    db: Database, attempt_id: int, reason: str, *, filed_by: str, clock: MaybeClock = None
) -> int:
    """An admin files a cadre's appeal against a handed-in attempt; one open appeal per attempt."""
    reason = _required(reason, "appeal.reason_required")
    filed_by = _required(filed_by, "appeal.actor_required")
    with db.write() as session:
        now = now_in(session, clock)
        attempt = session.get(AttemptRow, attempt_id, with_for_update=True)
        if attempt is None:
            raise SessionError("grading.no_attempt", id=attempt_id)
        if attempt.state == IN_PROGRESS:
            raise SessionError("grading.not_handed_in")
        already = session.execute(
            select(AppealRow.id).where(AppealRow.attempt_id == attempt_id, AppealRow.state == OPEN)
        ).first()
        if already is not None:
            raise SessionError("appeal.already_open", id=already[0])
        appeal = AppealRow(
            attempt_id=attempt_id,
            reason=reason,
            filed_by=filed_by,
            filed_at=now,
            before=_snapshot(session, attempt),
        )
        session.add(appeal)
        session.flush()
        _step(session, appeal, now, filed_by, "filed", reason=reason)
        return appeal.id  # type: ignore[return-value]


# ---- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppealView:
    id: int
    attempt_id: int
    cadre: str
    unit: str
    exam: str
    filed_at: datetime
    filed_by: str
    reason: str
    state: str
    outcome: str | None
    before_score: float | None
    after_score: float | None


@dataclass(frozen=True)
class ReviewItem:
    """One question of the paper as the candidate saw it, with their answer, the key and the points."""

    item: PaperItem  # as shown, with the key in force (corrected when a correction applies)
    answer: Any
    score: float | None
    original_key: Any  # the key on the paper when it was drawn, if a correction replaced it
    marks: list[tuple[str, str, float]] = field(default_factory=list)  # (grader, kind, points)


@dataclass(frozen=True)
class AppealStep:
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]


@dataclass(frozen=True)
class AppealDetail:
    view: AppealView
    before: dict[str, Any]
    after: dict[str, Any] | None
    now: dict[str, Any]  # the attempt's result and decisions as they stand
    decided_by: str | None
    decided_at: datetime | None
    note: str | None
    steps: list[AppealStep]
    items: list[ReviewItem]
    pass_score: float
    total_points: float


def _view(session: Session, appeal: AppealRow) -> AppealView:
    attempt = session.get(AttemptRow, appeal.attempt_id)
    assert attempt is not None
    cadre = session.get(CadreRow, attempt.cadre_id)
    exam = session.get(ExamRow, attempt.exam_id)
    assert cadre is not None and exam is not None
    unit = session.get(UnitRow, cadre.unit_id)
    return AppealView(
        id=appeal.id,  # type: ignore[arg-type]
        attempt_id=appeal.attempt_id,
        cadre=cadre.name,
        unit=unit.name if unit else "",
        exam=exam.title,
        filed_at=appeal.filed_at,
        filed_by=appeal.filed_by,
        reason=appeal.reason,
        state=appeal.state,
        outcome=appeal.outcome,
        before_score=appeal.before.get("score"),
        after_score=(appeal.after or {}).get("score"),
    )


def list_appeals(db: Database, *, open_only: bool = False) -> list[AppealView]:
    with db.read() as session:
        stmt = select(AppealRow).order_by(AppealRow.id)  # type: ignore[arg-type]
        if open_only:
            stmt = stmt.where(AppealRow.state == OPEN)
        return [_view(session, a) for a in session.execute(stmt).scalars()]


def appeal_detail(db: Database, appeal_id: int) -> AppealDetail:
    """The appeal with the exact paper the candidate saw (the frozen snapshot), answers, keys and points."""
    with db.read() as session:
        appeal = session.get(AppealRow, appeal_id)
        if appeal is None:
            raise SessionError("appeal.not_found", id=appeal_id)
        attempt = session.get(AttemptRow, appeal.attempt_id)
        assert attempt is not None
        exam = session.get(ExamRow, attempt.exam_id)
        assert exam is not None
        drawn = Paper.from_json(attempt.paper)
        scored = scoring_paper(session, attempt, exam)
        responses = {r.item: r for r in _responses(session, attempt.id)}  # type: ignore[arg-type]
        marks = marks_of(session, [attempt.id])  # type: ignore[list-item]
        items = [
            ReviewItem(
                item=item,
                answer=responses[item.number].answer if item.number in responses else None,
                score=responses[item.number].score if item.number in responses else 0.0,
                original_key=drawn.item(item.number).key if drawn.item(item.number).key != item.key else None,
                marks=[(m.grader, m.kind.value, m.points) for m in marks.get((attempt.id, item.number), [])],  # type: ignore[arg-type]
            )
            for item in scored.items
        ]
        steps = [
            AppealStep(s.at, s.actor, s.action, s.details or {})
            for s in session.execute(
                select(AppealStepRow).where(AppealStepRow.appeal_id == appeal_id).order_by(AppealStepRow.id)  # type: ignore[arg-type]
            ).scalars()
        ]
        return AppealDetail(
            view=_view(session, appeal),
            before=appeal.before,
            after=appeal.after,
            now=_snapshot(session, attempt),
            decided_by=appeal.decided_by,
            decided_at=appeal.decided_at,
            note=appeal.decision_note,
            steps=steps,
            items=items,
            pass_score=exam.pass_score,
            total_points=exam.total_points,
        )


def _responses(session: Session, attempt_id: int) -> list[ResponseRow]:
    return list(session.execute(select(ResponseRow).where(ResponseRow.attempt_id == attempt_id)).scalars())


# ---- reviewing ----------------------------------------------------------------------------------------


def regrade(
    db: Database,
    appeal_id: int,
    *,
    item: int,
    points: float,
    reviewer: str,
    comment: str | None = None,
    clock: MaybeClock = None,
) -> float | None:
    """The reviewer's points for a short answer of the appealed attempt; returns the attempt's new total."""
    reviewer = _required(reviewer, "appeal.actor_required")
    with db.write() as session:
        now = now_in(session, clock)
        appeal = _open_appeal(session, appeal_id)
        before = session.get(AttemptRow, appeal.attempt_id).score  # type: ignore[union-attr]
        result = mark_in(
            session,
            now,
            appeal.attempt_id,
            item=item,
            points=points,
            grader=reviewer,
            comment=comment,
            review=True,
        )
        _step(
            session,
            appeal,
            now,
            reviewer,
            "regrade",
            item=item,
            points=points,
            comment=comment,
            score_before=before,
            score_after=result.attempt_score,
        )
        return result.attempt_score


@dataclass(frozen=True)
class Rescored:
    attempt_id: int
    cadre: str
    before: float | None
    after: float | None
    passed_before: bool | None
    passed_after: bool | None


@dataclass(frozen=True)
class KeyCorrectionReport:
    question: str
    previous_key: Any
    key: Any
    rescored: list[Rescored]
    decisions: list[DecisionChange]

    @property
    def changed(self) -> list[Rescored]:
        return [r for r in self.rescored if r.before != r.after or r.passed_before != r.passed_after]


def correct_key(
    db: Database,
    appeal_id: int,
    *,
    question: str,
    key: str,
    reason: str,
    reviewer: str,
    clock: MaybeClock = None,
) -> KeyCorrectionReport:
    """A question's key was wrong: record the right one, re-score every attempt that had it, report changes.

    ``question`` is the question's id in the bank (shown in the review); ``key`` is typed in the bank's
    terms (its own option letters), since every paper shuffled the options differently.
    """
    reviewer = _required(reviewer, "appeal.actor_required")
    reason = _required(reason, "appeal.reason_required")
    with db.write() as session:
        now = now_in(session, clock)
        appeal = _open_appeal(session, appeal_id)
        attempt = session.get(AttemptRow, appeal.attempt_id)
        assert attempt is not None
        exam = session.get(ExamRow, attempt.exam_id)
        assert exam is not None
        version = exam.bank_version_id
        row = session.execute(
            select(QuestionRow).where(QuestionRow.bank_version_id == version, QuestionRow.slug == question)
        ).scalar_one_or_none()
        if row is None or question not in {i.question for i in Paper.from_json(attempt.paper).items}:
            raise SessionError("appeal.question_not_on_paper", question=question)
        try:
            new_key = parse_key(row.type, key, tuple(sorted(row.options or {})))
        except BadKey as exc:
            raise SessionError(exc.key, **exc.params) from exc
        if row.type == "fill_blank" and len(new_key) != len(row.answer):  # type: ignore[arg-type]
            raise SessionError("answer_key.blank_count", blanks=len(row.answer))
        previous = corrections_for(session, version).get(question, row.answer)
        if _same_key(previous, new_key):
            raise SessionError("answer_key.unchanged")
        session.add(
            KeyCorrectionRow(
                bank_version_id=version,
                question_slug=question,
                key=new_key,
                previous_key=previous,
                reason=reason,
                actor=reviewer,
                at=now,
                appeal_id=appeal.id,
            )
        )
        session.flush()
        rescored, cadres = _rescore(session, version, question, now)
        changes = appointments.refresh_many(
            session, cadres, now, actor=reviewer, why=f"key_corrected:{appeal_id}"
        )
        report = KeyCorrectionReport(question, previous, new_key, rescored, changes)
        _step(
            session,
            appeal,
            now,
            reviewer,
            "key_correction",
            question=question,
            previous_key=previous,
            key=new_key,
            reason=reason,
            rescored=len(rescored),
            changed=[{"attempt": r.attempt_id, "before": r.before, "after": r.after} for r in report.changed],
            decisions=[
                {"appointment": c.appointment_id, "before": c.before, "after": c.after} for c in changes
            ],
        )
        return report


def _same_key(a: Any, b: Any) -> bool:
    return (sorted(a) if isinstance(a, list) else a) == (sorted(b) if isinstance(b, list) else b)


def _rescore(session: Session, version: int, question: str, now: datetime) -> tuple[list[Rescored], set[int]]:
    exam_ids = select(ExamRow.id).where(ExamRow.bank_version_id == version)
    rescored, cadres = [], set()
    for attempt in session.execute(
        select(AttemptRow)
        .where(AttemptRow.exam_id.in_(exam_ids), AttemptRow.state != IN_PROGRESS)  # type: ignore[attr-defined]
        .order_by(AttemptRow.id)  # type: ignore[arg-type]
        .with_for_update()
    ).scalars():
        if question not in {i.question for i in Paper.from_json(attempt.paper).items}:
            continue
        before, passed_before = attempt.score, attempt.passed
        grade_attempt(session, attempt, now)
        cadre = session.get(CadreRow, attempt.cadre_id)
        rescored.append(
            Rescored(
                attempt.id, cadre.name if cadre else "", before, attempt.score, passed_before, attempt.passed
            )  # type: ignore[arg-type]
        )
        cadres.add(attempt.cadre_id)
    session.flush()
    return rescored, cadres


# ---- deciding ------------------------------------------------------------------------------------------


def decide_appeal(
    db: Database, appeal_id: int, *, note: str, reviewer: str, clock: MaybeClock = None
) -> AppealView:
    """Close the review: ``changed`` when the result or a decision differs from when it was filed."""
    reviewer = _required(reviewer, "appeal.actor_required")
    note = _required(note, "appeal.note_required")
    with db.write() as session:
        now = now_in(session, clock)
        appeal = _open_appeal(session, appeal_id)
        attempt = session.get(AttemptRow, appeal.attempt_id)
        assert attempt is not None
        after = _snapshot(session, attempt)
        appeal.after = after
        appeal.outcome = "upheld" if after == appeal.before else "changed"
        appeal.state, appeal.decided_by, appeal.decided_at, appeal.decision_note = (
            DECIDED,
            reviewer,
            now,
            note,
        )
        session.add(appeal)
        _step(
            session,
            appeal,
            now,
            reviewer,
            "decided",
            outcome=appeal.outcome,
            note=note,
            before=appeal.before,
            after=after,
        )
        session.flush()
        return _view(session, appeal)
