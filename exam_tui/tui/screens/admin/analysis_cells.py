"""The item analysis in cells and lines, for the analysis screens: pure, no Textual state.

The wording and the rounding are the reports' (``services.analysis_exports``): a number on the screen is
the number in the workbook. Here are only what a terminal adds: the order of the rows, a style for a
flagged row, the numbers right-aligned with fixed decimals, a category cut to its column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from exam_tui.domain.analysis import FLAG_NEGATIVE_DISCRIMINATION, ItemStats, sort_items
from exam_tui.i18n import t
from exam_tui.services.analysis import ItemAnalysisReport
from exam_tui.services.analysis_exports import ITEM_COLUMNS, flag_text, item_row, reliability_text
from exam_tui.tui.screens.admin.grading import clip

# The reports' columns, in the order a terminal needs them: what says whether a question works (facility,
# discrimination, D and its band, the flags) first, so that 80 columns show it without scrolling sideways;
# the rest after, as in the reports.
SCREEN_COLUMNS = (
    "number",
    "question",
    "facility",
    "discrimination_index",
    "upper_lower_d",
    "ebel_band",
    "flags",
    "type",
    "category",
    "n",
    "sd",
    "random_guess",
    "intended_weight",
    "effective_weight",
    "discriminative_efficiency",
)
assert sorted(SCREEN_COLUMNS) == sorted(ITEM_COLUMNS)

# The ItemStats field each column of the item table sorts by; "number" (the paper's order) and
# "category" (a title the report holds beside the statistics) are sorted here.
SORT_FIELDS = {
    "question": "key",
    "type": "type",
    "n": "n",
    "facility": "facility",
    "sd": "sd",
    "random_guess": "random_guess",
    "intended_weight": "intended_weight",
    "effective_weight": "effective_weight",
    "discrimination_index": "discrimination_index",
    "discriminative_efficiency": "discriminative_efficiency",
    "upper_lower_d": "upper_lower_d",
    "ebel_band": "ebel_band",
    "flags": "flags",
}
# Decimals as the reports round them (analysis_exports.item_row).
DIGITS = {
    "facility": 1,
    "sd": 1,
    "random_guess": 1,
    "intended_weight": 2,
    "effective_weight": 2,
    "discrimination_index": 1,
    "discriminative_efficiency": 1,
    "upper_lower_d": 2,
}
RIGHT = {"number", "n", *DIGITS}
# Chosen as a sort column, these start with the largest: the most flags first.
DESCENDING_FIRST = frozenset({"flags"})
CATEGORY_WIDTH = 12
NONE = "-"
# A row whose key is probably wrong, and a row with anything else to look at.
SEVERE_STYLE = "bold red"
FLAGGED_STYLE = "yellow"
UP, DOWN = "↑", "↓"

Numbered = tuple[int, ItemStats]  # the question's number on the paper (its place in the report), its row


def fixed(value: float | None, digits: int) -> str:
    return NONE if value is None else f"{value:.{digits}f}"


def percent(fraction: float | None) -> str:
    return NONE if fraction is None else f"{100 * fraction:.1f}%"


def numbered(report: ItemAnalysisReport) -> list[Numbered]:
    return list(enumerate(report.analysis.items, 1))


def severity(row: ItemStats) -> str | None:
    """ "severe" when the key is in doubt (negative discrimination), "flagged" for any other flag."""
    if FLAG_NEGATIVE_DISCRIMINATION in row.flags:
        return "severe"
    return "flagged" if row.flags else None


def row_style(row: ItemStats) -> str:
    return {"severe": SEVERE_STYLE, "flagged": FLAGGED_STYLE}.get(severity(row) or "", "")


def item_cells(number: int, row: ItemStats, report: ItemAnalysisReport) -> list[Text]:
    """One row of the item table (SCREEN_COLUMNS): the report's cells, styled by the row's flags."""
    style = row_style(row)
    values = dict(zip(ITEM_COLUMNS, item_row(number, row, report), strict=True))
    return [
        Text(
            _cell_text(column, values[column], row),
            style=style,
            justify="right" if column in RIGHT else "left",
        )
        for column in SCREEN_COLUMNS
    ]


def _cell_text(column: str, value: Any, row: ItemStats) -> str:
    if column in DIGITS:
        return fixed(value, DIGITS[column])
    if column == "number":
        return f"!{value}" if row.flags else str(value)  # not by colour alone
    if column == "category":
        return clip(value or "", CATEGORY_WIDTH)
    return NONE if value is None else str(value)


def sort_rows(
    rows: Sequence[Numbered], report: ItemAnalysisReport, column: str, descending: bool
) -> list[Numbered]:
    """The rows in the order of ``column`` (a column of the item table); no value last either way."""
    if column == "number":
        return sorted(rows, key=lambda r: r[0], reverse=descending)
    if column == "category":

        def category(r: Numbered) -> str | None:
            text = report.questions.get(r[1].key)
            return text.category if text is not None else None

        present = [r for r in rows if category(r) is not None]
        absent = [r for r in rows if category(r) is None]
        return [*sorted(present, key=lambda r: category(r) or "", reverse=descending), *absent]
    number_of = {row.key: number for number, row in rows}
    return [
        (number_of[row.key], row) for row in sort_items([r for _, r in rows], SORT_FIELDS[column], descending)
    ]


def direction_word(descending: bool) -> str:
    return t("analysis_screen.descending" if descending else "analysis_screen.ascending")


def column_name(column: str) -> str:
    return t(f"analysis.col.{column}")


def header(column: str, sorted_by: str, descending: bool) -> str:
    """A column's heading, with an arrow on the one the rows are sorted by."""
    name = column_name(column)
    if column != sorted_by:
        return name
    return f"{name}{DOWN if descending else UP}"


def question_ref(number: int, row: ItemStats) -> str:
    return t("analysis_screen.question_ref", number=number, question=row.key)


def flags_words(row: ItemStats) -> str:
    return t("analysis_screen.flags_sep").join(flag_text(f) for f in row.flags)


def row_detail(number: int, row: ItemStats) -> str:
    flags = flags_words(row) or t("analysis_screen.row_no_flags")
    return t("analysis_screen.row_detail", number=number, question=row.key, flags=flags)


def summary_facts(report: ItemAnalysisReport, *, more: bool = False) -> list[tuple[str, str, str]]:
    """(label, value, style) of the paper, as the summary box shows them: seven facts, ten with ``more``."""
    paper = report.analysis.paper
    items = report.analysis.items
    flagged = sum(1 for row in items if row.flags)
    facts = [
        (t("analysis.fact.attempts"), str(paper.n), "bold"),
        (t("analysis_screen.mean_median"), f"{fixed(paper.mean, 2)} / {fixed(paper.median, 2)}", "bold"),
        (t("analysis.fact.sd"), fixed(paper.sd, 2), "bold"),
        (t("analysis_screen.min_max"), f"{fixed(paper.minimum, 1)} / {fixed(paper.maximum, 1)}", "bold"),
        (t("analysis.fact.pass_rate"), percent(paper.pass_rate), "bold"),
        (
            t("analysis_screen.alpha_kr20"),
            f"{fixed(paper.alpha, 3)} / {fixed(paper.kr20, 3)}",
            "bold yellow" if paper.reliability_warning else "bold",
        ),
        (t("analysis.fact.standard_error"), fixed(paper.standard_error, 2), "bold"),
        (t("analysis.fact.error_ratio"), fixed(paper.error_ratio, 2), "bold"),
        (
            t("analysis_screen.skew_kurtosis"),
            f"{fixed(paper.skewness, 2)} / {fixed(paper.kurtosis, 2)}",
            "bold",
        ),
        (
            t("analysis.fact.flagged"),
            t("analysis_screen.of_total", n=flagged, total=len(items)),
            "bold red" if flagged else "bold",
        ),
    ]
    if not more:
        del facts[7:9]
        del facts[3]
    return facts


def notes(report: ItemAnalysisReport) -> dict[str, str]:
    """The lines above the item table, by kind (reliability, keys, pending, subset); empty when none."""
    paper = report.analysis.paper
    negatives = [
        question_ref(n, row) for n, row in numbered(report) if FLAG_NEGATIVE_DISCRIMINATION in row.flags
    ]
    found = {
        "reliability": reliability_text(report) or "",
        "keys": t("analysis_screen.check_key", questions=t("analysis_screen.list_sep").join(negatives))
        if negatives
        else "",
        "pending": t("analysis.note.pending", count=report.pending_grading) if report.pending_grading else "",
        "subset": t("analysis.note.alpha_subset", n=paper.alpha_n)
        if paper.n and paper.alpha_n < paper.n
        else "",
    }
    return found


def histogram_bars(report: ItemAnalysisReport) -> tuple[list[str], list[int]]:
    """The score bands' lower bounds (ASCII: plotext counts characters, not cells) and their counts."""
    bands = report.analysis.paper.histogram
    return [f"{low:.1f}".removesuffix(".0") for low, _, _ in bands], [n for _, _, n in bands]


def tick_step(largest: int) -> int:
    """The smallest round step (1, 2, 5 × 10ⁿ people) that puts at most four ticks up to ``largest``."""
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            if largest // (m * magnitude) <= 4:
                return m * magnitude
        magnitude *= 10
