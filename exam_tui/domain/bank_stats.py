"""Whether a question bank can feed its exams: counts by category × type × difficulty, and section pools.

Pure: it takes the questions as ``(category, type, difficulty)`` keys (one per question, or a Counter of
them, which is what a grouped query gives) and the exams' sections as stored (``ExamRow.sections``: the
bank file's ``title``, ``type``, ``draw``, ``points``, optional ``from`` and ``difficulty``), and returns
the numbers ``exam-tui bank stats`` shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exam_tui.domain.questions import QUESTION_TYPES

DIFFICULTY_LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)

QuestionKey = tuple[str, str, int]
"""(category id, question type, difficulty) of one question."""


@dataclass(frozen=True)
class Counts:
    """Questions per difficulty level, ``by_difficulty[0]`` being difficulty 1."""

    by_difficulty: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.by_difficulty)


NO_COUNTS = Counts((0,) * len(DIFFICULTY_LEVELS))


@dataclass(frozen=True)
class CategoryTypeCounts:
    """One row of the table: a category and a question type in it.

    ``type`` is None only for a category that has no questions at all, so that it still shows.
    """

    category: str
    type: str | None
    counts: Counts


@dataclass(frozen=True)
class ExamSections:
    """An exam as stored: its id, title and sections (dicts as in the bank file)."""

    id: str
    title: str
    sections: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class SectionSupply:
    """What one section may draw from (``pool``) against what it draws."""

    title: str
    type: str
    categories: tuple[str, ...] | None  # the section's ``from``; None: every category
    min_difficulty: int
    max_difficulty: int
    pool: int
    draw: int

    @property
    def enough(self) -> bool:
        return self.pool >= self.draw

    @property
    def has_band(self) -> bool:
        """Whether the section narrows the difficulty at all."""
        return (self.min_difficulty, self.max_difficulty) != (DIFFICULTY_LEVELS[0], DIFFICULTY_LEVELS[-1])


@dataclass(frozen=True)
class ExamSupply:
    id: str
    title: str
    sections: tuple[SectionSupply, ...]

    @property
    def enough(self) -> bool:
        return all(s.enough for s in self.sections)


@dataclass(frozen=True)
class QuestionStats:
    rows: tuple[CategoryTypeCounts, ...]  # categories in bank order, types in QUESTION_TYPES order
    by_type: Mapping[str, Counts]  # every type the bank has, in QUESTION_TYPES order
    total: Counts
    exams: tuple[ExamSupply, ...]


def question_stats(
    questions: Iterable[QuestionKey] | Mapping[QuestionKey, int],
    categories: Sequence[str],
    exams: Sequence[ExamSections] = (),
) -> QuestionStats:
    """The count table and, for every exam section, its pool against its draw.

    ``categories`` gives the bank's order; a question in a category not listed there (which a validated
    bank never has) gets a row after them rather than being left out of the totals. A difficulty outside
    1–5 is a ValueError: the bank schema does not allow one.

    Each section's pool is counted on its own: the questions of its type, in its ``from`` categories (all
    when it has none) and inside its difficulty band. Sections of one exam whose pools overlap share those
    questions, and a paper never holds a question twice; whether they can all be drawn together was
    proven by the validator when the bank was imported (``domain.bank``, Hall's condition), so the pool
    here is for the admin's eye, not a guarantee on its own.
    """
    counts: Counter[QuestionKey] = Counter()
    if isinstance(questions, Mapping):
        for key, n in questions.items():
            counts[key] += n
    else:
        counts.update(questions)
    for _, _, difficulty in counts:
        if difficulty not in DIFFICULTY_LEVELS:
            raise ValueError(f"difficulty {difficulty} is not one of {DIFFICULTY_LEVELS}")

    types = _type_order({qtype for _, qtype, _ in counts})
    order = list(dict.fromkeys(categories))
    order += sorted({category for category, _, _ in counts} - set(order))
    rows: list[CategoryTypeCounts] = []
    for category in order:
        present = [qtype for qtype in types if any(counts[(category, qtype, d)] for d in DIFFICULTY_LEVELS)]
        if not present:
            rows.append(CategoryTypeCounts(category, None, NO_COUNTS))
        for qtype in present:
            rows.append(CategoryTypeCounts(category, qtype, _counts(counts, {category}, qtype)))
    by_type = {qtype: _counts(counts, None, qtype) for qtype in types}
    total = Counts(
        tuple(sum(c.by_difficulty[i] for c in by_type.values()) for i in range(len(DIFFICULTY_LEVELS)))
    )
    return QuestionStats(
        rows=tuple(rows),
        by_type=by_type,
        total=total,
        exams=tuple(
            ExamSupply(e.id, e.title, tuple(section_supply(s, counts) for s in e.sections)) for e in exams
        ),
    )


def section_supply(section: Mapping[str, Any], counts: Mapping[QuestionKey, int]) -> SectionSupply:
    """One stored section against the bank's counts (the same pool as ``domain.bank.section_pool``)."""
    qtype = str(section["type"])
    wanted = (
        tuple(section.get("from") or ()) or None
    )  # an empty ``from`` means every category, as in the draw
    band = section.get("difficulty") or {}
    low = int(band.get("min", DIFFICULTY_LEVELS[0]))
    high = int(band.get("max", DIFFICULTY_LEVELS[-1]))
    pool = sum(
        n
        for (category, kind, difficulty), n in counts.items()
        if kind == qtype and (wanted is None or category in wanted) and low <= difficulty <= high
    )
    return SectionSupply(
        title=str(section["title"]),
        type=qtype,
        categories=wanted,
        min_difficulty=low,
        max_difficulty=high,
        pool=pool,
        draw=int(section["draw"]),
    )


def _counts(counts: Mapping[QuestionKey, int], categories: set[str] | None, qtype: str) -> Counts:
    by_level = dict.fromkeys(DIFFICULTY_LEVELS, 0)
    for (category, kind, difficulty), n in counts.items():
        if kind == qtype and (categories is None or category in categories):
            by_level[difficulty] += n
    return Counts(tuple(by_level[d] for d in DIFFICULTY_LEVELS))


def _type_order(types: set[str]) -> list[str]:
    """Known types in their usual order (单选, 多选, 判断, 填空, 简答), anything else after them."""
    return [t for t in QUESTION_TYPES if t in types] + sorted(types - set(QUESTION_TYPES))
