"""The admin's sessions screen: the list, a new session from the form (who is seated, what is refused),
and Enter into the proctor's console."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Select, SelectionList, Static, TextArea

from exam_tui.domain.idnumber import mask
from exam_tui.services.cadre_selection import cadres_for_units
from exam_tui.services.cadres import list_cadres
from exam_tui.services.proctoring import mark_absent
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import session_detail
from exam_tui.services.sessions import SessionView, list_sessions
from exam_tui.tui.app import ExamApp
from exam_tui.tui.screens.admin.sessions import FormValues, SessionFormScreen, SessionsAdminScreen
from exam_tui.tui.screens.proctor.console import ConsoleScreen
from tests.tui.conftest import BEIJING, fixed_clock, staff

SIZE = (100, 30)
SMALL = (80, 24)
PRE_APPOINTMENT = "integrity-regulations/pre-appointment"
# New people in a roster file: valid ID numbers no demo cadre has.
NEWCOMERS = ("110101198001010010", "110101198001010029")


async def settle(pilot: Pilot) -> None:
    """Wait for the workers under way and what they post (the console keeps starting reads)."""
    for _ in range(4):
        await asyncio.gather(*[w.wait() for w in pilot.app.workers if w.is_running])
        await pilot.pause()


@pytest.fixture(autouse=True)
def _still_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ConsoleScreen, "monotonic", staticmethod(lambda: 0.0))


async def open_sessions(pilot: Pilot) -> SessionsAdminScreen:
    pilot.app.signed_in = staff("王管理")  # type: ignore[attr-defined]
    await pilot.app.push_screen(SessionsAdminScreen())
    await settle(pilot)
    assert isinstance(pilot.app.screen, SessionsAdminScreen)
    return pilot.app.screen


async def open_form(pilot: Pilot) -> SessionFormScreen:
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SessionFormScreen)
    return pilot.app.screen


def error_of(screen: SessionFormScreen, name: str) -> str:
    error = screen.query_one(f"#error-{name}", Static)
    return str(error.content) if error.display else ""


def people(db: Database, session_id: int) -> set[tuple[str, str]]:
    """(name, unit) of everyone seated."""
    return {(c.name, c.unit) for c in session_detail(db, session_id).candidates}


def the_new_session(db: Database, before: list[SessionView]) -> SessionView:
    [new] = [s for s in list_sessions(db) if s.id not in {b.id for b in before}]
    return new


async def test_the_list_shows_the_sessions_and_enter_opens_the_console(
    app: ExamApp, demo_db: Database
) -> None:
    [demo] = list_sessions(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_sessions(pilot)
        assert str(app.screen.query_one(".screen-title", Static).content) == "考试场次管理(Enter 打开监考台)"
        table = app.screen.query_one("#sessions", DataTable)
        assert [str(c) for c in table.get_row_at(0)] == [
            "今天 14:30",
            demo.title,
            "第一机房",
            "已开放",
            "10",
            demo.access_code,
        ]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConsoleScreen) and app.screen.session_id == demo.id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionsAdminScreen)


async def test_a_new_session_seats_exactly_the_chosen_cadres(
    app: ExamApp, demo_db: Database, tmp_path: Path
) -> None:
    units = [c.unit for c in list_cadres(demo_db)]
    first_unit, second_unit, third_unit = list(dict.fromkeys(units))[:3]
    # The third unit's first cadre is pasted; the roster file brings two newcomers.
    in_third = list_cadres(demo_db, third_unit)[0]
    pasted = cadres_for_units(demo_db, [third_unit])[0]
    before = list_sessions(demo_db)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"身份证号,姓名,单位\n{NEWCOMERS[0]},赵新,新成立的局\n{NEWCOMERS[1]},钱新,新成立的局\n",
        encoding="utf-8",
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_sessions(pilot)
        form = await open_form(pilot)
        assert form.query_one("#form-starts", Input).value == "2026-11-23 10:00"  # the next hour in Beijing
        await pilot.press("enter", "down", "enter")  # the exam list: the first exam
        await settle(pilot)
        assert form.query_one("#form-exam", Select).value == PRE_APPOINTMENT
        assert form.query_one("#form-title", Input).value == "新任领导干部任前廉政法规考试"  # from the exam
        form.query_one("#form-room", Input).focus()
        await pilot.press(*"第二机房")
        form.query_one("#form-starts", Input).value = ""
        form.query_one("#form-starts", Input).focus()
        await pilot.press(*"2026-11-24 09:30")
        form.query_one("#form-late", Input).value = ""
        form.query_one("#form-late", Input).focus()
        await pilot.press("1", "0")
        form.query_one("#form-units", SelectionList).focus()
        await pilot.press("space", "down", "space")  # the first two units
        assert form.query_one("#form-units", SelectionList).selected == [first_unit, second_unit]
        ids = form.query_one("#form-ids", TextArea)
        ids.focus()
        await pilot.press(*pasted)
        form.query_one("#form-roster", Input).value = str(roster)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SessionsAdminScreen), error_of(form, "ids")
        new = the_new_session(demo_db, before)
        table = app.screen.query_one("#sessions", DataTable)
        highlighted = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert highlighted == str(new.id)  # the list shows it, under the cursor
        assert any(f"准入码 {new.access_code}" in str(n.message) for n in app._notifications)

    expected = {
        (c.name, c.unit) for c in list_cadres(demo_db, first_unit) + list_cadres(demo_db, second_unit)
    }
    expected |= {("赵新", "新成立的局"), ("钱新", "新成立的局")}
    expected.add((in_third.name, third_unit))
    assert people(demo_db, new.id) == expected
    assert new.candidates == len(expected)
    assert (new.exam_ref, new.title, new.room, new.state) == (
        PRE_APPOINTMENT,
        "新任领导干部任前廉政法规考试",
        "第二机房",
        "open",
    )
    assert new.starts_at.astimezone(BEIJING).isoformat() == "2026-11-24T09:30:00+08:00"
    assert session_detail(demo_db, new.id).allow_late_minutes == 10


async def test_pasted_numbers_alone_and_a_scheduled_session(app: ExamApp, demo_db: Database) -> None:
    [demo] = list_sessions(demo_db)
    seated = session_detail(demo_db, demo.id).candidates[:3]
    before = list_sessions(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_sessions(pilot)
        form = await open_form(pilot)
        form.query_one("#form-exam", Select).value = "integrity-regulations/practice"
        form.query_one("#form-title", Input).value = "自测练习"
        # Pasted as people paste: one a line, a comma, an ideographic comma, a lower-case x.
        numbers = [c.id_number.lower() for c in seated]
        form.query_one("#form-ids", TextArea).text = f"{numbers[0]}\n{numbers[1]}，{numbers[2]}、{numbers[0]}"
        form.query_one("#form-open", Checkbox).value = False
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SessionsAdminScreen)
    new = the_new_session(demo_db, before)
    assert people(demo_db, new.id) == {(c.name, c.unit) for c in seated}
    assert (new.state, new.exam_ref, new.title) == ("scheduled", "integrity-regulations/practice", "自测练习")


async def test_a_new_session_warns_of_a_cadre_sign_in_will_refuse(app: ExamApp, demo_db: Database) -> None:
    [demo] = list_sessions(demo_db)
    absent, present = session_detail(demo_db, demo.id).candidates[:2]
    # Marked absent from today's pre-appointment exam: deferred, a retake only in 7 days.
    mark_absent(demo_db, demo.id, absent.id_number, reason="病假", actor="监考甲", clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_sessions(pilot)
        form = await open_form(pilot)
        form.query_one("#form-exam", Select).value = PRE_APPOINTMENT
        form.query_one("#form-title", Input).value = "补考"
        form.query_one("#form-ids", TextArea).text = f"{absent.id_number}\n{present.id_number}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SessionsAdminScreen)  # created all the same
        (warning,) = [str(n.message) for n in app._notifications if n.severity == "warning"]
    assert "1 名考生" in warning and absent.name in warning and "2026-11-30" in warning
    assert present.name not in warning


async def test_mistakes_are_shown_next_to_their_fields_and_nothing_is_created(
    app: ExamApp, demo_db: Database
) -> None:
    before = list_sessions(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_sessions(pilot)
        form = await open_form(pilot)
        form.query_one("#form-starts", Input).value = "2026-11-31 14:30"
        form.query_one("#form-late", Input).value = "300"
        form.query_one("#form-ids", TextArea).text = "110101198001010011"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert error_of(form, "exam") == "请选择考试"
        assert error_of(form, "title") == "请填写场次名称"
        assert error_of(form, "starts").startswith("“2026-11-31 14:30” 不是有效的时间")
        assert error_of(form, "late") == "允许迟到应为 0 至 240 的整数(分钟)"
        assert error_of(form, "ids") == "身份证号 “110101198001010011” 无效:校验位不正确"
        assert error_of(form, "room") == "" and error_of(form, "roster") == ""
        assert app.focused is form.query_one("#form-exam")  # the first field to correct
        assert str(form.query_one("#form-status", Static).content) == "请按提示修改后再创建"

        # Corrected, but with nobody to seat.
        form.query_one("#form-exam", Select).value = PRE_APPOINTMENT
        form.query_one("#form-title", Input).value = "第二场"
        form.query_one("#form-starts", Input).value = "2026-11-30 14:30"
        form.query_one("#form-late", Input).value = "15"
        form.query_one("#form-ids", TextArea).text = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(form, "people") == "请至少勾选一个单位、粘贴身份证号或填写名单文件"
        assert error_of(form, "starts") == "" and error_of(form, "ids") == ""

        # A valid number nobody has: the service refuses it, and says so under the numbers.
        form.query_one("#form-ids", TextArea).text = NEWCOMERS[0]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert error_of(form, "ids") == f"以下身份证号不在干部名单中:{mask(NEWCOMERS[0])}"
        assert error_of(form, "people") == ""

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionsAdminScreen)
    assert list_sessions(demo_db) == before


async def test_a_roster_file_with_problems_imports_nothing(
    app: ExamApp, demo_db: Database, tmp_path: Path
) -> None:
    before_sessions, before_cadres = list_sessions(demo_db), list_cadres(demo_db)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"身份证号,姓名,单位\n{NEWCOMERS[0]},赵新,新成立的局\n110101198001010011,钱新,新成立的局\n"
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_sessions(pilot)
        form = await open_form(pilot)
        form.query_one("#form-exam", Select).value = PRE_APPOINTMENT
        await pilot.pause()  # the exam's title fills the title field
        form.query_one("#form-roster", Input).value = str(tmp_path / "missing.csv")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(form, "roster") == f"找不到名单文件 “{tmp_path / 'missing.csv'}”"
        form.query_one("#form-roster", Input).value = str(roster)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert error_of(form, "roster").startswith(f"{roster}:3: ")  # the row with the bad number
        assert app.focused is form.query_one("#form-roster")
    assert list_sessions(demo_db) == before_sessions
    assert list_cadres(demo_db) == before_cadres


def test_form_values_are_read_before_anything_is_written() -> None:
    """What the form checks on its own: full-width input, pasted separators, duplicates, the room's zone."""
    values = FormValues(
        exam_ref="b/e",
        title=" 第一场 ",
        room="",
        starts_at="２０２６-11-23 14：30",  # digits and colon typed full width by an input method
        late="０",
        units=["一处"],
        id_numbers="110101198001010010\n110101198001010010 110101198001010029",
        roster_file="",
        open_now=False,
    )
    request, errors = values.read(BEIJING)
    assert errors == {} and request is not None
    assert (request.title, request.room, request.allow_late_minutes, request.units) == (
        "第一场",
        None,
        0,
        ["一处"],
    )
    assert request.starts_at.isoformat() == "2026-11-23T14:30:00+08:00"
    assert request.id_numbers == list(NEWCOMERS)
    assert request.roster_file is None


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["100x30", "80x24"])
async def test_screens_fit(app: ExamApp, size: tuple[int, int], tmp_path: Path) -> None:
    width, height = size
    async with app.run_test(size=size) as pilot:
        await open_sessions(pilot)
        app.save_screenshot(str(tmp_path / "sessions.svg"))
        form = await open_form(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.save_screenshot(str(tmp_path / "form.svg"))
        for selector in ("#form-exam", "#form-title", "#form-starts", "#error-exam"):
            region = form.query_one(selector).region
            assert region.height > 0 and region.bottom <= height - 1 and region.right <= width, selector
        form.query_one("#create").scroll_visible(animate=False)
        await pilot.pause()
        app.save_screenshot(str(tmp_path / "form-end.svg"))
        region = form.query_one("#create").region
        assert region.height == 3 and region.bottom <= height - 1
