"""Double marking of short answers (双评) with a third grader on disagreement, and an appeal's regrade,
through the grading and appeal services on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from exam_tui.services import answers, appeals, attempts, banks
from exam_tui.services.demo import seed_demo
from exam_tui.services.grading import MarkResult, QueueQuestion, grading_queue, next_answer, record_mark
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import start_session
from exam_tui.services.sessions import SessionError, schedule_session
from exam_tui.store.models import AuditEventRow, CadreRow
from tests.conftest import FIXED_NOW, STARTER_BANK, SteppingClock
from tests.integration.conftest import sign_in_and_begin

BEIJING = timezone(timedelta(hours=8))

# The shape of tests/fixtures/written-answer-bank.yaml, with two written answers and double marking.
BANK = """\
bank: double-marking-test
title: 双评测试题库
categories:
  - {id: law, title: 法律}
questions:
  - id: tf-1
    type: true_false
    category: law
    stem: 监察机关是行使国家监察职能的专责机关。
    answer: true
  - id: sa-1
    type: short_answer
    category: law
    stem: 简述监察机关的职责。
    rubric: 监督、调查、处置。
  - id: sa-2
    type: short_answer
    category: law
    stem: 简述监察机关可以采取的调查措施。
    rubric: 谈话、讯问、询问、查询、冻结、搜查、调取、查封、扣押、勘验检查、鉴定、留置。
exams:
  - id: written
    title: 双评简答测试
    kind: training
    duration_minutes: 30
    pass_score: 20
    shuffle_questions: false
    double_marking: true
    marking_margin: 2
    sections:
      - {title: 一、判断题, type: true_false, draw: 1, points: 10}
      - {title: 二、简答题, type: short_answer, draw: 2, points: 10}
"""
TRUE_FALSE, SA1, SA2 = 1, 2, 3  # item numbers: the paper keeps the bank's order


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@dataclass(frozen=True)
class WrittenSitting:
    session_id: int
    attempts: list[int]  # four candidates, in the order they handed in


@pytest.fixture
def sitting(db: Database, clock: SteppingClock, tmp_path: Path) -> WrittenSitting:
    """Four candidates: both written answers; both; only the first; both (left unmarked)."""
    bank = tmp_path / "double-marking.yaml"
    bank.write_text(BANK, encoding="utf-8")
    banks.import_files(db, [STARTER_BANK, bank], clock=clock)
    seed_demo(db, seed=2026, tz=BEIJING, clock=clock)
    with db.read() as s:
        numbers = list(s.execute(select(CadreRow.id_number).order_by(CadreRow.id).limit(4)).scalars())
    view = schedule_session(
        db,
        exam_ref="double-marking-test/written",
        title="双评测试",
        room=None,
        starts_at=FIXED_NOW,
        id_numbers=numbers,
        open_now=True,
        clock=clock,
    )
    start_session(db, view.id, clock=clock)
    written = [("监督、调查、处置", "谈话、讯问"), ("监督", "留置"), ("调查", ""), ("处置", "查询、冻结")]
    ids = []
    for number, (first, second) in zip(numbers, written, strict=True):
        state = sign_in_and_begin(db, clock, view.access_code, number)
        assert [i.question for i in state.paper.items] == ["tf-1", "sa-1", "sa-2"]
        for item, answer in ((TRUE_FALSE, "A"), (SA1, first), (SA2, second)):
            clock.advance(seconds=30)
            answers.save_answer(
                db, state.attempt_id, item=item, answer=answer, flagged=False, revision=1, clock=clock
            )
        result = attempts.hand_in(db, state.attempt_id, clock=clock)
        assert (result.state, result.score, result.passed) == ("pending_grading", None, None)
        ids.append(state.attempt_id)
    return WrittenSitting(view.id, ids)


def _queue(db: Database, session_id: int, grader: str) -> dict[str, tuple[int, int, int, int]]:
    """Per question: (answers, settled, for this grader, disputed)."""
    return {
        q.question: (q.answers, q.settled, q.for_me, q.disputed)
        for q in grading_queue(db, session_id, grader)
    }


def _mark(
    db: Database, clock: SteppingClock, attempt: int, item: int, points: float, grader: str
) -> MarkResult:
    clock.advance(seconds=10)
    return record_mark(db, attempt, item=item, points=points, grader=grader, clock=clock)


def _refused(db: Database, clock: SteppingClock, attempt: int, item: int, points: float, grader: str) -> str:
    with pytest.raises(SessionError) as refused:
        record_mark(db, attempt, item=item, points=points, grader=grader, clock=clock)
    return refused.value.key


def _state(db: Database, attempt: int) -> tuple[str, float | None, bool | None]:
    result = attempts.result(db, attempt)
    return result.state, result.score, result.passed


def test_two_graders_within_the_margin_give_the_mean(
    db: Database, sitting: WrittenSitting, clock: SteppingClock
) -> None:
    first = sitting.attempts[0]
    opening = grading_queue(db, sitting.session_id, "甲")
    assert [(q.question, q.points, q.stem) for q in opening] == [
        ("sa-1", 10, "简述监察机关的职责。"),
        ("sa-2", 10, "简述监察机关可以采取的调查措施。"),
    ]
    assert isinstance(opening[0], QueueQuestion)
    assert _queue(db, sitting.session_id, "甲") == {"sa-1": (4, 0, 4, 0), "sa-2": (3, 0, 3, 0)}

    to_mark = next_answer(db, sitting.session_id, "sa-1", "甲")
    assert to_mark is not None
    assert (to_mark.attempt_id, to_mark.item, to_mark.answer, to_mark.mark_number, to_mark.remaining) == (
        first,
        SA1,
        "监督、调查、处置",
        1,
        4,
    )
    assert (to_mark.double_marking, to_mark.points, to_mark.rubric) == (True, 10, "监督、调查、处置。")

    one = _mark(db, clock, first, SA1, 6, "甲")
    assert (one.settled_points, one.marks_needed, one.attempt_state, one.attempt_score) == (
        None,
        1,
        "pending_grading",
        None,
    )
    assert _refused(db, clock, first, SA1, 7, "甲") == "grading.already_marked"
    assert _queue(db, sitting.session_id, "甲")["sa-1"] == (4, 0, 3, 0)
    assert _queue(db, sitting.session_id, "乙")["sa-1"] == (4, 0, 4, 0)
    second = next_answer(db, sitting.session_id, "sa-1", "乙")
    assert second is not None and (second.attempt_id, second.mark_number) == (first, 2)

    two = _mark(db, clock, first, SA1, 8, "乙")
    assert (two.settled_points, two.marks_needed, two.attempt_state) == (7, 0, "pending_grading")
    assert _refused(db, clock, first, SA1, 7, "丙") == "grading.settled"
    assert _queue(db, sitting.session_id, "丙")["sa-1"] == (4, 1, 3, 0)
    # one written answer settled is not enough: the attempt waits for the other
    assert _state(db, first) == ("pending_grading", None, None)

    _mark(db, clock, first, SA2, 9, "甲")
    last = _mark(db, clock, first, SA2, 9.5, "乙")
    assert (last.settled_points, last.attempt_state, last.attempt_score) == (9.25, "graded", 26.25)
    assert _state(db, first) == ("graded", 26.25, True)
    items = attempts.result(db, first).items
    assert [i.score for i in items] == [10, 7, 9.25]


def test_beyond_the_margin_a_third_grader_settles_by_the_median(
    db: Database, sitting: WrittenSitting, clock: SteppingClock
) -> None:
    attempt = sitting.attempts[1]
    _mark(db, clock, attempt, SA1, 3, "甲")
    disputed = _mark(db, clock, attempt, SA1, 8, "乙")
    assert (disputed.settled_points, disputed.marks_needed) == (None, 1)
    assert _queue(db, sitting.session_id, "丙")["sa-1"] == (4, 0, 4, 1)
    assert _queue(db, sitting.session_id, "甲")["sa-1"] == (4, 0, 3, 1)
    # the first two graders cannot arbitrate their own disagreement
    assert _refused(db, clock, attempt, SA1, 5, "甲") == "grading.already_marked"
    assert _refused(db, clock, attempt, SA1, 5, "乙") == "grading.already_marked"
    nxt = next_answer(db, sitting.session_id, "sa-1", "丙")
    assert nxt is not None and (nxt.attempt_id, nxt.mark_number) == (sitting.attempts[0], 1)

    third = _mark(db, clock, attempt, SA1, 6, "丙")
    assert (third.settled_points, third.marks_needed) == (6, 0)
    assert _queue(db, sitting.session_id, "丁")["sa-1"] == (4, 1, 3, 0)
    assert _refused(db, clock, attempt, SA1, 6, "丁") == "grading.settled"

    _mark(db, clock, attempt, SA2, 2, "甲")
    _mark(db, clock, attempt, SA2, 3, "乙")
    assert _state(db, attempt) == ("graded", 18.5, False)  # 10 + 6 + 2.5 under the pass mark of 20


def test_a_blank_answer_needs_no_marks_and_the_queue_drains(
    db: Database, sitting: WrittenSitting, clock: SteppingClock
) -> None:
    partial = sitting.attempts[2]  # sa-2 left blank
    assert _refused(db, clock, partial, SA2, 0, "甲") == "grading.nothing_to_grade"
    assert _refused(db, clock, partial, TRUE_FALSE, 0, "甲") == "grading.not_short_answer"
    assert _refused(db, clock, partial, SA1, 11, "甲") == "grading.points_range"
    assert _refused(db, clock, partial, SA1, -1, "甲") == "grading.points_range"
    assert _refused(db, clock, partial, SA1, 7.3, "甲") == "grading.half_points"
    assert _refused(db, clock, partial, SA1, 7, "  ") == "grading.grader_required"
    _mark(db, clock, partial, SA1, 5, "甲")
    _mark(db, clock, partial, SA1, 5, "乙")
    assert _state(db, partial) == ("graded", 15, False)

    marked = []
    while (todo := next_answer(db, sitting.session_id, "sa-2", "甲")) is not None:
        assert todo.remaining == 3 - len(marked)
        _mark(db, clock, todo.attempt_id, todo.item, 4, "甲")
        marked.append(todo.attempt_id)
    assert marked == [a for a in sitting.attempts if a != partial]
    assert _queue(db, sitting.session_id, "甲")["sa-2"] == (3, 0, 0, 0)
    assert _queue(db, sitting.session_id, "乙")["sa-2"] == (3, 0, 3, 0)
    with db.read() as s:
        marks = (
            s.execute(select(AuditEventRow.actor).where(AuditEventRow.action == "attempt.mark"))
            .scalars()
            .all()
        )
    assert sorted(marks) == ["乙", "甲", "甲", "甲", "甲"]


def test_an_appeal_regrade_replaces_the_marks(
    db: Database, sitting: WrittenSitting, clock: SteppingClock
) -> None:
    attempt = sitting.attempts[1]
    for grader, sa1, sa2 in (("甲", 3, 2), ("乙", 8, 3)):
        _mark(db, clock, attempt, SA1, sa1, grader)
        _mark(db, clock, attempt, SA2, sa2, grader)
    _mark(db, clock, attempt, SA1, 6, "丙")
    assert _state(db, attempt) == ("graded", 18.5, False)

    appeal = appeals.file_appeal(db, attempt, "简答题评分偏低", filed_by="管理员甲", clock=clock)
    with pytest.raises(SessionError) as refused:
        appeals.regrade(db, appeal, item=SA1, points=9.3, reviewer="复核员", clock=clock)
    assert refused.value.key == "grading.half_points"
    assert appeals.regrade(db, appeal, item=SA1, points=9.5, reviewer="复核员", clock=clock) == 22
    assert _state(db, attempt) == ("graded", 22, True)
    # a second look by the reviewer: the latest review stands
    assert appeals.regrade(db, appeal, item=SA1, points=8, reviewer="复核员", clock=clock) == 20.5
    assert _refused(db, clock, attempt, SA1, 5, "丁") == "grading.settled"
    assert _queue(db, sitting.session_id, "丁")["sa-1"] == (4, 1, 3, 0)

    detail = appeals.appeal_detail(db, appeal)
    reviewed = next(i for i in detail.items if i.item.number == SA1)
    assert (reviewed.score, reviewed.marks) == (
        8,
        [
            ("甲", "grader", 3),
            ("乙", "grader", 8),
            ("丙", "grader", 6),
            ("复核员", "review", 9.5),
            ("复核员", "review", 8),
        ],
    )
    decided = appeals.decide_appeal(db, appeal, note="简答题第1题改判", reviewer="复核员", clock=clock)
    assert (decided.outcome, decided.before_score, decided.after_score) == ("changed", 18.5, 20.5)
    assert [s.action for s in appeals.appeal_detail(db, appeal).steps] == [
        "filed",
        "regrade",
        "regrade",
        "decided",
    ]
    with pytest.raises(SessionError) as closed:
        appeals.regrade(db, appeal, item=SA1, points=10, reviewer="复核员", clock=clock)
    assert closed.value.key == "appeal.decided"


def test_only_sessions_with_short_answers_are_offered_to_graders(
    db: Database, sitting: WrittenSitting
) -> None:
    from exam_tui.services.grading import sessions_to_grade
    from exam_tui.services.sessions import list_sessions

    # The demo's pre-appointment session has no short answers (and has not started): not offered.
    assert len(list_sessions(db)) == 2
    assert [s.id for s in sessions_to_grade(db)] == [sitting.session_id]
