"""Candidate check-in: ID number and the session's access code, checked against the roster."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from exam_tui.domain.idnumber import InvalidIdNumber
from exam_tui.domain.sittings import ACCESS_CODE_LENGTH
from exam_tui.i18n import t
from exam_tui.services.sessions import CheckIn, SessionError, check_in
from exam_tui.tui.text import hhmm, room_name, translate_bindings

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp


class CheckInScreen(Screen[None]):
    """Enter in the code field submits; the outcome shows under the form."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "key.back")]

    class Succeeded(Message):
        def __init__(self, result: CheckIn) -> None:
            super().__init__()
            self.result = result

    class Failed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="login-form"):
            yield Static(t("login.title"), classes="screen-title")
            yield Label(t("login.id_number"))
            yield Input(placeholder=t("login.id_number"), max_length=18, id="id-number")
            yield Label(t("login.code"))
            yield Input(placeholder=t("login.code"), max_length=ACCESS_CODE_LENGTH, id="code")
            yield Button(t("login.submit"), id="submit", variant="primary")
            yield Static("", id="login-error", classes="error", markup=False)
            with Vertical(id="welcome"):
                yield Static("", id="welcome-name", markup=False)
                yield Static("", id="welcome-wait", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#login-error").display = False
        self.query_one("#welcome").display = False
        self.query_one("#id-number", Input).focus()

    @on(Input.Changed, "#code")
    def upper_case_code(self, event: Input.Changed) -> None:
        upper = event.value.upper()
        if upper != event.value:
            event.input.value = upper

    @on(Input.Submitted, "#id-number")
    def next_field(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#submit")
    def submit(self) -> None:
        self.query_one("#submit", Button).disabled = True
        self.run_check_in(self.query_one("#id-number", Input).value, self.query_one("#code", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_check_in(self, id_number: str, code: str) -> None:
        try:
            result = check_in(self.app.db, id_number=id_number, access_code=code, clock=self.app.clock)
        except InvalidIdNumber as exc:
            self.post_message(self.Failed(t("login.bad_id", reason=t(exc.reason))))
        except SessionError as exc:
            self.post_message(self.Failed(t(exc.key, **exc.params)))
        except Exception as exc:
            self.post_message(self.Failed(t("app.load_failed", detail=str(exc))))
        else:
            self.post_message(self.Succeeded(result))

    def on_check_in_screen_failed(self, message: Failed) -> None:
        self.query_one("#submit", Button).disabled = False
        self.query_one("#welcome").display = False
        error = self.query_one("#login-error", Static)
        error.update(message.text)
        error.display = True

    def on_check_in_screen_succeeded(self, message: Succeeded) -> None:
        self.query_one("#submit", Button).disabled = False
        self.query_one("#login-error").display = False
        result = message.result
        session = result.session
        self.query_one("#welcome-name", Static).update(
            t("login.welcome", name=result.name, unit=result.unit, title=session.title)
        )
        self.query_one("#welcome-wait", Static).update(
            t("login.wait", room=room_name(session.room), starts_at=hhmm(session.starts_at, self.app.tz))
        )
        self.query_one("#welcome").display = True
