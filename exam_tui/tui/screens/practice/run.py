"""The practice run (练习): one question at a time, checked at once, with the key, the explanation and the
source shown only after the check; the wrong-answer book follows every answer.

The screen holds the run's state (the queue, the question shown, the answer, the tallies); services are
called in thread workers that post what they got. The key travels with the item (the service checks
against it) but nothing on the screen shows it before Enter has checked the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TextArea

from exam_tui.domain.paper import PaperItem, PaperSection
from exam_tui.domain.scoring import is_answered
from exam_tui.i18n import t
from exam_tui.services import practice
from exam_tui.tui.screens.practice.common import (
    CHOICE_TYPES,
    Begun,
    Tally,
    book_text,
    failure_text,
    key_text,
    mode_name,
    run_title,
)
from exam_tui.tui.text import translate_bindings
from exam_tui.tui.widgets.prose import Prose
from exam_tui.tui.widgets.question import OptionRow, QuestionView

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp


class PracticeRunScreen(Screen[None]):
    """Letters choose, Enter checks; after the check Enter or → goes on; Esc stops the run."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Both cases: the screen prints capitals, and Caps Lock or Shift must not make a key dead.
        Binding("a", "choose('A')", "key.practice_choose", key_display="A–H"),
        *(Binding(f"{c.lower()},{c}", f"choose('{c}')", show=False) for c in "ABCDEFGH"),
        # Enter checks, then goes on: priority, so that a blank or a written answer does not take it.
        Binding("enter", "check", "key.practice_check", key_display="Enter", priority=True),
        Binding("enter", "advance", "key.practice_next", key_display="Enter", priority=True),
        Binding("enter", "finish", "key.practice_summary", key_display="Enter", priority=True),
        Binding("right,pagedown", "advance", "key.practice_next", show=False),
        Binding("right,pagedown", "finish", "key.practice_summary", show=False),
        Binding("escape", "leave", "key.practice_leave", key_display="Esc", priority=True),
        Binding("up", "scroll(-1)", show=False),
        Binding("down", "scroll(1)", show=False),
    ]
    CSS_PATH = "practice.tcss"

    class Checked(Message):
        """The answer was checked and recorded; ``book`` is the bank's book size once the run is over."""

        def __init__(self, feedback: practice.Feedback, book: int | None) -> None:
            super().__init__()
            self.feedback, self.book = feedback, book

    class Shown(Message):
        def __init__(self, item: PaperItem) -> None:
            super().__init__()
            self.item = item

    class Failed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, begun: Begun) -> None:
        super().__init__()
        self.run, self.scope = begun.run, begun.scope
        self.queue: list[str] = list(begun.run.queue)
        self.item: PaperItem = begun.first
        self.number = 1
        self.answer: Any = None
        self.feedback: practice.Feedback | None = None
        self.book_after: int | None = None
        self.in_book: set[str] = set(begun.in_book)
        self.tally = Tally()
        self.busy = False
        translate_bindings(self)

    # ---- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        run = self.run
        with Vertical(id="practice-header"):
            yield Static(run_title(run, self.scope), id="practice-title", markup=False)
            yield Static("", id="practice-progress", markup=False)
        # One scroll for the question and, once checked, what the check says below it.
        with VerticalScroll(id="practice-body"):
            yield Vertical(id="practice-question")
            with Vertical(id="practice-feedback"):
                with Horizontal(id="practice-verdict-line"):
                    yield Static("", id="practice-verdict", markup=False)
                    yield Static("", id="practice-book", markup=False)
                yield Static("", id="practice-key", markup=False)
                yield Static("", id="practice-explanation", markup=False)
                yield Static("", id="practice-source", markup=False)
        yield Static("", id="practice-hint", markup=False)
        yield Footer()

    async def on_mount(self) -> None:
        await self._show(self.item)

    async def _show(self, item: PaperItem) -> None:
        """A new question: no answer, no feedback (nothing of the key is on the screen)."""
        self.item, self.answer, self.feedback = item, None, None
        pane = self.query_one("#practice-question", Vertical)
        await pane.remove_children()
        section = PaperSection(self.scope or mode_name(self.run.mode), item.type, item.points, item.number, 1)
        await pane.mount(QuestionView(section, item, None, False))
        self.query_one("#practice-feedback").display = False
        self.query_one("#practice-body", VerticalScroll).scroll_home(animate=False)
        for part in ("verdict", "key", "explanation", "source", "book"):
            self.query_one(f"#practice-{part}", Static).update("")
        self._hint()
        self._progress()
        self.refresh_bindings()

    def _progress(self) -> None:
        """The question's number, what is left, the tally. In order or at random, what is left is the
        questions after this one; from the book, the questions still in it (this one too until it has
        been answered right twice): a right answer that sends a question round again adds nothing."""
        book = self.run.mode == "wrong_book"
        left = len(self.queue) if book or self.feedback is not None else len(self.queue) - 1
        self.query_one("#practice-progress", Static).update(
            t(
                "practice.run.progress_book" if book else "practice.run.progress",
                n=self.number,
                left=left,
                right=self.tally.right,
                answered=self.tally.answered,
            )
        )

    def _hint(self, text: str | None = None, *, error: bool = False) -> None:
        if text is None:
            if self.feedback is not None:
                text = t("practice.run.hint_next" if self.feedback.queue else "practice.run.hint_last")
            elif self.item.type in CHOICE_TYPES:
                text = t("practice.run.hint_choose")
            elif self.item.type == "fill_blank":
                text = t("practice.run.hint_fill")
            else:
                text = t("practice.run.hint_write")
        hint = self.query_one("#practice-hint", Static)
        hint.update(text)
        hint.set_class(error, "error")

    # ---- answering ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        checked = self.feedback is not None
        if action == "choose":
            return self.item.type in CHOICE_TYPES and not checked
        if action == "check":
            return not checked and not self.busy
        if action == "advance":
            return checked and bool(self.feedback and self.feedback.queue) and not self.busy
        if action == "finish":
            return checked and not (self.feedback and self.feedback.queue)
        return True

    def action_choose(self, letter: str) -> None:
        if self.feedback is not None or self.busy or self.item.type not in CHOICE_TYPES:
            return
        view = self.query_one(QuestionView)
        if letter not in view.letters:
            return
        if self.item.type == "multiple":
            self.answer = sorted(set(self.answer or []) ^ {letter})
        else:
            self.answer = letter
        view.set_answer(self.answer)

    def on_question_view_chosen(self, message: QuestionView.Chosen) -> None:
        self.action_choose(message.letter)

    def on_question_view_text_changed(self, message: QuestionView.TextChanged) -> None:
        if self.feedback is None and not self.busy:
            self.answer = message.answer

    def action_check(self) -> None:
        if self.feedback is not None or self.busy:
            return
        # Nothing given: nothing happens, except a written answer, whose rubric is shown all the same.
        if self.item.type != "short_answer" and not is_answered(self.item, self.answer):
            return
        self.busy = True
        self._hint(t("practice.run.checking"))
        self.refresh_bindings()
        self._check(self.item, self.answer, list(self.queue))

    @work(thread=True, exclusive=True, exit_on_error=False, group="practice")
    def _check(self, shown: PaperItem, given: Any, queue: list[str]) -> None:
        app = self.app
        try:
            feedback = practice.answer(app.db, self.run, shown, given, queue=queue, clock=app.service_clock)
        except Exception as exc:
            self.post_message(self.Failed(failure_text(exc)))
            return
        book: int | None = None
        if not feedback.queue:  # the last one: the summary says how many are in the book now
            try:
                book = len(practice.wrong_book(app.db, self.run.practiser.cadre_id, bank=self.run.bank))
            except Exception:
                book = None
        self.post_message(self.Checked(feedback, book))

    def on_practice_run_screen_checked(self, message: Checked) -> None:
        feedback = self.feedback = message.feedback
        self.busy = False
        self.book_after = message.book
        self.tally.add(feedback.correct)
        question = self.item.question
        was_in_book = question in self.in_book
        if feedback.in_book:
            self.in_book.add(question)
        else:
            self.in_book.discard(question)
        self.queue = list(feedback.queue)
        self._lock_answer(feedback)
        verdict = self.query_one("#practice-verdict", Static)
        if feedback.correct is None:
            verdict.update(t("practice.verdict.unjudged"))
        else:
            verdict.update(t("practice.verdict.right" if feedback.correct else "practice.verdict.wrong"))
        verdict.set_class(feedback.correct is True, "right")
        verdict.set_class(feedback.correct is False, "wrong")
        verdict.set_class(feedback.correct is None, "unjudged")
        key = t("practice.key", key=key_text(self.item, feedback.key)) if feedback.key else ""
        parts = {
            # A written answer has no key: its rubric stands in the key's place.
            "key": t("practice.rubric", text=feedback.rubric) if feedback.rubric else key,
            "explanation": t("practice.explanation", text=feedback.explanation)
            if feedback.explanation
            else "",
            "source": t("practice.source", text=feedback.source) if feedback.source else "",
            "book": book_text(feedback, was_in_book),
        }
        for part, text in parts.items():
            field = self.query_one(f"#practice-{part}", Static)
            field.update(Prose(text) if text else "")
            field.display = bool(text)
        feedback_pane = self.query_one("#practice-feedback")
        feedback_pane.display = True
        self.call_after_refresh(feedback_pane.scroll_visible, animate=False)
        self._progress()
        self._hint()
        self.refresh_bindings()

    def _lock_answer(self, feedback: practice.Feedback) -> None:
        """The answer stands once checked; the right option and a wrong choice are marked."""
        for field in self.query_one(QuestionView).query("Input, TextArea"):
            if isinstance(field, Input | TextArea):
                field.disabled = True
        if self.item.type in CHOICE_TYPES:
            right = set(feedback.key if isinstance(feedback.key, list) else [feedback.key])
            chosen = set(self.answer if isinstance(self.answer, list) else [self.answer])
            for row in self.query(OptionRow):
                row.set_class(row.letter in right, "key-option")
                row.set_class(row.letter in chosen and row.letter not in right, "wrong-choice")

    def action_scroll(self, lines: int) -> None:
        body = self.query_one("#practice-body", VerticalScroll)
        body.scroll_relative(y=lines, animate=False)

    def on_practice_run_screen_failed(self, message: Failed) -> None:
        self.busy = False
        self._hint(message.text, error=True)
        self.refresh_bindings()

    # ---- going on -------------------------------------------------------------------------------

    def action_advance(self) -> None:
        if self.feedback is None or not self.feedback.queue or self.busy:
            return
        self.busy = True
        self._hint(t("practice.choice.starting"))
        self.refresh_bindings()
        self._load(self.feedback.queue[0], self.number + 1)

    @work(thread=True, exclusive=True, exit_on_error=False, group="practice")
    def _load(self, slug: str, number: int) -> None:
        try:
            shown = practice.item(self.app.db, self.run, slug, number)
        except Exception as exc:
            self.post_message(self.Failed(failure_text(exc)))
        else:
            self.post_message(self.Shown(shown))

    async def on_practice_run_screen_shown(self, message: Shown) -> None:
        self.busy = False
        self.number = message.item.number
        await self._show(message.item)

    def action_finish(self) -> None:
        if self.feedback is None or self.feedback.queue:
            return
        from exam_tui.tui.screens.practice.summary import PracticeSummaryScreen

        self.app.switch_screen(PracticeSummaryScreen(self.run, self.scope, self.tally, self.book_after))

    def action_leave(self) -> None:
        self.app.pop_screen()
