"""Snapshots at 100×30 and at 80×24 (Chinese is double width: tables cut, the preview wraps)."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]


async def _settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, app, size) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_bank_browser_question_selected(snap_compare, app, size) -> None:
    async def open_browser(pilot: Pilot) -> None:
        await pilot.press("3")
        await _settle(pilot)
        pilot.app.screen.query_one("#questions", DataTable).focus()
        await pilot.press("down")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_browser)
