"""The admin area's entrance: who is at the keyboard (for the records), then what to work on."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from exam_tui.i18n import t
from exam_tui.tui.text import translate_bindings

if TYPE_CHECKING:
    from textual.screen import Screen as AnyScreen

    from exam_tui.tui.app import ExamApp

# (number key, entry); each entry has admin.menu.<entry> and admin.menu.<entry>.help.
ENTRIES = (
    ("1", "banks"),
    ("2", "cadres"),
    ("3", "sessions"),
    ("4", "decisions"),
    ("5", "grading"),
    ("6", "appeals"),
    ("7", "courses"),
    ("8", "analysis"),
)
MAX_NAME = 100  # the records' actor columns hold 100 characters


class AdminMenuScreen(Screen[None]):
    """Asks for the operator's name when the app does not know it yet; then lists the admin's work."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        # The menu itself shows what each number opens.
        *(Binding(key, f"open('{entry}')", show=False) for key, entry in ENTRIES),
    ]
    CSS_PATH = "menu.tcss"

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("admin.menu.title"), id="admin-menu-title", classes="screen-title", markup=False)
        with Vertical(id="operator-form"):
            yield Label(t("admin.operator.prompt"), markup=False)
            yield Input(id="operator-name", max_length=MAX_NAME)
            yield Static("", id="operator-error", classes="error", markup=False)
            yield Button(t("admin.operator.confirm"), id="operator-confirm", variant="primary")
        yield OptionList(*self._options(), id="admin-menu")
        yield Footer()

    def _options(self) -> list[Option | None]:
        options: list[Option | None] = []
        # No rules between the entries: eight entries of two lines fit 80x24 only without them.
        for key, entry in ENTRIES:
            prompt = Text.assemble(
                (f"{key}  {t(f'admin.menu.{entry}')}", "bold"),
                "\n",
                (f"   {t(f'admin.menu.{entry}.help')}", "dim"),
            )
            options.append(Option(prompt, id=entry))
        return options

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        """The name form until the operator is known, the menu after."""
        known = self.app.operator is not None
        self.query_one("#operator-form").display = not known
        menu = self.query_one("#admin-menu", OptionList)
        menu.display = known
        title = self.query_one("#admin-menu-title", Static)
        if known:
            title.update(t("admin.menu.title_with_operator", operator=self.app.operator))
            menu.focus()
        else:
            title.update(t("admin.menu.title"))
            self.query_one("#operator-name", Input).focus()
        self.refresh_bindings()

    @on(Input.Submitted, "#operator-name")
    @on(Button.Pressed, "#operator-confirm")
    def _take_name(self) -> None:
        name = " ".join(self.query_one("#operator-name", Input).value.split())
        if not name:
            self.query_one("#operator-error", Static).update(t("admin.operator.required"))
            self.query_one("#operator-name", Input).focus()
            return
        self.app.operator = name
        self._show()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return self.app.operator is not None
        return True

    @on(OptionList.OptionSelected, "#admin-menu")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.action_open(event.option.id)

    def action_open(self, entry: str) -> None:
        self.app.push_screen(self._screen(entry))

    def _screen(self, entry: str) -> AnyScreen[None]:
        # Imported when chosen: each area loads only when the admin goes there.
        if entry == "banks":
            from exam_tui.tui.screens.admin.banks import BankAdminScreen

            return BankAdminScreen()
        if entry == "cadres":
            from exam_tui.tui.screens.admin.cadres import CadresScreen

            return CadresScreen()
        if entry == "sessions":
            from exam_tui.tui.screens.admin.sessions import SessionsAdminScreen

            return SessionsAdminScreen()
        if entry == "decisions":
            from exam_tui.tui.screens.admin.decisions import DecisionsScreen

            return DecisionsScreen()
        if entry == "grading":
            from exam_tui.tui.screens.admin.grading import GradingScreen

            return GradingScreen()
        if entry == "courses":
            from exam_tui.tui.screens.admin.courses import CoursesScreen

            return CoursesScreen()
        if entry == "analysis":
            from exam_tui.tui.screens.admin.analysis import AnalysisSessionsScreen

            return AnalysisSessionsScreen()
        from exam_tui.tui.screens.admin.appeals import AppealsScreen

        return AppealsScreen()

    def action_back(self) -> None:
        self.app.pop_screen()
