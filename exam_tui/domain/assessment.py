"""The annual assessment of units (年终考核): a weighted index of what the coverage report measured.

Each indicator turns one of a unit's measures into a score from 0 to 100 — a rate as a percentage, or
a count against the figure that earns full marks (``full_at``: 20 points a head is 100) — and the index
is the weighted sum (the weights add up to 100). Units are ranked by the index, equal indices sharing a
place; the breakdown keeps each indicator's measure, score and weighted part, so a unit can see where
its index came from. Pure: the rules come from a file, the measures from the coverage report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# What a unit's coverage row measures (services.reports.UnitCoverage), and how each is read:
# rates are 0..1, the rest are per cadre on roll (or a plain mean).
RATE_MEASURES = ("coverage_rate", "exam_rate", "pass_rate", "training_rate", "deferral_free_rate")
COUNT_MEASURES = ("mean_points", "warning_per_cadre", "person_times_per_cadre")
MEASURES = RATE_MEASURES + COUNT_MEASURES


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    weight: float  # percent of the index
    measure: str
    full_at: float | None = None  # count measures: the value that scores 100


@dataclass(frozen=True)
class AssessmentRules:
    title: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Part:
    indicator: str
    measure: float | None  # None: nothing to measure (no cadres, nobody sat): scores 0
    score: float  # 0..100
    weighted: float  # score × weight / 100


@dataclass(frozen=True)
class UnitScore:
    unit: str
    index: float
    place: int
    parts: tuple[Part, ...]


def indicator_score(indicator: Indicator, value: float | None) -> float:
    """0..100: a rate as a percentage; a count against ``full_at`` (capped at 100)."""
    if value is None:
        return 0.0
    if indicator.measure in RATE_MEASURES:
        return round(min(max(value, 0.0), 1.0) * 100, 2)
    assert indicator.full_at is not None and indicator.full_at > 0
    return round(min(max(value, 0.0) / indicator.full_at, 1.0) * 100, 2)


def assess(rules: AssessmentRules, measures: Mapping[str, Mapping[str, float | None]]) -> list[UnitScore]:
    """Every unit's index and breakdown, best first; ``measures`` is unit → measure → value."""
    scored = []
    for unit, values in measures.items():
        parts = []
        for ind in rules.indicators:
            value = values.get(ind.measure)
            score = indicator_score(ind, value)
            parts.append(Part(ind.id, value, score, round(score * ind.weight / 100, 2)))
        scored.append((unit, round(sum(p.weighted for p in parts), 2), tuple(parts)))
    scored.sort(key=lambda u: (-u[1], u[0]))
    return [UnitScore(unit, index, place, parts) for place, (unit, index, parts) in _places(scored)]


def _places(
    rows: Sequence[tuple[str, float, tuple[Part, ...]]],
) -> list[tuple[int, tuple[str, float, tuple[Part, ...]]]]:
    placed: list[tuple[int, tuple[str, float, tuple[Part, ...]]]] = []
    for i, row in enumerate(rows):
        place = placed[-1][0] if placed and placed[-1][1][1] == row[1] else i + 1
        placed.append((place, row))
    return placed
