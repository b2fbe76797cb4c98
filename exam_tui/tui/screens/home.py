"""Home: the app's title, the roles (keys 1–4: candidate, proctor, admin, practice) and today's sessions.

The proctor's and the admin's screens are behind the staff sign-in (app.open_staff); below the roles, who
is signed in (``o`` signs out) and, on a database the demo seeded, the demo's accounts and password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Static

from exam_tui.i18n import t
from exam_tui.services.sessions import SessionView, sessions_on
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.text import hhmm, in_zone, session_cells, translate_bindings
from exam_tui.tui.widgets.prose import Prose
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

ROLES = (("candidate", "1"), ("proctor", "2"), ("admin", "3"), ("practice", "4"))
COLUMNS = (("time", 5), ("title", None), ("room", 10), ("state", 6), ("candidates", 4), ("code", 6))


class HomeScreen(Screen[None]):
    """Pick a role; below, the sessions that start today in the exam room's time zone."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "candidate", "key.candidate"),
        Binding("2", "proctor", "key.proctor"),
        Binding("3", "admin", "key.admin"),
        Binding("4", "practice", "key.practice"),
        Binding("o", "sign_out", "key.sign_out"),
    ]

    class SessionsLoaded(Message):
        def __init__(self, sessions: list[SessionView], demo_logins: list[str] | None = None) -> None:
            super().__init__()
            self.sessions = sessions
            self.demo_logins = demo_logins

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._sessions: list[SessionView] = []
        self._demo_logins: list[str] = []
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("app.title"), id="app-title")
        yield Static(t("home.subtitle"), id="subtitle")
        with Horizontal(id="roles"):
            for role, key in ROLES:
                with Vertical(classes="role"):
                    yield Button(f"{key}  {t(f'home.role.{role}')}", id=f"role-{role}", variant="primary")
                    yield Static(Prose(t(f"home.role.{role}.help")), classes="role-help")
        yield Static("", id="home-accounts", classes="-none", markup=False)
        yield Static(t("home.today"), id="today-title", classes="section-title")
        yield DataTable(id="today", cursor_type="row", zebra_stripes=True)
        yield Static(t("home.today.none"), id="today-none", classes="empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#today", DataTable)
        table.display = False
        self.query_one("#today-none").display = False
        self.load_sessions()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self._show_accounts()
            self.refresh_bindings()
            self.load_sessions()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_sessions(self) -> None:
        from exam_tui.services.accounts import demo_logins

        app = self.app
        today = in_zone(app.clock(), app.tz).date()
        try:
            sessions = sessions_on(app.db, today, app.tz)
            logins = demo_logins(app.db)
        except Exception as exc:  # the screen says so instead of dying
            self.post_message(LoadFailed(str(exc)))
            return
        self.post_message(self.SessionsLoaded(sessions, logins))

    def _show_accounts(self) -> None:
        from exam_tui.domain.accounts import STAFF_ROLES
        from exam_tui.services.accounts import DEMO_PASSWORD

        lines = []
        user = self.app.signed_in
        if user is not None:
            roles = "、".join(t(f"role.{r.value}") for r in STAFF_ROLES if r in user.roles)
            lines.append(t("home.signed_in", name=user.display_name, login=user.login, roles=roles))
        if self._demo_logins:
            lines.append(t("home.demo_accounts", logins="、".join(self._demo_logins), password=DEMO_PASSWORD))
        accounts = self.query_one("#home-accounts", Static)
        accounts.update("\n".join(lines))
        accounts.set_class(not lines, "-none")

    def on_home_screen_sessions_loaded(self, message: SessionsLoaded) -> None:
        if message.demo_logins is not None:
            self._demo_logins = message.demo_logins
            self._show_accounts()
        self._sessions = message.sessions
        table = self.query_one("#today", DataTable)
        self._add_columns(table)
        for s in message.sessions:
            table.add_row(*session_cells(s, hhmm(s.starts_at, self.app.tz)), key=str(s.id))
        table.display = bool(message.sessions)
        none = self.query_one("#today-none", Static)
        none.update(t("home.today.none"))
        none.display = not message.sessions

    def on_resize(self) -> None:
        if self._sessions:
            self.on_home_screen_sessions_loaded(self.SessionsLoaded(self._sessions))

    def _add_columns(self, table: DataTable[str]) -> None:
        """Fixed widths, and the title gets the rest: a long title is cut, never scrolled sideways."""
        set_columns(table, COLUMNS, self.size.width - 2)

    def on_load_failed(self, message: LoadFailed) -> None:
        none = self.query_one("#today-none", Static)
        none.update(t("app.load_failed", detail=message.detail))
        none.display = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        role = (event.button.id or "").removeprefix("role-")
        {
            "candidate": self.action_candidate,
            "proctor": self.action_proctor,
            "admin": self.action_admin,
            "practice": self.action_practice,
        }[role]()

    def action_candidate(self) -> None:
        self.app.enter_candidate_mode()  # type: ignore[attr-defined]

    def action_proctor(self) -> None:
        self.app.open_staff("proctor")

    def action_admin(self) -> None:
        self.app.open_staff("admin")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sign_out":  # offered only while someone is signed in
            return self.app.signed_in is not None
        return True

    def action_sign_out(self) -> None:
        self.app.sign_out()
        self._show_accounts()
        self.refresh_bindings()
        self.app.notify(t("home.signed_out"))

    def action_practice(self) -> None:
        from exam_tui.tui.screens.practice.login import PracticeLoginScreen  # loaded when chosen

        self.app.push_screen(PracticeLoginScreen())
