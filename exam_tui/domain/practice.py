"""Practice (练习) and the wrong-answer book (错题本): what comes next, and what an answer does to the book.

Practice draws from a bank outside any session: sequentially in the bank's order, at random, or from
the cadre's wrong-answer book. A question answered wrong — in practice, or in a finished exam whose
review policy shows the keys — goes into the book; it leaves the book once answered right twice in a
row. Practising from the book repeats its questions (one still in the book goes back to the end of the
queue) until none is left. A short answer has no key to check, so practice shows its rubric instead and
it never enters the book.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from exam_tui.domain.paper import BlueprintSection, PaperItem, PoolQuestion, SeedStream, paper_item, shuffled
from exam_tui.domain.scoring import is_answered, score_item

CLEARED_AFTER = 2  # right answers in a row that take a question out of the book


class Mode(StrEnum):
    SEQUENTIAL = "sequential"
    RANDOM = "random"
    WRONG_BOOK = "wrong_book"


def order(slugs: Sequence[str], mode: Mode, seed: str) -> list[str]:
    """The questions in the order a run asks them: as given (the bank's order, or the book's), or shuffled."""
    if mode is Mode.RANDOM:
        return shuffled(list(slugs), SeedStream(seed, "practice"))
    return list(slugs)


def practice_item(q: PoolQuestion, number: int, seed: str) -> PaperItem:
    """One question as practice shows it: options shuffled, one point, a multiple choice right only whole."""
    return paper_item(seed, number, 0, BlueprintSection(title="", type=q.type, draw=1, points=1.0), q)


@dataclass(frozen=True)
class Checked:
    """An answer checked at once: right or not (None: a short answer, which nobody checks here)."""

    correct: bool | None
    answered: bool


def check(item: PaperItem, answer: Any) -> Checked:
    if item.type == "short_answer":
        return Checked(None, is_answered(item, answer))
    points = score_item(item, answer)
    return Checked(points == item.points, is_answered(item, answer))


@dataclass(frozen=True)
class BookEntry:
    """A question's place in the cadre's book; ``cleared`` once it has left it."""

    times_wrong: int = 0
    streak: int = 0
    cleared: bool = True  # a question never got wrong is not in the book

    @property
    def in_book(self) -> bool:
        return not self.cleared


def after_answer(entry: BookEntry | None, correct: bool) -> BookEntry:
    """The entry after an answer: wrong puts it (back) in the book with no streak; right counts toward
    leaving it. A right answer to a question not in the book changes nothing."""
    entry = entry or BookEntry()
    if not correct:
        return BookEntry(times_wrong=entry.times_wrong + 1, streak=0, cleared=False)
    if entry.cleared:
        return entry
    streak = entry.streak + 1
    return replace(entry, streak=streak, cleared=streak >= CLEARED_AFTER)


def requeue(queue: Sequence[str], answered: str, still_in_book: bool) -> list[str]:
    """The wrong-book queue after ``answered`` (its head): to the back while it is still in the book."""
    rest = [slug for slug in queue if slug != answered]
    return [*rest, answered] if still_in_book else rest
