"""Marking a short answer (domain.marking): one grader, two with a third on disagreement, a review."""

from __future__ import annotations

import pytest

from exam_tui.domain.marking import (
    DEFAULT_MARGIN_SHARE,
    Mark,
    MarkKind,
    MarkRefused,
    MarkState,
    check_points,
    margin_for,
    may_mark,
    state_of,
)


def g(grader: str, points: float) -> Mark:
    return Mark(grader, points)


def review(reviewer: str, points: float) -> Mark:
    return Mark(reviewer, points, MarkKind.REVIEW)


@pytest.mark.parametrize(
    ("marks", "double", "margin", "expected"),
    [
        pytest.param([], False, None, MarkState(None, 1), id="single-unmarked"),
        pytest.param([g("甲", 7)], False, None, MarkState(7, 0), id="single-one-mark-stands"),
        pytest.param([], True, 2, MarkState(None, 2), id="double-unmarked-needs-two"),
        pytest.param([g("甲", 7)], True, 2, MarkState(None, 1), id="double-one-mark-needs-another"),
        pytest.param([g("甲", 6), g("乙", 8)], True, 2, MarkState(7, 0), id="double-within-margin-mean"),
        pytest.param([g("甲", 6.5), g("乙", 7)], True, 2, MarkState(6.75, 0), id="mean-of-halves"),
        pytest.param([g("甲", 8), g("乙", 8)], True, 2, MarkState(8, 0), id="double-agree"),
        pytest.param(
            [g("甲", 3), g("乙", 8)], True, 2, MarkState(None, 1, disagreement=True), id="beyond-margin-third"
        ),
        pytest.param(
            [g("甲", 3), g("乙", 8), g("丙", 6)],
            True,
            2,
            MarkState(6, 0, disagreement=True),
            id="median-of-three",
        ),
        pytest.param(
            [g("甲", 3), g("乙", 8), g("丙", 9.5)],
            True,
            2,
            MarkState(8, 0, disagreement=True),
            id="median-with-third-above-both",
        ),
        pytest.param(
            [g("甲", 3), g("乙", 8), g("丙", 1)],
            True,
            2,
            MarkState(3, 0, disagreement=True),
            id="median-with-third-below-both",
        ),
        pytest.param(
            [g("甲", 4), g("乙", 6.5)], True, 2.5, MarkState(5.25, 0), id="exactly-at-the-margin-is-within"
        ),
        pytest.param([g("甲", 5), g("乙", 7)], True, None, MarkState(6, 0), id="default-margin-20-percent"),
        pytest.param(
            [g("甲", 5), g("乙", 7.5)],
            True,
            None,
            MarkState(None, 1, disagreement=True),
            id="beyond-default-margin",
        ),
        pytest.param(
            [g("甲", 6), g("乙", 8), review("复核", 3)], True, 2, MarkState(3, 0), id="review-replaces"
        ),
        pytest.param(
            [g("甲", 3), g("乙", 8), review("复核", 9)],
            True,
            2,
            MarkState(9, 0),
            id="review-settles-a-dispute",
        ),
        pytest.param(
            [g("甲", 7), review("复核", 9)], False, None, MarkState(9, 0), id="review-replaces-single"
        ),
        pytest.param(
            [review("复核", 4), review("终审", 5)], False, None, MarkState(5, 0), id="latest-review-stands"
        ),
    ],
)
def test_state_of(marks: list[Mark], double: bool, margin: float | None, expected: MarkState) -> None:
    state = state_of(marks, double=double, max_points=10, margin=margin)
    assert state == expected
    assert state.settled is (expected.points is not None)


def test_default_margin_is_a_fifth_of_the_points() -> None:
    assert DEFAULT_MARGIN_SHARE == 0.2
    assert margin_for(10, None) == 2
    assert margin_for(15, None) == 3
    assert margin_for(7.5, None) == 1.5
    assert margin_for(10, 1) == 1  # the exam's own margin wins


def test_default_margin_follows_the_item_points() -> None:
    # 4 apart: beyond 20 % of 10, within 20 % of 20
    marks = [g("甲", 5), g("乙", 9)]
    assert not state_of(marks, double=True, max_points=10, margin=None).settled
    assert state_of(marks, double=True, max_points=20, margin=None) == MarkState(7, 0)


@pytest.mark.parametrize(
    ("marks", "grader", "double", "allowed"),
    [
        pytest.param([], "甲", False, True, id="single-first"),
        pytest.param([g("甲", 7)], "乙", False, False, id="single-settled-refused"),
        pytest.param([], "甲", True, True, id="double-first"),
        pytest.param([g("甲", 7)], "甲", True, False, id="same-grader-twice-refused"),
        pytest.param([g("甲", 7)], "乙", True, True, id="second-grader"),
        pytest.param([g("甲", 6), g("乙", 8)], "丙", True, False, id="settled-within-margin-refused"),
        pytest.param([g("甲", 3), g("乙", 8)], "丙", True, True, id="third-grader-on-dispute"),
        pytest.param([g("甲", 3), g("乙", 8)], "乙", True, False, id="a-first-grader-may-not-be-the-third"),
        pytest.param([g("甲", 3), g("乙", 8), g("丙", 6)], "丁", True, False, id="settled-by-median-refused"),
        pytest.param([g("甲", 7), review("复核", 9)], "乙", True, False, id="settled-by-review-refused"),
    ],
)
def test_may_mark(marks: list[Mark], grader: str, double: bool, allowed: bool) -> None:
    assert may_mark(marks, grader, double=double, max_points=10, margin=2) is allowed


def test_a_review_alone_settles_an_unmarked_answer() -> None:
    assert state_of([review("复核", 5)], double=True, max_points=10, margin=2) == MarkState(5, 0)
    assert not may_mark([review("复核", 5)], "甲", double=True, max_points=10, margin=2)


@pytest.mark.parametrize(
    ("points", "maximum", "expected"),
    [
        pytest.param(7.5, 10, 7.5, id="half"),
        pytest.param(0, 10, 0.0, id="zero"),
        pytest.param(10, 10, 10.0, id="full"),
        pytest.param(7, 10, 7.0, id="whole"),
        pytest.param(0.5, 2, 0.5, id="half-of-a-small-item"),
    ],
)
def test_check_points_accepts(points: float, maximum: float, expected: float) -> None:
    result = check_points(points, maximum)
    assert result == expected and isinstance(result, float)


@pytest.mark.parametrize(
    ("points", "maximum", "key", "params"),
    [
        pytest.param(7.3, 10, "grading.half_points", {}, id="not-a-half"),
        pytest.param(7.25, 10, "grading.half_points", {}, id="a-quarter"),
        pytest.param(11, 10, "grading.points_range", {"max": 10}, id="over-the-maximum"),
        pytest.param(10.5, 10, "grading.points_range", {"max": 10}, id="half-over"),
        pytest.param(-1, 10, "grading.points_range", {"max": 10}, id="negative"),
        pytest.param(-0.5, 10, "grading.points_range", {"max": 10}, id="negative-half"),
    ],
)
def test_check_points_refuses(points: float, maximum: float, key: str, params: dict[str, object]) -> None:
    with pytest.raises(MarkRefused) as refused:
        check_points(points, maximum)
    assert refused.value.key == key and refused.value.params == params
