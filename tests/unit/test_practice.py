"""Practice and the wrong-answer book (domain.practice): the order of a run, checking, the book's states."""

from __future__ import annotations

import pytest

from exam_tui.domain.paper import PoolQuestion
from exam_tui.domain.practice import BookEntry, Mode, after_answer, check, order, practice_item, requeue

SINGLE = PoolQuestion("s-1", "single", "law", 3, "题干", {"A": "甲", "B": "乙", "C": "丙", "D": "丁"}, "C")
MULTIPLE = PoolQuestion("m-1", "multiple", "law", 3, "题干", {"A": "甲", "B": "乙", "C": "丙"}, ["A", "B"])
TRUE_FALSE = PoolQuestion("t-1", "true_false", "law", 3, "题干", None, False)
FILL = PoolQuestion("f-1", "fill_blank", "law", 3, "监察机关是____机关。", None, [["专责", "专门"]])
SHORT = PoolQuestion("sa-1", "short_answer", "law", 3, "简述。", None, None, rubric="要点")


def test_sequential_keeps_the_order_and_random_shuffles_by_the_seed() -> None:
    slugs = [f"q-{i}" for i in range(30)]
    assert order(slugs, Mode.SEQUENTIAL, "00" * 16) == slugs
    assert order(slugs, Mode.WRONG_BOOK, "00" * 16) == slugs
    first, again, other = (order(slugs, Mode.RANDOM, seed) for seed in ("01" * 16, "01" * 16, "02" * 16))
    assert first == again and sorted(first) == sorted(slugs) and first != slugs and first != other


@pytest.mark.parametrize(
    ("question", "answer", "correct"),
    [
        pytest.param(SINGLE, "right", True, id="single-right"),
        pytest.param(SINGLE, "wrong", False, id="single-wrong"),
        pytest.param(MULTIPLE, "right", True, id="multiple-right"),
        pytest.param(MULTIPLE, "half", False, id="multiple-half-is-not-right-in-practice"),
        pytest.param(TRUE_FALSE, "B", True, id="true-false-false-is-B"),
        pytest.param(FILL, ["专门"], True, id="fill-an-accepted-form"),
        pytest.param(FILL, ["行政"], False, id="fill-wrong"),
    ],
)
def test_check(question: PoolQuestion, answer: object, correct: bool) -> None:
    item = practice_item(question, 1, "ab" * 16)
    if answer == "right":
        answer = item.key
    elif answer == "wrong":
        answer = next(letter for letter, _ in item.options if letter != item.key)
    elif answer == "half":
        answer = item.key[:1]
    result = check(item, answer)
    assert result.correct is correct and result.answered


def test_a_short_answer_is_not_checked_and_an_empty_answer_is_not_answered() -> None:
    assert check(practice_item(SHORT, 1, "ab" * 16), "我的回答").correct is None
    assert not check(practice_item(SINGLE, 1, "ab" * 16), None).answered


@pytest.mark.parametrize(
    ("answers", "in_book", "streak", "times_wrong"),
    [
        pytest.param([True], False, 0, 0, id="right-first-never-enters"),
        pytest.param([False], True, 0, 1, id="wrong-enters"),
        pytest.param([False, True], True, 1, 1, id="one-right-not-enough"),
        pytest.param([False, True, True], False, 2, 1, id="two-right-in-a-row-leaves"),
        pytest.param([False, True, False, True], True, 1, 2, id="a-wrong-answer-restarts-the-streak"),
        pytest.param([False, True, True, False], True, 0, 2, id="back-in-after-leaving"),
        pytest.param([False, True, True, True], False, 2, 1, id="right-again-after-leaving-changes-nothing"),
    ],
)
def test_the_book(answers: list[bool], in_book: bool, streak: int, times_wrong: int) -> None:
    entry: BookEntry | None = None
    for correct in answers:
        entry = after_answer(entry, correct)
    assert entry is not None
    assert (entry.in_book, entry.streak, entry.times_wrong) == (in_book, streak, times_wrong)


def test_requeue_sends_a_question_still_in_the_book_to_the_back() -> None:
    assert requeue(["a", "b", "c"], "a", True) == ["b", "c", "a"]
    assert requeue(["a", "b", "c"], "a", False) == ["b", "c"]
    assert requeue(["a"], "a", True) == ["a"]
