"""The attendance grid driven with Pilot: single keys mark and move down, an absence asks its reason,
P takes a whole column, d draws speakers, c closes the course and posts its points."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from sqlalchemy import select
from textual.widgets import DataTable, Input, Static

from exam_tui.services import points, speakers, training
from exam_tui.services.runtime import Database
from exam_tui.store.models import CadreRow
from exam_tui.tui.app import ExamApp
from exam_tui.tui.screens.admin.courses import AttendanceScreen, CoursesScreen, DrawnDialog
from exam_tui.tui.screens.admin.dialogs import ActionDialog
from tests.tui.conftest import fixed_clock, staff

SIZE = (100, 30)
MONDAY = date(2026, 11, 23)


def _course(db: Database) -> tuple[int, list[str]]:
    with db.read() as s:
        numbers = list(s.execute(select(CadreRow.id_number).order_by(CadreRow.id).limit(6)).scalars())
    view = training.create_course(
        db,
        title="警示教育基地参观",
        kind="closed_training",
        starts_on=MONDAY,
        ends_on=MONDAY,
        id_numbers=numbers,
        actor="纪委办",
        clock=fixed_clock,
    )
    return view.id, numbers


def cell(screen: AttendanceScreen, row: int, column: int) -> str:
    value = screen.query_one("#grid", DataTable).get_cell_at((row, column))  # type: ignore[arg-type]
    return value.plain if isinstance(value, Text) else str(value)


async def test_attendance_with_single_keys_then_a_draw_and_the_close(
    app: ExamApp, demo_db: Database, settle
) -> None:
    course_id, numbers = _course(demo_db)
    app.signed_in = staff("纪委办")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(CoursesScreen())
        await settle(pilot)
        assert "警示教育基地参观" in str(app.screen.query_one("#courses", DataTable).get_row_at(0))
        await pilot.press("enter")
        await settle(pilot)
        grid = app.screen
        assert isinstance(grid, AttendanceScreen)
        table = grid.query_one("#grid", DataTable)
        assert table.cursor_coordinate == (0, 2)  # the first cell not yet taken
        await pilot.press("p", "space", "l")  # present, present, late: each moves down
        await settle(pilot)
        assert [cell(grid, r, 2) for r in range(4)] == ["✓", "✓", "迟", "·"]
        await pilot.press("a")  # absent: the reason is asked, the last one offered
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog) and dialog.id == "absence"
        assert dialog.query_one("#entry-reason", Input).value == "病假"
        dialog.query_one("#entry-reason", Input).value = "公务"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is grid and cell(grid, 3, 2) == "缺"
        await pilot.press("P")  # the rest of the column present
        await settle(pilot)
        assert [cell(grid, r, 2) for r in range(6)] == ["✓", "✓", "迟", "缺", "✓", "✓"]
        status = str(grid.query_one("#course-status", Static).render())
        assert "出勤 4,迟到 1,缺勤 1,未记录 0" in status
        stored = training.attendance_grid(demo_db, course_id)
        assert sorted(s for s, _ in stored.cells.values()) == ["absent"] + ["late"] + ["present"] * 4
        assert ("absent", "公务") in stored.cells.values()

        await pilot.press("d")  # draw two speakers from the five there
        await settle(pilot)
        draw = app.screen
        assert isinstance(draw, ActionDialog) and draw.id == "draw"
        draw.query_one("#entry-k", Input).value = "2"
        await pilot.press("enter")
        await settle(pilot)
        shown = app.screen
        assert isinstance(shown, DrawnDialog) and len(shown.made.speakers) == 2
        (made,) = speakers.draws(demo_db, course_id)
        assert made.verified and [s.cadre_id for s in made.speakers] == [
            s.cadre_id for s in shown.made.speakers
        ]
        # The seed (32 characters), the time and how to close each on a line of their own: on one line
        # they wrapped after "19:15:35 ·", leaving "按任意键关闭" alone on the next.
        seed, at, hint = (shown.query_one(f".{name}", Static) for name in ("seed", "at", "close-hint"))
        assert [w.region.height for w in (seed, at, hint)] == [1, 1, 1]
        assert str(seed.render()) == f"随机种子 {made.seed}" and str(hint.render()) == "按任意键关闭"
        assert str(at.render()).startswith("抽签时间 ")
        await pilot.press("x")  # any key closes, as it says (not only Enter, Esc and Space)
        await settle(pilot)
        assert app.screen is grid

        await pilot.press("c")  # 结业: confirm, and the points are posted
        await settle(pilot)
        close = app.screen
        assert isinstance(close, ActionDialog) and close.id == "close-course"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is grid
        assert training.course(demo_db, course_id).closed_at is not None
        assert "已结业" in str(grid.query_one("#course-title", Static).render())
    ledger = points.cadre_points(demo_db, numbers[0], year=2026)
    assert ledger.totals["higher_education"].raw == 1.0  # a half-day of a closed course: half of 2


async def test_an_absence_without_a_reason_is_not_saved(app: ExamApp, demo_db: Database, settle) -> None:
    course_id, _ = _course(demo_db)
    app.signed_in = staff("纪委办")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(AttendanceScreen(course_id))
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        dialog.query_one("#entry-reason", Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog  # the reason is required
        await pilot.press("escape")
        await settle(pilot)
    assert training.attendance_grid(demo_db, course_id).cells == {}
