"""The points rules file: the shipped file, and every class of problem at the line and column it must point at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exam_tui.domain.points import Attendance, LectureGiven, Organised, TestPassed, due
from exam_tui.formats.points_rules import RulesFile, check_rules_text, read_rules, rules_lines
from exam_tui.i18n import current_language, set_language

SHIPPED = Path(__file__).parents[2] / "exam_tui" / "data" / "points-rules.yaml"

VALID = """\
categories:
  self_education: {title: 自我教育, cap: 20}
  higher_education: {title: 参加上级教育, cap: 30}
  organising: {title: 组织开展教育}
rules:
  - id: closed-day
    title: 参加封闭式培训
    on: attendance
    course_kinds: [closed_training, new_cadre_training]
    per: day
    min_half_days: 1
    category: higher_education
    points: 2
  - id: lecture
    title: 讲授廉政党课
    on: lecture_given
    category: organising
    points: 5
"""


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    before = current_language()
    set_language("zh")
    yield
    set_language(before)


def read(tmp_path: Path, text: str | bytes, name: str = "points-rules.yaml") -> RulesFile:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return read_rules(path)


def edited(*edits: tuple[str, str]) -> str:
    text = VALID
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def found(tmp_path: Path, text: str | bytes) -> list[tuple[int, int, str]]:
    result = read(tmp_path, text)
    assert result.rules is None and not result.ok
    return [(p.line, p.column, p.key) for p in result.problems]


# --- valid files ----------------------------------------------------------------------------------


def test_the_shipped_file_reads_with_no_problems() -> None:
    result = read_rules(SHIPPED)
    assert result.problems == () and result.ok and result.rules is not None
    rules = result.rules
    assert [(c.id, c.title, c.cap) for c in rules.categories] == [
        ("self_education", "自我教育", 20),
        ("higher_education", "参加上级教育", 30),
        ("organising", "组织开展教育", 20),
    ]
    by_id = {r.id: r for r in rules.rules}
    closed = by_id["closed-training-day"]
    assert (closed.on, closed.per, closed.points, closed.category) == (
        "attendance",
        "day",
        2,
        "higher_education",
    )
    assert closed.course_kinds == {"closed_training", "new_cadre_training"}
    assert (by_id["training-test-passed"].points, by_id["party-lecture-given"].points) == (3, 5)


def test_the_shipped_rules_give_the_documented_points() -> None:
    rules = read_rules(SHIPPED).rules
    assert rules is not None
    facts = [
        Attendance(1, 10, "closed_training", 2026, 5),  # two and a half days: 5 points
        Attendance(1, 11, "new_cadre_training", 2026, 2),  # one day: 2 points
        Attendance(1, 12, "warning_education", 2026, 1),  # a visit: 1 point
        Attendance(1, 13, "party_lecture", 2026, 1),  # a Party lecture heard: 1 point
        TestPassed(1, 10, "closed_training", 2026, 40),  # 3 points
        LectureGiven(1, 14, 2026),  # 5 points
        Organised(1, 15, "closed_training", 2026),  # 3 points
        Organised(1, 16, "warning_education", 2026),  # nothing: only closed courses count
    ]
    assert [(p.category, p.points, p.source) for p in due(facts, rules)] == [
        ("higher_education", 5, "course:10"),
        ("higher_education", 2, "course:11"),
        ("self_education", 1, "course:12"),
        ("self_education", 1, "course:13"),
        ("higher_education", 3, "attempt:40"),
        ("organising", 5, "course:14"),
        ("organising", 3, "course:15"),
    ]


def test_valid_file_and_defaults(tmp_path: Path) -> None:
    result = read(tmp_path, VALID)
    assert result.ok and result.rules is not None
    organising = result.rules.categories[2]
    assert organising.cap is None  # no cap written: no cap
    lecture = result.rules.rules[1]
    assert (lecture.per, lecture.min_half_days, lecture.course_kinds) == ("course", 1, None)


def test_optional_keys_may_be_written_as_nothing(tmp_path: Path) -> None:
    result = read(
        tmp_path,
        edited(
            ("cap: 30}", "cap: null}"),
            ("course_kinds: [closed_training, new_cadre_training]", "course_kinds:"),
        ),
    )
    assert result.ok and result.rules is not None
    assert result.rules.categories[1].cap is None and result.rules.rules[0].course_kinds is None


def test_numbers_may_be_decimals_and_quoted_on_is_on(tmp_path: Path) -> None:
    result = read(
        tmp_path,
        edited(
            ("points: 2", "points: 1.5"),
            ("cap: 20", "cap: 12.5"),
            ("    on: attendance", '    "on": attendance'),
        ),
    )
    assert result.ok and result.rules is not None
    assert result.rules.rules[0].points == 1.5 and result.rules.categories[0].cap == 12.5


# --- one test per class of problem, at its exact line and column -------------------------------------

PROBLEMS = [
    # keys
    pytest.param([("points: 5\n", "points: 5\nextra: 1\n")], [(19, 1, "points.unknown_key")], id="unknown-top-key"),
    pytest.param([("    points: 5\n", "    points: 5\n    weight: 2\n")], [(19, 5, "points.unknown_key")], id="unknown-rule-key"),
    pytest.param([("{title: 组织开展教育}", "{title: 组织开展教育, limit: 5}")], [(4, 31, "points.unknown_key")], id="unknown-category-key"),
    pytest.param([("    category: organising\n", "")], [(14, 5, "points.missing_key")], id="missing-rule-key"),
    pytest.param([("{title: 组织开展教育}", "{cap: 5}")], [(4, 15, "points.missing_key")], id="missing-category-title"),
    pytest.param([("rules:", "rulez:")], [(1, 1, "points.missing_key"), (5, 1, "points.unknown_key")], id="missing-top-key"),
    pytest.param([("    on: lecture_given\n", '    on: lecture_given\n    "on": organised\n')], [(17, 5, "yaml.duplicate_key")], id="on-written-twice"),
    # categories
    pytest.param([("  organising:", "  organizing:")], [(1, 1, "points.missing_category"), (4, 3, "points.unknown_category")], id="unknown-category-id"),
    pytest.param([("  higher_education: {title: 参加上级教育, cap: 30}\n", "")], [(1, 1, "points.missing_category")], id="missing-category"),
    pytest.param([("cap: 20", "cap: -1")], [(2, 38, "points.bad_cap")], id="negative-cap"),
    pytest.param([("cap: 20", "cap: 很多")], [(2, 38, "points.bad_cap")], id="text-cap"),
    pytest.param([("cap: 20", "cap: true")], [(2, 38, "points.bad_cap")], id="boolean-cap"),
    pytest.param([("cap: 20", "cap: .inf")], [(2, 38, "points.bad_cap")], id="infinite-cap"),
    pytest.param([("categories:\n", "categories: [a]\nx:\n")], [(1, 13, "points.categories_not_mapping"), (2, 1, "points.unknown_key")], id="categories-not-mapping"),
    pytest.param([("  organising: {title: 组织开展教育}", "  organising: 20")], [(4, 15, "points.category_not_mapping")], id="category-not-mapping"),
    pytest.param([("  organising: {title: 组织开展教育}", "  organising:")], [(4, 3, "points.category_not_mapping")], id="category-empty"),
    pytest.param([("{title: 组织开展教育}", '{title: " "}')], [(4, 23, "points.empty_title")], id="empty-category-title"),
    pytest.param([("category: organising", "category: discipline")], [(17, 15, "points.unknown_category")], id="unknown-rule-category"),
    # rules
    pytest.param([("on: lecture_given", "on: lecturing")], [(16, 9, "points.bad_on")], id="bad-on"),
    pytest.param([("on: lecture_given", "on: yes")], [(16, 9, "points.bad_on")], id="boolean-on"),
    pytest.param([("    points: 5\n", "    points: 5\n    per: day\n")], [(19, 5, "points.attendance_only")], id="per-off-attendance"),
    pytest.param([("    points: 5\n", "    points: 5\n    min_half_days: 2\n")], [(19, 5, "points.attendance_only")], id="min-off-attendance"),
    pytest.param([("per: day", "per: week")], [(10, 10, "points.bad_per")], id="bad-per"),
    pytest.param([("min_half_days: 1", "min_half_days: 0")], [(11, 20, "points.bad_min_half_days")], id="zero-min-half-days"),
    pytest.param([("min_half_days: 1", "min_half_days: 1.5")], [(11, 20, "points.bad_min_half_days")], id="fractional-min-half-days"),
    pytest.param([("min_half_days: 1", "min_half_days: true")], [(11, 20, "points.bad_min_half_days")], id="boolean-min-half-days"),
    pytest.param([("new_cadre_training]", "new_cadres]")], [(9, 37, "points.unknown_kind")], id="unknown-course-kind"),
    pytest.param([("[closed_training, new_cadre_training]", "closed_training")], [(9, 19, "points.kinds_not_list")], id="kinds-not-list"),
    pytest.param([("[closed_training, new_cadre_training]", "[]")], [(9, 19, "points.kinds_not_list")], id="kinds-empty"),
    pytest.param([("    points: 5\n", "    points: 5\n    course_kinds: [party_lecture]\n")], [(19, 5, "points.kinds_on_lecture")], id="kinds-on-lecture"),
    pytest.param([("points: 5", "points: 0")], [(18, 13, "points.bad_points")], id="zero-points"),
    pytest.param([("points: 5", "points: -2")], [(18, 13, "points.bad_points")], id="negative-points"),
    pytest.param([("points: 5", "points: true")], [(18, 13, "points.bad_points")], id="boolean-points"),
    pytest.param([("points: 5", "points: 五")], [(18, 13, "points.bad_points")], id="text-points"),
    pytest.param([("points: 5", "points: .nan")], [(18, 13, "points.bad_points")], id="nan-points"),
    pytest.param([("id: lecture", "id: closed-day")], [(14, 9, "points.duplicate_rule")], id="duplicate-rule-id"),
    pytest.param([("title: 讲授廉政党课", 'title: ""')], [(15, 12, "points.empty_title")], id="empty-title"),
    pytest.param([("title: 讲授廉政党课", "title: 2026")], [(15, 12, "points.not_text")], id="number-title"),
    pytest.param([("id: closed-day", "id: Closed_Day")], [(6, 9, "points.bad_id")], id="bad-id"),
    pytest.param([("id: closed-day", "id: 12")], [(6, 9, "points.bad_id")], id="number-id"),
    pytest.param([("id: closed-day", "id: 封闭培训")], [(6, 9, "points.bad_id")], id="chinese-id"),
    pytest.param([("rules:\n", "rules: {a: 1}\nx:\n")], [(5, 8, "points.rules_not_list"), (6, 1, "points.unknown_key")], id="rules-not-list"),
    pytest.param([("rules:\n", "rules:\n  - 5\n")], [(6, 5, "points.rule_not_mapping")], id="rule-not-mapping"),
    pytest.param([(VALID[VALID.index("rules:") :], "rules:\n")], [(5, 1, "points.no_value")], id="rules-empty"),
]  # fmt: skip


@pytest.mark.parametrize(("edits", "expected"), PROBLEMS)
def test_problem(tmp_path: Path, edits: list[tuple[str, str]], expected: list[tuple[int, int, str]]) -> None:
    assert found(tmp_path, edited(*edits)) == expected


def test_duplicate_rule_id_names_the_line_of_the_first(tmp_path: Path) -> None:
    (problem,) = read(tmp_path, edited(("id: lecture", "id: closed-day"))).problems
    assert problem.params == {"id": "closed-day", "line": 6}


def test_unknown_key_says_which_keys_are_allowed(tmp_path: Path) -> None:
    result = read(tmp_path, edited(("    points: 5\n", "    points: 5\n    weight: 2\n")))
    assert (
        result.problems[0].params["allowed"]
        == "id, title, on, category, points, per, course_kinds, min_half_days"
    )
    assert "可用的键为:id, title, on" in rules_lines(result)[0]


def test_a_value_is_shown_as_written(tmp_path: Path) -> None:
    (problem,) = read(tmp_path, edited(("on: lecture_given", "on: yes"))).problems
    assert problem.params["value"] == "yes"  # not YAML's True


def test_all_problems_are_collected_and_sorted_by_line(tmp_path: Path) -> None:
    text = edited(
        ("points: 5", "points: 0"),
        ("cap: 20", "cap: -1"),
        ("per: day", "per: week"),
        ("id: lecture", "id: Lecture"),
        ("new_cadre_training]", "new_cadres]"),
    )
    assert found(tmp_path, text) == [
        (2, 38, "points.bad_cap"),
        (9, 37, "points.unknown_kind"),
        (10, 10, "points.bad_per"),
        (14, 9, "points.bad_id"),
        (18, 13, "points.bad_points"),
    ]


# --- whole-file problems ---------------------------------------------------------------------------

FILE_PROBLEMS = [
    pytest.param(b"", [(1, 1, "points.not_a_mapping")], id="empty"),
    pytest.param(b"# only a comment\n", [(1, 1, "points.not_a_mapping")], id="only-comments"),
    pytest.param(b"- a\n- b\n", [(1, 1, "points.not_a_mapping")], id="a-list"),
    pytest.param(b"\n\njust text\n", [(3, 1, "points.not_a_mapping")], id="a-scalar"),
    pytest.param(b"categories: {a: 1\n", [(2, 1, "yaml.syntax")], id="not-yaml"),
    pytest.param(b"categories: 1\ncategories: 2\n", [(2, 1, "yaml.duplicate_key")], id="duplicate-key"),
    pytest.param(b"x: &a 1\ny: *a\n", [(1, 4, "yaml.alias")], id="alias"),  # the loader points at the anchor
    pytest.param(b"x: !!python/name:os.system 1\n", [(1, 4, "yaml.tag")], id="tag"),
    pytest.param("categories: 自我".encode("gbk"), [(1, 13, "file.not_utf8")], id="not-utf8"),
]


@pytest.mark.parametrize(("raw", "expected"), FILE_PROBLEMS)
def test_file_problem(tmp_path: Path, raw: bytes, expected: list[tuple[int, int, str]]) -> None:
    assert found(tmp_path, raw) == expected


def test_missing_file(tmp_path: Path) -> None:
    result = read_rules(tmp_path / "nowhere.yaml")
    assert [(p.line, p.column, p.key) for p in result.problems] == [(1, 1, "file.not_found")]


def test_unreadable_file(tmp_path: Path) -> None:
    result = read_rules(tmp_path)  # a folder: stat works, reading does not
    assert [(p.line, p.column, p.key) for p in result.problems] == [(1, 1, "file.unreadable")]


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: no 21 MB written
    result = read_rules(path)
    assert [(p.line, p.column, p.key) for p in result.problems] == [(1, 1, "points.too_large")]
    assert result.problems[0].params == {"size": "21.0", "limit": 20}


def test_rules_lines_in_both_languages(tmp_path: Path) -> None:
    result = read(tmp_path, edited(("points: 5", "points: 0")))
    path = os.fspath(tmp_path / "points-rules.yaml")
    assert rules_lines(result) == [f"{path}:18:13: 分值 “0” 无效:应为大于 0 的数字"]
    set_language("en")
    assert rules_lines(result) == [
        f"{path}:18:13: points '0' is not valid: it must be a number greater than 0"
    ]


# --- mutating the shipped file never raises -----------------------------------------------------------

SHIPPED_LINES = SHIPPED.read_text(encoding="utf-8").splitlines()
TOKENS = st.sampled_from(
    [
        "", "0", "-1", "1.5", "true", "null", "~", "[]", "{}", "[a, b]", "{a: 1}", ".inf", ".nan", "'x'",
        "day", "week", "attendance", "organised", "party_lecture", "self_education", "closed-training-day",
        "*a", "&a 1", "!!binary aGk=", "!!python/object:x {}", '"unterminated', "- x", "a: b: c", "0x1F",
        "2026-01-01", "自我教育", "[closed_training, bogus]", "\t",
    ]
)  # fmt: skip
LINE = st.integers(min_value=0, max_value=len(SHIPPED_LINES) - 1)
EDIT = st.one_of(
    st.tuples(st.just("delete"), LINE, st.just("")),
    st.tuples(st.just("value"), LINE, TOKENS),
    st.tuples(st.just("value"), LINE, st.text(st.characters(exclude_categories=("Cs",)), max_size=8)),
    st.tuples(st.just("duplicate"), LINE, st.just("")),
)


def mutate(lines: list[str], edit: tuple[str, int, str]) -> list[str]:
    kind, i, token = edit
    i %= max(len(lines), 1)
    if not lines:
        return lines
    if kind == "delete":
        return lines[:i] + lines[i + 1 :]
    if kind == "duplicate":
        return lines[: i + 1] + lines[i:]
    line = lines[i]
    head, colon, _ = line.partition(": ")
    indent = line[: len(line) - len(line.lstrip())]
    changed = head + colon + token if colon else indent + token
    return [*lines[:i], changed, *lines[i + 1 :]]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDIT, min_size=1, max_size=3))
def test_a_mutated_shipped_file_never_raises(edits: list[tuple[str, int, str]]) -> None:
    lines = list(SHIPPED_LINES)
    for edit in edits:
        lines = mutate(lines, edit)
    result = check_rules_text(SHIPPED, ("\n".join(lines) + "\n").encode("utf-8"))
    assert (result.rules is None) == bool(result.problems)
    assert list(result.problems) == sorted(result.problems, key=lambda p: (p.line, p.column))
    for language in ("zh", "en"):
        set_language(language)
        assert len(rules_lines(result)) == len(result.problems)  # every message formats
    set_language("zh")
    if result.rules is not None:
        due([Attendance(1, 1, "closed_training", 2026, 3), LectureGiven(1, 2, 2026)], result.rules)
