"""The proctor's confirmations: each names the candidate and says what the action does to the record.

Where an action changes a result (terminate, reopen, absent) the proctor writes the reason; extending
takes minutes, a move the new machine, and closing the session the access code typed back. Plain yes/no
confirmations reuse the candidate terminal's ConfirmDialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from exam_tui.i18n import t
from exam_tui.tui.screens.candidate.dialogs import ConfirmDialog
from exam_tui.tui.text import translate_bindings

MAX_MINUTES = 240  # services.session_control.extend_time refuses more


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = True
    integer: bool = False
    max_length: int = 200


class FormDialog(ModalScreen[dict[str, str] | None]):
    """Fields to fill, then confirm; dismisses with the stripped values, or None when cancelled.

    Enter moves to the next field and confirms on the last; Esc or the back button cancel. No letter
    keys are bound (the fields take text), and a required field left empty keeps the dialog open, so a
    stray Enter never acts. ``check`` may refuse the values with a message.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.back", priority=True)]

    def __init__(
        self,
        title: str,
        body: str,
        fields: Sequence[Field],
        confirm: str,
        *,
        dialog_id: str,
        check: Callable[[dict[str, str]], str | None] | None = None,
    ) -> None:
        super().__init__(id=dialog_id)
        self.title_text, self.body, self.fields, self.confirm = title, body, list(fields), confirm
        self.check = check
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.body, classes="dialog-body", markup=False)
            for field in self.fields:
                yield Label(field.label, classes="form-label", markup=False)
                yield Input(
                    id=f"field-{field.name}",
                    max_length=field.max_length,
                    type="integer" if field.integer else "text",
                )
            yield Static("", id="form-error", classes="error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dialog.back"), id="back", variant="primary")
                yield Button(self.confirm, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

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
        values = {f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self.fields}
        for field in self.fields:
            if field.required and not values[field.name]:
                self._refuse(t("dialog.required", label=field.label), field.name)
                return
        problem = self.check(values) if self.check is not None else None
        if problem is not None:
            self._refuse(problem, self.fields[0].name)
            return
        self.dismiss(values)

    def _refuse(self, text: str, field: str) -> None:
        self.query_one("#form-error", Static).update(text)
        self.query_one(f"#field-{field}", Input).focus()

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def start_dialog(waiting: int, not_signed_in: int) -> ConfirmDialog:
    body = t("dialog.start.body", waiting=waiting, not_signed_in=not_signed_in)
    return ConfirmDialog(
        t("dialog.start.title"), body, t("dialog.start.confirm"), t("dialog.start.back"), dialog_id="start"
    )


def reason_dialog(kind: str, who: str) -> FormDialog:
    """``kind`` is terminate, reopen or absent: actions that change a result and need a reason."""
    return FormDialog(
        t(f"dialog.{kind}.title"),
        t(f"dialog.{kind}.body", who=who),
        [Field("reason", t("dialog.reason"))],
        t(f"dialog.{kind}.confirm"),
        dialog_id=kind,
    )


def _minutes(values: dict[str, str]) -> str | None:
    try:
        minutes = int(values["minutes"])
    except ValueError:
        minutes = 0
    return None if 1 <= minutes <= MAX_MINUTES else t("dialog.minutes_range", max=MAX_MINUTES)


def extend_dialog(who: str, left: str) -> FormDialog:
    return FormDialog(
        t("dialog.extend.title"),
        t("dialog.extend.body", who=who, left=left),
        [_minutes_field()],
        t("dialog.extend.confirm"),
        dialog_id="extend",
        check=_minutes,
    )


def extend_all_dialog(answering: int) -> FormDialog:
    """Everyone: the papers being answered now and those begun later (the session's own extra time)."""
    return FormDialog(
        t("dialog.extend_all.title"),
        t("dialog.extend_all.body", n=answering),
        [_minutes_field()],
        t("dialog.extend.confirm"),
        dialog_id="extend-all",
        check=_minutes,
    )


def _minutes_field() -> Field:
    return Field("minutes", t("dialog.minutes", max=MAX_MINUTES), integer=True, max_length=3)


def move_dialog(who: str) -> FormDialog:
    return FormDialog(
        t("dialog.move.title"),
        t("dialog.move.body", who=who),
        [
            Field("machine", t("dialog.machine"), max_length=64),
            Field("note", t("dialog.note"), required=False),
        ],
        t("dialog.move.confirm"),
        dialog_id="move",
    )


def close_dialog(code: str, answering: int, not_begun: int) -> FormDialog:
    """收卷 cannot be undone: the proctor types the access code shown on the console to confirm."""

    def same_code(values: dict[str, str]) -> str | None:
        return None if values["code"].upper() == code.upper() else t("dialog.close.mismatch")

    return FormDialog(
        t("dialog.close.title"),
        t("dialog.close.body", answering=answering, not_begun=not_begun, code=code),
        [Field("code", t("dialog.close.code"), max_length=len(code))],
        t("dialog.close.confirm"),
        dialog_id="close",
        check=same_code,
    )
