"""Snapshots of the decisions list (暂缓任用) at 100×30 and at 80×24, where the ID number column goes.

Deterministic: the demo data is seeded, the blank papers score 0 whatever was drawn, and every time
shown comes from the fixed clock.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from exam_tui.services.runtime import Database
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.screens.admin.decisions import DecisionsScreen
from tests.tui.conftest import BEIJING, fixed_clock
from tests.tui.test_admin_screens import OPERATOR, deferred_cadres

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]


async def _settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def decisions_app(demo_db: Database) -> ExamApp:
    deferred_cadres(demo_db, 3)
    app = make_app(demo_db, clock=fixed_clock, tz=BEIJING)
    app.operator = OPERATOR
    return app


@pytest.mark.parametrize("size", SIZES)
def test_decisions_deferred_list(snap_compare, decisions_app: ExamApp, size: tuple[int, int]) -> None:
    async def open_list(pilot: Pilot) -> None:
        await _settle(pilot)
        pilot.app.push_screen(DecisionsScreen())
        await _settle(pilot)
        assert pilot.app.screen.query_one("#decisions-table").row_count == 3  # type: ignore[attr-defined]

    assert snap_compare(decisions_app, terminal_size=size, run_before=open_list)
