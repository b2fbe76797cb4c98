"""What the practice screens share: starting a run, and the words for a run and for a checked answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exam_tui.domain.paper import TRUE_FALSE_LETTERS, PaperItem
from exam_tui.domain.practice import CLEARED_AFTER
from exam_tui.i18n import t
from exam_tui.services import practice
from exam_tui.services.sessions import SessionError
from exam_tui.tui.text import answer_text

if TYPE_CHECKING:
    from exam_tui.services.runtime import Database, MaybeClock

CHOICE_TYPES = ("single", "multiple", "true_false")


def failure_text(exc: Exception) -> str:
    """What a screen says when a service call failed: the service's words, or why the database failed."""
    if isinstance(exc, SessionError):
        return exc.message()
    lines = str(exc).splitlines()
    return t("app.load_failed", detail=lines[0] if lines else type(exc).__name__)


@dataclass(frozen=True)
class Begun:
    """A run just started: its first question, and which of the bank's questions are in the book."""

    run: practice.Run
    first: PaperItem
    in_book: frozenset[str]
    scope: str  # the category practised, in words ('' for the book)


def begin(
    db: Database,
    who: practice.Practiser,
    *,
    bank: str,
    mode: str,
    category: str | None,
    scope: str,
    clock: MaybeClock,
) -> Begun:
    """Start a run and fetch its first question (blocking: call it in a worker)."""
    run = practice.start(db, cadre_id=who.cadre_id, bank=bank, mode=mode, category=category, clock=clock)
    first = practice.item(db, run, run.queue[0], 1)
    book = frozenset(b.question for b in practice.wrong_book(db, who.cadre_id, bank=bank))
    return Begun(run, first, book, scope)


def mode_name(mode: str) -> str:
    return t(f"practice.mode.{mode}")


def run_title(run: practice.Run, scope: str) -> str:
    """The bank, how it is practised, and the category (a book run has none)."""
    title = t("practice.run.title", bank=run.bank_title, mode=mode_name(run.mode))
    return f"{title} · {scope}" if scope else title


def key_text(item: PaperItem, key: Any) -> str:
    """The right answer in the words the question was shown with."""
    if item.type == "true_false":
        return f"{key} {t('exam.true') if key == TRUE_FALSE_LETTERS[0] else t('exam.false')}"
    if item.type == "single":
        return t("practice.key_line", letter=key, text=dict(item.options).get(key, ""))
    if item.type == "multiple":
        return t("browser.letters_sep").join(key)
    if item.type == "fill_blank":
        text = answer_text("fill_blank", key)
        return "\n" + text if "\n" in text else text
    return ""


def book_text(feedback: practice.Feedback, was_in_book: bool) -> str:
    """What the answer did to the wrong-answer book ('' when it did nothing)."""
    if feedback.correct is None:
        return ""
    if not feedback.correct:
        return t("practice.book.added")
    if feedback.in_book:
        return t("practice.book.streak", streak=feedback.streak, left=CLEARED_AFTER - feedback.streak)
    return t("practice.book.cleared") if was_in_book else ""


@dataclass
class Tally:
    answered: int = 0
    right: int = 0
    wrong: int = 0
    unjudged: int = 0

    def add(self, correct: bool | None) -> None:
        self.answered += 1
        if correct is None:
            self.unjudged += 1
        elif correct:
            self.right += 1
        else:
            self.wrong += 1
