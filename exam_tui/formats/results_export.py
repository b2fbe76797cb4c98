"""Writing tables of results: aligned text, CSV for Excel, XLSX workbooks, JSON.

The writers take plain rows of cells (text, numbers, aware datetimes, None for empty) and headers
already in the UI language; what the columns mean is the caller's business. Times are shown in the
local time zone of the machine that writes the file, to the second.

A table about people carries a ``notice`` (that it holds personal information, in the UI language) and
every writer puts it at the top: the first line of the text table and of the CSV, the first row of the
worksheet (the headers then in row 2). JSON documents carry it as fields of their own (``pii_document``).
A sheet may carry ``notes`` too (the audit chain's head on a results sheet): lines of their own below the
notice and above the headers, in the CSV one record of one field each.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

Cell = str | int | float | datetime | None

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
EXCEL_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Excel's column width is in characters of the default font; a CJK character takes two. Beyond this a
# column (a long unit name) would push the rest off the screen; the cell still holds all of it.
MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    notice: str | None = None  # said above the headers: the sheet holds personal information
    notes: Sequence[str] = ()  # lines below the notice, above the headers (the audit chain's head)

    @property
    def header_row(self) -> int:
        """The worksheet row of the headers: below the notice and the notes."""
        return (1 if self.notice else 0) + len(self.notes) + 1


def cell_text(value: Cell, *, empty: str = "") -> str:
    if value is None:
        return empty
    if isinstance(value, datetime):
        return value.astimezone().strftime(TIME_FORMAT)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def display_width(text: str) -> int:
    """Terminal and Excel width: wide (CJK, full-width) characters count 2, combining marks 0."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def table_text(
    headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, empty: str = "-", notice: str | None = None
) -> str:
    """Columns padded to their widest cell (CJK counted double); number columns aligned right; the
    ``notice``, if any, on a line of its own above them."""
    texts = [list(headers), *([cell_text(v, empty=empty) for v in row] for row in rows)]
    widths = [max(display_width(r[i]) for r in texts) for i in range(len(headers))]
    numeric = [any(_is_number(row[i]) for row in rows) for i in range(len(headers))]
    lines = []
    for r in texts:
        cells = []
        for i, text in enumerate(r):
            pad = " " * (widths[i] - display_width(text))
            cells.append(pad + text if numeric[i] else text + pad)
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    if notice:
        lines.insert(0, notice)
    return "\n".join(lines) + "\n"


def csv_text(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    notice: str | None = None,
    notes: Sequence[str] = (),
) -> str:
    """CSV starting with a byte-order mark: without it Excel on Chinese Windows reads UTF-8 as GBK.

    The ``notice`` is a record of one field before the headers: Excel shows it in cell A1, the way the
    workbook does; each of the ``notes`` is one more such record below it. A reader that wants the table
    skips those lines.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out)  # CRLF line ends, as Excel writes them
    if notice:
        writer.writerow([notice])
    for note in notes:
        writer.writerow([note])
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell_text(v) for v in row])
    return "\ufeff" + out.getvalue()


def json_text(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def pii_document(notice: str, body: dict[str, Any]) -> dict[str, Any]:
    """A JSON document about people: the two fields that say so first, then the document itself."""
    return {"personal_information": True, "notice": notice, **body}


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    """A workbook with one worksheet per sheet: bold header row frozen above the data, fitted widths."""
    from openpyxl import Workbook  # slow to import, and only workbooks need it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        above = [(sheet.notice, Font(bold=True, color="C00000"))] if sheet.notice else []
        above += [(note, Font(color="606060")) for note in sheet.notes]
        # Not counted in the widths: they run on over the empty cells to their right.
        for row, (text, font) in enumerate(above, start=1):
            ws.cell(row=row, column=1, value=text).font = font
        top = sheet.header_row
        widths = [display_width(h) for h in sheet.headers]
        for column, header in enumerate(sheet.headers, start=1):
            ws.cell(row=top, column=column, value=header).font = bold
        for r, row in enumerate(sheet.rows, start=top + 1):
            for column, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=column)
                if isinstance(value, datetime):
                    # Excel has no time zones: a naive local time, shown with a date-time format.
                    cell.value = value.astimezone().replace(tzinfo=None)
                    cell.number_format = EXCEL_TIME_FORMAT
                else:
                    cell.value = value
                    if isinstance(value, str) and value.startswith("="):
                        cell.data_type = "s"  # openpyxl would store a name like "=…" as a formula
                widths[column - 1] = max(widths[column - 1], display_width(cell_text(value)))
        for column, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)
        ws.freeze_panes = f"A{top + 1}"
        if sheet.rows:
            columns = max(len(sheet.headers), *(len(r) for r in sheet.rows), 1)
            last = f"{get_column_letter(columns)}{top + len(sheet.rows)}"
            ws.auto_filter.ref = f"A{top}:{last}"
    if not sheets:
        workbook.create_sheet()
    workbook.save(path)
