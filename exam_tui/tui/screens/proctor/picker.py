"""The proctor's way in: every exam session, today's first; Enter opens the session's console."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from exam_tui.i18n import t
from exam_tui.services.sessions import SessionView, list_sessions
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.text import day_and_time, hhmm, in_zone, room_name, session_cells, translate_bindings
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from datetime import tzinfo

    from exam_tui.tui.app import ExamApp

SESSION_COLUMNS = (("time", 16), ("title", None), ("room", 10), ("state", 6), ("candidates", 4), ("code", 6))


def picking_order(sessions: list[SessionView], today: date, tz: tzinfo) -> list[SessionView]:
    """Today's sessions by start time, then those to come (soonest first), then past ones (latest first)."""

    def day(s: SessionView) -> date:
        return in_zone(s.starts_at, tz).date()

    todays = sorted((s for s in sessions if day(s) == today), key=lambda s: (s.starts_at, s.id))
    coming = sorted((s for s in sessions if day(s) > today), key=lambda s: (s.starts_at, s.id))
    past = sorted((s for s in sessions if day(s) < today), key=lambda s: (s.starts_at, s.id), reverse=True)
    return todays + coming + past


class SessionPickerScreen(Screen[None]):
    """The sessions as one table; the line under it describes the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "key.open"),
        Binding("escape", "back", "key.back"),
    ]

    class SessionsLoaded(Message):
        def __init__(self, sessions: list[SessionView]) -> None:
            super().__init__()
            self.sessions = sessions

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, open_session: int | None = None) -> None:
        super().__init__()
        self._sessions: dict[str, SessionView] = {}
        # `exam-tui proctor --session ID`: that console opens over the list, and Esc comes back here.
        self._open_session = open_session
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("picker.title"), classes="screen-title", markup=False)
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static(t("sessions.none"), id="sessions-none", classes="empty", markup=False)
        yield Static("", id="picker-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sessions-none").display = False
        if self._open_session is not None and self._may(self._open_session):
            from exam_tui.tui.screens.proctor.console import ConsoleScreen

            self.app.push_screen(ConsoleScreen(self._open_session))
            self._open_session = None
        else:
            if self._open_session is not None:
                self.app.notify(
                    t("picker.not_assigned", login=self.app.operator or "-", session=self._open_session),
                    severity="error",
                )
                self._open_session = None
            self.load_sessions()

    def _may(self, session_id: int) -> bool:
        """An admin runs every session's console, a proctor those assigned (services.accounts)."""
        user = self.app.signed_in
        return user is not None and user.may_proctor(session_id)

    def on_screen_resume(self) -> None:
        self.load_sessions()  # states change while a console is open

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_sessions(self) -> None:
        try:
            sessions = [s for s in list_sessions(self.app.db) if self._may(s.id)]
            self.post_message(self.SessionsLoaded(sessions))
        except Exception as exc:
            self.post_message(LoadFailed(str(exc)))

    def on_session_picker_screen_sessions_loaded(self, message: SessionsLoaded) -> None:
        tz = self.app.tz
        today = in_zone(self.app.clock(), tz).date()
        sessions = picking_order(message.sessions, today, tz)
        table = self.query_one("#sessions", DataTable)
        highlighted = self._highlighted()
        set_columns(table, SESSION_COLUMNS, self.size.width - 2)
        self._sessions = {str(s.id): s for s in sessions}
        for s in sessions:
            today_s = in_zone(s.starts_at, tz).date() == today
            when = t("picker.today", time=hhmm(s.starts_at, tz)) if today_s else day_and_time(s.starts_at, tz)
            table.add_row(*session_cells(s, when), key=str(s.id))
        keys = list(self._sessions)
        if highlighted is not None and str(highlighted.id) in keys:  # a reload keeps the cursor's session
            table.move_cursor(row=keys.index(str(highlighted.id)))
        self.query_one("#sessions-none").display = not sessions
        table.display = bool(sessions)
        if sessions:
            table.focus()

    def on_resize(self) -> None:
        if self._sessions:  # the title column takes what the others leave
            self.post_message(self.SessionsLoaded(list(self._sessions.values())))

    def _highlighted(self) -> SessionView | None:
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._sessions.get(key or "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        session = self._sessions.get(event.row_key.value or "")
        if session is None:
            return
        self.query_one("#picker-detail", Static).update(
            t(
                "picker.detail",
                exam=session.exam_title,
                minutes=session.duration_minutes,
                room=room_name(session.room),
                starts_at=day_and_time(session.starts_at, self.app.tz),
            )
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.row_key.value)

    def action_open(self) -> None:
        session = self._highlighted()
        if session is not None:
            self._open(str(session.id))

    def _open(self, key: str | None) -> None:
        from exam_tui.tui.screens.proctor.console import ConsoleScreen

        if key in self._sessions and self._may(self._sessions[key].id):
            self.app.push_screen(ConsoleScreen(self._sessions[key].id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The first screen when the app was made signed in: nothing to go back to (`exam-tui proctor`
        # opens it over the staff sign-in, and going back there signs out).
        if action == "back":
            return len(self.app.screen_stack) > 1
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_load_failed(self, message: LoadFailed) -> None:
        none = self.query_one("#sessions-none", Static)
        none.update(t("app.load_failed", detail=message.detail))
        none.display = True
