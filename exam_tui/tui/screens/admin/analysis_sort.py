"""The item table's sort: a list of its columns; the one it is sorted by says which way."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from exam_tui.i18n import t
from exam_tui.tui.screens.admin import analysis_cells as cells
from exam_tui.tui.text import translate_bindings


class SortDialog(ModalScreen[str | None]):
    """The item table's columns to sort by; dismisses with the column chosen, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.back")]
    CSS_PATH = "analysis.tcss"

    def __init__(self, current: str, descending: bool) -> None:
        super().__init__()
        self.current, self.descending = current, descending
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("analysis_screen.sort_title"), classes="dialog-title", markup=False)
            yield Static(t("analysis_screen.sort_hint"), id="sort-hint", markup=False)
            options = []
            for column in cells.SCREEN_COLUMNS:
                name = cells.column_name(column)
                if column == self.current:
                    direction = cells.direction_word(self.descending)
                    name = t("analysis_screen.sort_current", column=name, direction=direction)
                options.append(Option(name, id=column))
            yield OptionList(*options, id="sort-columns")

    def on_mount(self) -> None:
        columns = self.query_one("#sort-columns", OptionList)
        columns.highlighted = cells.SCREEN_COLUMNS.index(self.current)
        columns.focus()

    @on(OptionList.OptionSelected, "#sort-columns")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
