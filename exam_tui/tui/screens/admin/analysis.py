"""统计分析: the sessions with graded papers, newest first; Enter analyses one, e its exam over all sessions.

The analysis itself is :mod:`analysis_report` (the paper, the histogram, the item table) and
:mod:`analysis_question` (one question's text and distractors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from exam_tui.i18n import t
from exam_tui.services.analysis import AnalysableSession, analysable_sessions
from exam_tui.services.sessions import SessionError
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.admin.analysis_report import AnalysisScreen
from exam_tui.tui.screens.admin.grading import clip, first_line
from exam_tui.tui.text import day_and_time, state_name, translate_bindings
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

SESSION_COLUMNS = (
    ("time", 16),
    ("title", None),
    ("analysis_exam", 16),
    ("state", 6),
    ("analysis_graded", 6),
    ("analysis_pending", 6),
)


class AnalysisSessionsScreen(Screen[None]):
    """The sessions to analyse; the line under the table names the highlighted one's exam."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        Binding("enter", "open", "key.open", priority=True),
        Binding("e", "open_exam", "key.analysis_exam"),
    ]
    CSS_PATH = "analysis.tcss"

    class Loaded(Message):
        def __init__(self, sessions: list[AnalysableSession]) -> None:
            super().__init__()
            self.sessions = sessions

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[AnalysableSession] = []
        self.loaded = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("analysis_screen.sessions_title"), classes="screen-title", markup=False)
        yield Static(t("analysis_screen.sessions_hint"), id="analysis-sessions-hint", markup=False)
        yield DataTable(id="analysis-sessions", cursor_type="row", zebra_stripes=True)
        yield Static(t("admin.loading"), id="analysis-sessions-empty", classes="empty", markup=False)
        yield Static("", id="analysis-sessions-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#analysis-sessions").display = False
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded:  # papers may have been graded meanwhile
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis-sessions")
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(analysable_sessions(self.app.db)))
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=first_line(exc))))

    def on_load_failed(self, message: LoadFailed) -> None:
        empty = self.query_one("#analysis-sessions-empty", Static)
        empty.update(message.detail)
        empty.add_class("error")
        empty.display = True

    def on_analysis_sessions_screen_loaded(self, message: Loaded) -> None:
        self.sessions, self.loaded = message.sessions, True
        self._show()

    def _show(self) -> None:
        table: DataTable[str] = self.query_one("#analysis-sessions", DataTable)
        row = table.cursor_row
        set_columns(table, SESSION_COLUMNS, self.size.width - 2)
        title_width = table.columns["title"].width  # type: ignore[index]
        exam_width = table.columns["analysis_exam"].width  # type: ignore[index]
        for s in self.sessions:
            table.add_row(
                day_and_time(s.starts_at, self.app.tz),
                clip(s.title, title_width),
                clip(s.exam_title, exam_width),
                state_name(s.state),
                str(s.graded),
                str(s.pending_grading),
                key=str(s.session_id),
            )
        if self.sessions:
            table.move_cursor(row=min(row, len(self.sessions) - 1))
        empty = self.query_one("#analysis-sessions-empty", Static)
        empty.update(t("analysis_screen.no_sessions"))
        empty.remove_class("error")
        empty.display = not self.sessions
        table.display = bool(self.sessions)
        if self.sessions:
            table.focus()
        self._show_detail()
        self.refresh_bindings()

    def _highlighted(self) -> AnalysableSession | None:
        table = self.query_one("#analysis-sessions", DataTable)
        if not table.row_count or not self.sessions:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self.sessions if str(s.session_id) == key), None)

    def _show_detail(self) -> None:
        s = self._highlighted()
        text = ""
        if s is not None:
            text = t(
                "analysis_screen.session_detail",
                exam=s.exam_ref,
                title=s.exam_title,
                kind=t(f"word.{s.exam_kind}"),
                graded=s.graded,
                pending=s.pending_grading,
            )
        self.query_one("#analysis-sessions-detail", Static).update(text)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def on_resize(self) -> None:
        if self.loaded:
            self._show()

    # ---- keys -------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "open_exam"):
            return bool(self.sessions)
        return True

    def action_open(self) -> None:
        s = self._highlighted()
        if s is not None:
            self.app.push_screen(AnalysisScreen(session_id=s.session_id))

    def action_open_exam(self) -> None:
        s = self._highlighted()
        if s is not None:
            self.app.push_screen(AnalysisScreen(exam_ref=s.exam_ref))

    def action_back(self) -> None:
        self.app.pop_screen()
