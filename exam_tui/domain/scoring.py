"""Grading a paper: points per item, the total, pass/fail and the grade level.

Answers are stored in the shown letters of the candidate's own paper (``"B"``, ``["A", "C"]``), blanks
as a list of texts, a short answer as text. Objective items are graded here; a short answer needs a
grader and keeps the attempt pending until one has scored it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exam_tui.domain.paper import Paper, PaperItem
from exam_tui.domain.questions import normalise_fill


def is_answered(item: PaperItem, answer: Any) -> bool:
    if answer is None:
        return False
    if item.type == "multiple":
        return bool(answer)
    if item.type == "fill_blank":
        return any(isinstance(a, str) and a.strip() for a in answer)
    if isinstance(answer, str):
        return bool(answer.strip())
    return True


def score_item(item: PaperItem, answer: Any) -> float | None:
    """Points for ``answer``; None when a person must grade it (an answered short answer)."""
    if not is_answered(item, answer):
        return 0.0  # nothing to grade, short answers included
    if item.type == "short_answer":
        return None
    if item.type in ("single", "true_false"):
        return item.points if answer == item.key else 0.0
    if item.type == "multiple":
        chosen, key = set(answer), set(item.key)
        if chosen == key:
            return item.points
        # 少选得一半分, 错选不得分: a strict subset with nothing wrong earns half
        if item.partial_credit and chosen < key:
            return round(item.points / 2, 4)
        return 0.0
    if item.type == "fill_blank":
        per_blank = item.points / len(item.key)
        right = 0
        for given, accepted in zip(list(answer) + [""] * len(item.key), item.key, strict=False):
            if isinstance(given, str) and normalise_fill(given) in {normalise_fill(a) for a in accepted}:
                right += 1
        return round(per_blank * right, 4)
    raise ValueError(f"unknown question type {item.type}")


@dataclass(frozen=True)
class PaperScore:
    items: dict[int, float | None]  # item number → points, None while awaiting a grader
    total: float | None  # None while any item awaits a grader
    passed: bool | None
    level: str | None

    @property
    def pending(self) -> bool:
        return self.total is None


def grade_level(total: float, grades: Sequence[Mapping[str, Any]] | None) -> str | None:
    """The level of the highest band whose ``min`` the total reaches (bands are highest first)."""
    for band in grades or ():
        if total >= band["min"]:
            return str(band["level"])
    return None


def score_paper(
    paper: Paper,
    answers: Mapping[int, Any],
    *,
    pass_score: float,
    grades: Sequence[Mapping[str, Any]] | None = None,
    manual: Mapping[int, float] | None = None,
) -> PaperScore:
    """Score every item; ``manual`` holds a grader's points for items no rule can score."""
    manual = manual or {}
    items: dict[int, float | None] = {}
    for item in paper.items:
        points = score_item(item, answers.get(item.number))
        if points is None and item.number in manual:
            points = manual[item.number]
        items[item.number] = points
    if any(points is None for points in items.values()):
        return PaperScore(items, None, None, None)
    total = round(sum(p for p in items.values() if p is not None), 2)
    return PaperScore(items, total, total >= pass_score, grade_level(total, grades))
