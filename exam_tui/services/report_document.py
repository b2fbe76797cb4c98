"""One report, five formats: a report is built once as a :class:`ReportDocument` (its facts, tables,
charts and a JSON document) and written as a text table, CSV, JSON, an xlsx workbook with native charts,
or an A4 PDF with the charts drawn.

CSV holds one table (the report's main one); JSON holds the report's own document (numbers unrounded,
field names in docs/cli.md); the table, the workbook and the PDF hold everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from exam_tui.formats.results_export import (
    Cell,
    Sheet,
    cell_text,
    csv_text,
    display_width,
    json_text,
    pii_document,
    table_text,
)
from exam_tui.i18n import t
from exam_tui.services.audit import ChainHead
from exam_tui.services.pii import notice as pii_notice
from exam_tui.services.results_export import ExportError, write_atomically

TEXT_FORMATS = ("table", "csv", "json")
FILE_FORMATS = (*TEXT_FORMATS, "xlsx", "pdf")
_SUFFIXES = {"txt": "table", "csv": "csv", "json": "json", "xlsx": "xlsx", "pdf": "pdf"}


@dataclass(frozen=True)
class ReportTable:
    title: str  # the sheet's name in a workbook (at most 31 characters), the heading elsewhere
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    column_widths: Sequence[float] | None = None  # relative, for the PDF


@dataclass(frozen=True)
class ReportChart:
    """A chart of one table: labels from one column, bars from another (0-based column numbers)."""

    table: str
    title: str
    label_column: int
    value_column: int
    kind: Literal["col", "bar"] = "col"  # upright columns (a histogram), or bars (units)
    rows: int | None = None  # only the first rows (a total row below them stays out); None: all


@dataclass(frozen=True)
class ReportDocument:
    title: str
    subtitle: str | None
    facts: Sequence[tuple[str, Cell]]
    tables: Sequence[ReportTable]
    data: Any  # the JSON document
    notes: Sequence[str] = ()  # warnings and remarks, printed under the facts
    charts: Sequence[ReportChart] = field(default_factory=tuple)
    generated_at: datetime | None = None
    landscape: bool = False  # wide tables: the PDF on A4 landscape
    # The report names people: every format says so at its top (the line under the PDF's title, the
    # first line of the text and the CSV, the first row of each sheet, the JSON's first fields).
    personal: bool = False
    # The audit chain's head when the report was made (``services.audit.head``, set by whoever writes
    # it out): the PDF's every page foot, a note above the CSV's and each worksheet's headers, the text
    # table's last line. JSON leaves it out.
    audit_head: ChainHead | None = None

    @property
    def notice(self) -> str | None:
        return pii_notice() if self.personal else None

    @property
    def head_notes(self) -> list[str]:
        """The lines above the headers besides the notice: the audit chain's head, if set."""
        return [self.audit_head.note()] if self.audit_head is not None else []


def format_for(fmt: str | None, path: Path | None) -> str:
    """The format asked for, else the one the file's suffix names, else ``table``; ExportError if unknown
    or if the two disagree."""
    by_suffix = _SUFFIXES.get(path.suffix.lower().lstrip(".")) if path is not None else None
    if fmt is None:
        if path is not None and by_suffix is None:
            raise ExportError("report.unknown_suffix", path=path, formats=", ".join(_SUFFIXES))
        return by_suffix or "table"
    if fmt not in FILE_FORMATS:
        raise ExportError("report.unknown_format", fmt=fmt, formats=", ".join(FILE_FORMATS))
    if by_suffix is not None and by_suffix != fmt:
        raise ExportError("report.format_and_suffix", fmt=fmt, path=path)
    return fmt


def render(document: ReportDocument, fmt: str) -> str:
    """The report as text for stdout: ``table``, ``csv`` or ``json``."""
    if fmt == "json":
        notice = document.notice
        return json_text(pii_document(notice, document.data) if notice else document.data)
    if fmt == "csv":
        main = document.tables[0]
        return csv_text(main.headers, main.rows, notice=document.notice, notes=document.head_notes)
    if fmt == "table":
        return _table_text(document)
    raise ExportError("report.needs_file", fmt=fmt)


def export(document: ReportDocument, path: Path, fmt: str, *, overwrite: bool = False) -> None:
    """Write the report to ``path`` whole or not at all (never over a file unless ``overwrite``)."""
    if path.exists() and not overwrite:
        raise ExportError("cli.results.exists", path=path)
    if fmt in TEXT_FORMATS:
        text = render(document, fmt)
        write_atomically(path, lambda p: p.write_text(text, encoding="utf-8", newline=""))
    elif fmt == "xlsx":
        write_atomically(path, lambda p: _write_xlsx(document, p))
    elif fmt == "pdf":
        from exam_tui.formats.pdf_fonts import NoCjkFont

        try:
            write_atomically(path, lambda p: _write_pdf(document, p))
        except NoCjkFont as exc:
            raise ExportError("report.no_cjk_font", detail=str(exc)) from exc
    else:
        raise ExportError("report.unknown_format", fmt=fmt, formats=", ".join(FILE_FORMATS))


def _facts_lines(document: ReportDocument) -> list[str]:
    width = max((display_width(label) for label, _ in document.facts), default=0)
    return [
        f"{label}{' ' * (width - display_width(label))}  {cell_text(value, empty='-')}"
        for label, value in document.facts
    ]


def _table_text(document: ReportDocument) -> str:
    lines = [document.notice, document.title] if document.notice else [document.title]
    if document.subtitle:
        lines.append(document.subtitle)
    lines.append("")
    lines.extend(_facts_lines(document))
    if document.notes:
        lines.append("")
        lines.extend(f"! {note}" for note in document.notes)
    for table in document.tables:
        lines += ["", f"【{table.title}】"]
        lines.append(table_text(table.headers, table.rows).rstrip("\n") if table.rows else t("report.empty"))
    if document.head_notes:
        lines += ["", *document.head_notes]
    return "\n".join(lines) + "\n"


def _sheet_name(title: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in title)
    return cleaned[:31]


def _write_xlsx(document: ReportDocument, path: Path) -> None:
    from openpyxl.utils import get_column_letter

    from exam_tui.formats.xlsx_charts import ChartSpec, write_xlsx_with_charts

    summary_rows: list[list[Cell]] = [[label, value] for label, value in document.facts]
    summary_rows += [[t("report.note"), note] for note in document.notes]
    notice = document.notice
    notes = document.head_notes
    summary = Sheet(
        _sheet_name(t("report.summary_sheet")),
        [t("report.item"), t("report.value")],
        summary_rows,
        notice,
        notes,
    )
    sheets = [summary] + [
        Sheet(_sheet_name(table.title), list(table.headers), [list(r) for r in table.rows], notice, notes)
        for table in document.tables
    ]
    top = summary.header_row  # below the notice and the notes, the same on every sheet
    by_title = {table.title: table for table in document.tables}
    specs = []
    for chart in document.charts:
        table = by_title[chart.table]
        count = len(table.rows) if chart.rows is None else min(chart.rows, len(table.rows))
        if not count:
            continue
        last = count + top
        specs.append(
            ChartSpec(
                sheet=_sheet_name(table.title),
                kind=chart.kind,
                title=chart.title,
                categories=(chart.label_column + 1, top + 1, last),
                values=[(chart.value_column + 1, top + 1, last)],
                anchor=f"{get_column_letter(len(table.headers) + 2)}{top + 1}",
            )
        )
    write_xlsx_with_charts(path, sheets, specs)


def _write_pdf(document: ReportDocument, path: Path) -> None:
    from exam_tui.formats.pdf_report import (
        BarChart,
        Facts,
        Heading,
        Paragraph,
        PdfLabels,
        PdfSection,
        Table,
        write_pdf,
    )

    sections: list[PdfSection] = [Paragraph(document.notice)] if document.notice else []
    sections.append(Facts(list(document.facts)))
    if document.notes:
        sections.append(Paragraph("\n".join(document.notes)))
    charts = {chart.table: chart for chart in document.charts}
    for table in document.tables:
        sections.append(Heading(table.title, level=2))
        chart = charts.get(table.title)
        charted = table.rows if chart is None or chart.rows is None else table.rows[: chart.rows]
        if chart is not None and charted:
            sections.append(
                BarChart(
                    chart.title,
                    [cell_text(row[chart.label_column]) for row in charted],
                    [_number(row[chart.value_column]) for row in charted],
                    horizontal=chart.kind == "bar",
                )
            )
        if table.rows:
            sections.append(Table(table.headers, table.rows, table.column_widths))
        else:
            sections.append(Paragraph(t("report.empty")))
    write_pdf(
        path,
        title=document.title,
        subtitle=document.subtitle,
        sections=sections,
        generated_at=document.generated_at,
        landscape=document.landscape,
        labels=PdfLabels(page=t("report.pdf.page"), generated=t("report.pdf.generated")),
        footnote=document.head_notes[0] if document.head_notes else None,
    )


def _number(value: Cell) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
