"""The practice terminal's sign-in (练习登录): the ID number only; practice decides nothing.

A number that is not on the roll is refused in the form. Signed in, the cadre chooses what to practise
(choice.py); Esc there signs out, back to this empty form for whoever sits down next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from exam_tui.i18n import t
from exam_tui.tui.text import translate_bindings
from exam_tui.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from exam_tui.services.practice import Practiser
    from exam_tui.tui.app import ExamApp

ID_NUMBER_LENGTH = 18


class PracticeLoginScreen(Screen[None]):
    """The ID number, checked against the roll in a worker; the outcome comes back as a message."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", key_display="Esc"),
    ]
    CSS_PATH = "practice.tcss"

    class Identified(Message):
        def __init__(self, practiser: Practiser) -> None:
            super().__init__()
            self.practiser = practiser

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
        with Center(), Vertical(id="practice-login-form"):
            yield Static(t("practice.login.title"), classes="screen-title")
            yield Static(Prose(t("practice.login.intro")), id="practice-login-intro", markup=False)
            yield Label(t("practice.login.id_number"))
            yield Input(
                placeholder=t("practice.login.id_hint"), max_length=ID_NUMBER_LENGTH, id="practice-id-number"
            )
            yield Button(t("practice.login.submit"), id="practice-submit", variant="primary")
            yield Static("", id="practice-login-error", classes="error", markup=False)
        yield Static(t("practice.login.keys"), id="practice-login-keys", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#practice-login-error").display = False
        self.query_one("#practice-id-number", Input).focus()

    def on_screen_resume(self) -> None:
        # Back from a signed-in cadre's screens: the form is empty for the next one.
        field = self.query_one("#practice-id-number", Input)
        field.value = ""
        field.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # only when this screen was opened from the home screen
            return len(self.app.screen_stack) > 1
        return True

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    @on(Input.Submitted, "#practice-id-number")
    @on(Button.Pressed, "#practice-submit")
    def submit(self) -> None:
        field = self.query_one("#practice-id-number", Input)
        if not field.value.strip():
            field.focus()
            return
        self.query_one("#practice-submit", Button).disabled = True
        error = self.query_one("#practice-login-error", Static)
        error.update(t("practice.login.checking"))
        error.set_class(False, "error")
        error.display = True
        self.identify(field.value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def identify(self, id_number: str) -> None:
        # Imported here: the form is painted before the services (and SQLAlchemy) are loaded.
        from exam_tui.services.practice import practiser
        from exam_tui.services.sessions import SessionError

        try:
            who = practiser(self.app.db, id_number)
        except SessionError as exc:
            self.post_message(self.Refused(exc.message()))
        except Exception as exc:  # the database is unreachable: say so, keep the form
            self.post_message(self.Refused(t("app.load_failed", detail=str(exc).splitlines()[0])))
        else:
            self.post_message(self.Identified(who))

    def on_practice_login_screen_refused(self, message: Refused) -> None:
        self.query_one("#practice-submit", Button).disabled = False
        error = self.query_one("#practice-login-error", Static)
        error.update(message.text)
        error.set_class(True, "error")
        error.display = True
        self.query_one("#practice-id-number", Input).focus()

    def on_practice_login_screen_identified(self, message: Identified) -> None:
        from exam_tui.tui.screens.practice.choice import PracticeChoiceScreen

        self.query_one("#practice-submit", Button).disabled = False
        self.query_one("#practice-login-error").display = False
        self.app.push_screen(PracticeChoiceScreen(message.practiser))
