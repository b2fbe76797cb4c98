"""Grading attempts: objective items at hand-in, short answers by a grader later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.paper import Paper
from exam_tui.domain.scoring import score_paper
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AttemptRow, AuditEventRow, ExamRow, ResponseRow

GRADED = "graded"
PENDING_GRADING = "pending_grading"


def grade_attempt(session: Session, attempt: AttemptRow, now: datetime) -> None:
    """Score every item of a handed-in attempt; short answers with text keep it pending a grader."""
    exam = session.get(ExamRow, attempt.exam_id)
    assert exam is not None
    paper = Paper.from_json(attempt.paper)
    responses = {
        r.item: r
        for r in session.execute(select(ResponseRow).where(ResponseRow.attempt_id == attempt.id)).scalars()
    }
    # A grader's points (score set on a short answer) are kept when an attempt is graded again.
    manual = {
        n: r.score
        for n, r in responses.items()
        if r.score is not None and paper.item(n).type == "short_answer"
    }
    scored = score_paper(
        paper,
        {n: r.answer for n, r in responses.items()},
        pass_score=exam.pass_score,
        grades=exam.grades,
        manual=manual,  # type: ignore[arg-type]
    )
    for number, points in scored.items.items():
        row = responses.get(number)
        if row is not None and row.score != points:
            row.score = points
            session.add(row)
    attempt.score, attempt.passed, attempt.level = scored.total, scored.passed, scored.level
    attempt.state = PENDING_GRADING if scored.pending else GRADED
    attempt.graded_at = None if scored.pending else now
    session.add(attempt)


def grade_short_answer(
    db: Database, attempt_id: int, *, item: int, points: float, grader: str, clock: MaybeClock = None
) -> AttemptRow:
    """A grader's points for one short answer; the attempt is final once none is left."""
    with db.write() as session:
        now = now_in(session, clock)
        attempt = session.get(AttemptRow, attempt_id, with_for_update=True)
        if attempt is None:
            raise SessionError("grading.no_attempt", id=attempt_id)
        if attempt.state == "in_progress":
            raise SessionError("grading.not_handed_in")
        paper = Paper.from_json(attempt.paper)
        if not 1 <= item <= len(paper.items) or paper.item(item).type != "short_answer":
            raise SessionError("grading.not_short_answer", item=item)
        if not 0 <= points <= paper.item(item).points:
            raise SessionError("grading.points_range", max=paper.item(item).points)
        row = session.execute(
            select(ResponseRow).where(ResponseRow.attempt_id == attempt_id, ResponseRow.item == item)
        ).scalar_one_or_none()
        if row is None:
            raise SessionError("grading.nothing_to_grade", item=item)
        row.score = points
        session.add(row)
        session.flush()
        grade_attempt(session, attempt, now)
        session.add(
            AuditEventRow(
                at=now,
                actor=grader,
                action="attempt.grade_item",
                entity="attempt",
                entity_id=str(attempt_id),
                details={"item": item, "points": points, "state": attempt.state, "score": attempt.score},
            )
        )
        return attempt
