"""The staff sign-in (工作人员登录): login name and a masked password before any screen but a candidate's.

The account is checked in a worker (argon2 takes tens of milliseconds, the database may be remote); the
outcome comes back as a message. A wrong password says how many tries are left, a locked account how
long it stays locked, a disabled one to ask an admin. Signed in, the screen gives way to where the user
was going (``goal``) if the account's roles reach it; otherwise it says so and goes back.
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
    from exam_tui.services.accounts import SignedIn
    from exam_tui.tui.app import ExamApp

MAX_LOGIN = 40
MAX_PASSWORD = 128


class StaffLoginScreen(Screen[None]):
    """Sign in, then on to ``goal`` (proctor, admin or final)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", key_display="Esc"),
    ]
    CSS_PATH = "staff_login.tcss"

    class SignedInMessage(Message):
        def __init__(self, user: SignedIn) -> None:
            super().__init__()
            self.user = user

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, goal: str) -> None:
        super().__init__()
        self.goal = goal
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("app.title"), id="app-title")
        with Center(), Vertical(id="staff-login-form") as form:
            form.border_title = t("staff_login.title")
            yield Static(Prose(t("staff_login.intro")), id="staff-login-intro", markup=False)
            yield Label(t("staff_login.login"))
            yield Input(id="staff-login-name", max_length=MAX_LOGIN)
            yield Label(t("staff_login.password"))
            yield Input(id="staff-login-password", password=True, max_length=MAX_PASSWORD)
            yield Static("", id="staff-login-message", markup=False)
            yield Button(t("staff_login.submit"), id="staff-login-submit", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#staff-login-name", Input).focus()

    def on_screen_resume(self) -> None:
        # Back on a station's sign-in from the screen it opened: whoever was signed in is signed out.
        if self.is_mounted and self.app.signed_in is not None:
            self.app.signed_in = None
            self.query_one("#staff-login-name", Input).value = ""
            self._say("", error=False)
            self.query_one("#staff-login-name", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # started as `exam-tui proctor`, this is the first screen
            return len(self.app.screen_stack) > 1
        return True

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    @on(Input.Submitted, "#staff-login-name")
    def _next_field(self) -> None:
        self.query_one("#staff-login-password", Input).focus()

    @on(Input.Submitted, "#staff-login-password")
    @on(Button.Pressed, "#staff-login-submit")
    def submit(self) -> None:
        login = self.query_one("#staff-login-name", Input).value.strip()
        password = self.query_one("#staff-login-password", Input).value
        if not login or not password:
            self._say(t("staff_login.required"), error=True)
            self.query_one("#staff-login-name" if not login else "#staff-login-password", Input).focus()
            return
        self.query_one("#staff-login-submit", Button).disabled = True
        self._say(t("staff_login.checking"), error=False)
        self.check(login, password)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def check(self, login: str, password: str) -> None:
        from exam_tui.services.accounts import authenticate
        from exam_tui.services.sessions import SessionError

        try:
            user = authenticate(self.app.db, login, password, clock=self.app.service_clock)
        except SessionError as exc:
            self.post_message(self.Refused(exc.message()))
        except Exception as exc:  # the database is unreachable: say so, keep the form
            self.post_message(self.Refused(t("app.load_failed", detail=str(exc).splitlines()[0])))
        else:
            self.post_message(self.SignedInMessage(user))

    def _say(self, text: str, *, error: bool) -> None:
        message = self.query_one("#staff-login-message", Static)
        message.update(text)
        message.set_class(error, "error")

    def on_staff_login_screen_refused(self, message: Refused) -> None:
        self.query_one("#staff-login-submit", Button).disabled = False
        password = self.query_one("#staff-login-password", Input)
        password.value = ""
        self._say(message.text, error=True)
        password.focus()

    def on_staff_login_screen_signed_in_message(self, message: SignedInMessage) -> None:
        self.query_one("#staff-login-submit", Button).disabled = False
        self.query_one("#staff-login-password", Input).value = ""
        self.app.signed_in = message.user
        target = self.app.staff_screen(self.goal)
        if target is not None:
            if len(self.app.screen_stack) > 1:  # from the home screen: the sign-in gives way
                self.app.switch_screen(target)
            else:  # a station's first screen (Textual cannot switch that one): over it, back to it signs out
                self.app.push_screen(target)
            return
        refusal = t(
            "staff_login.no_permission", login=message.user.login, area=t(f"staff_login.area.{self.goal}")
        )
        if len(self.app.screen_stack) > 1:  # back home, still signed in (for what the roles do reach)
            self.app.pop_screen()
            self.app.notify(refusal, severity="error")
        else:  # a station for one job the account may not do: nobody stays signed in
            self.app.signed_in = None
            self._say(refusal, error=True)
            self.query_one("#staff-login-name", Input).focus()
