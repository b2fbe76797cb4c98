"""The points ledger's rules (domain.points) as tables: which postings each record calls for, and caps."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exam_tui.domain.points import (
    COURSE_KINDS,
    Attendance,
    Category,
    CategoryTotal,
    Fact,
    LectureGiven,
    Organised,
    PointsRules,
    Posting,
    Rule,
    TestPassed,
    due,
    grand_total,
    totals,
)

CADRE, COURSE, YEAR = 7, 12, 2026
CATEGORIES = (
    Category("self_education", "自我教育", 20),
    Category("higher_education", "参加上级教育", 30),
    Category("organising", "组织开展教育", None),
)


def rules_of(*rules: Rule) -> PointsRules:
    return PointsRules(CATEGORIES, rules)


def rule(on: str = "attendance", **overrides: Any) -> Rule:
    fields: dict[str, Any] = {
        "id": "r",
        "title": "规则",
        "on": on,
        "category": "higher_education",
        "points": 2,
    }
    fields.update(overrides)
    if "course_kinds" in fields and fields["course_kinds"] is not None:
        fields["course_kinds"] = frozenset(fields["course_kinds"])
    return Rule(**fields)


def attended(half_days: int, kind: str = "closed_training") -> Attendance:
    return Attendance(CADRE, COURSE, kind, YEAR, half_days)


def posted(
    points: float, detail: str, source: str = f"course:{COURSE}", category: str = "higher_education"
) -> Posting:
    return Posting(CADRE, YEAR, category, points, "r", source, detail)


# --- attendance: per mode × kind filter × min_half_days ------------------------------------------

ATTENDANCE = [
    # per "day": a half-day is half a day's points
    pytest.param(dict(per="day"), attended(5), [posted(5, "r: 5 ÷ 2 × 2 = 5")], id="day-5-half-days"),
    pytest.param(dict(per="day"), attended(1), [posted(1, "r: 1 ÷ 2 × 2 = 1")], id="day-1-half-day"),
    pytest.param(dict(per="day"), attended(4), [posted(4, "r: 4 ÷ 2 × 2 = 4")], id="day-2-days"),
    pytest.param(
        dict(per="day", points=1), attended(3), [posted(1.5, "r: 3 ÷ 2 × 1 = 1.5")], id="day-odd-half"
    ),
    pytest.param(
        dict(per="day", points=0.25),
        attended(1),
        [posted(0.13, "r: 1 ÷ 2 × 0.25 = 0.13")],
        id="day-rounds-half-up",
    ),
    # per "half_day"
    pytest.param(dict(per="half_day", points=1), attended(5), [posted(5, "r: 5 × 1 = 5")], id="half-day-5"),
    pytest.param(
        dict(per="half_day", points=0.1),
        attended(3),
        [posted(0.3, "r: 3 × 0.1 = 0.3")],
        id="half-day-decimal",
    ),
    pytest.param(dict(per="half_day", points=0.001), attended(1), [], id="half-day-rounds-to-nothing"),
    # per "course" (the default): once, however long
    pytest.param({}, attended(1), [posted(2, "r: 2")], id="course-default-per"),
    pytest.param(dict(per="course"), attended(10), [posted(2, "r: 2")], id="course-long"),
    # min_half_days
    pytest.param(dict(per="course", min_half_days=4), attended(3), [], id="course-below-min"),
    pytest.param(dict(per="course", min_half_days=4), attended(4), [posted(2, "r: 2")], id="course-at-min"),
    pytest.param(dict(per="day", min_half_days=2), attended(1), [], id="day-below-min"),
    pytest.param(
        dict(per="day", min_half_days=2), attended(2), [posted(2, "r: 2 ÷ 2 × 2 = 2")], id="day-at-min"
    ),
    pytest.param(dict(per="half_day", min_half_days=3), attended(2), [], id="half-day-below-min"),
    pytest.param(dict(per="day"), attended(0), [], id="no-half-days"),
    # kind filter
    pytest.param(
        dict(per="day", course_kinds=["closed_training", "new_cadre_training"]),
        attended(2, "new_cadre_training"),
        [posted(2, "r: 2 ÷ 2 × 2 = 2")],
        id="kind-in-filter",
    ),
    pytest.param(
        dict(course_kinds=["warning_education"]), attended(2, "party_lecture"), [], id="kind-not-in-filter"
    ),
    pytest.param(
        dict(course_kinds=None), attended(2, "some_future_kind"), [posted(2, "r: 2")], id="no-filter-any-kind"
    ),
]


@pytest.mark.parametrize(("overrides", "fact", "expected"), ATTENDANCE)
def test_attendance(overrides: dict[str, Any], fact: Attendance, expected: list[Posting]) -> None:
    assert due([fact], rules_of(rule(**overrides))) == expected


# --- the other facts ------------------------------------------------------------------------------

PASSED = TestPassed(CADRE, COURSE, "closed_training", YEAR, attempt_id=40)
LECTURE = LectureGiven(CADRE, COURSE, YEAR)
ORGANISED = Organised(CADRE, COURSE, "closed_training", YEAR)

OTHER_FACTS = [
    pytest.param(
        rule("test_passed", points=3), PASSED, [posted(3, "r: 3", "attempt:40")], id="test-any-kind"
    ),
    pytest.param(
        rule("test_passed", points=3, course_kinds=["closed_training"]),
        PASSED,
        [posted(3, "r: 3", "attempt:40")],
        id="test-kind-matches",
    ),
    pytest.param(
        rule("test_passed", course_kinds=["warning_education"]), PASSED, [], id="test-kind-filtered"
    ),
    pytest.param(
        rule("lecture_given", points=5, category="organising"),
        LECTURE,
        [posted(5, "r: 5", category="organising")],
        id="lecture",
    ),
    pytest.param(
        rule("lecture_given", points=5, course_kinds=["party_lecture"]),
        LECTURE,
        [posted(5, "r: 5")],
        id="lecture-is-a-party-lecture",
    ),
    pytest.param(rule("lecture_given", course_kinds=["closed_training"]), LECTURE, [], id="lecture-filtered"),
    pytest.param(rule("organised", points=3), ORGANISED, [posted(3, "r: 3")], id="organised"),
    pytest.param(rule("organised", course_kinds=["party_lecture"]), ORGANISED, [], id="organised-filtered"),
    # a rule only ever answers the fact kind it is "on"
    pytest.param(rule("attendance"), PASSED, [], id="attendance-rule-ignores-test"),
    pytest.param(rule("test_passed"), attended(4), [], id="test-rule-ignores-attendance"),
    pytest.param(rule("organised"), LECTURE, [], id="organised-rule-ignores-lecture"),
    pytest.param(rule("lecture_given"), ORGANISED, [], id="lecture-rule-ignores-organised"),
]


@pytest.mark.parametrize(("the_rule", "fact", "expected"), OTHER_FACTS)
def test_other_facts(the_rule: Rule, fact: Fact, expected: list[Posting]) -> None:
    assert due([fact], rules_of(the_rule)) == expected


def test_several_rules_may_match_one_fact() -> None:
    rules = rules_of(
        rule(id="by-day", per="day"),
        rule(id="bonus", per="course", points=1, category="self_education", min_half_days=4),
        rule(id="warning-only", course_kinds=["warning_education"]),
    )
    assert due([attended(4)], rules) == [
        Posting(CADRE, YEAR, "higher_education", 4, "by-day", "course:12", "by-day: 4 ÷ 2 × 2 = 4"),
        Posting(CADRE, YEAR, "self_education", 1, "bonus", "course:12", "bonus: 1"),
    ]


def test_a_test_passed_twice_counts_once_for_the_first_pass() -> None:
    later = TestPassed(CADRE, COURSE, "closed_training", YEAR, attempt_id=55)
    rules = rules_of(rule("test_passed", points=3))
    assert [p.source for p in due([later, PASSED], rules)] == ["attempt:40"]
    assert [p.source for p in due([later], rules)] == ["attempt:55"]  # the first pass was revoked


def test_identical_facts_count_once() -> None:
    rules = rules_of(rule(per="day"))
    assert due([attended(4), attended(4)], rules) == due([attended(4)], rules)


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param([attended(4), attended(2)], id="attendance-half-days"),
        pytest.param([attended(4), attended(4, "party_lecture")], id="attendance-kind"),
        pytest.param([ORGANISED, Organised(CADRE, COURSE, "party_lecture", YEAR)], id="organised-kind"),
        pytest.param(
            [PASSED, TestPassed(CADRE, COURSE, "party_lecture", YEAR, 40)], id="one-attempt-two-kinds"
        ),
        pytest.param(
            [PASSED, TestPassed(CADRE, 13, "closed_training", YEAR, 40)], id="one-attempt-two-courses"
        ),
        pytest.param(
            [PASSED, TestPassed(8, COURSE, "closed_training", YEAR, 40)], id="one-attempt-two-cadres"
        ),
    ],
)
def test_conflicting_facts_about_one_record_are_refused(facts: list[Fact]) -> None:
    with pytest.raises(ValueError, match="conflicting"):
        due(facts, rules_of(rule(per="day")))
    with pytest.raises(ValueError, match="conflicting"):
        due(list(reversed(facts)), rules_of(rule(per="day")))


def test_not_a_fact_is_refused() -> None:
    with pytest.raises(TypeError):
        due([("attendance", 1)], rules_of(rule()))  # type: ignore[list-item]


def test_postings_are_per_cadre_and_year_and_ordered() -> None:
    rules = rules_of(rule(id="attend", per="day"), rule("test_passed", id="test", points=3))
    facts: list[Fact] = [
        Attendance(8, 3, "closed_training", 2025, 2),
        TestPassed(7, 3, "closed_training", 2026, 9),
        Attendance(7, 30, "closed_training", 2026, 2),
        Attendance(7, 4, "closed_training", 2026, 2),
    ]
    assert [p.key for p in due(facts, rules)] == [
        (7, 2026, "attend", "course:4"),
        (7, 2026, "attend", "course:30"),  # numeric order of the source, not text order
        (7, 2026, "test", "attempt:9"),
        (8, 2025, "attend", "course:3"),
    ]


# --- whole-ledger properties ------------------------------------------------------------------------

SHIPPED_LIKE = PointsRules(
    CATEGORIES,
    (
        Rule("closed-day", "参加封闭式培训", "attendance", "higher_education", 2, "day",
             frozenset({"closed_training", "new_cadre_training"})),
        Rule("any-half-day", "参加学习", "attendance", "self_education", 0.5, "half_day", None, 2),
        Rule("any-course", "参加学习", "attendance", "self_education", 1),
        Rule("test", "结业测试", "test_passed", "higher_education", 3),
        Rule("lecture", "讲授党课", "lecture_given", "organising", 5),
        Rule("organised", "组织培训", "organised", "organising", 3, course_kinds=frozenset({"closed_training"})),
    ),
)  # fmt: skip

ids = st.integers(min_value=1, max_value=4)
years = st.integers(min_value=2025, max_value=2026)
kinds = st.sampled_from(COURSE_KINDS)
facts_strategy = st.lists(
    st.one_of(
        st.builds(Attendance, ids, ids, kinds, years, st.integers(min_value=0, max_value=12)),
        st.builds(TestPassed, ids, ids, kinds, years, st.integers(min_value=1, max_value=50)),
        st.builds(LectureGiven, ids, ids, years),
        st.builds(Organised, ids, ids, kinds, years),
    ),
    max_size=30,
)


def consistent(facts: list[Fact]) -> list[Fact]:
    """Keep the first fact per record (and per test attempt), as the services would build them."""
    seen: dict[tuple[Any, ...], Fact] = {}
    for fact in facts:
        record: tuple[Any, ...] = (type(fact), fact.cadre_id, fact.course_id, fact.year)
        if isinstance(fact, TestPassed):
            record = ("attempt", fact.attempt_id)  # an attempt id belongs to one cadre and course
        seen.setdefault(record, fact)
    return list(seen.values())


@given(facts_strategy, st.randoms(use_true_random=False))
def test_due_is_deterministic_and_order_independent(facts: list[Fact], rnd: Any) -> None:
    facts = consistent(facts)
    shuffled = list(facts)
    rnd.shuffle(shuffled)
    first = due(facts, SHIPPED_LIKE)
    assert due(facts, SHIPPED_LIKE) == first
    assert due(shuffled, SHIPPED_LIKE) == first
    assert due(facts + shuffled, SHIPPED_LIKE) == first  # the same records fed twice


@given(facts_strategy)
def test_keys_are_unique_and_points_positive(facts: list[Fact]) -> None:
    postings = due(consistent(facts), SHIPPED_LIKE)
    keys = [p.key for p in postings]
    assert len(keys) == len(set(keys))
    assert all(p.points > 0 and round(p.points, 2) == p.points for p in postings)
    assert {p.category for p in postings} <= {c.id for c in CATEGORIES}


# --- totals and caps ------------------------------------------------------------------------------

TOTALS = [
    pytest.param([("self_education", 12), ("self_education", 3)], "self_education", CategoryTotal(15, 15, False), id="under-cap"),
    pytest.param([("self_education", 12), ("self_education", 8)], "self_education", CategoryTotal(20, 20, False), id="at-cap"),
    pytest.param([("self_education", 18), ("self_education", 5)], "self_education", CategoryTotal(23, 20, True), id="over-cap"),
    pytest.param(
        [("self_education", 18), ("self_education", 5), ("self_education", -5)],
        "self_education",
        CategoryTotal(18, 18, False),
        id="reversal-back-under",
    ),
    pytest.param(
        [("self_education", -5), ("self_education", 18), ("self_education", 5)],
        "self_education",
        CategoryTotal(18, 18, False),
        id="reversal-first-order-irrelevant",
    ),
    pytest.param([("organising", 500)], "organising", CategoryTotal(500, 500, False), id="no-cap"),
    pytest.param([("higher_education", 0.1)] * 3, "higher_education", CategoryTotal(0.3, 0.3, False), id="decimal-sum"),
    pytest.param([], "higher_education", CategoryTotal(0, 0, False), id="nothing-posted"),
    pytest.param([("retired_category", 4)], "retired_category", CategoryTotal(4, 4, False), id="unlisted-category-kept"),
]  # fmt: skip


@pytest.mark.parametrize(("entries", "category", "expected"), TOTALS)
def test_totals(entries: list[tuple[str, float]], category: str, expected: CategoryTotal) -> None:
    result = totals(entries, rules_of())
    assert result[category] == expected
    assert list(result)[:3] == ["self_education", "higher_education", "organising"]


def test_grand_total_sums_what_counts() -> None:
    result = totals(
        [("self_education", 25), ("higher_education", 10.5), ("organising", 40), ("higher_education", 0.25)],
        rules_of(),
    )
    assert result["self_education"] == CategoryTotal(25, 20, True)
    assert grand_total(result) == 20 + 10.75 + 40


@given(st.lists(st.tuples(st.sampled_from(["self_education", "higher_education"]), st.integers(-5, 10))))
def test_totals_do_not_depend_on_order(entries: list[tuple[str, float]]) -> None:
    assert totals(entries, rules_of()) == totals(list(reversed(entries)), rules_of())


# --- rules built in code are checked too ----------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: rule("attended"), id="unknown-on"),
        pytest.param(lambda: rule(per="week"), id="unknown-per"),
        pytest.param(lambda: rule("organised", per="day"), id="per-off-attendance"),
        pytest.param(lambda: rule("test_passed", min_half_days=2), id="min-off-attendance"),
        pytest.param(lambda: rule(category="discipline"), id="unknown-category"),
        pytest.param(lambda: rule(points=0), id="zero-points"),
        pytest.param(lambda: rule(min_half_days=0), id="zero-min"),
        pytest.param(lambda: Category("discipline", "纪律", 1), id="unknown-category-id"),
        pytest.param(lambda: Category("organising", "组织", -1), id="negative-cap"),
        pytest.param(lambda: PointsRules(CATEGORIES, (rule(), rule())), id="duplicate-rule-id"),
        pytest.param(lambda: PointsRules(CATEGORIES[:1], (rule(),)), id="rule-category-not-listed"),
        pytest.param(lambda: PointsRules(CATEGORIES + CATEGORIES[:1], ()), id="category-twice"),
    ],
)
def test_invalid_rules_are_refused(build: Any) -> None:
    with pytest.raises(ValueError):
        build()
