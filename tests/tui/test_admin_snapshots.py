"""Snapshots of the decisions list (暂缓任用) at 100×30 and at 80×24, where the ID number column goes.

Deterministic: the demo data is seeded, the blank papers score 0 whatever was drawn, and every time
shown comes from the fixed clock.
"""

from __future__ import annotations

from itertools import accumulate

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable

from exam_tui.services.runtime import Database
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.screens.admin.decisions import DecisionsScreen
from tests.tui.conftest import BEIJING, fixed_clock, staff
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
    app.signed_in = staff(OPERATOR)
    return app


@pytest.mark.parametrize("size", SIZES)
def test_decisions_deferred_list(snap_compare, decisions_app: ExamApp, size: tuple[int, int]) -> None:
    async def open_list(pilot: Pilot) -> None:
        await _settle(pilot)
        pilot.app.push_screen(DecisionsScreen())
        await _settle(pilot)
        assert pilot.app.screen.query_one("#decisions-table").row_count == 3  # type: ignore[attr-defined]

    assert snap_compare(decisions_app, terminal_size=size, run_before=open_list)


def blank_at(line: str, x: int) -> bool:
    """Whether cell ``x`` of a drawn line is blank (a Chinese character covers two cells)."""
    start = 0
    for char in line:
        end = start + cell_len(char)
        if start <= x < end:
            return char == " "
        start = end
    return True


@pytest.mark.parametrize("size", SIZES)
async def test_decision_columns_keep_a_blank_cell_between_them(
    decisions_app: ExamApp, size: tuple[int, int]
) -> None:
    """A table without cell padding fills a column to its last cell: a unit of six characters in a
    12-cell column ran into the post (市发展和改革副县级领导). Each column's last cell is drawn blank."""
    app = decisions_app
    async with app.run_test(size=size) as pilot:
        await _settle(pilot)
        await app.push_screen(DecisionsScreen())
        await _settle(pilot)
        await pilot.press("f", "f", "f")  # 全部: every unit of the demo
        await _settle(pilot)
        table: DataTable[object] = app.screen.query_one("#decisions-table", DataTable)
        assert table.row_count == 10
        lines = table.render_lines(Region(0, 0, *table.outer_size))[1 : 1 + table.row_count]  # the rows
        ends = list(accumulate(c.width for c in table.ordered_columns))
        for line in lines:
            assert all(blank_at(line.text, end - 1) for end in ends), line.text
        unit = [c.key.value for c in table.ordered_columns].index("unit")
        units = [str(table.get_row_at(row)[unit]) for row in range(table.row_count)]
        assert "市发展和改革委员会" in units  # the table holds the whole name; the line below shows it
