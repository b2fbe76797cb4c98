"""Grading attempts: objective items at hand-in, short answers by graders (阅卷) later.

Graders work through a queue per session and question and see an attempt number, never a name. Every
mark is kept (``mark``); the points that stand on an answer follow domain.marking (one grader, or two
and a third on disagreement). When the last answer of an attempt is settled, the attempt's total,
pass/fail and level are final and the cadre's appointment decisions are recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.marking import Mark, MarkKind, MarkRefused, MarkState, check_points, may_mark, state_of
from exam_tui.domain.paper import Paper, with_corrected_keys
from exam_tui.domain.scoring import is_answered, score_paper
from exam_tui.services import appointments
from exam_tui.services.access import check_grader
from exam_tui.services.accounts import SignedIn
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError, SessionView, session_views
from exam_tui.store.models import (
    AttemptRow,
    AuditEventRow,
    ExamRow,
    ExamSessionRow,
    KeyCorrectionRow,
    MarkRow,
    ResponseRow,
)

GRADED = "graded"
PENDING_GRADING = "pending_grading"
IN_PROGRESS = "in_progress"


def corrections_for(session: Session, bank_version_id: int) -> dict[str, Any]:
    """Corrected keys of a bank version (question slug → key in the bank's terms); the latest stands."""
    rows = session.execute(
        select(KeyCorrectionRow)
        .where(KeyCorrectionRow.bank_version_id == bank_version_id)
        .order_by(KeyCorrectionRow.id)  # type: ignore[arg-type]
    ).scalars()
    return {row.question_slug: row.key for row in rows}


def scoring_paper(session: Session, attempt: AttemptRow, exam: ExamRow) -> Paper:
    """The attempt's frozen paper with any corrected keys applied: what it is scored against."""
    return with_corrected_keys(Paper.from_json(attempt.paper), corrections_for(session, exam.bank_version_id))


def grade_attempt(session: Session, attempt: AttemptRow, now: datetime) -> None:
    """Score every item of a handed-in attempt; an answered short answer waits for its marks."""
    exam = session.get(ExamRow, attempt.exam_id)
    assert exam is not None
    paper = scoring_paper(session, attempt, exam)
    responses = {
        r.item: r
        for r in session.execute(select(ResponseRow).where(ResponseRow.attempt_id == attempt.id)).scalars()
    }
    marks = marks_of(session, [attempt.id])  # type: ignore[list-item]
    manual: dict[int, float] = {}
    for number in responses:
        item = paper.item(number)
        if item.type == "short_answer":
            settled = _state(exam, item.points, marks.get((attempt.id, number), [])).points  # type: ignore[arg-type]
            if settled is not None:
                manual[number] = settled
    scored = score_paper(
        paper,
        {n: r.answer for n, r in responses.items()},
        pass_score=exam.pass_score,
        grades=exam.grades,
        manual=manual,
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
    # A result feeds other records: the course this session closes posts its points, and a paper whose
    # review shows the keys adds its wrong answers to the cadre's wrong-answer book.
    from exam_tui.services import points, practice  # both read results through this module

    session.flush()
    points.sync_for_session(session, attempt.session_id, now)
    practice.add_attempt_to_book(session, attempt, now)


def marks_of(session: Session, attempt_ids: list[int]) -> dict[tuple[int, int], list[Mark]]:
    found: dict[tuple[int, int], list[Mark]] = defaultdict(list)
    if not attempt_ids:
        return found
    for row in session.execute(
        select(MarkRow)
        .where(MarkRow.attempt_id.in_(attempt_ids))  # type: ignore[attr-defined]
        .order_by(MarkRow.id)  # type: ignore[arg-type]
    ).scalars():
        found[(row.attempt_id, row.item)].append(Mark(row.grader, row.points, MarkKind(row.kind)))
    return found


def _state(exam: ExamRow, max_points: float, marks: list[Mark]) -> MarkState:
    return state_of(marks, double=exam.double_marking, max_points=max_points, margin=exam.marking_margin)


# ---- the grader's queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueQuestion:
    """One short-answer question of a session, as a grader's queue sees it."""

    question: str  # slug
    stem: str
    points: float
    answers: int  # answered by this many candidates
    settled: int
    for_me: int  # answers this grader may mark now
    disputed: int  # two marks beyond the margin, waiting for a third


@dataclass(frozen=True)
class AnswerToMark:
    """One answer as a grader sees it: the attempt number only, never the candidate."""

    attempt_id: int
    item: int
    question: str
    stem: str
    rubric: str | None
    answer: str
    points: float  # the item's maximum
    mark_number: int  # 1, 2 or 3: which mark this grader would give
    double_marking: bool
    remaining: int  # answers of this question this grader may still mark, this one included


@dataclass(frozen=True)
class _Answer:
    attempt_id: int
    item: int
    stem: str
    rubric: str | None
    text: str
    points: float
    marks: list[Mark]


def _session_answers(session: Session, session_id: int) -> tuple[ExamRow, dict[str, list[_Answer]]]:
    """Every answered short answer of the session's handed-in attempts, by question, in attempt order."""
    exam_session = session.get(ExamSessionRow, session_id)
    if exam_session is None:
        raise SessionError("session.not_found", id=session_id)
    exam = session.get(ExamRow, exam_session.exam_id)
    assert exam is not None
    attempts = (
        session.execute(
            select(AttemptRow)
            .where(AttemptRow.session_id == session_id, AttemptRow.state != IN_PROGRESS)
            .order_by(AttemptRow.id)  # type: ignore[arg-type]
        )
        .scalars()
        .all()
    )
    ids = [a.id for a in attempts]
    responses = {
        (r.attempt_id, r.item): r
        for r in session.execute(
            select(ResponseRow).where(ResponseRow.attempt_id.in_(ids))  # type: ignore[attr-defined]
        ).scalars()
    }
    marks = marks_of(session, ids)  # type: ignore[arg-type]
    by_question: dict[str, list[_Answer]] = defaultdict(list)
    for attempt in attempts:
        paper = Paper.from_json(attempt.paper)
        for item in paper.items:
            if item.type != "short_answer":
                continue
            response = responses.get((attempt.id, item.number))  # type: ignore[arg-type]
            if response is None or not is_answered(item, response.answer):
                continue
            by_question[item.question].append(
                _Answer(
                    attempt.id,  # type: ignore[arg-type]
                    item.number,
                    item.stem,
                    item.rubric,
                    str(response.answer),
                    item.points,
                    marks.get((attempt.id, item.number), []),  # type: ignore[arg-type]
                )
            )
    return exam, by_question


def sessions_to_grade(db: Database) -> list[SessionView]:
    """Started or closed sessions whose exam has short answers (the only ones a grader has work in),
    newest first."""
    with db.read() as session:
        rows = session.execute(
            select(ExamSessionRow, ExamRow.sections)
            .join(ExamRow, ExamSessionRow.exam_id == ExamRow.id)  # type: ignore[arg-type]
            .where(ExamSessionRow.state.in_(("started", "closed")))  # type: ignore[attr-defined]
            .order_by(ExamSessionRow.starts_at.desc(), ExamSessionRow.id.desc())  # type: ignore[attr-defined]
        ).all()
        wanted = [row for row, sections in rows if any(s.get("type") == "short_answer" for s in sections)]
        return session_views(session, wanted)


def grading_queue(
    db: Database, session_id: int, grader: str, *, by: SignedIn | None = None
) -> list[QueueQuestion]:
    """The session's short-answer questions with their counts; ``by`` must be assigned it (access)."""
    with db.read() as session:
        check_grader(session, by, session_id)
        exam, by_question = _session_answers(session, session_id)
    queue = []
    for slug, answers in by_question.items():
        states = [_state(exam, a.points, a.marks) for a in answers]
        queue.append(
            QueueQuestion(
                question=slug,
                stem=answers[0].stem,
                points=answers[0].points,
                answers=len(answers),
                settled=sum(s.settled for s in states),
                for_me=sum(_may(exam, a, grader) for a in answers),
                disputed=sum(s.disagreement and not s.settled for s in states),
            )
        )
    return queue


def _may(exam: ExamRow, answer: _Answer, grader: str) -> bool:
    return may_mark(
        answer.marks, grader, double=exam.double_marking, max_points=answer.points, margin=exam.marking_margin
    )


def next_answer(
    db: Database, session_id: int, question: str, grader: str, *, by: SignedIn | None = None
) -> AnswerToMark | None:
    """The next answer to ``question`` this grader may mark, or None when there is none left."""
    with db.read() as session:
        check_grader(session, by, session_id)
        exam, by_question = _session_answers(session, session_id)
    mine = [a for a in by_question.get(question, []) if _may(exam, a, grader)]
    if not mine:
        return None
    a = mine[0]
    return AnswerToMark(
        attempt_id=a.attempt_id,
        item=a.item,
        question=question,
        stem=a.stem,
        rubric=a.rubric,
        answer=a.text,
        points=a.points,
        mark_number=sum(m.kind is MarkKind.GRADER for m in a.marks) + 1,
        double_marking=exam.double_marking,
        remaining=len(mine),
    )


# ---- giving a mark ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkResult:
    attempt_id: int
    item: int
    settled_points: float | None  # the points that stand on the answer, None while more marks are needed
    marks_needed: int
    attempt_state: str
    attempt_score: float | None


def record_mark(
    db: Database,
    attempt_id: int,
    *,
    item: int,
    points: float,
    grader: str,
    comment: str | None = None,
    clock: MaybeClock = None,
    by: SignedIn | None = None,
) -> MarkResult:
    """A grader's points for one short answer; ``by`` must be assigned the attempt's session (access)."""
    with db.write() as session:
        if by is not None:
            attempt = session.get(AttemptRow, attempt_id)
            if attempt is None:
                raise SessionError("grading.no_attempt", id=attempt_id)
            check_grader(session, by, attempt.session_id)
        now = now_in(session, clock)
        return mark_in(session, now, attempt_id, item=item, points=points, grader=grader, comment=comment)


def mark_in(
    session: Session,
    now: datetime,
    attempt_id: int,
    *,
    item: int,
    points: float,
    grader: str,
    comment: str | None = None,
    review: bool = False,
) -> MarkResult:
    """A mark inside the caller's transaction; with ``review`` an appeal reviewer's, which replaces the rest."""
    grader = grader.strip()
    if not grader:
        raise SessionError("grading.grader_required")
    attempt = session.get(AttemptRow, attempt_id, with_for_update=True)
    if attempt is None:
        raise SessionError("grading.no_attempt", id=attempt_id)
    if attempt.state == IN_PROGRESS:
        raise SessionError("grading.not_handed_in")
    exam = session.get(ExamRow, attempt.exam_id)
    assert exam is not None
    paper = Paper.from_json(attempt.paper)
    if not 1 <= item <= len(paper.items) or paper.item(item).type != "short_answer":
        raise SessionError("grading.not_short_answer", item=item)
    max_points = paper.item(item).points
    try:
        points = check_points(points, max_points)
    except MarkRefused as exc:
        raise SessionError(exc.key, **exc.params) from exc
    response = session.execute(
        select(ResponseRow).where(ResponseRow.attempt_id == attempt_id, ResponseRow.item == item)
    ).scalar_one_or_none()
    if response is None or not is_answered(paper.item(item), response.answer):
        raise SessionError("grading.nothing_to_grade", item=item)
    marks = marks_of(session, [attempt_id]).get((attempt_id, item), [])
    if not review and not may_mark(
        marks, grader, double=exam.double_marking, max_points=max_points, margin=exam.marking_margin
    ):
        settled = _state(exam, max_points, marks).settled
        raise SessionError("grading.settled" if settled else "grading.already_marked", item=item)
    kind = MarkKind.REVIEW if review else MarkKind.GRADER
    session.add(
        MarkRow(
            attempt_id=attempt_id,
            item=item,
            grader=grader,
            kind=kind.value,
            points=points,
            comment=(comment or "").strip() or None,
            at=now,
        )
    )
    session.flush()
    state = _state(exam, max_points, [*marks, Mark(grader, points, kind)])
    grade_attempt(session, attempt, now)
    session.add(
        AuditEventRow(
            at=now,
            actor=grader,
            action="attempt.review_mark" if review else "attempt.mark",
            entity="attempt",
            entity_id=str(attempt_id),
            details={
                "item": item,
                "points": points,
                "settled": state.points,
                "state": attempt.state,
                "score": attempt.score,
            },
        )
    )
    session.flush()
    appointments.refresh(
        session,
        attempt.cadre_id,
        now,
        actor=grader,
        why=("review" if review else "marked") + f":{attempt_id}",
    )
    return MarkResult(attempt_id, item, state.points, state.marks_needed, attempt.state, attempt.score)
