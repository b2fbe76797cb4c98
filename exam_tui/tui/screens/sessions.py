"""Proctor: every exam session, and the roster of the highlighted one."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from exam_tui.i18n import t
from exam_tui.services.sessions import RosterEntry, SessionView, list_sessions, roster
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.text import day_and_time, room_name, session_cells, translate_bindings
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

CHECKED_IN = "✓"
SESSION_COLUMNS = (
    ("time", 16),
    ("title", None),
    ("room", 10),
    ("state", 6),
    ("candidates", 4),
    ("code", 6),
)


class SessionsScreen(Screen[None]):
    """Moving the cursor in the sessions table loads that session's roster below it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "key.back")]

    class SessionsLoaded(Message):
        def __init__(self, sessions: list[SessionView]) -> None:
            super().__init__()
            self.sessions = sessions

    class RosterLoaded(Message):
        def __init__(self, session_id: int, entries: list[RosterEntry]) -> None:
            super().__init__()
            self.session_id, self.entries = session_id, entries

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._sessions: dict[str, SessionView] = {}
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("sessions.title"), classes="screen-title")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static(t("sessions.none"), id="sessions-none", classes="empty", markup=False)
        yield Static(t("sessions.roster"), id="roster-title", classes="section-title", markup=False)
        yield DataTable(id="roster", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#roster", DataTable)
        for key in ("name", "unit", "id_number", "rank", "proposed_post", "checked_in"):
            table.add_column(t(f"col.{key}"), key=key)
        self.query_one("#sessions-none").display = False
        self.load_sessions()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sessions")
    def load_sessions(self) -> None:
        try:
            self.post_message(self.SessionsLoaded(list_sessions(self.app.db)))
        except Exception as exc:
            self.post_message(LoadFailed(str(exc)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster")
    def load_roster(self, session_id: int) -> None:
        try:
            self.post_message(self.RosterLoaded(session_id, roster(self.app.db, session_id)))
        except Exception as exc:
            self.post_message(LoadFailed(str(exc)))

    def on_sessions_screen_sessions_loaded(self, message: SessionsLoaded) -> None:
        table = self.query_one("#sessions", DataTable)
        set_columns(table, SESSION_COLUMNS, self.size.width - 2)
        self._sessions = {str(s.id): s for s in message.sessions}
        for s in message.sessions:
            table.add_row(*session_cells(s, day_and_time(s.starts_at, self.app.tz)), key=str(s.id))
        self.query_one("#sessions-none").display = not message.sessions
        if message.sessions:
            table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "sessions" or event.row_key.value not in self._sessions:
            return
        session = self._sessions[event.row_key.value]
        self.query_one("#roster-title", Static).update(
            t(
                "sessions.detail",
                title=session.title,
                room=room_name(session.room),
                starts_at=day_and_time(session.starts_at, self.app.tz),
                code=session.access_code,
                state=session.state,
            )
        )
        self.load_roster(session.id)

    def on_sessions_screen_roster_loaded(self, message: RosterLoaded) -> None:
        table = self.query_one("#roster", DataTable)
        table.clear()
        for e in message.entries:
            table.add_row(
                e.name,
                e.unit,
                e.id_number_masked,
                e.rank or "",
                e.proposed_post or "",
                CHECKED_IN if e.checked_in else "",
            )

    def on_load_failed(self, message: LoadFailed) -> None:
        none = self.query_one("#sessions-none", Static)
        none.update(t("app.load_failed", detail=message.detail))
        none.display = True
