"""Fuzzing the file loaders: damaged banks, rosters, plans and rules are reported, never raised.

A short deterministic run of the targets in tests/fuzzing.py (``python bench/fuzz.py`` runs them for
minutes with fresh inputs).
"""

from __future__ import annotations

import pytest

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
