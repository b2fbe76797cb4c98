"""Small dialogs on the exam screen: confirm hand-in, go to a question, confirm quitting, and the
notice that the attempt went on on another terminal."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from exam_tui.i18n import t
from exam_tui.tui.text import translate_bindings
from exam_tui.tui.widgets.prose import Prose


def _numbers(numbers: list[int]) -> str:
    return t("exam.numbers_sep").join(str(n) for n in numbers) if numbers else t("exam.none")


class ConfirmDialog(ModalScreen[bool]):
    """Y (or the confirm button) says yes; N, Esc or the back button say no. Focus starts on back,
    so a stray Enter never confirms.

    The body is broken like Chinese prose: a list of question numbers breaks after a 、, never inside
    a number."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Both cases: the dialog prints capitals, and Caps Lock or Shift must not make a key dead.
        Binding("y,Y", "answer(True)", "key.yes", priority=True),
        Binding("n,N", "answer(False)", "key.no", priority=True),
        Binding("escape", "answer(False)", "key.no", priority=True),
    ]

    def __init__(self, title: str, body: str, confirm: str, back: str, *, dialog_id: str) -> None:
        super().__init__(id=dialog_id)
        self.title_text, self.body, self.confirm, self.back = title, body, confirm, back
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(Prose(self.body), classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.back, id="back", variant="primary")
                yield Button(self.confirm, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.dismiss(False)


def hand_in_dialog(unanswered: list[int], flagged: list[int], total: int) -> ConfirmDialog:
    body = t(
        "handin.body",
        answered=total - len(unanswered),
        total=total,
        unanswered=_numbers(unanswered),
        flagged=_numbers(flagged),
    )
    return ConfirmDialog(t("handin.title"), body, t("handin.confirm"), t("handin.back"), dialog_id="hand-in")


def quit_dialog() -> ConfirmDialog:
    return ConfirmDialog(t("quit.title"), t("quit.body"), t("quit.confirm"), t("quit.back"), dialog_id="quit")


class GoToDialog(ModalScreen[int | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.back", priority=True)]

    def __init__(self, total: int) -> None:
        super().__init__(id="go-to")
        self.total = total
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("goto.title", total=self.total), classes="dialog-title", markup=False)
            yield Input(
                placeholder=t("goto.hint", total=self.total), max_length=4, id="goto-number", type="integer"
            )
            yield Static("", id="goto-error", classes="error", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _go(self, event: Input.Submitted) -> None:
        try:
            number = int(event.value)
        except ValueError:
            number = 0
        if 1 <= number <= self.total:
            self.dismiss(number)
        else:
            self.query_one("#goto-error", Static).update(t("goto.range", total=self.total))

    def action_cancel(self) -> None:
        self.dismiss(None)


class MovedDialog(ModalScreen[None]):
    """The attempt was begun on another terminal: this one takes no more answers. The only way on is
    out (Enter, Esc or the button); ``unsaved`` answers given here never reached the database and stay
    in this machine's journal."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "key.quit", priority=True)]

    def __init__(self, unsaved: list[int]) -> None:
        super().__init__(id="moved")
        self.unsaved = unsaved
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        body = t("moved.body")
        if self.unsaved:
            body += "\n\n" + t("moved.unsaved", numbers=_numbers(self.unsaved))
        with Vertical(classes="dialog"):
            yield Static(t("moved.title"), classes="dialog-title", markup=False)
            yield Static(Prose(body), classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("moved.exit"), id="leave", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#leave", Button).focus()

    def action_leave(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#leave")
    def _leave(self) -> None:
        self.dismiss(None)
