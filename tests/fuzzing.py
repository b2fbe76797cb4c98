"""Fuzz targets shared by the test suite (short, deterministic runs) and ``bench/fuzz.py`` (long runs).

Each target is a hypothesis strategy of inputs and a check that raises AssertionError (or lets an
unexpected exception out) when the code under test misbehaves on that input. The inputs start from
files that are valid (the shipped banks, the fixtures, the example roster and plans) and are then
damaged the way a hand edit, a wrong export or an attacker would: lines deleted or duplicated, values of
the wrong type, huge numbers, deep nesting, aliases, BOMs, tabs, invalid UTF-8, random bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
BANK_SEEDS = sorted((ROOT / "question_banks").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures").glob("*.yaml")
)
ROSTER_SEED = ROOT / "sessions" / "roster-example.csv"
PLAN_SEEDS = sorted((ROOT / "sessions").glob("plan-*.yaml"))
POINTS_RULES_SEED = ROOT / "exam_tui" / "data" / "points-rules.yaml"
ASSESSMENT_RULES_SEED = ROOT / "exam_tui" / "data" / "assessment-rules.yaml"
# The big shipped banks take ~50 ms to check each; most examples start from the small ones.
SMALL_BANK_SEEDS = [p for p in BANK_SEEDS if p.stat().st_size < 50_000]

TRACEBACK = "Traceback (most recent call last)"
# The repr of an exception leaking into a message: "ValueError('…')", "<sqlite3.Connection object …>".
RAW_REPR = re.compile(r"\b[A-Z]\w*(Error|Exception)\(|<\w+(\.\w+)+ object at 0x")


# ---- byte-level damage shared by every YAML target ---------------------------------------------

# Fragments that exercise the loader's refusals and PyYAML's corners.
NASTY_YAML = [
    b"\xef\xbb\xbf",  # a (second) BOM
    b"\t",
    b"\x00",
    b"\xff\xfe",
    b"\xc3\x28",  # invalid UTF-8
    b"\xed\xa0\x80",  # an encoded surrogate
    b'"\\ud800"',
    b"&a [x, x]",
    b"*a",
    b"<<: *a",
    b"!!python/object:os.system",
    b"!!binary aGVsbG8=",
    b"!!set {a, b}",
    b"!custom x",
    b"? [a, b]\n: 1",
    b"%YAML 1.1\n---\n",
    b"---\n",
    b"...\n",
    b"9" * 5000,
    b"1e99999",
    b"-.inf",
    b".nan",
    b"0x7fffffffffffffffff",
    b"0o777777777777777777777",
    b"2026-02-30",
    b"18446744073709551616",
    b"~",
    b"[" * 200 + b"]" * 200,
    b"{a: " * 60 + b"}" * 60,
    b"- " * 60 + b"x",
    b"|\n  block\n",
    b">-\n  folded\n",
    b"'unterminated",
    b'"\\x00\\x1b[2J"',
    b"\xe2\x80\xae",  # right-to-left override
    b"\r",
    b"\r\n",
    b"\x85",
    "\u2028".encode(),
    "题".encode() * 50,
]

_BILLION_LAUGHS = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b"".join(
    b"%c: &%c [" % (c, c) + b",".join([b"*%c" % (c - 1)] * 9) + b"]\n" for c in range(ord("b"), ord("j"))
)
_WRONG_TYPES = [b"[]", b"{}", b"[1, 2]", b"{x: 1}", b"null", b"true", b"-1", b"0", b"1.5", b"''", b"1e308"]


def _lines(raw: bytes) -> list[bytes]:
    return raw.splitlines(keepends=True) or [b""]


@st.composite
def damaged_yaml(draw: st.DrawFn, seeds: list[Path]) -> bytes:
    """A valid YAML file from ``seeds`` with 1–4 kinds of damage applied."""
    raw = draw(st.sampled_from(seeds)).read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        lines = _lines(raw)
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(
            st.sampled_from(
                [
                    "delete_line",
                    "duplicate_line",
                    "swap_lines",
                    "replace_value",
                    "insert_nasty",
                    "indent",
                    "random_bytes",
                    "flip_byte",
                    "truncate",
                    "bomb",
                    "deep",
                ]
            )
        )
        if action == "delete_line":
            del lines[i]
        elif action == "duplicate_line":
            lines.insert(i, lines[i])
        elif action == "swap_lines":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "replace_value":
            # "key: value" → "key: <wrong type or nasty>", keeping the indentation and the key.
            head, sep, _ = lines[i].partition(b": ")
            new = draw(st.sampled_from(_WRONG_TYPES + NASTY_YAML))
            lines[i] = head + (sep or b": ") + new + b"\n"
        elif action == "insert_nasty":
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.sampled_from(NASTY_YAML)) + line[at:]
        elif action == "indent":
            lines[i] = draw(st.sampled_from([b" ", b"  ", b"\t", b"    "])) + lines[i]
        elif action == "random_bytes":
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            lines[i] = line[:at] + draw(st.binary(min_size=1, max_size=16)) + line[at:]
        elif action == "flip_byte":
            line = bytearray(lines[i] or b"x")
            line[draw(st.integers(0, len(line) - 1))] = draw(st.integers(0, 255))
            lines[i] = bytes(line)
        elif action == "truncate":
            lines = lines[:i]
        elif action == "bomb":
            lines.insert(i, _BILLION_LAUGHS)
        elif action == "deep":
            depth = draw(st.sampled_from([40, 200, 5000]))
            lines.insert(i, b"deep: " + b"[" * depth + b"]" * depth + b"\n")
        raw = b"".join(lines)
    return raw


# ---- targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]


def _assert_message(text: str) -> None:
    assert text.strip(), "an empty message"
    assert TRACEBACK not in text, text
    assert not RAW_REPR.search(text), f"a raw exception in a message: {text!r}"


def check_bank(raw: bytes) -> None:
    """The bank loader reports every problem as a located Problem with words; it never raises."""
    from exam_tui.formats.yaml_bank import check_bank_text
    from exam_tui.services.banks import describe

    result = check_bank_text(Path("fuzz.yaml"), raw)
    assert result.ok or result.problems, "neither a bank nor a problem"
    for located in result.problems:
        assert located.line >= 1 and located.column >= 1, located
        _assert_message(describe(located))


bank_inputs = st.one_of(
    damaged_yaml(SMALL_BANK_SEEDS),
    damaged_yaml(BANK_SEEDS),
    st.binary(max_size=256),
)


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def _in_tmp(check: Callable[[Path, Any], None]) -> Callable[[Any], None]:
    import tempfile

    def run(value: Any) -> None:
        with tempfile.TemporaryDirectory(prefix="exam-tui-fuzz-") as tmp:
            check(Path(tmp), value)

    return run


# ---- rosters ------------------------------------------------------------------------------------

_ROSTER_TEXT = ROSTER_SEED.read_text(encoding="utf-8")
ROSTER_ROWS = [line.split(",") for line in _ROSTER_TEXT.splitlines()]
NASTY_CELLS = [
    "",
    " ",
    "\u3000",
    "=1+1",
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "1.10105E+17",
    "110101197803120217",
    "11010119780312021X",
    "11010119780312021x",
    "１１０１０１１９７８０３１２０２１７",
    "'110101197803120217",
    "110101197813120217",
    "000000000000000000",
    "1" * 40,
    "9" * 5000,
    "-1",
    "NaN",
    "x" * 300,
    "题" * 250,
    '"',
    '"quoted, with comma"',
    "a\nb",
    "\x00",
    "\x1b[2J",
    "\ufeff姓名",
    "\u200b",
    "身份证号",
    "id_number",
    "序号",
]
_ROSTER_VALUES = st.one_of(st.sampled_from(NASTY_CELLS), st.text(max_size=20))


@st.composite
def roster_table(draw: st.DrawFn) -> list[list[Any]]:
    """The example roster's header and some rows, with cells, columns and rows damaged."""
    rows = [list(r) for r in ROSTER_ROWS[: draw(st.integers(1, len(ROSTER_ROWS)))]]
    for _ in range(draw(st.integers(0, 5))):
        action = draw(
            st.sampled_from(
                ["cell", "cell", "drop_col", "dup_col", "swap_cols", "dup_row", "blank_row", "ragged"]
            )
        )
        r = draw(st.integers(0, len(rows) - 1))
        width = max(len(row) for row in rows)
        c = draw(st.integers(0, max(width - 1, 0)))
        if action == "cell":
            if c < len(rows[r]):
                rows[r][c] = draw(_ROSTER_VALUES)
        elif action == "drop_col":
            for row in rows:
                if c < len(row):
                    del row[c]
        elif action == "dup_col":
            for row in rows:
                if c < len(row):
                    row.insert(c, row[c])
        elif action == "swap_cols":
            d = draw(st.integers(0, max(width - 1, 0)))
            for row in rows:
                if c < len(row) and d < len(row):
                    row[c], row[d] = row[d], row[c]
        elif action == "dup_row":
            rows.insert(r, list(rows[r]))
        elif action == "blank_row":
            rows.insert(r, [""] * width)
        elif action == "ragged":
            rows[r] = rows[r][:c] + [draw(_ROSTER_VALUES)] * draw(st.integers(0, 3))
    return rows


@st.composite
def csv_roster(draw: st.DrawFn) -> tuple[str, bytes]:
    import csv

    rows = draw(roster_table())
    buffer = io.StringIO()
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    try:
        csv.writer(buffer, delimiter=delimiter, quoting=quoting, escapechar="\\").writerows(rows)
    except csv.Error:
        csv.writer(buffer, delimiter=delimiter).writerows(rows)
    text = buffer.getvalue()
    encoding = draw(
        st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "latin-1", "big5"])
    )
    raw = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=8)) + raw[at + draw(st.integers(0, 4)) :]
    name = draw(st.sampled_from(["roster.csv", "ROSTER.CSV", "roster.txt", "roster"]))
    return name, raw


_XLSX_CELLS = st.one_of(
    _ROSTER_VALUES,
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([110101197803120217, 1.10101197803120e17, 0, -0.0]),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=1000)),
)


@st.composite
def xlsx_roster(draw: st.DrawFn) -> tuple[str, bytes]:
    from openpyxl import Workbook

    rows = draw(roster_table())
    workbook = Workbook()
    if draw(st.integers(0, 9)) == 0:
        # A chart sheet or an empty sheet first.
        if draw(st.booleans()):
            workbook.create_chartsheet(index=0)
        else:
            workbook.create_sheet("空", 0)
    sheet = workbook.worksheets[0] if hasattr(workbook.worksheets[0], "cell") else workbook.worksheets[1]
    offset = draw(st.integers(0, 2))
    for r, row in enumerate(rows, 1 + offset):
        for c, value in enumerate(row, 1):
            if draw(st.integers(0, 5)) == 0:
                value = draw(_XLSX_CELLS)
            try:
                sheet.cell(r, c, value)
            except Exception:  # openpyxl refuses control characters (IllegalCharacterError) and odd types
                sheet.cell(r, c, "?")
    buffer = io.BytesIO()
    workbook.save(buffer)
    raw = buffer.getvalue()
    if draw(st.integers(0, 5)) == 0:
        # As a share of the length: openpyxl stamps the save time into the file, so the same draws
        # can give a workbook a byte longer or shorter, and hypothesis needs the same bounds each time.
        cut = len(raw) * draw(st.integers(0, 1000)) // 1000
        raw = raw[:cut] + draw(st.binary(max_size=32)) + raw[cut:]
    return draw(st.sampled_from(["roster.xlsx", "R.XLSX", "roster.xls"])), raw


roster_inputs = st.one_of(
    csv_roster(), xlsx_roster(), st.tuples(st.just("roster.csv"), st.binary(max_size=200))
)


def _check_roster(tmp: Path, value: tuple[str, bytes]) -> None:
    from exam_tui.formats.roster import read_roster
    from exam_tui.services.cadres import problem_lines

    name, raw = value
    roster = read_roster(_write(tmp, name, raw))
    if roster.problems:
        for line in problem_lines(roster):
            _assert_message(line)
    else:
        assert roster.rows, "no problems and no rows"


check_roster = _in_tmp(_check_roster)


# ---- session plans, points rules, assessment rules ---------------------------------------------


@st.composite
def plan_inputs(draw: st.DrawFn) -> bytes:
    raw = draw(damaged_yaml(PLAN_SEEDS))
    if draw(st.integers(0, 3)) == 0:
        # The roster reference is a path: make it a strange one.
        target = draw(
            st.sampled_from(
                ["x\\0y.csv", "a" * 5000, "/", ".", "..", "/dev/null", "roster.csv/", "名单.xlsx", ""]
            )
        )
        raw += b'\ncandidates: "' + target.encode() + b'"\n'
    return raw


def _check_plan(tmp: Path, raw: bytes) -> None:
    from exam_tui.formats.session_plan import read_plan
    from exam_tui.i18n import t

    (tmp / "roster-example.csv").write_bytes(ROSTER_SEED.read_bytes())
    found = read_plan(_write(tmp, "plan.yaml", raw))
    assert found.plan is not None or found.problems
    for p in found.problems:
        assert p.line >= 1 and p.column >= 1
        _assert_message(t(p.key, **p.params))


check_plan = _in_tmp(_check_plan)


def check_points_rules(raw: bytes) -> None:
    from exam_tui.formats.points_rules import check_rules_text, rules_lines

    found = check_rules_text(Path("rules.yaml"), raw)
    assert found.ok or found.problems
    for line in rules_lines(found):
        _assert_message(line)


def _check_assessment_rules(tmp: Path, raw: bytes) -> None:
    from exam_tui.formats.assessment_rules import problem_lines, read_assessment_rules

    found = read_assessment_rules(_write(tmp, "assessment.yaml", raw))
    assert found.rules is not None or found.problems
    for line in problem_lines(found):
        _assert_message(line)


check_assessment_rules = _in_tmp(_check_assessment_rules)

LOADER_TARGETS = [
    Target("bank loader", bank_inputs, check_bank),
    Target("roster loader", roster_inputs, check_roster),
    Target("session plan", plan_inputs(), check_plan),
    Target("points rules", damaged_yaml([POINTS_RULES_SEED]), check_points_rules),
    Target("assessment rules", damaged_yaml([ASSESSMENT_RULES_SEED]), check_assessment_rules),
]


@dataclass
class Tally:
    """What the bench reports of a target: inputs checked and the slowest check (a hang in the making)."""

    inputs: int = 0
    slowest: float = 0.0


def run_target(
    target: Target, *, max_examples: int, derandomize: bool = True, tally: Tally | None = None
) -> None:
    """Run ``target``'s check on ``max_examples`` inputs; hypothesis shrinks and raises on a failure.

    ``derandomize`` makes the suite deterministic (the same inputs in every CI run); the bench turns it
    off so that each batch explores new inputs, and counts them in ``tally``.
    """
    import time

    from hypothesis import HealthCheck, given, settings

    def body(value: Any) -> None:
        start = time.perf_counter()
        try:
            target.check(value)
        finally:
            if tally is not None:
                tally.inputs += 1
                tally.slowest = max(tally.slowest, time.perf_counter() - start)

    test = settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=derandomize,
        database=None,
        # Inputs are built from whole files on purpose; generation being slow or large is the point.
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )(given(value=target.strategy)(body))
    test()
