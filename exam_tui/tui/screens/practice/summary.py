"""The end of a practice run (练习小结): answered, right, wrong, and what is in the book now."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from exam_tui.i18n import t
from exam_tui.tui.screens.practice.common import Tally, run_title
from exam_tui.tui.text import translate_bindings

if TYPE_CHECKING:
    from exam_tui.services.practice import Run
    from exam_tui.tui.app import ExamApp


class PracticeSummaryScreen(Screen[None]):
    """Shown in the run's place; Enter (or Esc) goes back to the choice it was started from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "back", "key.practice_back", key_display="Enter", priority=True),
        Binding("escape", "back", "key.practice_back", show=False),
    ]
    CSS_PATH = "practice.tcss"

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, run: Run, scope: str, tally: Tally, book: int | None) -> None:
        super().__init__()
        self.run, self.scope, self.tally, self.book = run, scope, tally, book
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        run, tally = self.run, self.tally
        lines = [
            t("practice.summary.answered", n=tally.answered),
            t("practice.summary.right", n=tally.right),
            t("practice.summary.wrong", n=tally.wrong),
        ]
        if tally.unjudged:
            lines.append(t("practice.summary.unjudged", n=tally.unjudged))
        if self.book is not None:
            lines.append(t("practice.summary.book", n=self.book))
        with Center(), Vertical(id="practice-summary"):
            yield Static(t("practice.summary.title"), classes="screen-title")
            yield Static(run_title(run, self.scope), id="practice-summary-run", markup=False)
            yield Static("\n".join(lines), id="practice-summary-counts", markup=False)
            yield Static(t("practice.summary.keys"), id="practice-summary-keys", markup=False)
        yield Footer()

    def action_back(self) -> None:
        self.app.pop_screen()
