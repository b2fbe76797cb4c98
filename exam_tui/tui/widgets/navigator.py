"""The grid of question numbers, grouped by section: answered, unanswered, marked, current."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from exam_tui.domain.paper import Paper
from exam_tui.i18n import t


class NumberCell(Static):
    def __init__(self, number: int) -> None:
        super().__init__(f"{number:>3}", classes="cell", markup=False)
        self.number = number

    def on_click(self) -> None:
        self.post_message(Navigator.Jump(self.number))


class Navigator(VerticalScroll):
    can_focus = False

    class Jump(Message):
        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def __init__(self, paper: Paper) -> None:
        super().__init__(id="navigator")
        self.paper = paper

    def compose(self) -> ComposeResult:
        for section in self.paper.sections:
            yield Static(section.title, classes="nav-section", markup=False)
            with Grid(classes="nav-grid"):
                for number in range(section.first, section.first + section.count):
                    yield NumberCell(number)
        yield Static(t("exam.legend"), id="nav-legend", markup=False)

    def show(self, current: int, answered: Iterable[int], flagged: Iterable[int]) -> None:
        done, marked = set(answered), set(flagged)
        for cell in self.query(NumberCell):
            cell.set_class(cell.number in done, "answered")
            cell.set_class(cell.number in marked, "flagged")
            cell.set_class(cell.number == current, "current")
            label = f"{cell.number:>3}"
            cell.update(label + ("*" if cell.number in marked else " "))
            if cell.number == current:
                cell.scroll_visible(animate=False)
