"""The counts of `bank stats`, computed by hand for small banks."""

from __future__ import annotations

from collections import Counter

import pytest

from exam_tui.domain.bank import section_pool
from exam_tui.domain.bank_stats import Counts, ExamSections, question_stats, section_supply
from exam_tui.formats.yaml_bank import read_bank_file
from tests.conftest import STARTER_BANK

QUESTIONS = [
    ("a", "single", 1),
    ("a", "single", 2),
    ("a", "single", 2),
    ("a", "multiple", 3),
    ("b", "single", 3),
    ("b", "single", 5),
    ("b", "true_false", 4),
]


def _section(qtype: str, draw: int, **extra: object) -> dict[str, object]:
    return {"title": f"{qtype} ×{draw}", "type": qtype, "draw": draw, "points": 1, **extra}


def test_table_in_bank_order_with_type_and_grand_totals() -> None:
    stats = question_stats(QUESTIONS, ["b", "a", "c"])
    assert [(r.category, r.type, r.counts.by_difficulty, r.counts.total) for r in stats.rows] == [
        ("b", "single", (0, 0, 1, 0, 1), 2),
        ("b", "true_false", (0, 0, 0, 1, 0), 1),
        ("a", "single", (1, 2, 0, 0, 0), 3),
        ("a", "multiple", (0, 0, 1, 0, 0), 1),
        ("c", None, (0, 0, 0, 0, 0), 0),  # a category without questions still shows
    ]
    assert list(stats.by_type) == ["single", "multiple", "true_false"]  # the usual order, not the file's
    assert stats.by_type["single"] == Counts((1, 2, 1, 0, 1))
    assert stats.by_type["multiple"] == Counts((0, 0, 1, 0, 0))
    assert stats.by_type["true_false"] == Counts((0, 0, 0, 1, 0))
    assert stats.total == Counts((1, 2, 2, 1, 1))
    assert stats.total.total == 7
    assert stats.exams == ()


def test_counter_input_is_the_same_as_one_key_per_question() -> None:
    exams = [ExamSections("e", "E", [_section("single", 3)])]
    assert question_stats(Counter(QUESTIONS), ["a", "b"], exams) == question_stats(
        QUESTIONS, ["a", "b"], exams
    )


def test_section_pools_with_from_and_difficulty_bands() -> None:
    exam = ExamSections(
        "e",
        "考试",
        [
            _section("single", 4),  # every category, every difficulty: 5
            _section("single", 3, **{"from": ["a"], "difficulty": {"min": 2, "max": 3}}),  # a at 2: 2
            _section("single", 2, **{"from": ["a", "b"], "difficulty": {"min": 3, "max": 5}}),  # b at 3, 5
            _section("multiple", 1, **{"from": ["b"]}),  # b has no multiple-choice question
            _section("true_false", 1, **{"from": [], "difficulty": {"min": 4, "max": 4}}),  # empty from: all
            _section("single", 5, difficulty={"min": 2}),  # max defaults to 5: 2 + 1 + 1
        ],
    )
    (supply,) = question_stats(QUESTIONS, ["a", "b"], [exam]).exams
    assert (supply.id, supply.title) == ("e", "考试")
    assert [(s.pool, s.draw, s.enough) for s in supply.sections] == [
        (5, 4, True),
        (2, 3, False),
        (2, 2, True),  # pool == draw is enough
        (0, 1, False),
        (1, 1, True),
        (4, 5, False),
    ]
    assert not supply.enough
    first, second, *_, band_from_min = supply.sections
    assert (first.categories, first.min_difficulty, first.max_difficulty, first.has_band) == (
        None,
        1,
        5,
        False,
    )
    assert (second.categories, second.min_difficulty, second.max_difficulty, second.has_band) == (
        ("a",),
        2,
        3,
        True,
    )
    assert supply.sections[4].categories is None
    assert (band_from_min.min_difficulty, band_from_min.max_difficulty) == (2, 5)


def test_exam_with_every_pool_large_enough() -> None:
    exam = ExamSections("ok", "OK", [_section("single", 5), _section("true_false", 1)])
    (supply,) = question_stats(QUESTIONS, ["a", "b"], [exam]).exams
    assert supply.enough and [s.pool for s in supply.sections] == [5, 1]


def test_unlisted_category_is_counted_after_the_listed_ones() -> None:
    stats = question_stats([("z", "single", 3), ("a", "single", 3)], ["a"])
    assert [r.category for r in stats.rows] == ["a", "z"]
    assert stats.total.total == 2


def test_difficulty_outside_one_to_five_is_refused() -> None:
    with pytest.raises(ValueError, match="difficulty 6"):
        question_stats([("a", "single", 6)], ["a"])


def test_pools_agree_with_the_validator_on_the_starter_bank() -> None:
    bank = read_bank_file(STARTER_BANK).bank
    assert bank is not None
    counts = Counter((q.category, q.type, q.difficulty) for q in bank.questions)
    for exam in bank.exams:
        for section in exam.sections:
            stored = section.model_dump(by_alias=True, exclude_none=True)  # as services.banks stores it
            assert section_supply(stored, counts).pool == len(section_pool(section, bank.questions))
