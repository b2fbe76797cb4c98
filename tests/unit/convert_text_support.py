"""What the GIFT and Aiken converter tests share: convert a text, check the bank, read the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from exam_tui.formats.convert.common import BankBuilder, Conversion, bank_yaml
from exam_tui.formats.yaml_bank import check_bank_text
from exam_tui.i18n import CATALOGS
from tests.conftest import ROOT

SAMPLES = ROOT.parent / "shared" / "samples"

Converter = Callable[..., Conversion]


def new_builder() -> BankBuilder:
    return BankBuilder(slug="converted", title="转换题库", default_category="综合")


def run(convert: Converter, path: Path) -> Conversion:
    """Convert the file, and check what every conversion must give: a bank the project's own validator
    accepts (when anything was converted) and a report whose every line reads in both languages."""
    conversion = convert(path, builder=new_builder())
    if conversion.converted:
        checked = check_bank_text(path, bank_yaml(conversion.bank).encode("utf-8"))
        assert checked.problems == (), [(p.line, p.problem) for p in checked.problems]
        assert checked.bank is not None and len(checked.bank.questions) == conversion.converted
    for note in conversion.notes:
        assert note.location.startswith("line "), note
        for catalog in CATALOGS.values():
            catalog[note.code].format(**note.params)
    return conversion


def write(tmp_path: Path, text: str | bytes, name: str) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def notes(conversion: Conversion) -> list[tuple[str, str, bool]]:
    """The report as (location, code without its prefix, skipped)."""
    return [(n.location, n.code.removeprefix("convert.note."), n.skipped) for n in conversion.notes]


def questions(conversion: Conversion) -> list[dict]:
    return conversion.bank["questions"]


def category_titles(conversion: Conversion) -> dict[str, str]:
    return {c["id"]: c["title"] for c in conversion.bank["categories"]}
