"""Admin: browse the imported question banks — banks and categories, questions, one question in full."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, Tree

from exam_tui.i18n import t
from exam_tui.services.banks import BankDetail, QuestionView, list_banks, list_questions, show_bank
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.text import answer_text, one_line, translate_bindings
from exam_tui.tui.widgets.prose import Prose
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

# The question table's fixed columns; the stem gets what is left.
QUESTION_COLUMNS = (("id", 8), ("type", 6), ("difficulty", 4), ("stem", None))


@dataclass(frozen=True)
class Selection:
    """What a tree node stands for: a bank, optionally narrowed to one category."""

    bank: str
    category: str | None = None


class BankBrowserScreen(Screen[None]):
    """Tree on the left; the questions of the chosen node top right, the highlighted one below."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "key.back")]

    class BanksLoaded(Message):
        def __init__(self, banks: list[BankDetail]) -> None:
            super().__init__()
            self.banks = banks

    class QuestionsLoaded(Message):
        def __init__(self, selection: Selection, questions: list[QuestionView]) -> None:
            super().__init__()
            self.selection, self.questions = selection, questions

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._selection: Selection | None = None
        self._questions: dict[str, QuestionView] = {}
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("browser.title"), classes="screen-title")
        with Horizontal(id="browser"):
            tree: Tree[Selection] = Tree(t("browser.title"), id="banks")
            tree.show_root = False
            yield tree
            with Vertical(id="browser-right"):
                yield DataTable(id="questions", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="preview-scroll"):
                    yield Static(t("browser.pick"), id="preview", markup=False)
        yield Static(t("browser.none"), id="browser-none", classes="empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#browser-none").display = False
        self.load_banks()

    # workers

    @work(thread=True, exclusive=True, exit_on_error=False, group="banks")
    def load_banks(self) -> None:
        try:
            banks = [show_bank(self.app.db, b.slug) for b in list_banks(self.app.db)]
        except Exception as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        self.post_message(self.BanksLoaded(banks))

    @work(thread=True, exclusive=True, exit_on_error=False, group="questions")
    def load_questions(self, selection: Selection) -> None:
        try:
            questions = list_questions(self.app.db, selection.bank, selection.category)
        except Exception as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        self.post_message(self.QuestionsLoaded(selection, questions))

    # handlers

    def on_bank_browser_screen_banks_loaded(self, message: BanksLoaded) -> None:
        if not message.banks:
            self.query_one("#browser").display = False
            self.query_one("#browser-none").display = True
            return
        tree = self.query_one("#banks", Tree)
        tree.clear()
        for detail in message.banks:
            s = detail.summary
            node = tree.root.add(
                t("browser.bank", title=s.title, version=s.version), data=Selection(s.slug), expand=True
            )
            node.add_leaf(
                t("browser.category", title=t("browser.all_questions"), n=s.questions), data=Selection(s.slug)
            )
            for c in detail.categories:
                node.add_leaf(t("browser.category", title=c.title, n=c.total), data=Selection(s.slug, c.slug))
        tree.focus()
        tree.cursor_line = 0  # the first bank: its questions show at once

    @on(Tree.NodeHighlighted, "#banks")
    @on(Tree.NodeSelected, "#banks")
    def choose(self, event: Tree.NodeHighlighted[Selection] | Tree.NodeSelected[Selection]) -> None:
        selection = event.node.data
        if selection is not None and selection != self._selection:
            self._selection = selection
            self.load_questions(selection)

    def on_bank_browser_screen_questions_loaded(self, message: QuestionsLoaded) -> None:
        if message.selection != self._selection:
            return
        self._questions = {q.slug: q for q in message.questions}
        self._fill_table()
        if message.questions:
            self._show(message.questions[0])

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#preview", Static).update(t("app.load_failed", detail=message.detail))

    @on(DataTable.RowHighlighted, "#questions")
    def highlight_question(self, event: DataTable.RowHighlighted) -> None:
        question = self._questions.get(str(event.row_key.value))
        if question is not None:
            self._show(question)

    def on_resize(self) -> None:
        if self._questions:
            self._fill_table()

    # helpers

    def _fill_table(self) -> None:
        table = self.query_one("#questions", DataTable)
        keep = table.cursor_row
        set_columns(table, QUESTION_COLUMNS, table.size.width)
        for q in self._questions.values():
            table.add_row(q.slug, t(f"word.{q.type}"), str(q.difficulty), one_line(q.stem), key=q.slug)
        if 0 < keep < table.row_count:
            table.move_cursor(row=keep)

    def _show(self, q: QuestionView) -> None:
        self.query_one("#preview", Static).update(Prose(Content.from_rich_text(question_text(q))))
        self.query_one("#preview-scroll", VerticalScroll).scroll_home(animate=False)


def question_text(q: QuestionView) -> Text:
    """One question in full, as the preview shows it."""
    text = Text()
    text.append(f"{q.slug}  ", style="bold")
    head = [t(f"word.{q.type}"), t("browser.line", label=t("col.difficulty"), value=q.difficulty)]
    if q.points is not None:
        head.append(t("browser.line", label=t("browser.points"), value=q.points))
    text.append(" · ".join(head) + "\n\n", style="dim")
    text.append(q.stem.strip() + "\n")
    if q.options:
        text.append("\n")
        for letter, option in q.options.items():
            text.append(f"{letter}. ", style="bold")
            text.append(f"{option}\n")
    text.append("\n")

    def field(label_key: str, value: str | None) -> None:
        if not value:
            return
        text.append(t("browser.label", label=t(label_key)), style="bold")
        text.append(value.rstrip() + "\n")

    answer = answer_text(q.type, q.answer)
    if answer and "\n" in answer:
        answer = "\n" + answer
    field("browser.answer", answer)
    if q.type == "short_answer":
        field("browser.rubric", "\n" + (q.rubric or "").strip() if q.rubric else None)
    field("browser.explanation", q.explanation)
    field("browser.source", q.source)
    field("browser.tags", t("browser.letters_sep").join(q.tags) if q.tags else None)
    if not q.shuffle_options and q.options:
        text.append(t("browser.shuffle_fixed") + "\n", style="italic")
    return text
