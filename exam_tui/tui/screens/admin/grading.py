"""The grader's screens (阅卷): pick a session, see its short-answer questions, mark the answers one by one.

A grader sees an attempt number, never a name: ``services.grading`` hands out answers without one and
these screens have nothing else to show. Which grader may mark which answer (double marking, a third
mark on disagreement) is the service's business; the marking screen only says which mark this is, and
never shows another grader's points.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from exam_tui.i18n import t
from exam_tui.services.appeal_words import points_words
from exam_tui.services.grading import (
    AnswerToMark,
    MarkResult,
    QueueQuestion,
    grading_queue,
    next_answer,
    record_mark,
    sessions_to_grade,
)
from exam_tui.services.sessions import SessionError, SessionView, list_sessions
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.text import day_and_time, one_line, state_name, translate_bindings
from exam_tui.tui.widgets.prose import Prose
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

SESSION_COLUMNS = (("time", 16), ("title", None), ("state", 6), ("candidates", 4))
QUEUE_COLUMNS = (
    ("stem", None),
    ("grading_points", 4),
    ("grading_answers", 4),
    ("grading_settled", 6),
    ("grading_for_me", 6),
    ("grading_disputed", 6),
)
_POINTS = re.compile(r"-?\d{1,4}(?:\.\d{1,2})?")


def parse_points(text: str) -> float | None:
    """ "7", "7.5" or "７．５" (Chinese input methods type full-width digits) as a number, else None.

    Whether the number is allowed (0…max, halves) is the service's to say, in its own words.
    """
    raw = unicodedata.normalize("NFKC", text).strip().replace("。", ".")
    return float(raw) if _POINTS.fullmatch(raw) else None


points_text = points_words  # one way to write points on every screen and in `appeal show`


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` cells between two characters (CJK is two cells wide)."""
    text = one_line(text)
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > width - 1:
            break
        out.append(char)
    return "".join(out) + "…"


def first_line(exc: Exception) -> str:
    """An error's first line, for a status line (a driver's message can run to a page)."""
    return (str(exc).splitlines() or [type(exc).__name__])[0]


class GradingScreen(Screen[None]):
    """Without a session: the sessions to pick from. Then the session's queue, one row per question."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "key.open"),
        Binding("escape", "back", "key.back"),
    ]
    CSS_PATH = "grading.tcss"

    class SessionsLoaded(Message):
        def __init__(self, sessions: list[SessionView]) -> None:
            super().__init__()
            self.sessions = sessions

    class QueueLoaded(Message):
        def __init__(self, title: str, queue: list[QueueQuestion]) -> None:
            super().__init__()
            self.title, self.queue = title, queue

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, session_id: int | None = None) -> None:
        super().__init__()
        self.session_id = session_id
        # Picked from the list here: Esc goes back to the list rather than out of the screen.
        self._picked = False
        self._sessions: dict[str, SessionView] = {}
        self._queue: dict[str, QueueQuestion] = {}
        self._title = ""
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("grader.sessions_title"), id="grading-title", classes="screen-title", markup=False)
        yield Static("", id="grading-hint", markup=False)
        yield DataTable(id="grading-sessions", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="grading-queue", cursor_type="row", zebra_stripes=True)
        yield Static(t("grader.loading"), id="grading-empty", classes="empty", markup=False)
        yield Static("", id="grading-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#grading-sessions").display = False
        self.query_one("#grading-queue").display = False

    def on_screen_resume(self) -> None:
        # On the first showing and on coming back from marking (the counts moved).
        if self.session_id is None:
            self.load_sessions()
        else:
            self.load_queue(self.session_id)

    # ---- reading ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="grading-load")
    def load_sessions(self) -> None:
        try:
            user = self.app.signed_in
            # A grader sees the sessions and exams assigned (services.accounts.SignedIn.may_grade).
            sessions = [
                s
                for s in sessions_to_grade(self.app.db)
                if user is not None and user.may_grade(s.id, s.exam_ref)
            ]
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=first_line(exc))))
            return
        self.post_message(self.SessionsLoaded(sessions))

    @work(thread=True, exclusive=True, exit_on_error=False, group="grading-load")
    def load_queue(self, session_id: int) -> None:
        try:
            title = self._title or next(
                (s.title for s in list_sessions(self.app.db) if s.id == session_id), str(session_id)
            )
            queue = grading_queue(self.app.db, session_id, self.app.operator or "", by=self.app.signed_in)
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
            return
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=first_line(exc))))
            return
        self.post_message(self.QueueLoaded(title, queue))

    def on_load_failed(self, message: LoadFailed) -> None:
        empty = self.query_one("#grading-empty", Static)
        empty.update(message.detail)
        empty.display = True

    def on_grading_screen_sessions_loaded(self, message: SessionsLoaded) -> None:
        if self.session_id is not None:  # a session was picked while the list was being read
            return
        self._sessions = {str(s.id): s for s in message.sessions}
        self.query_one("#grading-title", Static).update(t("grader.sessions_title"))
        self.query_one("#grading-hint", Static).update("")
        self.query_one("#grading-queue").display = False
        table = self.query_one("#grading-sessions", DataTable)
        set_columns(table, SESSION_COLUMNS, self.size.width - 2)
        title_width = table.columns["title"].width  # type: ignore[index]
        for s in message.sessions:
            when = day_and_time(s.starts_at, self.app.tz)
            cells = (when, clip(s.title, title_width), state_name(s.state), str(s.candidates))
            table.add_row(*cells, key=str(s.id))
        self._show(table, t("grader.no_sessions"))

    def on_grading_screen_queue_loaded(self, message: QueueLoaded) -> None:
        if self.session_id is None:
            return
        self._title = message.title
        self._queue = {q.question: q for q in message.queue}
        self.query_one("#grading-title", Static).update(t("grader.queue_title", title=message.title))
        self.query_one("#grading-hint", Static).update(t("grader.queue_hint", grader=self.app.operator))
        self.query_one("#grading-sessions").display = False
        table = self.query_one("#grading-queue", DataTable)
        row = table.cursor_row
        set_columns(table, QUEUE_COLUMNS, self.size.width - 2)
        stem_width = table.columns["stem"].width  # type: ignore[index]
        for q in message.queue:
            cells = (q.answers, q.settled, q.for_me, q.disputed)
            table.add_row(clip(q.stem, stem_width), points_text(q.points), *map(str, cells), key=q.question)
        if message.queue:
            table.move_cursor(row=min(row, len(message.queue) - 1))
        self._show(table, t("grader.no_questions"))

    def _show(self, table: DataTable[str], none: str) -> None:
        empty = self.query_one("#grading-empty", Static)
        empty.update(none)
        empty.display = not table.row_count
        table.display = bool(table.row_count)
        if table.row_count:
            table.focus()

    def on_resize(self) -> None:
        if self.session_id is not None and self._queue:
            self.on_grading_screen_queue_loaded(self.QueueLoaded(self._title, list(self._queue.values())))
        elif self.session_id is None and self._sessions:
            self.on_grading_screen_sessions_loaded(self.SessionsLoaded(list(self._sessions.values())))

    # ---- keys ---------------------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.data_table, event.row_key.value)

    def action_open(self) -> None:
        table = self.query_one(
            "#grading-queue" if self.session_id is not None else "#grading-sessions", DataTable
        )
        if table.row_count:
            self._open(table, table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _open(self, table: DataTable[str], key: str | None) -> None:
        if table.id == "grading-sessions" and key in self._sessions:
            session = self._sessions[key]
            self.session_id, self._title, self._picked = session.id, session.title, True
            self._say("")
            self.load_queue(session.id)
        elif table.id == "grading-queue" and key in self._queue:
            question = self._queue[key]
            if not question.for_me:
                self._say(t("grader.nothing_for_me"))
                return
            assert self.session_id is not None
            self.app.push_screen(MarkingScreen(self.session_id, question.question), self._marking_done)

    def _marking_done(self, said: str | None) -> None:
        self._say(said or "")

    def _say(self, text: str) -> None:
        self.query_one("#grading-status", Static).update(text)

    def action_back(self) -> None:
        if self._picked:
            self.session_id, self._title, self._picked, self._queue = None, "", False, {}
            self._say("")
            self.query_one("#grading-queue").display = False
            self.load_sessions()
        else:
            self.app.pop_screen()


class MarkingScreen(Screen[str | None]):
    """One answer at a time: stem, marking guide, the answer, points and a comment; then the next.

    Dismisses with what to say on the queue (all marked), or None when the grader went back.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        # Priority: Enter in either field saves (as the README says), and the footer shows it; the
        # focused Input's own (hidden) Enter binding would otherwise hide it.
        Binding("enter", "save", "key.mark_save", key_display="Enter", priority=True),
        Binding("ctrl+s", "save", "key.mark_save", show=False, priority=True),
        # Priority: the focused Input has (useless, one-line) page bindings of its own.
        Binding("pagedown", "scroll_answer(1)", "key.scroll_answer", priority=True),
        Binding("pageup", "scroll_answer(-1)", "key.scroll_answer", show=False, priority=True),
        Binding("shift+pagedown", "scroll_question(1)", "key.scroll_question", priority=True),
        Binding("shift+pageup", "scroll_question(-1)", "key.scroll_question", show=False, priority=True),
    ]
    CSS_PATH = "grading.tcss"

    class AnswerLoaded(Message):
        def __init__(self, answer: AnswerToMark | None) -> None:
            super().__init__()
            self.answer = answer

    class Saved(Message):
        def __init__(self, result: MarkResult, points: float) -> None:
            super().__init__()
            self.result, self.points = result, points

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, session_id: int, question: str) -> None:
        super().__init__()
        self.session_id, self.question = session_id, question
        self.answer: AnswerToMark | None = None
        self._busy = True  # nothing to save until the first answer is on the screen
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("grader.loading"), id="mark-header", markup=False)
        # A rubric may run to a dozen lines; it scrolls in its own box so the answer keeps its room.
        with VerticalScroll(id="mark-question"):
            yield Static("", id="mark-stem")
            yield Static("", id="mark-rubric")
        with VerticalScroll(id="mark-answer") as box:
            box.border_title = t("grader.answer")
            yield Static("", id="mark-answer-text", markup=False)
        with Horizontal(id="mark-form"):
            with Vertical(id="mark-points-field"):
                yield Label("", id="mark-points-label", markup=False)
                yield Input(id="mark-points", max_length=8)
            with Vertical(id="mark-comment-field"):
                yield Label(t("grader.comment"), markup=False)
                yield Input(id="mark-comment", max_length=500)
        yield Static("", id="mark-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load_next()

    @work(thread=True, exclusive=True, exit_on_error=False, group="marking")
    def load_next(self) -> None:
        try:
            answer = next_answer(
                self.app.db, self.session_id, self.question, self.app.operator or "", by=self.app.signed_in
            )
        except SessionError as exc:
            self.post_message(self.Refused(exc.message()))
            return
        except Exception as exc:
            self.post_message(self.Refused(t("grader.failed", detail=first_line(exc))))
            return
        self.post_message(self.AnswerLoaded(answer))

    def on_marking_screen_answer_loaded(self, message: AnswerLoaded) -> None:
        a = message.answer
        if a is None:
            self.dismiss(t("grader.all_done"))
            return
        self.answer = a
        mark = t("grader.mark_third") if a.mark_number >= 3 else t("grader.mark_n", n=a.mark_number)
        self.query_one("#mark-header", Static).update(
            t("grader.header", attempt=a.attempt_id, mark=mark, remaining=a.remaining)
        )
        stem = Text.assemble((t("grader.stem", points=points_text(a.points)), "bold"), "\n", a.stem)
        rubric = Text.assemble(
            (t("grader.rubric"), "bold"),
            "\n",
            (a.rubric or t("grader.no_rubric"), "" if a.rubric else "italic"),
        )
        self.query_one("#mark-stem", Static).update(Prose(Content.from_rich_text(stem)))
        self.query_one("#mark-rubric", Static).update(Prose(Content.from_rich_text(rubric)))
        self.query_one("#mark-answer-text", Static).update(Prose(a.answer))
        self.query_one("#mark-answer", VerticalScroll).scroll_home(animate=False)
        self.query_one("#mark-question", VerticalScroll).scroll_home(animate=False)
        self.query_one("#mark-points-label", Label).update(t("grader.points", max=points_text(a.points)))
        for field in self.query(Input):
            field.value = ""
        self.query_one("#mark-points", Input).focus()
        self._busy = False

    # ---- saving -------------------------------------------------------------------------------------

    def action_save(self) -> None:
        a = self.answer
        if a is None or self._busy:
            return
        points = parse_points(self.query_one("#mark-points", Input).value)
        if points is None:
            self._refuse(t("grading.points_range", max=a.points))
            return
        self._busy = True
        self._say(t("grader.saving"))
        comment = self.query_one("#mark-comment", Input).value
        self.save(a, points, comment)

    @work(thread=True, exit_on_error=False, group="marking-save")
    def save(self, a: AnswerToMark, points: float, comment: str) -> None:
        try:
            result = record_mark(
                self.app.db,
                a.attempt_id,
                item=a.item,
                points=points,
                grader=self.app.operator or "",
                comment=comment,
                clock=self.app.service_clock,
                by=self.app.signed_in,
            )
        except SessionError as exc:
            self.post_message(self.Refused(exc.message()))
            return
        except Exception as exc:
            self.post_message(self.Refused(t("grader.failed", detail=first_line(exc))))
            return
        self.post_message(self.Saved(result, points))

    def on_marking_screen_saved(self, message: Saved) -> None:
        self.answer = None  # marked: until the next one is on the screen there is nothing to save
        self._say(t("grader.saved", attempt=message.result.attempt_id, points=points_text(message.points)))
        self.load_next()

    def on_marking_screen_refused(self, message: Refused) -> None:
        self._refuse(message.text)
        self._busy = self.answer is None

    def _refuse(self, text: str) -> None:
        self._say(text, error=True)
        self.query_one("#mark-points", Input).focus()

    def _say(self, text: str, *, error: bool = False) -> None:
        said = self.query_one("#mark-message", Static)
        said.update(text)
        said.set_class(error, "error")

    # ---- keys ---------------------------------------------------------------------------------------

    def action_scroll_answer(self, direction: int) -> None:
        box = self.query_one("#mark-answer", VerticalScroll)
        if direction > 0:
            box.scroll_page_down()
        else:
            box.scroll_page_up()

    def action_scroll_question(self, direction: int) -> None:
        box = self.query_one("#mark-question", VerticalScroll)
        if direction > 0:
            box.scroll_page_down()
        else:
            box.scroll_page_up()

    def action_back(self) -> None:
        self.dismiss(None)
