"""The sheets an exported workbook carries beside its questions: the bank's header (题库信息), its
categories with their ids (分类) and its exams (考试, one row per section), read back by the converter
so that export → convert gives the same bank. A hand-made workbook has none of them, and needs none.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from exam_tui.formats.convert import excel_layout as lay
from exam_tui.formats.convert.common import BankBuilder


def _sheet(workbook: Workbook, name: str) -> Worksheet | None:
    for ws in workbook.worksheets:
        if lay.normalise_header(ws.title) == lay.normalise_header(name):
            return ws
    return None


def read_info(workbook: Workbook, builder: BankBuilder) -> None:
    ws = _sheet(workbook, lay.INFO_SHEET)
    if ws is None:
        return
    keys = {lay.normalise_header(title): key for key, title in lay.INFO_KEYS}
    for row in ws.iter_rows(values_only=True):
        if len(row) >= 2 and isinstance(row[0], str) and (key := keys.get(lay.normalise_header(row[0]))):
            builder.suggest(key, lay.cell_text(row[1]) or None)


def read_categories(workbook: Workbook, builder: BankBuilder) -> None:
    ws = _sheet(workbook, lay.CATEGORY_SHEET)
    if ws is None:
        return
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        slug, title = (lay.cell_text(v) for v in (*row[:2], None, None)[:2])
        if slug and title and not builder.define_category(slug, title):
            builder.warn(f"{lay.CATEGORY_SHEET} row {r}", "excel_category_id", id=slug, title=title)


_NAMES = {name: key for key, name in {**lay.KIND_NAMES, **lay.REVIEW_NAMES}.items()}


def _number(value: Any) -> Any:
    """A number as the bank wants it (an int when whole); text that is no number is passed on as it
    is, for the bank's validator to name."""
    text = lay.cell_text(value)
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _flag(value: Any) -> Any:
    flag = lay.truth(value)
    return lay.cell_text(value) if flag is None else flag


def _grades(value: Any) -> Any:
    bands = []
    for part in re.split(r"[;；\n]", lay.cell_text(value)):
        if m := re.fullmatch(r"\s*(.*?)\s*[:：]\s*(.*?)\s*", part):
            bands.append({"min": _number(m[1]), "level": m[2]})
        elif part.strip():
            bands.append(part.strip())  # no "score:level": the validator names it
    return bands


def _exam_value(key: str, value: Any) -> Any:
    if key in ("kind", "review", "section.type"):
        text = lay.cell_text(value)
        return _NAMES.get(text) or lay.question_type(text) or text
    if key in ("shuffle_questions", "double_marking", "section.partial_credit"):
        return _flag(value)
    if key == "grades":
        return _grades(value)
    if key == "section.from":
        return lay.tags(value)
    if key in ("id", "title", "section.title"):
        return lay.cell_text(value)
    return _number(value)


def read_exams(workbook: Workbook, builder: BankBuilder) -> None:
    ws = _sheet(workbook, lay.EXAM_SHEET)
    if ws is None:
        return
    titles = {lay.normalise_header(title): key for key, title in lay.EXAM_COLUMNS}
    rows = ws.iter_rows(values_only=True)
    header = next(rows, ())
    columns = {
        titles[k]: c for c, v in enumerate(header) if (k := lay.normalise_header(lay.cell_text(v))) in titles
    }
    exams: dict[str, dict[str, Any]] = {}
    for r, row in enumerate(rows, start=2):
        cells = {key: row[c] for key, c in columns.items() if c < len(row) and lay.cell_text(row[c]) != ""}
        exam_id = lay.cell_text(cells.get("id"))
        if not exam_id:
            if cells:
                builder.warn(f"{lay.EXAM_SHEET} row {r}", "excel_exam_no_id")
            continue
        exam = exams.get(exam_id)
        if exam is None:
            exam = {k: _exam_value(k, v) for k, v in cells.items() if not k.startswith("section.")}
            exam["sections"] = []
            exams[exam_id] = exam
            builder.add_exam(f"{lay.EXAM_SHEET} row {r}", exam)
        section: dict[str, Any] = {}
        for key, value in cells.items():
            if key.startswith("section.difficulty."):
                section.setdefault("difficulty", {})[key.rsplit(".", 1)[1]] = _exam_value(key, value)
            elif key.startswith("section."):
                section[key.removeprefix("section.")] = _exam_value(key, value)
        if section:
            exam["sections"].append(section)


# ---- writing ----------------------------------------------------------------------------------------


def write_info(ws: Worksheet, header: dict[str, Any]) -> None:
    for key, title in lay.INFO_KEYS:
        if header.get(key) is not None:
            ws.append([title, header[key]])


def write_categories(ws: Worksheet, categories: list[dict[str, str]]) -> None:
    ws.append(list(lay.CATEGORY_COLUMNS))
    for c in categories:
        ws.append([c["id"], c["title"]])


def _cell(key: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "kind":
        return lay.KIND_NAMES.get(value, value)
    if key == "review":
        return lay.REVIEW_NAMES.get(value, value)
    if key == "section.type":
        return lay.TYPE_NAMES.get(value, value)
    if key == "grades":
        return "；".join(f"{_plain(g['min'])}:{g['level']}" for g in value) if value else None
    if key == "section.from":
        return lay.TAG_JOINER.join(value) if value else None
    return _plain(value)


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def write_exams(ws: Worksheet, exams: list[dict[str, Any]]) -> None:
    """One row per section; the exam's own values on its first row only."""
    ws.append([title for _, title in lay.EXAM_COLUMNS])
    for exam in exams:
        for n, section in enumerate(exam["sections"]):
            band = section.get("difficulty") or {}
            values = {
                **({k: v for k, v in exam.items() if k != "sections"} if n == 0 else {"id": exam["id"]}),
                **{f"section.{k}": v for k, v in section.items() if k != "difficulty"},
                **{f"section.difficulty.{k}": v for k, v in band.items()},
            }
            ws.append([_cell(key, values.get(key)) for key, _ in lay.EXAM_COLUMNS])
