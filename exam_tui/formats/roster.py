"""Reading cadre rosters from CSV or Excel files: bytes → header and rows → checked roster rows.

Rosters come from HR staff working in Excel on Chinese Windows, so the reader expects what that world
produces: CSV in GBK as well as UTF-8 (with or without BOM), tabs or semicolons instead of commas, rows
of empty cells for blank lines, Chinese or English headers typed with full-width spaces, and ID
numbers that Excel has turned into numbers. Every failure becomes a problem with the row number the
user sees in the file (the header is row 1 when it is the first line); nothing here raises for content.

Problem params are language-neutral: ``column``/``fields`` hold field names, ``reason`` an ``id.*``
message key, ``headers`` the headers as written; the service turns them into words.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from exam_tui.domain.idnumber import InvalidIdNumber, normalise_id_number

FIELDS = ("id_number", "name", "unit", "rank", "position", "proposed_post", "category")
REQUIRED = ("id_number", "name", "unit")
# The column limits of the cadre and unit tables (store/models.py); id_number is checked as an ID.
MAX_LENGTH = {"name": 100, "unit": 200, "rank": 100, "position": 200, "proposed_post": 200, "category": 200}
MAX_FILE_BYTES = 20 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")

# Headers after _header_key. The Chinese variants beyond the documented ones are what HR templates
# commonly say; accepting them costs nothing and an unknown header is refused anyway.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id_number": ("idnumber", "身份证号", "身份证号码", "公民身份号码", "身份证"),
    "name": ("name", "姓名"),
    "unit": ("unit", "单位", "工作单位"),
    "rank": ("rank", "职级"),
    "position": ("position", "现任职务", "现职务"),
    "proposed_post": ("proposedpost", "拟任职务"),
    # 一把手, 新提拔, 关键岗位, 新录用公务员 … several joined by 、 (the reports filter on each)
    "category": ("category", "干部类别", "人员类别", "类别"),
}
_HEADER_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
# Columns read past: nearly every Chinese roster numbers its rows, and no typo of a data column's
# header turns into one of these.
_IGNORED = frozenset({"序号", "no", "no."})
# What Excel writes to CSV for a number-formatted ID column: 1.10105E+17.
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?[eE][+-]?\d+$")


@dataclass(frozen=True)
class RosterRow:
    row: int
    id_number: str
    name: str
    unit: str
    rank: str | None = None
    position: str | None = None
    proposed_post: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class RosterProblem:
    """``row`` as the user sees it; 0 for the file as a whole. ``key`` is a message key."""

    row: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterFile:
    """``rows`` are the rows without problems; the roster may be imported only when ``problems`` is empty.

    ``columns`` are the fields the file has a column for, so that an importer can tell "this cadre has
    no proposed post" (empty cell) from "this file does not say" (no column).
    """

    path: Path
    rows: list[RosterRow]
    problems: list[RosterProblem]
    columns: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return not self.problems


class _Refused(Exception):
    """The file as a whole cannot be read as a roster; ``problems`` say why (usually one)."""

    def __init__(self, *problems: RosterProblem) -> None:
        super().__init__(problems[0].key)
        self.problems = list(problems)


def _refuse(row: int, key: str, **params: Any) -> _Refused:
    return _Refused(RosterProblem(row, key, params))


def read_roster(path: Path) -> RosterFile:
    """Read and check a roster file; every failure is a problem in the result, never an exception."""
    path = Path(path)
    try:
        if path.suffix.lower() not in SUFFIXES:
            raise _refuse(0, "roster.bad_extension", suffix=path.suffix or path.name)
        records = _read_records(path)
        return _check(path, records)
    except _Refused as refusal:
        return RosterFile(path, [], refusal.problems)


# ---- file → (row number, cells) ---------------------------------------------------------------


Record = tuple[int, list[Any]]


def _read_records(path: Path) -> list[Record]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            mb = f"{size / 1024 / 1024:.1f}"
            raise _refuse(0, "roster.too_large", size=mb, limit=MAX_FILE_BYTES // 1024 // 1024)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _refuse(0, "file.not_found") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise _refuse(0, "file.unreadable", detail=getattr(exc, "strerror", None) or str(exc)) from None
    if path.suffix.lower() == ".xlsx":
        return _xlsx_records(raw)
    return _csv_records(raw)


def _decode(raw: bytes) -> str:
    # Excel's "Unicode text" is UTF-16 with a BOM; its plain "CSV" on Chinese Windows is GBK, which
    # GB18030 contains. UTF-8 goes first: GBK bytes are almost never valid UTF-8, the reverse is common.
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: Sequence[str] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(0, "roster.encoding")


def _delimiter(text: str) -> str:
    """The delimiter of the first non-blank line (the header): the most frequent of comma, tab, semicolon.

    csv.Sniffer guesses from character frequencies across lines and is easily misled by Chinese text
    and a one-row file; header names never contain these characters, so counting them is reliable.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(raw: bytes) -> list[Record]:
    text = _decode(raw)
    if "\x00" in text:
        # A binary file (or .xls renamed to .csv) would otherwise give a cryptic csv error.
        raise _refuse(0, "roster.not_text")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records: list[Record] = []
    number = 0
    try:
        for cells in reader:
            # Counted per record, not per physical line, to match the row numbers Excel shows.
            number += 1
            records.append((number, cells))
    except csv.Error as exc:
        raise _refuse(number + 1, "roster.csv_syntax", detail=str(exc)) from None
    return records


def _xlsx_records(raw: bytes) -> list[Record]:
    from openpyxl import load_workbook  # slow to import, and only workbooks need it

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:
        # A renamed .xls, an encrypted workbook or a damaged zip fail in many different ways inside
        # openpyxl, zipfile and the XML parser; to the admin they are all "not a workbook".
        raise _refuse(0, "roster.not_xlsx", detail=_exception_text(exc)) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if not hasattr(sheet, "iter_rows"):  # no sheet, or a chart sheet first
            raise _refuse(0, "roster.empty")
        # Some writers store a wrong sheet size, and read-only mode would then cut rows off.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        # Gaps in the sheet come back as empty rows, so counting from 1 gives the sheet's row numbers.
        rows = sheet.iter_rows(values_only=True)  # type: ignore[union-attr]
        return [(number, list(cells)) for number, cells in enumerate(rows, 1)]
    except _Refused:
        raise
    except Exception as exc:
        raise _refuse(0, "roster.not_xlsx", detail=_exception_text(exc)) from None
    finally:
        workbook.close()


def _exception_text(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# ---- records → roster -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Header:
    row: int
    index: dict[str, int]  # field → column index
    unnamed: frozenset[int]  # columns with an empty header (allowed while their cells are empty)
    ignored: frozenset[int]  # row-number columns (序号)
    width: int


def _check(path: Path, records: list[Record]) -> RosterFile:
    filled = [(number, cells) for number, cells in records if not _blank(cells)]
    if not filled:
        raise _refuse(0, "roster.empty")
    header = _header(*filled[0])
    # A template numbered down to row 100 but filled to row 12 has rows holding only a 序号.
    data = [
        (number, cells)
        for number, cells in filled[1:]
        if not _blank(c for i, c in enumerate(cells) if i not in header.ignored)
    ]
    if not data:
        raise _refuse(header.row, "roster.no_rows")
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    first_seen: dict[str, int] = {}
    headless: set[int] = set()
    for number, cells in data:
        row_problems: list[RosterProblem] = []
        for i, cell in enumerate(cells):
            # One problem per column, where its first value is: a column of data without a header is
            # one mistake, not one per row.
            if (i in header.unnamed or i >= header.width) and i not in headless and _text(cell):
                headless.add(i)
                row_problems.append(
                    RosterProblem(number, "roster.unnamed_column", {"letter": column_letter(i)})
                )
        values = _values(header, number, cells, row_problems)
        id_number = values["id_number"]
        if id_number is not None:
            # Checked even when the row has other problems, so that fixing those does not reveal a
            # duplicate only on the next try.
            if id_number in first_seen:
                row_problems.append(
                    RosterProblem(number, "roster.duplicate_id", {"first": first_seen[id_number]})
                )
            else:
                first_seen[id_number] = number
        problems.extend(row_problems)
        if not row_problems:
            rows.append(RosterRow(row=number, **values))  # type: ignore[arg-type]
    return RosterFile(path, rows, problems, frozenset(header.index))


def _header(number: int, cells: list[Any]) -> _Header:
    index: dict[str, int] = {}
    unnamed: set[int] = set()
    ignored: set[int] = set()
    unknown: list[str] = []
    repeated: list[str] = []
    for i, cell in enumerate(cells):
        text = _text(cell)
        if not text:
            unnamed.add(i)
            continue
        key = _header_key(text)
        if key in _IGNORED:
            ignored.add(i)
            continue
        name = _HEADER_TO_FIELD.get(key)
        if name is None:
            unknown.append(text)
        elif name in index:
            repeated.append(name)
        else:
            index[name] = i
    problems: list[RosterProblem] = []
    if unknown:
        problems.append(RosterProblem(number, "roster.unknown_columns", {"headers": unknown}))
    problems.extend(RosterProblem(number, "roster.duplicate_column", {"column": name}) for name in repeated)
    missing = [f for f in REQUIRED if f not in index]
    if missing:
        problems.append(RosterProblem(number, "roster.missing_columns", {"fields": missing}))
    if problems:
        raise _Refused(*problems)
    return _Header(number, index, frozenset(unnamed), frozenset(ignored), len(cells))


def _values(
    header: _Header, number: int, cells: list[Any], problems: list[RosterProblem]
) -> dict[str, str | None]:
    """The fields of one data row (None when empty or invalid), adding what is wrong to ``problems``."""
    values: dict[str, str | None] = dict.fromkeys(FIELDS)
    for name, i in header.index.items():
        cell = cells[i] if i < len(cells) else None
        if name == "id_number":
            values[name] = _id_number(number, cell, problems)
            continue
        text = _text(cell)
        if name in REQUIRED and not text:
            problems.append(RosterProblem(number, "roster.missing_value", {"column": name}))
        elif len(text) > MAX_LENGTH[name]:
            params = {"column": name, "length": len(text), "limit": MAX_LENGTH[name]}
            problems.append(RosterProblem(number, "roster.too_long", params))
        values[name] = text or None
    return values


def _id_number(number: int, cell: Any, problems: list[RosterProblem]) -> str | None:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        # Excel keeps 15 significant digits, so an 18-digit ID stored as a number has lost its last
        # digits; even one that still passes the check digit may be wrong, so none is accepted.
        shown = str(int(cell)) if isinstance(cell, int) or cell.is_integer() else repr(cell)
        problems.append(RosterProblem(number, "roster.id_is_number", {"value": shown}))
        return None
    # NFKC turns full-width digits and Ｘ into ASCII; a leading apostrophe is Excel's "this is text".
    text = unicodedata.normalize("NFKC", _text(cell)).removeprefix("'").strip()
    if not text:
        problems.append(RosterProblem(number, "roster.missing_value", {"column": "id_number"}))
        return None
    if _SCIENTIFIC.match(text):
        problems.append(RosterProblem(number, "roster.id_is_number", {"value": text}))
        return None
    try:
        return normalise_id_number(text)
    except InvalidIdNumber as exc:
        problems.append(RosterProblem(number, "roster.bad_id", {"value": text, "reason": exc.reason}))
        return None


# ---- cells ------------------------------------------------------------------------------------


def _text(cell: Any) -> str:
    """A cell as stripped text; numbers as Excel shows them (3, not 3.0), dates as ISO."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime) and cell.time() == time():
        return cell.date().isoformat()
    if isinstance(cell, date | time | datetime):
        return cell.isoformat()
    # str.strip() also removes the full-width space U+3000 that Chinese input methods type.
    return str(cell).strip()


def _blank(cells: Iterable[Any]) -> bool:
    return all(not _text(c) for c in cells)


def _header_key(text: str) -> str:
    """Headers match loosely: NFKC, case-insensitive, without spaces, underscores, hyphens or a ``*``.

    Invisible format characters (a stray BOM, zero-width spaces pasted from web pages) go too.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        ch for ch in folded if not ch.isspace() and ch not in "_-*" and unicodedata.category(ch) != "Cf"
    )


def column_letter(index: int) -> str:
    """Excel's name for the column at 0-based ``index``: A, …, Z, AA, …"""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
