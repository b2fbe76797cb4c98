"""One question of an analysis: its flags in plain words, its statistics, the distractor table, its text.

Options and the key are in the bank's letters (every paper shuffled them its own way). ← and → step
through the questions in the order the item table shows them; Esc goes back to the table, on the
question last seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from exam_tui.domain.analysis import FLAG_NEGATIVE_DISCRIMINATION, DistractorStats, ItemStats
from exam_tui.domain.paper import TRUE_FALSE_LETTERS
from exam_tui.i18n import t
from exam_tui.services.analysis import ItemAnalysisReport, QuestionText
from exam_tui.services.analysis_exports import DISTRACTOR_COLUMNS, band_text, distractor_rows, flag_text
from exam_tui.tui.screens.admin import analysis_cells as cells
from exam_tui.tui.screens.admin.grading import points_text
from exam_tui.tui.text import answer_text, translate_bindings
from exam_tui.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

# The distractor table: the report's columns but the question's (it is this question's table), and the
# option's text after its letter when the terminal leaves room for it.
DISTRACTOR_SHOWN = tuple(c for c in DISTRACTOR_COLUMNS if c != "question")
MIN_TEXT = 16
KEY_STYLE = "bold green"


def option_texts(question: QuestionText) -> list[tuple[str, str]]:
    """(bank letter, text) of a choice question; true/false as A 正确, B 错误."""
    if question.type == "true_false":
        return [
            (TRUE_FALSE_LETTERS[0], t("analysis_screen.option_true")),
            (TRUE_FALSE_LETTERS[1], t("analysis_screen.option_false")),
        ]
    return list(question.options)


def key_letters(question: QuestionText) -> set[str]:
    if question.type == "true_false":
        return {TRUE_FALSE_LETTERS[0] if question.key else TRUE_FALSE_LETTERS[1]}
    if question.type == "single":
        return {str(question.key)}
    if question.type == "multiple":
        return {str(letter) for letter in question.key or ()}
    return set()


def upper_choice(row: ItemStats) -> DistractorStats | None:
    """The option the upper group chose most, when that is not the key: what a miskeyed question shows."""
    if not row.distractors or any(d.upper_share is None for d in row.distractors):
        return None
    top = max(row.distractors, key=lambda d: d.upper_share or 0.0)
    keys = [d for d in row.distractors if d.is_key]
    if top.is_key or not keys or (top.upper_share or 0.0) <= max(k.upper_share or 0.0 for k in keys):
        return None
    return top


class QuestionAnalysisScreen(Screen[str | None]):
    """Dismisses with the question last shown, for the item table's cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        # Priority: the page's scroll bindings would take ← and → (the page never scrolls sideways).
        Binding("left", "step(-1)", "key.analysis_previous", priority=True),
        Binding("right", "step(1)", "key.analysis_next", priority=True),
    ]
    CSS_PATH = "analysis.tcss"

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, report: ItemAnalysisReport, rows: Sequence[cells.Numbered], index: int) -> None:
        super().__init__()
        self.report, self.rows, self.index = report, list(rows), index
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static("", id="question-title", classes="screen-title", markup=False)
        with VerticalScroll(id="question-body"):
            yield Static("", id="question-facts", markup=False)
            yield Static("", id="question-flags")
            yield Static("", id="question-stats")
            yield Static(t("analysis_screen.section.distractors"), classes="section-title", markup=False)
            table: DataTable[Text] = DataTable(id="question-distractors", cursor_type="none")
            table.can_focus = False  # the page scrolls as one
            yield table
            yield Static("", id="question-distractors-none", classes="empty", markup=False)
            yield Static(Prose(t("analysis_screen.distractor_hint")), id="question-hint")
            yield Static(t("analysis_screen.section.question"), classes="section-title", markup=False)
            yield Static("", id="question-stem")
            yield Static("", id="question-options")
            yield Static("", id="question-key", markup=False)
            yield Static("", id="question-source")
            yield Static("", id="question-explanation")
        yield Footer()

    def on_mount(self) -> None:
        self._show()
        self.query_one("#question-body").focus()

    @property
    def number(self) -> int:
        return self.rows[self.index][0]

    @property
    def row(self) -> ItemStats:
        return self.rows[self.index][1]

    def _show(self) -> None:
        number, row = self.rows[self.index]
        question = self.report.questions.get(row.key)
        self.query_one("#question-title", Static).update(
            t("analysis_screen.question_title", number=number, question=row.key)
        )
        category = (question.category if question else None) or t("analysis_screen.no_category")
        points = points_text(question.points) if question else cells.NONE
        self.query_one("#question-facts", Static).update(
            t("analysis_screen.question_facts", type=t(f"word.{row.type}"), points=points, category=category)
        )
        self.query_one("#question-flags", Static).update(Prose(self._flags(row)))
        self.query_one("#question-stats", Static).update(self._stats(row))
        self._distractors(row, question)
        self._text(question)
        self.query_one("#question-body", VerticalScroll).scroll_home(animate=False)

    def _flags(self, row: ItemStats) -> Content:
        if not row.flags:
            return Content.from_rich_text(Text(t("analysis_screen.no_flags"), style="green"))
        text = Text()
        # The key in doubt first: it is what the admin must act on.
        for flag in sorted(row.flags, key=lambda f: f != FLAG_NEGATIVE_DISCRIMINATION):
            style = cells.SEVERE_STYLE if flag == FLAG_NEGATIVE_DISCRIMINATION else cells.FLAGGED_STYLE
            if text:
                text.append("\n")
            text.append(t("analysis_screen.flag_name", flag=flag_text(flag)), style=style)
            text.append(t(f"analysis_screen.explain.{flag.rsplit('.', 1)[-1]}"))
            top = upper_choice(row) if flag == FLAG_NEGATIVE_DISCRIMINATION else None
            if top is not None and top.upper_share is not None:
                keys = "".join(d.option for d in row.distractors if d.is_key)
                share = f"{100 * top.upper_share:.0f}%"
                text.append(
                    t("analysis_screen.upper_choice", share=share, option=top.option, key=keys), style="bold"
                )
        return Content.from_rich_text(text)

    def _stats(self, row: ItemStats) -> Table:
        """The row's numbers, label and value in pairs, with the Ebel band beside D."""
        pairs = [
            ("n", str(row.n)),
            ("facility", cells.fixed(row.facility, 1)),
            ("discrimination_index", cells.fixed(row.discrimination_index, 1)),
            ("discriminative_efficiency", cells.fixed(row.discriminative_efficiency, 1)),
            ("upper_lower_d", cells.fixed(row.upper_lower_d, 2)),
            ("sd", cells.fixed(row.sd, 1)),
            ("random_guess", cells.fixed(row.random_guess, 1)),
            ("effective_weight", cells.fixed(row.effective_weight, 2)),
        ]
        grid = Table.grid(padding=(0, 1))
        for _ in range(2):
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(no_wrap=True, justify="right")
        negative = {"discrimination_index", "discriminative_efficiency", "upper_lower_d"}
        values = []
        for column, value in pairs:
            style = (
                cells.SEVERE_STYLE
                if column in negative and value.startswith("-") and value != "-"
                else "bold"
            )
            values += [cells.column_name(column), Text(value, style=style)]
        for start in range(0, len(values), 4):
            grid.add_row(*values[start : start + 4])
        band = band_text(row.ebel_band)
        if band:
            style = cells.SEVERE_STYLE if row.ebel_band == "negative" else "bold"
            grid.add_row(t("analysis.col.ebel_band"), Text(band, style=style))
        return grid

    def _distractors(self, row: ItemStats, question: QuestionText | None) -> None:
        table: DataTable[Text] = self.query_one("#question-distractors", DataTable)
        table.clear(columns=True)
        found = [r[1:] for r in distractor_rows(self._one(row)) if r[0] == row.key]
        none = self.query_one("#question-distractors-none", Static)
        none.update(t("analysis_screen.no_distractors"))
        none.display = not found
        table.display = bool(found)
        self.query_one("#question-hint").display = bool(found)
        if not found:
            return
        texts = dict(option_texts(question)) if question else {}
        headers = [t(f"analysis.dcol.{c}") for c in DISTRACTOR_SHOWN]
        # Each column is as wide as its heading (the numbers are narrower) plus a cell each side; the
        # page's padding and scrollbar take three more.
        used = sum(max(Text(h).cell_len, 6) + 2 for h in headers) + 2 + 3
        text_width = self.size.width - used
        with_text = text_width >= MIN_TEXT and bool(texts)
        table.add_column(headers[0], key="option")
        if with_text:
            table.add_column(t("analysis_screen.dcol.text"), key="text", width=text_width)
        for column, heading in zip(DISTRACTOR_SHOWN[1:], headers[1:], strict=True):
            table.add_column(heading, key=column)
        top = upper_choice(row)
        for d, cells_ in zip(row.distractors, found, strict=True):
            style = KEY_STYLE if d.is_key else cells.SEVERE_STYLE if top is not None and d is top else ""
            option, is_key, count, share, upper, lower, working = cells_
            line = [Text(str(option), style=style)]
            if with_text:  # the whole text, wrapped in its column: options often differ only at the end
                line.append(Text(texts.get(str(option), ""), style=style))
            line += [
                Text(str(is_key or ""), style=style),
                Text(str(count), style=style, justify="right"),
                *(Text(cells.fixed(v, 1), style=style, justify="right") for v in (share, upper, lower)),  # type: ignore[arg-type]
                Text(str(working or ""), style=style),
            ]
            table.add_row(*line, height=None)

    def _one(self, row: ItemStats) -> ItemAnalysisReport:
        """The report with only this row: distractor_rows reads the rows of every item."""
        return replace(self.report, analysis=replace(self.report.analysis, items=(row,)))

    def _text(self, question: QuestionText | None) -> None:
        stem = self.query_one("#question-stem", Static)
        options = self.query_one("#question-options", Static)
        if question is None:
            for selector in (
                "#question-stem",
                "#question-options",
                "#question-key",
                "#question-source",
                "#question-explanation",
            ):
                self.query_one(selector, Static).update("")
            return
        stem.update(Prose(question.stem))
        keys = key_letters(question)
        lines = Text()
        for letter, text in option_texts(question):
            if lines:
                lines.append("\n")
            style = KEY_STYLE if letter in keys else ""
            lines.append(f"{letter}. {text}", style=style)
            if letter in keys:
                lines.append(t("analysis_screen.key_mark"), style=KEY_STYLE)
        options.update(Prose(Content.from_rich_text(lines)))
        options.display = bool(lines)
        key = self.query_one("#question-key", Static)
        key.display = not lines and question.key is not None
        key.update(t("analysis_screen.key_line", key=answer_text(question.type, question.key)))
        for selector, name, value in (
            ("#question-source", "source", question.source),
            ("#question-explanation", "explanation", question.explanation),
        ):
            widget = self.query_one(selector, Static)
            widget.update(Prose(t(f"analysis_screen.{name}", **{name: value})) if value else "")
            widget.display = bool(value)

    # ---- keys ---------------------------------------------------------------------------------------

    def action_step(self, by: int) -> None:
        index = self.index + by
        if 0 <= index < len(self.rows):
            self.index = index
            self._show()
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step" and parameters:
            index = self.index + int(parameters[0])  # type: ignore[call-overload]
            return 0 <= index < len(self.rows) or None  # None: shown greyed out at either end
        return True

    def action_back(self) -> None:
        self.dismiss(self.row.key)
