"""The numbers a proctor reads out after 收卷: who sat, who passed, how the scores spread.

Pure: it takes each candidate's outcome and returns the summary; the console and the exports show it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# Candidate states (services.session_control) that mean a paper was handed in, however it happened.
HANDED_IN_STATES = frozenset({"handed_in", "time_up", "closed", "terminated"})


@dataclass(frozen=True)
class Outcome:
    id_number: str
    name: str
    unit: str
    state: str
    score: float | None  # None until graded (a short answer waiting for a grader)
    passed: bool | None


@dataclass(frozen=True)
class Bin:
    low: float
    high: float  # exclusive, except the last bin, which includes the total
    count: int


@dataclass(frozen=True)
class SessionSummary:
    candidates: int
    handed_in: int
    absent: int
    graded: int  # handed in with a score
    pending: int  # handed in, waiting for manual grading
    mean: float | None
    median: float | None
    stdev: float | None
    minimum: float | None
    maximum: float | None
    passed: int
    pass_rate: float | None  # passed / graded
    histogram: tuple[Bin, ...]
    below_pass: tuple[Outcome, ...]  # graded and not passed, lowest score first


def summarize(outcomes: Sequence[Outcome], *, total_points: float, bins: int = 10) -> SessionSummary:
    """Summary over handed-in papers; ``bins`` equal-width score bands from 0 to ``total_points``."""
    if bins < 1 or total_points <= 0:
        raise ValueError("need at least one bin and a positive total")
    handed_in = [o for o in outcomes if o.state in HANDED_IN_STATES]
    graded = [o for o in handed_in if o.score is not None]
    scores = [o.score for o in graded if o.score is not None]
    passed = sum(1 for o in graded if o.passed)
    width = total_points / bins
    counts = [0] * bins
    for score in scores:
        counts[min(int(score // width), bins - 1) if score > 0 else 0] += 1
    histogram = tuple(Bin(round(i * width, 6), round((i + 1) * width, 6), counts[i]) for i in range(bins))
    below = sorted(
        (o for o in graded if not o.passed),
        key=lambda o: (o.score if o.score is not None else 0.0, o.unit, o.name, o.id_number),
    )
    return SessionSummary(
        candidates=len(outcomes),
        handed_in=len(handed_in),
        absent=sum(1 for o in outcomes if o.state == "absent"),
        graded=len(graded),
        pending=len(handed_in) - len(graded),
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        stdev=statistics.stdev(scores) if len(scores) > 1 else None,
        minimum=min(scores) if scores else None,
        maximum=max(scores) if scores else None,
        passed=passed,
        pass_rate=passed / len(graded) if graded else None,
        histogram=histogram,
        below_pass=tuple(below),
    )
