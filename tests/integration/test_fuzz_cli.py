"""Fuzzing the command line: random argv for every command, and imports of damaged files.

A short deterministic run of the targets in tests/fuzzing_cli.py (``python bench/fuzz.py`` runs them for
minutes with fresh inputs), then the inputs fuzzing found that used to end in a traceback.
"""

from __future__ import annotations

import pytest

from tests.fuzzing import Target, run_target
from tests.fuzzing_cli import CLI_TARGETS, invoke

# Inputs per target in the suite: about 25 s for both on two cores, with the seeded database (~4 s).
EXAMPLES = {"cli argv": 150, "cli imports": 60}


@pytest.mark.parametrize("target", CLI_TARGETS, ids=lambda t: t.name.replace(" ", "-"))
def test_cli_never_shows_a_traceback_nor_half_writes(target: Target) -> None:
    run_target(target, max_examples=EXAMPLES[target.name])


def _exit_code(args: list[str]) -> tuple[int, str]:
    # No exception, no traceback, a message on failure and nothing written on failure.
    return invoke(args, {})


@pytest.mark.parametrize(
    "args",
    [
        # OverflowError: Python int too large to convert to SQLite INTEGER
        ["training", "close", "99999999999999999999999999"],
        ["final", "host", "--competition", "-1180591620717411303423"],
        ["points", "notice", "--unit", "x", "--year", "99999999999999999999"],
        # ValueError: year 0 is out of range
        ["training", "list", "--year", "0"],
        # Not a traceback but a hang: a few seconds per hundred generated candidates.
        ["demo", "--analysis", "100000000"],
    ],
)
def test_numbers_out_of_range_are_usage_errors(args: list[str]) -> None:
    code, output = _exit_code(args)
    assert code == 2 and "Invalid value for" in output


@pytest.mark.parametrize(
    "args",
    [
        # OverflowError: date value out of range (a day added to 9999-12-31, a zone to 0001-01-01)
        ["report", "coverage", "--from", "9999-12-31", "--to", "9999-12-31"],
        ["report", "coverage", "--from", "0001-01-01", "--to", "2026-01-01"],
        ["points", "notice", "--unit", "x", "--posted-on", "9999-12-31", "--year", "2026"],
        ["appointment", "add", "110101197803120217", "--post", "x", "--exam", "a/b", "--since", "0001-01-01"],
        ["deferred", "--retake-plan", "plan.yaml", "--on", "9999-12-31"],
    ],
)
def test_days_out_of_range_are_refused(args: list[str]) -> None:
    code, output = _exit_code(args)
    assert code == 1 and "超出了 1900 至 2999 年的范围" in output


@pytest.mark.parametrize(
    "args",
    [
        # UnicodeEncodeError: surrogates not allowed, from the SQLite driver (`cadre list --unit $'\xff'`)
        ["cadre", "list", "--unit", "\udcff"],
        ["report", "coverage", "--rank", "\udcff"],
    ],
)
def test_an_argument_that_is_not_utf8_is_refused_before_any_command(args: list[str]) -> None:
    code, output = _exit_code(args)
    assert code == 2 and "不是 UTF-8 文本" in output


@pytest.mark.parametrize(
    "args",
    [
        # IsADirectoryError, FileNotFoundError
        ["points", "rules", "export", "-o", "folder", "--force"],
        ["points", "rules", "export", "--output", "nowhere/out.yaml"],
    ],
)
def test_rules_export_to_a_folder_or_nowhere_says_so(args: list[str]) -> None:
    code, output = _exit_code(args)
    assert code == 1 and "无法写入" in output


@pytest.mark.parametrize(
    "args",
    [["competition", "final", "1", "--right", "nan"], ["competition", "final", "1", "--wrong", "-inf"]],
)
def test_final_points_that_are_not_numbers_are_refused(args: list[str]) -> None:
    # ValueError: right must be a finite number, got nan (from the domain's FinalRule)
    code, output = _exit_code(args)
    assert code == 1 and "分值须为数字" in output
