"""Workbooks with native Excel charts: the workbook of :func:`write_xlsx`, plus charts over its cells.

A chart is laid over cells of one of the sheets written: ``categories`` and each series of ``values``
are ``(column, first_row, last_row)``, 1-based as in Excel, so a sheet with headers in row 1 and ten
rows of data below has them in rows 2–11. A series whose first row is below row 1 takes its name from
the header cell above it. The charts stay live: edit a number in Excel and the chart follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from exam_tui.formats.results_export import Sheet, write_xlsx

ChartKind = Literal["bar", "col", "line"]
CellRange = tuple[int, int, int]  # (column, first row, last row), 1-based


@dataclass(frozen=True)
class ChartSpec:
    """``kind``: "col" upright columns (a score histogram), "bar" horizontal bars (units' indices, long
    names), "line" (a trend over sittings). ``anchor`` is the cell of the chart's top-left corner;
    ``width`` and ``height`` are in centimetres."""

    sheet: str
    kind: ChartKind
    title: str
    categories: CellRange
    values: Sequence[CellRange]
    anchor: str = "H2"
    y_title: str | None = None
    x_title: str | None = None
    width: float = 18.0
    height: float = 9.0

    def __post_init__(self) -> None:
        if self.kind not in ("bar", "col", "line"):
            raise ValueError(f"chart kind must be bar, col or line, not {self.kind!r}")
        if not self.values:
            raise ValueError("a chart needs at least one series of values")
        for column, first, last in (self.categories, *self.values):
            if column < 1 or first < 1 or last < first:
                raise ValueError(f"not a range of cells: column {column}, rows {first}–{last}")


def write_xlsx_with_charts(path: Path, sheets: Sequence[Sheet], charts: Sequence[ChartSpec]) -> None:
    """:func:`write_xlsx`'s workbook (bold frozen headers, fitted widths) with ``charts`` added."""
    titles = {sheet.title for sheet in sheets}
    for spec in charts:
        if spec.sheet not in titles:
            raise ValueError(f"chart {spec.title!r} is for sheet {spec.sheet!r}, which is not written")
    write_xlsx(path, sheets)
    if not charts:
        return
    from openpyxl import load_workbook  # slow to import, and only workbooks need it

    workbook = load_workbook(path)
    for spec in charts:
        worksheet = workbook[spec.sheet]
        worksheet.add_chart(_chart(worksheet, spec), spec.anchor)
    workbook.save(path)


def _chart(worksheet: Any, spec: ChartSpec) -> Any:
    from openpyxl.chart import BarChart, LineChart, Reference

    if spec.kind == "line":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "bar" if spec.kind == "bar" else "col"
        chart.gapWidth = 60
    chart.title = spec.title
    chart.width, chart.height = spec.width, spec.height
    for column, first, last in spec.values:
        named = first > 1  # the header above the values names the series
        data = Reference(worksheet, min_col=column, min_row=first - 1 if named else first, max_row=last)
        chart.add_data(data, titles_from_data=named)
    column, first, last = spec.categories
    chart.set_categories(Reference(worksheet, min_col=column, min_row=first, max_row=last))
    if spec.y_title:
        chart.y_axis.title = spec.y_title
    if spec.x_title:
        chart.x_axis.title = spec.x_title
    # openpyxl 3.1 marks both axes deleted unless told otherwise, and Excel then draws none.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if len(spec.values) == 1:
        chart.legend = None  # one series: its name is the title's business
    return chart
