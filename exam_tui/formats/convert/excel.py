"""Excel (.xlsx) question sheets → a bank: the common Chinese template, one row per question.

Columns are found by their titles, matched loosely (excel_layout.header_field), in a header row that
may sit anywhere in a sheet's first ten rows. Every sheet with such a header is read, in workbook
order. A workbook written by ``exam-tui bank export`` also carries its bank's header, categories and
exams on sheets of their own (excel_sheets), and is read back into the same bank.

The workbook is loaded in full rather than with openpyxl's read-only mode: the read-only worksheets do
not expose merged cells, and a merged 题型 or 分类 cell running down a block of rows is common in the
sheets admins hold. Formulas are read as the values Excel cached when it last saved the file.
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from exam_tui.domain.questions import OPTION_LETTERS, count_blanks
from exam_tui.formats.convert import excel_layout as lay
from exam_tui.formats.convert import excel_sheets
from exam_tui.formats.convert.common import BankBuilder, Conversion, UnreadableSource

HEADER_SEARCH_ROWS = 10


def convert(path: Path, *, builder: BankBuilder) -> Conversion:
    workbook = _open(path)
    mapping: dict[str, str] = builder.options.get("mapping") or {}
    excel_sheets.read_info(workbook, builder)
    excel_sheets.read_categories(workbook, builder)
    found = [(ws, *h) for ws in workbook.worksheets if (h := find_header(ws, mapping)) is not None]
    if not found:
        raise UnreadableSource("file", "excel_no_header", rows=HEADER_SEARCH_ROWS)
    for ws, header_rows, columns in found:
        prefix = f"{ws.title} " if len(found) > 1 else ""
        _warn_columns(ws, header_rows, columns, mapping, prefix, builder)
        # A sheet per question type (a sheet titled 单选题, 判断题 …) needs no type column.
        sheet_type = lay.question_type(ws.title)
        for row_number, values in _rows(ws, header_rows[-1], columns):
            _row(f"{prefix}row {row_number}", values, builder, sheet_type)
    excel_sheets.read_exams(workbook, builder)
    return builder.finish(path)


def _open(path: Path) -> Any:
    try:
        return load_workbook(path, data_only=True)
    except FileNotFoundError as exc:
        raise UnreadableSource("file", "excel_unreadable", detail=exc.strerror or str(exc)) from exc
    except (zipfile.BadZipFile, InvalidFileException) as exc:
        # An old binary .xls, or a file that is not a workbook at all.
        raise UnreadableSource("file", "excel_not_xlsx") from exc
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise UnreadableSource("file", "excel_unreadable", detail=str(exc) or type(exc).__name__) from exc


def find_header(ws: Worksheet, mapping: dict[str, str]) -> tuple[range, dict[str, int]] | None:
    """The header's rows (1-based) and field → column index (0-based), or None when no row in the
    first ten names a stem and at least one other field. A header may take two rows: a group title
    merged across columns (选项 over A B C D) with the columns' own titles in the row below."""
    best: tuple[int, dict[str, int]] | None = None
    for r, row in enumerate(ws.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
        columns = _titled_columns(row, mapping, {})
        if "stem" in columns and len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = (r, columns)
    if best is None:
        return None
    r, columns = best
    below = next(ws.iter_rows(min_row=r + 1, max_row=r + 1, values_only=True), ())
    if any(c < len(below) and lay.cell_text(below[c]) for c in columns.values()):
        return range(r, r + 1), columns  # something under a titled column: the data begins here
    more = _titled_columns(below, mapping, columns)
    untitled = [v for c, v in enumerate(below) if lay.cell_text(v) and c not in more.values()]
    if len(more) > len(columns) and not untitled:
        return range(r, r + 2), more
    return range(r, r + 1), columns


def _titled_columns(row: tuple[Any, ...], mapping: dict[str, str], known: dict[str, int]) -> dict[str, int]:
    """``known`` and the fields the row's titles name, each at its first column."""
    columns = dict(known)
    for c, value in enumerate(row):
        if not isinstance(value, str) or c in known.values():
            continue
        field = lay.header_field(value, mapping)
        if field in columns:
            field = lay.SECONDARY.get(lay.normalise_header(value), field)
        if field is not None and field not in columns:
            columns[field] = c
    return columns


def _warn_columns(
    ws: Worksheet, header_rows: range, columns: dict[str, int], mapping: dict[str, str], prefix: str, b: Any
) -> None:
    """Every titled column that is not read, so that no data is dropped without a word."""
    used = set(columns.values())
    warned: set[int] = set()
    for r, header in enumerate(
        ws.iter_rows(min_row=header_rows[0], max_row=header_rows[-1], values_only=True), start=header_rows[0]
    ):
        for c, value in enumerate(header):
            title = lay.cell_text(value)
            if not title or c in used or c in warned:
                continue
            if len(header_rows) > 1 and _groups_read_columns(ws, r, c, used):
                continue  # 选项 merged over the option columns titled below it
            warned.add(c)
            field = lay.header_field(title, mapping) if isinstance(value, str) else None
            code = "excel_duplicate_column" if field else "excel_unknown_column"
            b.warn(f"{prefix}row {r}", code, column=title)


def _groups_read_columns(ws: Worksheet, row: int, column: int, used: set[int]) -> bool:
    """Whether the cell (1-based row, 0-based column) is merged across columns that are read."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col == column + 1 and rng.max_col > rng.min_col:
            return any(c - 1 in used for c in range(rng.min_col, rng.max_col + 1))
    return False


def _rows(ws: Worksheet, header_row: int, columns: dict[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
    merged = _merged_values(ws, header_row)
    for r, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
        values: dict[str, Any] = {}
        for field, c in columns.items():
            value = row[c] if c < len(row) else None
            if value is None:
                value = merged.get((r, c))
            if lay.cell_text(value) != "":
                values[field] = value
        if values:  # a row with nothing in the columns read is no question: skipped without a word
            yield r, values


def _merged_values(ws: Worksheet, header_row: int) -> dict[tuple[int, int], Any]:
    """The value of each merged range, copied down to every row it spans (in its first column only:
    a value merged across columns belongs to the first of them)."""
    filled: dict[tuple[int, int], Any] = {}
    for rng in ws.merged_cells.ranges:
        if rng.max_row <= header_row:
            continue
        value = ws.cell(rng.min_row, rng.min_col).value
        for r in range(max(rng.min_row, header_row + 1), rng.max_row + 1):
            filled[(r, rng.min_col - 1)] = value
    return filled


# ---- one row ----------------------------------------------------------------------------------------


class _Skip(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def _row(location: str, values: dict[str, Any], builder: BankBuilder, sheet_type: str | None) -> None:
    altered: list[tuple[str, dict[str, Any]]] = []
    try:
        question = _question(values, altered, sheet_type)
    except _Skip as skip:
        for code, params in altered:
            builder.alter(location, code, **params)
        builder.skip(location, skip.code, **skip.params)
        return
    for code, params in altered:
        builder.alter(location, code, **params)
    hint = lay.cell_text(values.get("id")) or None
    qid = builder.add(location, question, id_hint=hint)
    if hint is not None and qid != hint:
        builder.alter(location, "excel_id_changed", given=hint, id=qid)


def _question(
    values: dict[str, Any], altered: list[tuple[str, dict[str, Any]]], sheet_type: str | None
) -> dict[str, Any]:
    def alter(code: str, **params: Any) -> None:
        altered.append((code, params))

    stem = lay.cell_text(values.get("stem"))
    if not stem:
        raise _Skip("excel_no_stem")
    options = _options(values)
    answer_raw = values.get("answer")
    answer_text = lay.cell_text(answer_raw)
    type_text = lay.cell_text(values.get("type"))
    if type_text:
        qtype = lay.question_type(type_text)
        if qtype is None:
            raise _Skip("excel_unknown_type", value=type_text)
    elif sheet_type is not None:
        qtype = sheet_type
    else:
        qtype = _infer_type(stem, options, answer_raw)
        alter("excel_type_inferred", type=qtype)
    q: dict[str, Any] = {"stem": stem}
    if qtype in ("single", "multiple", "indefinite"):
        qtype = _choice(q, qtype, options, answer_raw, answer_text)
    else:
        if options and qtype != "true_false":
            alter("excel_options_ignored", type=qtype)
        if qtype == "true_false":
            q["answer"] = _truth_answer(options, answer_raw, answer_text)
        elif qtype == "fill_blank":
            _fill(q, answer_raw, answer_text, alter)
        else:
            rubric = lay.cell_text(values.get("rubric")) or answer_text
            if not rubric:
                raise _Skip("excel_no_rubric")
            if values.get("rubric") is not None and answer_text:
                alter("excel_answer_dropped")
            q["rubric"] = rubric
    if qtype != "short_answer" and lay.cell_text(values.get("rubric")):
        alter("excel_rubric_ignored", type=qtype)
    q["type"] = qtype
    _extras(q, values, alter)
    return q


def _options(values: dict[str, Any]) -> dict[str, str]:
    return {
        letter: text
        for letter in OPTION_LETTERS
        if letter in values and (text := lay.cell_text(values[letter]))
    }


def _infer_type(stem: str, options: dict[str, str], answer: Any) -> str:
    letters = lay.answer_letters(answer)
    if options and letters:
        return "single" if len(letters) == 1 else "multiple"
    if not options and lay.truth(answer) is not None and not (isinstance(answer, int | float)):
        return "true_false"
    if count_blanks(lay.normalise_blanks(stem)) and lay.cell_text(answer):
        return "fill_blank"
    raise _Skip("excel_no_type")


def _choice(q: dict[str, Any], qtype: str, options: dict[str, str], raw: Any, text: str) -> str:
    letters = list(options)
    if letters != list(OPTION_LETTERS[: len(letters)]):
        missing = next(ch for ch in OPTION_LETTERS if ch not in options)
        raise _Skip("excel_option_gap", missing=missing, letters="".join(letters))
    if len(letters) < 2:
        raise _Skip("excel_too_few_options", count=len(letters))
    seen: dict[str, str] = {}
    for letter, option in options.items():
        key = "".join(unicodedata.normalize("NFKC", option).split()).casefold()
        if key in seen:
            raise _Skip("excel_duplicate_options", first=seen[key], second=letter, text=option)
        seen[key] = letter
    if not text:
        raise _Skip("excel_no_answer")
    answer = lay.answer_letters(raw)
    if answer is None:
        raise _Skip("excel_bad_letters", value=text)
    beyond = [ch for ch in answer if ch not in options]
    if beyond:
        raise _Skip("excel_answer_not_option", letter="".join(beyond), options="".join(letters))
    if len(set(answer)) != len(answer):
        raise _Skip("excel_answer_repeats", value=text)
    if qtype == "indefinite":
        qtype = "single" if len(answer) == 1 else "multiple"
    if qtype == "single" and len(answer) != 1:
        raise _Skip("excel_single_many", value=text)
    if qtype == "multiple" and len(answer) < 2:
        raise _Skip("excel_multiple_one", value=text)
    q["options"] = options
    q["answer"] = answer[0] if qtype == "single" else sorted(answer)
    return qtype


def _truth_answer(options: dict[str, str], raw: Any, text: str) -> bool:
    if not text:
        raise _Skip("excel_no_answer")
    value = lay.truth(raw)
    letters = lay.answer_letters(raw)
    # 选项A 正确 / 选项B 错误 with the answer given as a letter: the letter's option says which.
    if letters and len(letters) == 1 and letters[0] in options:
        by_option = lay.truth(options[letters[0]])
        if by_option is not None:
            return by_option
    if value is None:
        raise _Skip("excel_bad_truth", value=text)
    return value


def _fill(q: dict[str, Any], raw: Any, text: str, alter: Any) -> None:
    if not text:
        raise _Skip("excel_no_answer")
    blanks = lay.fill_answers(raw)
    for n, alternatives in enumerate(blanks, start=1):
        if any(a == "" for a in alternatives):
            raise _Skip("excel_empty_blank_answer", n=n, value=text)
    stem = q["stem"]
    if count_blanks(stem) != len(blanks):
        marked = lay.normalise_blanks(stem)
        count = count_blanks(marked)
        if count == 0:
            raise _Skip("excel_no_blanks")
        if count != len(blanks):
            raise _Skip("excel_blank_count", blanks=count, answers=len(blanks))
        q["stem"] = marked
        alter("excel_blanks_marked", blanks=count)
    q["answer"] = [alts[0] if len(alts) == 1 else alts for alts in blanks]


def _extras(q: dict[str, Any], values: dict[str, Any], alter: Any) -> None:
    """The optional columns; a value that cannot be read is left out and said so."""
    for field in ("explanation", "source", "category"):
        q[field] = lay.cell_text(values.get(field)) or None
    if "points" in values:
        q["points"] = lay.points(values["points"])
        if q["points"] is None:
            alter("excel_bad_points", value=lay.cell_text(values["points"]))
    if "difficulty" in values:
        q["difficulty"] = lay.difficulty(values["difficulty"])
        if q["difficulty"] is None:
            alter("excel_bad_difficulty", value=lay.cell_text(values["difficulty"]))
    if "tags" in values:
        q["tags"] = lay.tags(values["tags"])
    for field in ("shuffle_options", "reviewed"):
        if field in values:
            flag = lay.truth(values[field])
            if flag is None:
                alter(
                    "excel_bad_flag",
                    column=dict(lay.QUESTION_COLUMNS)[field],
                    value=lay.cell_text(values[field]),
                )
            q[field] = flag
