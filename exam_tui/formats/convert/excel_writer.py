"""Writing a bank (a document in the YAML format's shape) as a workbook in the layout the Excel converter
reads: the template an admin fills in, and the export of an imported bank.

The question sheet has a frozen header, widths that fit, and dropdowns for 题型 and 难度. The export
adds the bank's header, categories and exams on sheets of their own, so that converting the workbook
gives back the same bank.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from exam_tui.domain.questions import OPTION_LETTERS, fill_separator_in
from exam_tui.formats.convert import excel_layout as lay
from exam_tui.formats.convert import excel_sheets

_WIDTHS = {"type": 10, "stem": 50, "answer": 16, "explanation": 40, "source": 30, "category": 22, "id": 12}
_WRAP = {"stem", "explanation", "answer", "source", *OPTION_LETTERS}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
VALIDATED_ROWS = 10_000  # the dropdowns reach this far down the sheet


def question_cells(q: dict[str, Any], category_cell: str) -> dict[str, Any]:
    """One question as the values of its row, by field."""
    qtype = q["type"]
    answer = q.get("answer")
    if qtype == "multiple":
        answer = "".join(answer)
    elif qtype == "true_false":
        answer = "正确" if answer else "错误"
    elif qtype == "fill_blank":
        answer = lay.fill_cell([[a] if isinstance(a, str) else list(a) for a in answer])
    elif qtype == "short_answer":
        answer = q.get("rubric")
    difficulty = q.get("difficulty")
    points = q.get("points")
    return {
        "type": lay.TYPE_NAMES[qtype],
        "stem": q["stem"],
        **(q.get("options") or {}),
        "answer": answer,
        "explanation": q.get("explanation"),
        "points": int(points) if isinstance(points, float) and points.is_integer() else points,
        "difficulty": lay.DIFFICULTY_WORDS.get(difficulty) if difficulty is not None else None,
        "category": category_cell,
        "source": q.get("source"),
        "tags": lay.TAG_JOINER.join(q["tags"]) if q.get("tags") else None,
        "id": q.get("id"),
        "shuffle_options": "否" if q.get("shuffle_options") is False else None,
        "reviewed": "是" if q.get("reviewed") else None,
    }


def unreadable_answers(bank: dict[str, Any]) -> list[str]:
    """Ids of fill-in questions whose answers contain a separator (| ; /): their cell cannot be read
    back into the same blanks and alternatives."""
    ids = []
    for q in bank["questions"]:
        if q["type"] == "fill_blank":
            texts = [a for entry in q["answer"] for a in ([entry] if isinstance(entry, str) else entry)]
            if any(fill_separator_in(a) for a in texts):
                ids.append(q["id"])
    return ids


def write_workbook(
    path: Path,
    bank: dict[str, Any],
    *,
    help_lines: list[str],
    validation_texts: tuple[str, str],
    full: bool,
) -> None:
    """Write ``bank`` to ``path``. ``full``: also the header, category and exam sheets (an export);
    without it only the questions and the instructions (the template)."""
    wb = Workbook()
    ws = wb.active
    ws.title = lay.QUESTION_SHEET
    titles = Counter(c["title"] for c in bank["categories"])
    by_id = {c["id"]: c["title"] for c in bank["categories"]}
    ws.append([title for _, title in lay.QUESTION_COLUMNS])
    for q in bank["questions"]:
        title = by_id.get(q["category"], q["category"])
        # Two categories with one title: name the category by its id, which the converter also reads.
        cells = question_cells(q, title if titles[title] == 1 else q["category"])
        _append(ws, [cells.get(field) for field, _ in lay.QUESTION_COLUMNS])
    _style_questions(ws, validation_texts)
    if full:
        excel_sheets.write_info(wb.create_sheet(lay.INFO_SHEET), bank)
        excel_sheets.write_categories(wb.create_sheet(lay.CATEGORY_SHEET), bank["categories"])
        if bank.get("exams"):
            excel_sheets.write_exams(wb.create_sheet(lay.EXAM_SHEET), bank["exams"])
        for sheet in wb.worksheets[1:]:
            _bold_header(sheet)
            sheet.column_dimensions["A"].width = 16
            sheet.column_dimensions["B"].width = 40
    help_sheet = wb.create_sheet(lay.HELP_SHEET)
    for line in help_lines:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 120
    wb.save(path)


def _append(ws: Worksheet, values: list[Any]) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        # Text that starts with "=" is text, not a formula for Excel to evaluate.
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _bold_header(ws: Worksheet) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    ws.freeze_panes = "A2"


def _style_questions(ws: Worksheet, validation_texts: tuple[str, str]) -> None:
    _bold_header(ws)
    for c, (field, _) in enumerate(lay.QUESTION_COLUMNS, start=1):
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = _WIDTHS.get(field, 18 if field in OPTION_LETTERS else 10)
        if field in _WRAP:
            for (cell,) in ws.iter_rows(min_row=2, min_col=c, max_col=c):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    error_title, error_text = validation_texts
    columns = {field: get_column_letter(c) for c, (field, _) in enumerate(lay.QUESTION_COLUMNS, start=1)}
    for field, choices in (
        ("type", lay.TYPE_NAMES.values()),
        ("difficulty", lay.DIFFICULTY_WORDS.values()),
        ("shuffle_options", ("是", "否")),
        ("reviewed", ("是", "否")),
    ):
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        dv.error, dv.errorTitle, dv.showErrorMessage = error_text, error_title, True
        dv.add(f"{columns[field]}2:{columns[field]}{VALIDATED_ROWS}")
        ws.add_data_validation(dv)
