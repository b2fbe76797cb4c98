"""The admin area's entrance: what the signed-in account's roles reach, to work on.

An admin sees banks, cadres, sessions, decisions, training and analysis; a grader grading; a reviewer
appeals; an account with several roles all of theirs. The others are not listed, and their number keys
say that the account may not go there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from exam_tui.domain.accounts import Area
from exam_tui.i18n import t
from exam_tui.tui.text import translate_bindings

if TYPE_CHECKING:
    from textual.screen import Screen as AnyScreen

    from exam_tui.services.accounts import SignedIn
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


def allowed_entries(user: SignedIn | None) -> list[str]:
    """The entries the account's roles reach (each entry is an Area of the same name)."""
    if user is None:
        return []
    return [entry for _, entry in ENTRIES if user.can(Area(entry))]


class AdminMenuScreen(Screen[None]):
    """Lists the work the signed-in account may do; refuses the rest."""

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
        yield Static(self._title(), id="admin-menu-title", classes="screen-title", markup=False)
        yield OptionList(*self._options(), id="admin-menu")
        yield Static("", id="admin-menu-none", classes="empty", markup=False)
        yield Footer()

    def _title(self) -> str:
        user = self.app.signed_in
        if user is None:
            return t("admin.menu.title")
        who = user.login if user.display_name == user.login else f"{user.display_name}({user.login})"
        return t("admin.menu.title_with_operator", operator=who)

    def _options(self) -> list[Option | None]:
        options: list[Option | None] = []
        allowed = allowed_entries(self.app.signed_in)
        # No rules between the entries: eight entries of two lines fit 80x24 only without them.
        for key, entry in ENTRIES:
            if entry not in allowed:
                continue
            prompt = Text.assemble(
                (f"{key}  {t(f'admin.menu.{entry}')}", "bold"),
                "\n",
                (f"   {t(f'admin.menu.{entry}.help')}", "dim"),
            )
            options.append(Option(prompt, id=entry))
        return options

    def on_mount(self) -> None:
        menu = self.query_one("#admin-menu", OptionList)
        none = self.query_one("#admin-menu-none", Static)
        if menu.option_count:
            none.display = False
            menu.focus()
        else:  # signed out meanwhile, or roles without an admin screen
            menu.display = False
            none.update(t("admin.menu.none", login=self.app.operator or "-"))

    @on(OptionList.OptionSelected, "#admin-menu")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.action_open(event.option.id)

    def action_open(self, entry: str) -> None:
        if entry not in allowed_entries(self.app.signed_in):
            self.app.notify(
                t("staff_login.no_permission", login=self.app.operator or "-", area=t(f"admin.menu.{entry}")),
                severity="error",
            )
            return
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
