"""Admin: the question banks — the browser, plus importing a bank file (i) and searching questions (/).

An import is checked whole before anything is written: a file with problems shows every one of them as
``FILE:LINE:COL: message`` in the import dialog and nothing is imported; a valid file becomes the bank's
next version (or is reported unchanged) and the lists reload on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, DirectoryTree, Input, Label, Select, Static, Tree

from exam_tui.i18n import t
from exam_tui.services.bank_search import QUESTION_TYPES, search_questions
from exam_tui.services.banks import (
    BankDetail,
    BankImportError,
    ImportOutcome,
    QuestionView,
    check_files,
    import_files,
    problem_lines,
)
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.bank_browser import BankBrowserScreen, Selection
from exam_tui.tui.text import day_and_time, translate_bindings
from exam_tui.tui.widgets.prose import Prose
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

BANK_SUFFIXES = (".yaml", ".yml")
MAX_VERSION_ROWS = 4  # more banks scroll in their table: the browser below keeps the room
VERSION_COLUMNS = (
    ("title", None),
    ("bank_version", 4),
    ("version_label", 10),
    ("imported_at", 16),
    ("question_count", 4),
)


def start_folder(cwd: Path) -> Path:
    """Where the file picker opens: the shipped banks' folder when there is one."""
    banks = cwd / "question_banks"
    return banks if banks.is_dir() else cwd


class BankFileTree(DirectoryTree):
    """Folders and bank files (.yaml/.yml) only; hidden entries are left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() in BANK_SUFFIXES)
        ]


class ImportDialog(ModalScreen[ImportOutcome | None]):
    """Pick or type a bank file; it is checked, then imported in a worker. Problems stay on show."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.back", priority=True)]

    class Checked(Message):
        def __init__(self, lines: list[str], outcome: ImportOutcome | None) -> None:
            super().__init__()
            self.lines, self.outcome = lines, outcome

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, folder: Path) -> None:
        super().__init__(id="bank-import")
        self.folder = folder
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("bankadmin.import.title"), classes="dialog-title", markup=False)
            yield Static(t("bankadmin.import.body"), markup=False)
            yield BankFileTree(self.folder, id="import-tree")
            yield Label(t("bankadmin.import.path"), markup=False)
            yield Input(id="import-path")
            with VerticalScroll(id="import-problems"):
                yield Static("", id="import-report", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dialog.back"), id="back", variant="primary")
                yield Button(t("bankadmin.import.confirm"), id="confirm", variant="success")

    def on_mount(self) -> None:
        self.query_one("#import-problems").display = False
        self.query_one("#import-tree").focus()

    @on(DirectoryTree.FileSelected, "#import-tree")
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#import-path", Input).value = str(event.path)
        self.query_one("#confirm", Button).focus()

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        value = self.query_one("#import-path", Input).value.strip()
        if not value:
            self._report(t("bankadmin.import.no_path"), error=True)
            return
        self.query_one("#confirm", Button).disabled = True
        self._report(t("bankadmin.import.checking", path=value), error=False)
        self._check_and_import(Path(value).expanduser())

    @work(thread=True, exclusive=True, exit_on_error=False, group="bank-import")
    def _check_and_import(self, path: Path) -> None:
        try:
            [bank_file] = check_files([path])
            if not bank_file.ok:
                lines = problem_lines(bank_file)
                self.post_message(self.Checked([t("bankadmin.import.problems", n=len(lines)), *lines], None))
                return
            [outcome] = import_files(self.app.db, [path], clock=self.app.clock)
        except BankImportError as exc:
            self.post_message(
                self.Checked([t("bankadmin.import.problems", n=len(exc.lines)), *exc.lines], None)
            )
        except Exception as exc:
            self.post_message(self.Checked([t("bankadmin.import.failed", detail=exc)], None))
        else:
            self.post_message(self.Checked([], outcome))

    def on_import_dialog_checked(self, message: Checked) -> None:
        self.query_one("#confirm", Button).disabled = False
        if message.outcome is not None:
            self.dismiss(message.outcome)
            return
        self._report("\n".join(message.lines), error=True)
        self.query_one("#import-path", Input).focus()  # to correct the path, or the file and try again

    def _report(self, text: str, *, error: bool) -> None:
        self.query_one("#import-problems").display = True
        report = self.query_one("#import-report", Static)
        report.set_class(error, "error")
        report.update(text)
        self.query_one("#import-problems", VerticalScroll).scroll_home(animate=False)

    @on(Button.Pressed, "#back")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Criteria:
    """A question search: None where the admin left a criterion empty."""

    slug: str  # the bank's
    text: str | None = None
    category: str | None = None
    type: str | None = None
    tag: str | None = None

    def describe(self, categories: dict[str, str]) -> str:
        parts = []
        if self.text:
            parts.append(t("bankadmin.search.by_text", value=self.text))
        if self.category:
            parts.append(
                t("bankadmin.search.by_category", value=categories.get(self.category, self.category))
            )
        if self.type:
            parts.append(t("bankadmin.search.by_type", value=t(f"word.{self.type}")))
        if self.tag:
            parts.append(t("bankadmin.search.by_tag", value=self.tag))
        return t("bankadmin.search.sep").join(parts) or t("bankadmin.search.everything")


class SearchDialog(ModalScreen[Criteria | None]):
    """Words, category, type and tag; Enter in a field searches, Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.back", priority=True)]

    def __init__(self, detail: BankDetail, current: Criteria) -> None:
        super().__init__(id="question-search")
        self.detail, self.current = detail, current
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        current = self.current
        categories = [(c.title, c.slug) for c in self.detail.categories]
        types = [(t(f"word.{name}"), name) for name in QUESTION_TYPES]
        with Vertical(classes="dialog"):
            yield Static(
                t("bankadmin.search.title", bank=self.detail.summary.title),
                classes="dialog-title",
                markup=False,
            )
            yield Label(t("bankadmin.search.text"), markup=False)
            yield Input(current.text or "", id="search-text")
            # Category titles are long law names: that list gets the dialog's full width.
            yield Label(t("bankadmin.search.category"), markup=False)
            yield Select(
                categories,
                prompt=t("bankadmin.search.any"),
                value=current.category or Select.NULL,
                id="search-category",
            )
            with Horizontal(id="search-row"):
                with Vertical():
                    yield Label(t("bankadmin.search.type"), markup=False)
                    yield Select(
                        types,
                        prompt=t("bankadmin.search.any"),
                        value=current.type or Select.NULL,
                        id="search-type",
                    )
                with Vertical():
                    yield Label(t("bankadmin.search.tag"), markup=False)
                    yield Input(current.tag or "", id="search-tag")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dialog.back"), id="back", variant="primary")
                yield Button(t("bankadmin.search.confirm"), id="confirm", variant="success")

    def on_mount(self) -> None:
        self.query_one("#search-text").focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _search(self) -> None:
        def chosen(select_id: str) -> str | None:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else None

        self.dismiss(
            Criteria(
                slug=self.detail.summary.slug,
                text=self.query_one("#search-text", Input).value.strip() or None,
                category=chosen("#search-category"),
                type=chosen("#search-type"),
                tag=self.query_one("#search-tag", Input).value.strip() or None,
            )
        )

    @on(Button.Pressed, "#back")
    def action_cancel(self) -> None:
        self.dismiss(None)


class BankAdminScreen(BankBrowserScreen):
    """The browser with the banks' current versions on top; i imports a file, / searches questions."""

    CSS_PATH = "banks.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "import_bank", "key.import_bank"),
        Binding("slash", "search", "key.search_questions"),
        Binding("escape", "back", "key.back"),
    ]

    class SearchDone(Message):
        def __init__(self, criteria: Criteria, questions: list[QuestionView]) -> None:
            super().__init__()
            self.criteria, self.questions = criteria, questions

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self.folder = folder
        self.details: dict[str, BankDetail] = {}
        self.search: Criteria | None = None
        self._focus_bank: str | None = None

    def on_mount(self) -> None:
        # The browser's own on_mount runs after this one and loads the banks.
        self.query_one(".screen-title", Static).update(t("bankadmin.title"))
        versions: DataTable[str] = DataTable(id="bank-versions", cursor_type="none", zebra_stripes=True)
        versions.can_focus = False
        status = Static("", id="search-status", markup=False)
        status.display = False
        self.mount(versions, before="#browser")
        self.mount(status, after="#browser")
        # The tree is narrow: at 80 columns it cuts a bank's title and a category's count. The line
        # under the cursor is shown whole above its questions.
        self.query_one("#browser-right").mount(Static("", id="bank-node", markup=False), before="#questions")

    @on(Tree.NodeHighlighted, "#banks")
    def _name_node(self, event: Tree.NodeHighlighted[Selection]) -> None:
        node = event.node
        names = [str(node.label)]
        if node.parent is not None and not node.parent.is_root:  # a category: its bank first
            names.insert(0, str(node.parent.label))
        self.query_one("#bank-node", Static).update(Prose(" · ".join(names)))

    # ---- the banks and their versions ---------------------------------------------------------------

    def on_bank_browser_screen_banks_loaded(self, message: BankBrowserScreen.BanksLoaded) -> None:
        self._clear_search()
        super().on_bank_browser_screen_banks_loaded(message)
        message.prevent_default()  # the browser's handler ran just above
        self.details = {d.summary.slug: d for d in message.banks}
        self.query_one("#browser").display = bool(message.banks)
        none = self.query_one("#browser-none", Static)
        none.update(t("bankadmin.none"))
        none.display = not message.banks
        self._fill_versions()
        tree = self.query_one("#banks", Tree)
        for node in tree.root.children:
            if node.data is not None and node.data.bank == self._focus_bank:
                tree.move_cursor(node)
        self._focus_bank = None

    def _fill_versions(self) -> None:
        table = self.query_one("#bank-versions", DataTable)
        table.display = bool(self.details)
        set_columns(table, VERSION_COLUMNS, self.size.width - 2)  # the table's side margins
        for detail in self.details.values():
            s = detail.summary
            table.add_row(
                s.title,
                str(s.version),
                s.label or "",
                day_and_time(s.imported_at, self.app.tz),
                str(s.questions),
                key=s.slug,
            )
        # Header, rows and the rule under them. An auto height is measured before the rows arrive and
        # is not always measured again, which leaves the table one line high.
        table.styles.height = min(len(self.details), MAX_VERSION_ROWS) + 2

    def on_resize(self) -> None:
        if self.details:
            self._fill_versions()

    # ---- import -------------------------------------------------------------------------------------

    def action_import_bank(self) -> None:
        self.app.push_screen(ImportDialog(self.folder or start_folder(Path.cwd())), self._imported)

    def _imported(self, outcome: ImportOutcome | None) -> None:
        if outcome is None:
            return
        key = "bankadmin.import.done" if outcome.changed else "bankadmin.import.unchanged"
        self.app.notify(t(key, bank=outcome.bank, version=outcome.version, n=outcome.questions))
        self._focus_bank = outcome.bank
        self._selection = None  # a new version of the shown bank: its questions are read again
        self.load_banks()

    # ---- search -------------------------------------------------------------------------------------

    def action_search(self) -> None:
        selection = self._selection
        if selection is None or selection.bank not in self.details:
            self.app.notify(t("bankadmin.search.no_bank"), severity="warning")
            return
        current = self.search if self.search and self.search.slug == selection.bank else None
        current = current or Criteria(slug=selection.bank, category=selection.category)
        self.app.push_screen(SearchDialog(self.details[selection.bank], current), self._searched)

    def _searched(self, criteria: Criteria | None) -> None:
        if criteria is not None:
            self.run_search(criteria)

    @work(thread=True, exclusive=True, exit_on_error=False, group="questions")
    def run_search(self, criteria: Criteria) -> None:
        try:
            questions = search_questions(self.app.db, **asdict(criteria))
        except Exception as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        self.post_message(self.SearchDone(criteria, questions))

    def on_bank_admin_screen_search_done(self, message: SearchDone) -> None:
        self.search = message.criteria
        self._questions = {q.slug: q for q in message.questions}
        self._fill_table()
        table = self.query_one("#questions", DataTable)
        if message.questions:
            table.move_cursor(row=0)
            self._show(message.questions[0])
        else:
            self.query_one("#preview", Static).update(t("bankadmin.search.none"))
        categories = {c.slug: c.title for c in self.details[message.criteria.slug].categories}
        status = self.query_one("#search-status", Static)
        status.update(
            t(
                "bankadmin.search.status",
                criteria=message.criteria.describe(categories),
                n=len(message.questions),
            )
        )
        status.display = True
        table.focus()

    def on_bank_browser_screen_questions_loaded(self, message: BankBrowserScreen.QuestionsLoaded) -> None:
        if message.selection == self._selection:  # the tree moved: its questions replace the results
            self._clear_search()

    def _clear_search(self) -> None:
        self.search = None
        self.query_one("#search-status").display = False

    def action_back(self) -> None:
        """Esc leaves the search results first, then the screen."""
        if self.search is None:
            self.app.pop_screen()
            return
        self._clear_search()
        if self._selection is not None:
            self.load_questions(self._selection)
