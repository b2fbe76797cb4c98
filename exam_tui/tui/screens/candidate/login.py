"""Sign-in: the ID number (or its last 6 characters and the name) and the session's access code."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from exam_tui.domain.sittings import ACCESS_CODE_LENGTH
from exam_tui.i18n import t
from exam_tui.tui.text import translate_bindings

if TYPE_CHECKING:
    from exam_tui.services.admission import Admission
    from exam_tui.tui.app import ExamApp


class CandidateLoginScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = []

    class Admitted(Message):
        def __init__(self, admission: Admission) -> None:
            super().__init__()
            self.admission = admission

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("app.title"), id="app-title")
        with Center(), Vertical(id="login-form"):
            yield Static(t("login.title"), classes="screen-title")
            yield Label(t("login.id_number"))
            yield Input(placeholder=t("login.id_hint"), max_length=18, id="id-number")
            yield Label(t("login.name"), id="name-label")
            yield Input(placeholder=t("login.name_hint"), max_length=50, id="name")
            yield Label(t("login.code"))
            yield Input(placeholder=t("login.code_hint"), max_length=ACCESS_CODE_LENGTH, id="code")
            yield Button(t("login.submit"), id="submit", variant="primary")
            yield Static("", id="login-error", classes="error", markup=False)
        yield Static(t("login.keys"), id="keymap", markup=False)

    def on_mount(self) -> None:
        self.query_one("#login-error").display = False
        self._short_id(False)
        self.query_one("#id-number", Input).focus()

    def _short_id(self, short: bool) -> None:
        # The name is only asked for when the candidate typed just the last six characters.
        self.query_one("#name-label").display = short
        self.query_one("#name").display = short

    @on(Input.Changed, "#id-number")
    def id_changed(self, event: Input.Changed) -> None:
        self._short_id(len(event.value.strip()) == 6)

    @on(Input.Changed, "#code")
    def upper_case_code(self, event: Input.Changed) -> None:
        upper = event.value.upper()
        if upper != event.value:
            event.input.value = upper

    @on(Input.Submitted, "#id-number")
    def after_id(self) -> None:
        short = len(self.query_one("#id-number", Input).value.strip()) == 6
        self.query_one("#name" if short else "#code", Input).focus()

    @on(Input.Submitted, "#name")
    def after_name(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#submit")
    def submit(self) -> None:
        login = self.query_one("#id-number", Input).value
        if not login.strip():
            self.query_one("#id-number", Input).focus()
            return
        self.query_one("#submit", Button).disabled = True
        name = self.query_one("#name", Input).value if len(login.strip()) == 6 else None
        self.sign_in(login, name, self.query_one("#code", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def sign_in(self, login: str, name: str | None, code: str) -> None:
        # Imported here: the form is painted before the services (and SQLAlchemy) are loaded.
        from exam_tui.services.admission import admit
        from exam_tui.services.sessions import SessionError

        try:
            admission = admit(
                self.app.db,
                login=login,
                access_code=code,
                name=name,
                session_id=self.app.session_id,
                clock=self.app.service_clock,
            )
        except SessionError as exc:
            self.post_message(self.Refused(exc.message()))
        except Exception as exc:  # the database is unreachable: say so, keep the form
            self.post_message(self.Refused(t("app.load_failed", detail=str(exc).splitlines()[0])))
        else:
            self.post_message(self.Admitted(admission))

    def on_candidate_login_screen_refused(self, message: Refused) -> None:
        self.query_one("#submit", Button).disabled = False
        error = self.query_one("#login-error", Static)
        error.update(message.text)
        error.display = True

    def on_candidate_login_screen_admitted(self, message: Admitted) -> None:
        from exam_tui.tui.screens.candidate.rules import RulesScreen

        self.query_one("#submit", Button).disabled = False
        self.query_one("#login-error").display = False
        for field in self.query(Input):
            field.value = ""
        self.app.push_screen(RulesScreen(message.admission))
