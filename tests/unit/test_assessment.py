"""The annual assessment: indicator scores, the weighted index and places (domain.assessment), and the
rules file checked with line and column (formats.assessment_rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exam_tui.domain.assessment import AssessmentRules, Indicator, assess, indicator_score
from exam_tui.formats.assessment_rules import problem_lines, read_assessment_rules

SHIPPED = Path(__file__).parents[2] / "exam_tui" / "data" / "assessment-rules.yaml"
RULES = AssessmentRules(
    "考核",
    (
        Indicator("coverage", "覆盖率", 40, "coverage_rate"),
        Indicator("pass", "合格率", 30, "pass_rate"),
        Indicator("points", "人均积分", 30, "mean_points", full_at=20),
    ),
)


@pytest.mark.parametrize(
    ("indicator", "value", "score"),
    [
        pytest.param(RULES.indicators[0], 0.875, 87.5, id="a-rate-as-a-percentage"),
        pytest.param(RULES.indicators[0], 1.2, 100.0, id="a-rate-never-above-100"),
        pytest.param(RULES.indicators[0], None, 0.0, id="nothing-to-measure-scores-0"),
        pytest.param(RULES.indicators[2], 10, 50.0, id="a-count-against-full-marks"),
        pytest.param(RULES.indicators[2], 35, 100.0, id="a-count-beyond-full-marks"),
        pytest.param(RULES.indicators[2], 0, 0.0, id="a-count-of-nothing"),
    ],
)
def test_indicator_score(indicator: Indicator, value: float | None, score: float) -> None:
    assert indicator_score(indicator, value) == score


def test_the_index_is_the_weighted_sum_and_equal_indices_share_a_place() -> None:
    scores = assess(
        RULES,
        {
            "甲局": {"coverage_rate": 1.0, "pass_rate": 0.9, "mean_points": 10},  # 40 + 27 + 15 = 82
            "乙局": {"coverage_rate": 0.5, "pass_rate": 1.0, "mean_points": 20},  # 20 + 30 + 30 = 80
            "丙局": {"coverage_rate": 0.5, "pass_rate": 1.0, "mean_points": 20},
            "丁局": {"coverage_rate": 0.0, "pass_rate": None, "mean_points": 0},
        },
    )
    assert [(s.unit, s.index, s.place) for s in scores] == [
        ("甲局", 82.0, 1),
        ("丙局", 80.0, 2),
        ("乙局", 80.0, 2),
        ("丁局", 0.0, 4),
    ]
    first = scores[0]
    assert [(p.indicator, p.measure, p.score, p.weighted) for p in first.parts] == [
        ("coverage", 1.0, 100.0, 40.0),
        ("pass", 0.9, 90.0, 27.0),
        ("points", 10, 50.0, 15.0),
    ]


def test_the_shipped_rules_read_as_written() -> None:
    found = read_assessment_rules(SHIPPED)
    assert found.problems == () and found.rules is not None
    assert [(i.id, i.weight, i.measure) for i in found.rules.indicators] == [
        ("coverage", 40, "coverage_rate"),
        ("pass", 30, "pass_rate"),
        ("points", 30, "mean_points"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "column", "key"),
    [
        pytest.param("title: 考核\nindicators: []\n", 2, 13, "assessment.no_indicators", id="no-indicators"),
        pytest.param(
            "title: 考核\nindicators:\n  - {id: a, title: 甲, weight: 60, measure: pass_rate}\n"
            "  - {id: b, title: 乙, weight: 30, measure: coverage_rate}\n",
            3,
            3,
            "assessment.weights_sum",
            id="weights-not-100",
        ),
        pytest.param(
            "title: 考核\nindicators:\n  - {id: a, title: 甲, weight: 100, measure: nonsense}\n",
            3,
            45,  # columns count characters: 甲 is one
            "assessment.bad_measure",
            id="unknown-measure",
        ),
        pytest.param(
            "title: 考核\nindicators:\n  - {id: a, title: 甲, weight: 100, measure: mean_points}\n",
            3,
            45,
            "assessment.full_at_needed",
            id="count-without-full-marks",
        ),
        pytest.param(
            "title: 考核\nindicators:\n  - {id: a, title: 甲, weight: 100, measure: pass_rate, full_at: 3}\n",
            3,
            65,
            "assessment.full_at_for_counts",
            id="rate-with-full-marks",
        ),
        pytest.param(
            "title: 考核\nindicators:\n  - {id: a, title: 甲, weight: 50, measure: pass_rate}\n"
            "  - {id: a, title: 乙, weight: 50, measure: coverage_rate}\n",
            4,
            10,
            "assessment.duplicate_id",
            id="duplicate-id",
        ),
        pytest.param(
            "title: 考核\nindicators:\n  - {id: a, title: 甲, weight: 0, measure: pass_rate}\n",
            3,
            31,
            "assessment.bad_weight",
            id="zero-weight",
        ),
        pytest.param("title: 考核\nindicator: []\n", 2, 1, "assessment.unknown_key", id="unknown-key"),
    ],
)
def test_a_problem_is_located(tmp_path: Path, text: str, line: int, column: int, key: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    found = read_assessment_rules(path)
    assert found.rules is None
    (problem,) = [p for p in found.problems if p.key == key]
    assert (problem.line, problem.column) == (line, column)
    assert f"{path}:{line}:{column}: " in "\n".join(problem_lines(found))
