"""Marking a short answer (阅卷): one grader, or two with a third when they disagree (双评 / 仲裁).

With double marking, two different graders mark each answer blind to each other. If their points differ
by no more than the margin, the mean stands; otherwise a third grader marks it and the median of the
three stands. An appeal reviewer's mark, when there is one, replaces all of that (the latest stands).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

# Without an exam's own margin, two marks may differ by a fifth of the item's points.
DEFAULT_MARGIN_SHARE = 0.2


class MarkKind(StrEnum):
    GRADER = "grader"
    REVIEW = "review"  # an appeal reviewer's regrade


@dataclass(frozen=True)
class Mark:
    grader: str
    points: float
    kind: MarkKind = MarkKind.GRADER


@dataclass(frozen=True)
class MarkState:
    """Where one answer stands: its points once settled, else how many more marks it needs."""

    points: float | None
    marks_needed: int  # 0 when settled
    disagreement: bool = False  # two marks beyond the margin: a third grader is needed or was

    @property
    def settled(self) -> bool:
        return self.points is not None


class MarkRefused(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def margin_for(max_points: float, margin: float | None) -> float:
    return margin if margin is not None else round(max_points * DEFAULT_MARGIN_SHARE, 4)


def check_points(points: float, max_points: float) -> float:
    """Points from 0 to the item's maximum in steps of a half (半分)."""
    if not 0 <= points <= max_points:
        raise MarkRefused("grading.points_range", max=max_points)
    if round(points * 2) != points * 2:
        raise MarkRefused("grading.half_points")
    return float(points)


def state_of(marks: Sequence[Mark], *, double: bool, max_points: float, margin: float | None) -> MarkState:
    """The settled points of an answer from its marks so far, in the order they were given."""
    reviews = [m for m in marks if m.kind is MarkKind.REVIEW]
    if reviews:
        return MarkState(reviews[-1].points, 0)
    graders = [m for m in marks if m.kind is MarkKind.GRADER]
    if not double:
        return MarkState(graders[0].points, 0) if graders else MarkState(None, 1)
    if len(graders) < 2:
        return MarkState(None, 2 - len(graders))
    first, second = graders[0].points, graders[1].points
    if abs(first - second) <= margin_for(max_points, margin) + 1e-9:
        return MarkState(round((first + second) / 2, 2), 0)
    if len(graders) < 3:
        return MarkState(None, 1, disagreement=True)
    return MarkState(float(statistics.median(m.points for m in graders[:3])), 0, disagreement=True)


def may_mark(
    marks: Sequence[Mark], grader: str, *, double: bool, max_points: float, margin: float | None
) -> bool:
    """Whether ``grader`` may add a mark: the answer still needs one and this grader has not marked it."""
    if state_of(marks, double=double, max_points=max_points, margin=margin).settled:
        return False
    return all(m.grader != grader for m in marks if m.kind is MarkKind.GRADER)
