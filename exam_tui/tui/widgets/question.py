"""One question as the candidate answers it: options to choose, blanks to fill, or a text to write."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static, TextArea

from exam_tui.domain.paper import TRUE_FALSE_LETTERS, PaperItem, PaperSection
from exam_tui.i18n import t
from exam_tui.tui.widgets.prose import Prose


class OptionRow(Static):
    """A choice; clicking it chooses it, like pressing its letter."""

    def __init__(self, letter: str, text: str, *, multiple: bool) -> None:
        super().__init__(markup=False, classes="option")
        self.letter, self.text, self.multiple = letter, text, multiple

    def show(self, chosen: bool) -> None:
        mark = ("[✓]" if chosen else "[ ]") if self.multiple else ("(●)" if chosen else "( )")
        label = f"{mark} {self.letter}. "
        # A long option wraps under its own text, not under the letter.
        self.update(Prose(label + self.text, hang=cell_len(label)))
        self.set_class(chosen, "chosen")

    def on_click(self) -> None:
        self.post_message(QuestionView.Chosen(self.letter))


class QuestionView(VerticalScroll):
    """Shows one item with the candidate's current answer; reports changes as messages."""

    can_focus = False

    class Chosen(Message):
        def __init__(self, letter: str) -> None:
            super().__init__()
            self.letter = letter

    class TextChanged(Message):
        """A blank or the short answer changed; ``answer`` is the item's whole answer."""

        def __init__(self, answer: Any) -> None:
            super().__init__()
            self.answer = answer

    def __init__(self, section: PaperSection, item: PaperItem, answer: Any, flagged: bool) -> None:
        super().__init__(id="question")
        self.section, self.item, self.answer, self.flagged = section, item, answer, flagged

    def compose(self) -> ComposeResult:
        item = self.item
        yield Static(self.section.title, classes="section-name", markup=False)
        yield Static(self._heading(), id="question-heading", markup=False)
        yield Static(Prose(item.stem), id="stem", markup=False)
        if item.type in ("single", "multiple", "true_false"):
            with Vertical(id="options"):
                for letter, text in self._options():
                    yield OptionRow(letter, text, multiple=item.type == "multiple")
        elif item.type == "fill_blank":
            given = list(self.answer or [])
            for n in range(1, item.blanks + 1):
                yield Label(t("exam.blank", n=n), classes="blank-label")
                yield Input(
                    value=given[n - 1] if n <= len(given) else "",
                    placeholder=t("exam.blank_hint"),
                    max_length=200,
                    id=f"blank-{n}",
                    classes="blank",
                )
        else:
            yield Label(t("exam.short_hint"), classes="blank-label")
            yield TextArea(self.answer or "", id="essay", soft_wrap=True, show_line_numbers=False)

    def on_mount(self) -> None:
        self.refresh_choices()
        # Typing starts at once on a fill-in or written answer: the first field has the focus.
        first = self.query("Input, TextArea").first() if self.query("Input, TextArea") else None
        if first is not None:
            first.focus()

    def _heading(self) -> str:
        heading = t("exam.heading", n=self.item.number, points=self.item.points, type=self.item.type)
        return heading + (t("exam.flagged_suffix") if self.flagged else "")

    def _options(self) -> list[tuple[str, str]]:
        if self.item.type == "true_false":
            return [(TRUE_FALSE_LETTERS[0], t("exam.true")), (TRUE_FALSE_LETTERS[1], t("exam.false"))]
        return list(self.item.options)

    @property
    def letters(self) -> list[str]:
        return [letter for letter, _ in self._options()]

    def refresh_choices(self) -> None:
        chosen = set(self.answer or []) if self.item.type == "multiple" else {self.answer}
        for row in self.query(OptionRow):
            row.show(row.letter in chosen)

    def set_answer(self, answer: Any) -> None:
        self.answer = answer
        self.refresh_choices()

    def set_flagged(self, flagged: bool) -> None:
        self.flagged = flagged
        self.query_one("#question-heading", Static).update(self._heading())

    @on(Input.Changed, ".blank")
    def _blank_changed(self, event: Input.Changed) -> None:
        event.stop()
        values = [field.value for field in self.query(".blank").results(Input)]
        self.post_message(self.TextChanged(values))

    @on(TextArea.Changed, "#essay")
    def _essay_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.post_message(self.TextChanged(event.text_area.text))
