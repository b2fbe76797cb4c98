"""What the GIFT and Aiken converter tests share: convert a text, check the bank, read the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exam_tui.formats.convert.common import BankBuilder, Conversion, UnreadableSource, bank_yaml
from exam_tui.formats.yaml_bank import check_bank_text
from exam_tui.i18n import CATALOGS
from tests.conftest import shared_samples

SAMPLES = shared_samples()

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
            catalog["convert.note." + note.code].format(**note.params)
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
    return [(n.location, n.code.removeprefix(""), n.skipped) for n in conversion.notes]


def questions(conversion: Conversion) -> list[dict]:
    return conversion.bank["questions"]


def category_titles(conversion: Conversion) -> dict[str, str]:
    return {c["id"]: c["title"] for c in conversion.bank["categories"]}


# Pieces of both syntaxes, so that random files hit the parsers' corners rather than plain text.
_PIECES = [
    *"{}~=#\\.:、．）)",
    *["####", "%50%", "%-100%", "%33.3%", "->", "::", "\\{", "\\n", "\n", "\n\n", "\r\n", "\t", " "],
    *["A.", "B)", "C、", "Ａ．", "ANSWER: A", "ANSWER: B,C", "答案：", "解析：因为", "T", "FALSE"],
    *["text", "题干", "[html]", "<p>", "<img alt='图'>", "&amp;", "____", "$CATEGORY: a/b", "//", "\ufeff"],
]


def check_never_raises(convert: Converter, tmp_path: Path, examples: int) -> None:
    """Random files of the format's pieces: each converts to a valid bank with a readable report, or is
    refused as unreadable; nothing else escapes."""

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
    def attempt(text: str) -> None:
        path = write(tmp_path, text, "random.txt")
        try:
            run(convert, path)
        except UnreadableSource as exc:
            assert exc.code in {"text_empty", "gift_no_questions"}

    attempt()
