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
    # Blank lines between the fields only where they fit (app.tcss): 80x24 gets the tight form.
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"), (28, "-tall")]

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
        self._admitted = False  # a candidate went on from here: the form starts afresh on return
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("app.title"), id="app-title")
        with Center(), Vertical(id="login-form") as form:
            # The title on the frame: the form with the name and an error still fits 80x24.
            form.border_title = t("login.title")
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
        self._reset()

    def on_screen_resume(self) -> None:
        # Back from a candidate's exam (the next candidate): an empty form, the cursor in the ID number.
        # Without this the focus came back where the last candidate left it, in the access code. Back
        # from the quit dialog the form stays as typed.
        if self._admitted:
            self._admitted = False
            self._reset()

    def _reset(self) -> None:
        for field in self.query(Input):
            field.value = ""
        self.query_one("#login-error").display = False
        self.query_one("#submit", Button).disabled = False
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
        # Shown here too, not only on Input.Changed: focus never goes to a field that is still hidden.
        self._short_id(short)
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
        from exam_tui.services.sessions import SessionError
        from exam_tui.services.terminal import DeskUnavailable

        try:
            admission = self.app.front.admit(
                login=login, access_code=code, name=name, session_id=self.app.session_id
            )
        except SessionError as exc:
            self.post_message(self.Refused(exc.message()))
        except DeskUnavailable:
            self.post_message(self.Refused(t("desk.unavailable")))
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

        self._reset()  # nothing of this candidate's stays on the form
        self._admitted = True
        self.app.push_screen(RulesScreen(message.admission))
