"""Snapshots of 统计分析 at 100×30 and at 80×24: a session's analysis, and the miskeyed question's page.

Deterministic: the demo is generated from a fixed seed on the fixed clock (120 candidates), and the
histogram and every number come from it.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from exam_tui.services.analysis_demo import AnalysisDemo
from exam_tui.tui.app import ExamApp
from exam_tui.tui.screens.admin.analysis import AnalysisSessionsScreen
from tests.tui.test_analysis_screen import (  # noqa: F401  (fixtures)
    analysis_app,
    analysis_db,
    analysis_template,
    demo,
)

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]


async def _settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def _open_analysis(pilot: Pilot) -> None:
    await _settle(pilot)
    pilot.app.push_screen(AnalysisSessionsScreen())
    await _settle(pilot)
    await pilot.press("enter")
    await _settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_session_analysis(snap_compare, analysis_app: ExamApp, size: tuple[int, int]) -> None:  # noqa: F811
    async def run_before(pilot: Pilot) -> None:
        await _open_analysis(pilot)
        assert pilot.app.screen.query_one("#analysis-items").row_count == 40  # type: ignore[attr-defined]

    assert snap_compare(analysis_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_miskeyed_question(
    snap_compare,
    analysis_app: ExamApp,  # noqa: F811
    demo: AnalysisDemo,  # noqa: F811
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Pilot) -> None:
        await _open_analysis(pilot)
        table = pilot.app.screen.query_one("#analysis-items")
        table.move_cursor(row=[k.value for k in table.rows].index(demo.miskeyed))  # type: ignore[attr-defined]
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(analysis_app, terminal_size=size, run_before=run_before)
