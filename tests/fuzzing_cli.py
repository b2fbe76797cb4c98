"""Fuzz targets for the command line: random argv for every command, and imports of damaged files.

Every input runs ``exam-tui --db <copy of a seeded SQLite file> …`` through typer's CliRunner in a
scratch folder holding damaged input files, a directory and no file by the names the options are given.
The check: no exception other than SystemExit leaves the command, no traceback or exception repr is
printed, a failure exits non-zero with a message, and a command that fails leaves every table's row
count as it was (imports are all or nothing; other commands must not half-write either). A command
running longer than ``HANG_SECONDS`` counts as a hang.

The commands that open the TUI are run with ``_run_tui`` replaced by a stub: their argument parsing and
the checks before the app starts are fuzzed, the app itself is not.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import strategies as st

from tests.fuzzing import (
    BANK_SEEDS,
    PLAN_SEEDS,
    POINTS_RULES_SEED,
    RAW_REPR,
    ROSTER_SEED,
    SMALL_BANK_SEEDS,
    TRACEBACK,
    Target,
    csv_roster,
    damaged_yaml,
    xlsx_roster,
)

HANG_SECONDS = 30
BEIJING = timezone(timedelta(hours=8))
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# ---- the command tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    opts: tuple[str, ...]  # empty for an argument
    flag: bool
    many: bool  # an argument taking several values
    required: bool


def commands() -> dict[tuple[str, ...], list[Param]]:
    """Every leaf command's words → its parameters, read from the Click command tree typer builds."""
    import typer.main

    from exam_tui.cli import app

    found: dict[tuple[str, ...], list[Param]] = {}

    def walk(command: Any, words: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, (*words, name))
            return
        found[words] = [
            Param(
                p.name or "",
                tuple(o for o in p.opts if o.startswith("-")),
                bool(getattr(p, "is_flag", False)),
                p.nargs == -1,
                bool(p.required),
            )
            for p in command.params
        ]

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = commands()


# ---- the seeded database ------------------------------------------------------------------------

_template: dict[str, Any] = {}


def template() -> dict[str, Any]:
    """One seeded SQLite file per process (banks, cadres, sessions, papers, …), and some of its facts."""
    if _template:
        return _template
    from typer.testing import CliRunner

    from exam_tui.cli import app
    from exam_tui.services import banks
    from exam_tui.services.analysis_demo import seed_analysis_demo
    from exam_tui.services.demo import seed_demo
    from exam_tui.services.runtime import connect

    folder = Path(tempfile.mkdtemp(prefix="exam-tui-fuzz-db-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "exam.db"
    db = connect(f"sqlite:///{path}")
    banks.import_files(db, [FIXTURES / "integrity-regulations-starter.yaml", FIXTURES / "training-bank.yaml"])
    banks.import_files(db, [FIXTURES / "written-answer-bank.yaml"])
    seed_demo(db, tz=BEIJING, clock=lambda: datetime(2026, 12, 4, 1, 0, tzinfo=UTC))
    # A closed session with handed-in papers (session 2), so that results, grading, appeals and the
    # reports have something to work on; then a course, a competition and an appeal.
    seed_analysis_demo(db, candidates=12, tz=BEIJING, clock=lambda: datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
    db.dispose()
    runner = CliRunner()
    for args in (
        [
            "training",
            "create",
            "--title",
            "廉政培训",
            "--kind",
            "closed_training",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-03",
            "--roster",
            str(ROSTER_SEED),
        ],
        ["competition", "create", "--title", "知识竞赛", "--bank", "integrity-regulations"],
        ["appeal", "file", "1", "--reason", "第1题答案有误"],
    ):
        result = runner.invoke(app, ["--db", f"sqlite:///{path}", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    with contextlib.closing(sqlite3.connect(path)) as conn:
        numbers = [r[0] for r in conn.execute("SELECT id_number FROM cadre ORDER BY id LIMIT 3")]
        units = [r[0] for r in conn.execute("SELECT name FROM unit ORDER BY id LIMIT 2")]
    _template.update(path=path, numbers=numbers, units=units)
    return _template


def row_counts(path: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


# ---- argv ---------------------------------------------------------------------------------------

# Names of things in the scratch folder (see _scratch): files that exist, are damaged, are folders or
# do not exist.
PATHS = [
    "bank.yaml",
    "roster.csv",
    "roster.xlsx",
    "plan.yaml",
    "rules.yaml",
    "missing.yaml",
    "missing.csv",
    "folder",
    "folder/",
    "out.xlsx",
    "out.pdf",
    "out.csv",
    "nowhere/out.xlsx",
    "bank.yaml/x",
    "/dev/null",
    "题库.yaml",
    "",
]
WORDS = [
    "0",
    "1",
    "2",
    "3",
    "-1",
    "1.5",
    "1e3",
    "nan",
    "inf",
    "-inf",
    "99999999999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "abc",
    " ",
    "题库",
    "２",
    "\u200b",
    "\udcff",  # what Python makes of a byte that is not UTF-8 in argv (surrogateescape)
    "\x1b[2J",
    "x" * 1000,
    "2026-12-04",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "2026-12-04T09:00:00+08:00",
    "2026-12-04T09:00:00",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-23:59",
    "110101197803120217",
    "11010119780312021X",
    "110101197803120218",
    "integrity-regulations",
    "integrity-regulations/pre-appointment",
    "training-bank",
    "a/b",
    "/",
    "q1",
    "ir-0001",
    "preliminary",
    "semi_final",
    "final",
    "A",
    "AB",
    "morning",
    "am",
    "pm",
    "closed_training",
    "self_education",
    "deferred",
    "cleared",
    "retake_gap_days",
    "open",
    "planned",
    "xlsx",
    "pdf",
    "csv",
    "json",
    "text",
    "--",
    "-",
    "--help",
    "--nope",
    "-x",
    "--json=1",
]


IDS = ["1", "2", "3", "5", "10", "0", "-1"]
DATES = ["2026-12-04", "2026-12-01", "2026-02-30", "0001-01-01", "9999-12-31", "04/12/2026"]
TIMES = [
    "2026-12-04T09:00:00+08:00",
    "2026-12-04T09:00:00",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-23:59",
]
# What a parameter's name suggests it takes; the rest of the time any word goes.
PLAUSIBLE: list[tuple[tuple[str, ...], list[str]]] = [
    (
        ("output",),
        ["out.xlsx", "out.pdf", "out.csv", "out.json", "out.txt", "folder", "nowhere/out.xlsx", "bank.yaml"],
    ),
    (("files", "file", "plan", "roster", "rules", "retake_plan"), PATHS),
    (("start", "starts", "end", "ends", "day", "on", "since", "posted_on"), DATES),
    (("at",), TIMES),
    (("half",), ["am", "pm", "AM", "上午", "evening"]),
    (("fmt",), ["table", "csv", "json", "xlsx", "pdf", "txt", "yaml"]),
    (("status", "only"), ["cleared", "deferred", "pending_exam", "open", "planned", "closed", "running"]),
    (("kind",), ["closed_training", "lecture", "online", "x"]),
    (("team_mode",), ["sum", "mean", "max"]),
    (("stage",), ["preliminary", "semi_final", "final", "quarter"]),
    (("category",), ["self_education", "higher_education", "organising", "一把手", "x"]),
    (("bank",), ["integrity-regulations", "training-bank", "written-answer-demo", "nope"]),
    (("exam",), ["integrity-regulations/pre-appointment", "training-bank/course-test", "a/b", "x"]),
    (("key", "value"), ["retake_gap_days", "7", "-1", "366", "B", "AC", "正确", "a|b;c"]),
    (("sort",), ["facility", "discrimination_index", "upper_lower_d", "nope"]),
    (("right", "wrong", "points", "amount"), ["10", "-5", "0.5", "0", "nan", "inf", "-inf", "1e308"]),
    (("year",), ["2026", "2025", "0", "-1", "10000", "99999999999999999999"]),
    (("question", "question_id"), ["ir-0001", "q1", "1", "nope"]),
]


def _plausible(param: Param, numbers: list[str], units: list[str]) -> list[str]:
    if param.name in ("id_number", "ids", "present", "late", "lecturers", "organisers"):
        return [*numbers, "110101197803120218", "11010119780312021X", "abc"]
    if param.name == "absent":
        return [f"{numbers[0]}=病假", numbers[1], "=", "x=y"]
    if param.name in ("unit", "units"):
        return [*units, "没有这个单位"]
    for names, values in PLAUSIBLE:
        if param.name in names:
            return values
    if param.name.endswith("_id") or param.name in (
        "entry",
        "session",
        "competition",
        "item",
        "minutes",
        "points",
        "amount",
        "advance",
        "top",
        "questions",
        "seconds",
        "right",
        "wrong",
        "k",
        "seed",
        "analysis",
        "candidate",
    ):
        return IDS
    return WORDS


@st.composite
def argv(draw: st.DrawFn, words: tuple[str, ...] | None = None) -> list[str]:
    """A command's words, its arguments and options mostly in their places with plausible or odd
    values, then now and then junk: a missing value, an unknown flag, a stray word."""
    facts = template()
    if words is None:
        words = draw(st.sampled_from(sorted(COMMANDS)))
    params = COMMANDS[words]
    anything = st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(PATHS),
        st.integers(-(2**70), 2**70).map(str),
        st.text(max_size=12).filter(lambda s: "\x00" not in s),  # a real argv cannot hold NUL
    )

    def value(param: Param) -> str:
        if draw(st.integers(0, 3)):
            return draw(st.sampled_from(_plausible(param, facts["numbers"], facts["units"])))
        return draw(anything)

    tokens: list[str] = []
    for param in params:
        if not param.opts:  # an argument, in its place
            if draw(st.integers(0, 9)):
                tokens.extend(value(param) for _ in range(draw(st.integers(1, 3)) if param.many else 1))
            continue
        if not (param.required and draw(st.integers(0, 9))) and draw(st.booleans()):
            continue
        tokens.append(draw(st.sampled_from(param.opts)))
        if not param.flag:
            tokens.append(value(param))
    # Options may come in any order after the arguments.
    arguments = sum(1 for p in params if not p.opts)
    head, options = tokens[:arguments], tokens[arguments:]
    pairs = [options[i : i + 2] for i in range(0, len(options), 2)]
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    tokens = head + [t for pair in pairs for t in pair]
    for _ in range(draw(st.integers(0, 2))):  # junk
        at = draw(st.integers(0, len(tokens)))
        tokens.insert(at, draw(anything))
    if tokens and draw(st.integers(0, 9)) == 0:  # a value cut off
        tokens.pop()
    root: list[str] = []
    if draw(st.integers(0, 9)) == 0:
        root = ["--lang", draw(st.sampled_from(["en", "zh", "fr", "", "EN"]))]
    return [*root, *words, *tokens]


# ---- running one input --------------------------------------------------------------------------


class Hang(Exception):
    pass


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Raise Hang in the main thread after ``seconds`` (SIGALRM; where absent, no limit)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _scratch(files: dict[str, bytes]) -> Iterator[tuple[Path, str]]:
    """A scratch folder as the working directory with ``files``, a folder, and a copy of the database."""
    facts = template()
    previous = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="exam-tui-fuzz-") as name:
        folder = Path(name)
        db_path = folder / "exam.db"
        shutil.copy(facts["path"], db_path)
        (folder / "folder").mkdir()
        (folder / "题库.yaml").write_bytes(SMALL_BANK_SEEDS[-1].read_bytes())
        (folder / "roster-example.csv").write_bytes(ROSTER_SEED.read_bytes())
        for file_name, data in files.items():
            (folder / file_name).write_bytes(data)
        os.chdir(folder)
        try:
            yield folder, f"sqlite:///{db_path}"
        finally:
            os.chdir(previous)


def invoke(args: list[str], files: dict[str, bytes]) -> tuple[int, str]:
    """Run ``exam-tui --db … args`` in a scratch folder, check the outcome (see the module doc) and
    return the exit code and the output."""
    from typer.testing import CliRunner

    from exam_tui.cli import app
    from exam_tui.i18n import set_language

    runner = CliRunner()
    with _scratch(files) as (folder, url), mock.patch("exam_tui.cli._run_tui"):
        before = row_counts(folder / "exam.db")
        try:
            with _deadline(HANG_SECONDS):
                result = runner.invoke(app, ["--db", url, *args], catch_exceptions=True)
        finally:
            set_language("zh")  # --lang sets it for the process
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{args!r} raised {result.exception!r}") from result.exception
        output = result.output
        assert TRACEBACK not in output, output
        assert not RAW_REPR.search(output), f"a raw exception in the output of {args!r}: {output!r}"
        if result.exit_code != 0:
            assert output.strip(), f"{args!r} failed ({result.exit_code}) without a message"
            after = row_counts(folder / "exam.db")
            assert after == before, f"{args!r} failed ({result.exit_code}) but wrote: " + ", ".join(
                f"{t} {before.get(t)}→{n}" for t, n in after.items() if before.get(t) != n
            )
        return result.exit_code, output


def _files(draw: st.DrawFn) -> dict[str, bytes]:
    files = {
        "bank.yaml": draw(damaged_yaml(SMALL_BANK_SEEDS))
        if draw(st.booleans())
        else BANK_SEEDS[0].read_bytes(),
        "plan.yaml": draw(damaged_yaml(PLAN_SEEDS)) if draw(st.booleans()) else PLAN_SEEDS[0].read_bytes(),
        "rules.yaml": draw(damaged_yaml([POINTS_RULES_SEED]))
        if draw(st.booleans())
        else POINTS_RULES_SEED.read_bytes(),
    }
    files["roster.csv"] = draw(csv_roster())[1] if draw(st.booleans()) else ROSTER_SEED.read_bytes()
    if draw(st.booleans()):
        files["roster.xlsx"] = draw(xlsx_roster())[1]
    return files


@st.composite
def argv_inputs(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    return draw(argv()), {}


# The commands that read a file the user wrote, with that file damaged.
IMPORTS: list[tuple[str, ...]] = [
    ("bank", "import", "bank.yaml"),
    ("bank", "import", "bank.yaml", "题库.yaml"),
    ("bank", "validate", "bank.yaml"),
    ("cadre", "import", "roster.csv"),
    ("cadre", "import", "roster.xlsx"),
    ("session", "open", "plan.yaml"),
    ("points", "rules", "import", "rules.yaml"),
    (
        "training",
        "create",
        "--title",
        "培训",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-03",
        "--roster",
        "roster.csv",
    ),
    ("training", "enrol", "1", "--roster", "roster.xlsx"),
    ("report", "annual", "--rules", "rules.yaml", "-o", "out.xlsx"),
]


@st.composite
def import_inputs(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    files = _files(draw)
    if "roster.xlsx" not in files:
        files["roster.xlsx"] = draw(xlsx_roster())[1]
    # The plan names its roster: point it at the damaged one now and then.
    if draw(st.booleans()):
        files["plan.yaml"] = files["plan.yaml"].replace(b"roster-example.csv", b"roster.csv")
    return list(draw(st.sampled_from(IMPORTS))), files


def check_cli(value: tuple[list[str], dict[str, bytes]]) -> None:
    invoke(*value)


CLI_TARGETS = [
    Target("cli argv", argv_inputs(), check_cli),
    Target("cli imports", import_inputs(), check_cli),
]
