"""Fuzzing the file loaders: damaged banks, rosters, plans and rules are reported, never raised.

A short deterministic run of the targets in tests/fuzzing.py (``python bench/fuzz.py`` runs them for
minutes with fresh inputs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from exam_tui.formats.assessment_rules import read_assessment_rules
from exam_tui.formats.points_rules import read_rules
from exam_tui.formats.roster import read_roster
from exam_tui.formats.session_plan import read_plan
from exam_tui.formats.yaml_bank import read_bank_file
from tests.fuzzing import LOADER_TARGETS, Target, run_target

# Inputs per target in the suite: about 5 s for all of them on two cores.
EXAMPLES = {
    "bank loader": 300,
    "roster loader": 200,
    "session plan": 200,
    "points rules": 200,
    "assessment rules": 200,
}


@pytest.mark.parametrize("target", LOADER_TARGETS, ids=lambda t: t.name.replace(" ", "-"))
def test_loader_never_raises(target: Target) -> None:
    run_target(target, max_examples=EXAMPLES[target.name])


LOADERS = {
    "bank": lambda p: read_bank_file(p).problems,
    "roster": lambda p: read_roster(p).problems,
    "plan": lambda p: read_plan(p).problems,
    "points rules": lambda p: read_rules(p).problems,
    "assessment rules": lambda p: read_assessment_rules(p).problems,
}


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("name", ["x\0y.csv", "a" * 5000 + ".csv", "folder.csv", "missing/x.csv"])
def test_a_name_that_cannot_be_read_is_a_problem(tmp_path: Path, loader: str, name: str) -> None:
    # Found by fuzzing: a NUL byte in the name (pasted into the TUI's path field) raised ValueError.
    (tmp_path / "folder.csv").mkdir()
    assert LOADERS[loader](tmp_path / name)
