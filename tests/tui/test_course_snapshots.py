"""Snapshots of a course's attendance grid at 100×30 and 80×24: a week of half-days across, the marks
in colour, the column's counts under the grid. Deterministic: seeded cadres, a fixed clock."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from exam_tui.domain.training import Half, Presence
from exam_tui.services import training
from exam_tui.services.runtime import Database
from exam_tui.services.training import AttendanceMark
from exam_tui.store.models import CadreRow
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.screens.admin.courses import AttendanceScreen
from tests.tui.conftest import BEIJING, fixed_clock, staff

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]
MONDAY = date(2026, 11, 23)


async def _settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def grid_app(demo_db: Database) -> tuple[ExamApp, int]:
    with demo_db.read() as s:
        numbers = list(s.execute(select(CadreRow.id_number).order_by(CadreRow.id).limit(20)).scalars())
    course = training.create_course(
        demo_db,
        title="2026年新任科级干部廉政教育封闭式培训班",
        kind="closed_training",
        starts_on=MONDAY,
        ends_on=date(2026, 11, 27),
        id_numbers=numbers,
        actor="纪委办",
        clock=fixed_clock,
    )
    grid = training.attendance_grid(demo_db, course.id)
    for day, half in grid.periods[:3]:
        training.all_present(demo_db, course.id, day, half, actor="纪委办", clock=fixed_clock)
    first, second = grid.participants[0].cadre_id, grid.participants[1].cadre_id
    training.record_attendance(
        demo_db,
        course.id,
        [
            AttendanceMark(first, MONDAY, Half.PM, Presence.ABSENT, "公务"),
            AttendanceMark(second, MONDAY, Half.AM, Presence.LATE),
        ],
        actor="纪委办",
        clock=fixed_clock,
    )
    app = make_app(demo_db, clock=fixed_clock, tz=BEIJING)
    app.signed_in = staff("纪委办")
    return app, course.id


@pytest.mark.parametrize("size", SIZES)
def test_attendance_grid(snap_compare, grid_app: tuple[ExamApp, int], size: tuple[int, int]) -> None:
    app, course_id = grid_app

    async def open_grid(pilot: Pilot) -> None:
        await _settle(pilot)
        pilot.app.push_screen(AttendanceScreen(course_id))
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_grid)
