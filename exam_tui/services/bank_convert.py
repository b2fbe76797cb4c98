"""Converting a foreign question file (Excel, GIFT, Aiken, Moodle XML) into a bank YAML file.

The converter is picked by ``--from`` or by the file (extension, then a look at a .txt file's lines),
and imported by name, so that a format whose module is missing says so instead of failing at start-up.
Its bank is written as YAML and checked by the same validator ``bank validate`` runs; the file is
written, atomically, only when that check passes. Every question skipped or altered is reported at its
row or line in the source, for an admin migrating thousands of questions to go through.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exam_tui.formats.convert.common import (
    BankBuilder,
    Conversion,
    Note,
    UnreadableSource,
    bank_yaml,
    default_slug,
)
from exam_tui.formats.yaml_bank import BankFile, DocumentError, Located, check_bank_text, load_document
from exam_tui.i18n import t
from exam_tui.services import results_export
from exam_tui.services.banks import describe

# --from value → converter module under exam_tui.formats.convert
FORMATS = {"xlsx": "excel", "gift": "gift", "aiken": "aiken", "moodle-xml": "moodle_xml"}
_BY_SUFFIX = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xml": "moodle-xml", ".gift": "gift"}
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*[:：]\s*[A-Za-z]\s*$", re.MULTILINE)
_GIFT_MARK = re.compile(r"^\s*::.+?::|\{[^{}]*\}", re.MULTILINE)


class ConvertError(Exception):
    """Nothing was converted or written; ``message`` says why in the current language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ConvertResult:
    conversion: Conversion
    text: str
    check: BankFile
    written: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.check.ok and self.conversion.converted > 0


def detect_format(path: Path) -> str:
    """The --from value for ``path``: by extension, and for .txt by its lines (Aiken's ``ANSWER: X``,
    GIFT's ``{…}`` and ``::title::``)."""
    suffix = path.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix in (".txt", ""):
        try:
            text = path.read_bytes()[: 1024 * 1024].decode("utf-8-sig", errors="replace")
        except OSError as exc:
            raise ConvertError(
                t("cli.convert.unreadable", file=path, detail=exc.strerror or str(exc))
            ) from exc
        if _AIKEN_ANSWER.search(text):
            return "aiken"
        if _GIFT_MARK.search(text):
            return "gift"
    if suffix == ".xls":
        raise ConvertError(t("cli.convert.xls", file=path))
    raise ConvertError(t("cli.convert.unknown_format", file=path, formats=", ".join(FORMATS)))


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file: ``column title: field`` per line (YAML), e.g. ``试题正文: 题干`` or ``正确选项:
    answer``. Returns normalised title → field."""
    from exam_tui.formats.convert import excel_layout as lay

    try:
        _, data = load_document(path.read_bytes())
    except OSError as exc:
        raise ConvertError(t("cli.convert.unreadable", file=path, detail=exc.strerror or str(exc))) from exc
    except DocumentError as exc:
        raise ConvertError(t("cli.convert.mapping_syntax", file=path, line=exc.line)) from exc
    if not isinstance(data, dict) or not data:
        raise ConvertError(t("cli.convert.mapping_shape", file=path))
    mapping: dict[str, str] = {}
    for title, target in data.items():
        target_field = lay.field_name(str(target)) if isinstance(target, str | int) else None
        if target_field is None:
            raise ConvertError(
                t("cli.convert.mapping_field", file=path, column=title, value=target, fields=_FIELD_LIST)
            )
        mapping[lay.normalise_header(str(title))] = target_field
    return mapping


_FIELD_LIST = "id, type, category, difficulty, points, stem, A–H, answer, explanation, source, tags, rubric"


def converter_module(fmt: str) -> Any:
    name = FORMATS[fmt]
    try:
        return importlib.import_module(f"exam_tui.formats.convert.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"exam_tui.formats.convert.{name}":
            raise
        raise ConvertError(t("cli.convert.no_converter", format=fmt, module=name)) from exc


def convert_file(
    source: Path,
    *,
    fmt: str | None = None,
    slug: str | None = None,
    title: str | None = None,
    category: str | None = None,
    mapping: Path | None = None,
) -> ConvertResult:
    """Convert ``source`` and check the bank it gives. Writes nothing (see write_result)."""
    if not source.is_file():
        raise ConvertError(t("cli.convert.not_found", file=source))
    fmt = fmt or detect_format(source)
    if fmt not in FORMATS:
        raise ConvertError(t("cli.convert.unknown_from", value=fmt, formats=", ".join(FORMATS)))
    options: dict[str, Any] = {}
    if mapping is not None:
        if fmt != "xlsx":
            raise ConvertError(t("cli.convert.mapping_only_xlsx"))
        options["mapping"] = load_mapping(mapping)
    module = converter_module(fmt)
    given = frozenset(k for k, v in (("bank", slug), ("title", title)) if v)
    builder = BankBuilder(
        slug=slug or default_slug(source),
        title=title or source.stem,
        default_category=category or t("cli.convert.default_category"),
        given=given,
        options=options,
    )
    try:
        conversion = module.convert(source, builder=builder)
    except UnreadableSource as exc:
        message = t(f"convert.note.{exc.code}", **exc.params)
        raise ConvertError(f"{source}:{place(exc.location)}: {message}") from exc
    text = bank_yaml(conversion.bank)
    check = check_bank_text(source.with_suffix(".yaml"), text.encode("utf-8"))
    result = ConvertResult(conversion, text, check)
    if conversion.converted:
        result.problems = [_problem_line(source, conversion, located) for located in check.problems]
    return result


def _problem_line(source: Path, conversion: Conversion, located: Located) -> str:
    """A validator's problem at the row or line of the source it came from."""
    path = located.problem.path
    places = {"questions": conversion.locations, "exams": conversion.exam_locations}
    if len(path) >= 2 and path[0] in places and isinstance(path[1], int) and path[1] < len(places[path[0]]):
        return f"{source}:{place(places[path[0]][path[1]])}: {describe(located)}"
    return f"{source}: {describe(located)}"


def write_atomically(out: Path, write: Callable[[Path], None]) -> None:
    """results_export.write_atomically (a temporary file beside ``out`` and a rename: never half a file),
    its refusal worded as the converter's."""
    try:
        results_export.write_atomically(out, write)
    except results_export.ExportError as exc:
        detail = exc.params.get("detail", "")
        raise ConvertError(t("cli.convert.write_failed", file=out, detail=detail)) from exc


def write_result(result: ConvertResult, out: Path) -> None:
    """Write the converted bank's YAML atomically."""
    write_atomically(out, lambda path: path.write_text(result.text, encoding="utf-8"))
    result.written = True


_PLACES = (
    (re.compile(r"(?P<sheet>.+ )?row (?P<n>\d+)"), "convert.place.row"),
    (re.compile(r"line (?P<n>\d+)"), "convert.place.line"),
    (re.compile(r"question (?P<q>\d+) \(line (?P<n>\d+)\)"), "convert.place.question"),
)


def place(location: str) -> str:
    """A converter's location (``row 12``, ``题目 row 12``, ``line 3``, ``question 2 (line 52)``) in the
    UI language; anything else (a path) as it is."""
    for pattern, key in _PLACES:
        if m := pattern.fullmatch(location):
            return t(key, **{k: v or "" for k, v in m.groupdict().items()})
    return location


def note_line(source: Path, note: Note) -> str:
    message = t(f"convert.note.{note.code}", **note.params)
    if not note.question:
        kind = "cli.convert.note_file"
    else:
        kind = "cli.convert.note_skipped" if note.skipped else "cli.convert.note_altered"
    return f"{source}:{place(note.location)}: {t(kind, message=message)}"


def summary(result: ConvertResult) -> str:
    c = result.conversion
    return t(
        "cli.convert.summary",
        converted=f"{c.converted:,}",
        skipped=f"{c.skipped:,}",
        altered=f"{c.altered:,}",
    )
