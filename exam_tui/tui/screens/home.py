"""Home: the app's title, the roles (keys 1–4: candidate, proctor, admin, practice) and today's sessions."""

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
from exam_tui.tui.screens.admin.menu import AdminMenuScreen
from exam_tui.tui.screens.proctor.picker import SessionPickerScreen
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
    ]

    class SessionsLoaded(Message):
        def __init__(self, sessions: list[SessionView]) -> None:
            super().__init__()
            self.sessions = sessions

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._sessions: list[SessionView] = []
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("app.title"), id="app-title")
        yield Static(t("home.subtitle"), id="subtitle")
        with Horizontal(id="roles"):
            for role, key in ROLES:
                with Vertical(classes="role"):
                    yield Button(f"{key}  {t(f'home.role.{role}')}", id=f"role-{role}", variant="primary")
                    yield Static(Prose(t(f"home.role.{role}.help")), classes="role-help")
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
            self.load_sessions()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_sessions(self) -> None:
        app = self.app
        today = in_zone(app.clock(), app.tz).date()
        try:
            sessions = sessions_on(app.db, today, app.tz)
        except Exception as exc:  # the screen says so instead of dying
            self.post_message(LoadFailed(str(exc)))
            return
        self.post_message(self.SessionsLoaded(sessions))

    def on_home_screen_sessions_loaded(self, message: SessionsLoaded) -> None:
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
        self.app.push_screen(SessionPickerScreen())

    def action_admin(self) -> None:
        self.app.push_screen(AdminMenuScreen())

    def action_practice(self) -> None:
        from exam_tui.tui.screens.practice.login import PracticeLoginScreen  # loaded when chosen

        self.app.push_screen(PracticeLoginScreen())
