"""The admin's and the reviewer's form dialog: fill in, confirm, and the work runs while the dialog stays open.

A refusal (a reason left out, a file that exists, a roster with bad rows, a half point the service
rejects) is shown in the dialog, one line per problem, so the entry is corrected where it was typed;
only what succeeded closes the dialog, handing back what the action returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from exam_tui.i18n import t
from exam_tui.services.cadres import RosterImportError
from exam_tui.services.sessions import SessionError
from exam_tui.tui.text import translate_bindings

T = TypeVar("T")

# Runs in a worker thread: the values typed in (stripped), and the choice under "choice" if any.
Act = Callable[[dict[str, str]], T]
# Runs before the worker: a sentence that refuses the values, or None to let them through.
Check = Callable[[dict[str, str]], str | None]


@dataclass(frozen=True)
class Entry:
    name: str
    label: str
    value: str = ""
    required: bool = True
    integer: bool = False
    max_length: int = 500


@dataclass(frozen=True)
class Choice:
    """Radio buttons; ``options`` are (value, label), ``value`` the one pressed at first."""

    label: str
    options: Sequence[tuple[str, str]]
    value: str


def problem_lines(exc: Exception) -> list[str]:
    """What went wrong, in the admin's words: one line per problem."""
    if isinstance(exc, RosterImportError):
        return list(exc.lines)
    if isinstance(exc, SessionError):
        return [exc.message()]
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    return [t("admin.failed", detail=first)]


class _Scroll(VerticalScroll):
    """A stop for Tab only when there is something to scroll: a short text is no place for the cursor."""

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0


class ActionDialog(ModalScreen[T | None]):
    """Entries (and a choice) to fill; the confirm button runs ``act`` in a worker.

    Dismisses with what ``act`` returned, or None when the admin went back. Enter moves to the next
    entry and confirms on the last; Esc goes back (the work, once begun, still finishes). ``check`` may
    refuse the values before the service sees them. ``compact`` gives one-line entries and a narrower
    box, so three entries under a long (scrolling) body still fit 80x24.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.back", priority=True)]
    CSS_PATH = "dialogs.tcss"

    class Done(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    class Failed(Message):
        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    def __init__(
        self,
        title: str,
        body: str,
        entries: Sequence[Entry],
        confirm: str,
        act: Act[T],
        *,
        dialog_id: str,
        choice: Choice | None = None,
        check: Check | None = None,
        compact: bool = False,
    ) -> None:
        super().__init__(id=dialog_id, classes="admin-dialog compact" if compact else "admin-dialog")
        self.title_text, self.body, self.entries, self.confirm = title, body, list(entries), confirm
        self.act, self.choice, self.check, self.compact = act, choice, check, compact
        self.busy = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.body:
                with _Scroll(id="dialog-body"):
                    yield Static(self.body, classes="dialog-body", markup=False)
            if self.choice is not None:
                yield Label(self.choice.label, classes="form-label", markup=False)
                with RadioSet(id="choice"):
                    for value, label in self.choice.options:
                        yield RadioButton(label, value=value == self.choice.value, id=f"choice-{value}")
            for entry in self.entries:
                yield Label(entry.label, classes="form-label", markup=False)
                # Not Textual's compact Input: without a border it is a blank line on most terminals'
                # colours. A compact dialog's entries are one line with the Input's side bars
                # (dialogs.tcss), as visible as the full ones.
                yield Input(
                    entry.value,
                    id=f"entry-{entry.name}",
                    max_length=entry.max_length,
                    type="integer" if entry.integer else "text",
                )
            with _Scroll(id="dialog-problems"):
                yield Static("", id="dialog-problem-text", classes="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dialog.back"), id="back", variant="primary")
                yield Button(self.confirm, id="confirm", variant="error")

    def on_mount(self) -> None:
        # Compact keeps the problem's line even when empty, so the dialog does not jump when one comes.
        self.query_one("#dialog-problems").display = self.compact
        # The first entry still to fill: a preselected item number leaves the cursor on the points.
        inputs = list(self.query(Input))
        empty = [i for i in inputs if not i.value]
        if inputs:
            (empty or inputs)[0].focus()
        else:  # nothing to fill in: the dialog is the confirmation, Enter confirms (Esc goes back)
            self.query_one("#confirm", Button).focus()

    def values(self) -> dict[str, str]:
        values = {e.name: self.query_one(f"#entry-{e.name}", Input).value.strip() for e in self.entries}
        if self.choice is not None:
            pressed = self.query_one("#choice", RadioSet).pressed_button
            values["choice"] = (pressed.id or "").removeprefix("choice-") if pressed else ""
        return values

    @on(Input.Submitted)
    def _next_or_confirm(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        position = inputs.index(event.input)
        if position + 1 < len(inputs):
            inputs[position + 1].focus()
        else:
            self._confirm()

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        if self.busy:
            return
        values = self.values()
        for entry in self.entries:
            if entry.required and not values[entry.name]:
                self.show_problems([t("dialog.required", label=entry.label)])
                self.query_one(f"#entry-{entry.name}", Input).focus()
                return
        problem = self.check(values) if self.check is not None else None
        if problem is not None:
            self.show_problems([problem])
            return
        self.busy = True
        self.query_one("#confirm", Button).disabled = True
        self.show_problems([t("admin.working")], error=False)
        self._run(values)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _run(self, values: dict[str, str]) -> None:
        try:
            result = self.act(values)
        except Exception as exc:  # a refusal or a failure: the dialog says which, and stays open
            self.post_message(self.Failed(problem_lines(exc)))
        else:
            self.post_message(self.Done(result))

    def on_action_dialog_done(self, message: Done) -> None:
        self.dismiss(message.result)

    def on_action_dialog_failed(self, message: Failed) -> None:
        self.busy = False
        self.query_one("#confirm", Button).disabled = False
        self.show_problems(message.lines)
        # The cursor stays in the entry Enter was pressed in; from the (disabled) button it goes back
        # to the first entry.
        inputs = self.query(Input)
        if inputs and not isinstance(self.focused, Input):
            inputs.first().focus()

    def show_problems(self, lines: list[str], *, error: bool = True) -> None:
        text = self.query_one("#dialog-problem-text", Static)
        text.update("\n".join(lines))
        text.set_class(error, "error")
        self.query_one("#dialog-problems").display = bool(lines) or self.compact

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
