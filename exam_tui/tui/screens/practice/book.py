"""The wrong-answer book (错题本) of one bank: each question on one line, how often it was got wrong, the
streak of right answers toward leaving the book, and where it was last got wrong (练习 or 考试).

Enter practises the book: its questions come again until each is answered right twice in a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from exam_tui.i18n import t
from exam_tui.services import practice
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.practice.common import Begun, begin, failure_text
from exam_tui.tui.screens.practice.run import PracticeRunScreen
from exam_tui.tui.text import in_zone, one_line, translate_bindings
from exam_tui.tui.widgets.prose import Prose
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

# Wide enough for the English headings and "practice 2026-11-23"; the stem takes the rest.
COLUMNS = (("book_stem", None), ("book_times", 6), ("book_streak", 6), ("book_last", 19))


def where_text(entry: practice.BookView) -> str:
    """Where the question was last got wrong, from the book's source (practice:ID or attempt:ID)."""
    kind = entry.source.split(":", 1)[0]
    return t("practice.book.where_exam" if kind == "attempt" else "practice.book.where_practice")


class PracticeBookScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the table would take Enter for itself (and the footer would not show it).
        Binding("enter", "start", "key.practice_book_start", key_display="Enter", priority=True),
        Binding("escape", "back", "key.back", key_display="Esc"),
    ]
    CSS_PATH = "practice.tcss"

    class Loaded(Message):
        def __init__(self, entries: list[practice.BookView]) -> None:
            super().__init__()
            self.entries = entries

    class Started(Message):
        def __init__(self, begun: Begun) -> None:
            super().__init__()
            self.begun = begun

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, who: practice.Practiser, bank: str, bank_title: str) -> None:
        super().__init__()
        self.who, self.bank, self.bank_title = who, bank, bank_title
        self.entries: list[practice.BookView] | None = None
        self.busy = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(
            t("practice.book.title", bank=self.bank_title, n="…"),
            id="book-title",
            classes="screen-title",
            markup=False,
        )
        yield Static(Prose(t("practice.book.hint")), id="book-hint", markup=False)
        yield DataTable(id="book-table", cursor_type="row", zebra_stripes=True)
        yield Static(Prose(t("practice.book.empty")), id="book-empty", classes="empty", markup=False)
        yield Static("", id="book-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#book-empty").display = False
        self.query_one("#book-table").display = False
        self.query_one("#book-error").display = False
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="book")
    def load(self) -> None:
        try:
            entries = practice.wrong_book(self.app.db, self.who.cadre_id, bank=self.bank)
        except Exception as exc:
            self.post_message(LoadFailed(failure_text(exc)))
        else:
            self.post_message(self.Loaded(entries))

    def _error(self, text: str) -> None:
        error = self.query_one("#book-error", Static)
        error.update(text)
        error.display = bool(text)

    def on_load_failed(self, message: LoadFailed) -> None:
        self._error(message.detail)

    def on_practice_book_screen_loaded(self, message: Loaded) -> None:
        self.entries = message.entries
        self._fill()
        self.refresh_bindings()

    def _fill(self) -> None:
        entries = self.entries or []
        self.query_one("#book-title", Static).update(
            t("practice.book.title", bank=self.bank_title, n=len(entries))
        )
        table: DataTable[Text] = self.query_one("#book-table", DataTable)
        set_columns(table, COLUMNS, self.size.width)  # type: ignore[arg-type]
        for i, entry in enumerate(entries):
            day = in_zone(entry.last_wrong_at, self.app.tz).date().isoformat()
            table.add_row(
                # Text, not markup: a stem is the bank's words, shown as written, on one line.
                Text(one_line(entry.stem) or entry.question, no_wrap=True, overflow="ellipsis"),
                Text(str(entry.times_wrong), justify="right"),
                Text(str(entry.streak), justify="right"),
                Text(t("practice.book.last", where=where_text(entry), day=day)),
                key=str(i),
            )
        table.display = bool(entries)
        self.query_one("#book-empty").display = not entries
        if entries:
            table.focus()

    def on_resize(self) -> None:
        if self.entries is not None:
            self._fill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start":
            return bool(self.entries) and not self.busy
        return True

    def action_start(self) -> None:
        if not self.entries or self.busy:
            return
        self.busy = True
        self.refresh_bindings()
        self._begin()

    @work(thread=True, exclusive=True, exit_on_error=False, group="book")
    def _begin(self) -> None:
        app = self.app
        try:
            begun = begin(
                app.db,
                self.who,
                bank=self.bank,
                mode="wrong_book",
                category=None,
                scope="",
                clock=app.service_clock,
            )
        except Exception as exc:
            self.post_message(self.Refused(failure_text(exc)))
        else:
            self.post_message(self.Started(begun))

    def on_practice_book_screen_refused(self, message: Refused) -> None:
        self.busy = False
        self._error(message.text)
        self.refresh_bindings()

    def on_practice_book_screen_started(self, message: Started) -> None:
        # In the book's place: when the run ends, the cadre is back at the choice of what to practise.
        self.app.switch_screen(PracticeRunScreen(message.begun))

    def action_back(self) -> None:
        self.app.pop_screen()
