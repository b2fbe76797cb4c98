"""The admin area: the entrance, the decisions list and an appointment's page, the cadres and their records.

The data is made through the services, as a session would make it: the demo's pre-appointment session
started, candidates sign in and hand in blank papers, so they fail and their appointments are deferred.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, RadioButton, Select, Static

from exam_tui.domain.idnumber import mask, with_check_digit
from exam_tui.i18n import t
from exam_tui.services import attempts
from exam_tui.services.accounts import DEMO_PASSWORD
from exam_tui.services.cadre_search import search_cadres
from exam_tui.services.cadres import import_roster, list_cadres
from exam_tui.services.decision_exports import APPOINTMENT_COLUMNS
from exam_tui.services.decision_reports import appointment_history, list_appointments
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import CandidateRecord, session_detail, start_session
from exam_tui.services.sessions import list_sessions
from exam_tui.tui.app import ExamApp
from exam_tui.tui.screens.admin.appointment import AppointmentScreen
from exam_tui.tui.screens.admin.cadres import CadrePageScreen, CadresScreen
from exam_tui.tui.screens.admin.courses import CoursesScreen
from exam_tui.tui.screens.admin.decisions import DecisionsScreen
from exam_tui.tui.screens.admin.dialogs import ActionDialog
from exam_tui.tui.screens.admin.menu import ENTRIES, AdminMenuScreen
from exam_tui.tui.screens.staff_login import StaffLoginScreen
from tests.conftest import SteppingClock
from tests.integration.conftest import sign_in_and_begin
from tests.tui.conftest import staff

SIZE = (100, 30)
OPERATOR = "李阅卷"


# ---- data and reading the screen -------------------------------------------------------------------


def deferred_cadres(db: Database, n: int) -> list[CandidateRecord]:
    """The demo session started and ``n`` of its candidates (by ID number) handing in blank papers."""
    clock = SteppingClock()
    (session,) = list_sessions(db)
    start_session(db, session.id, clock=clock)
    chosen = sorted(session_detail(db, session.id).candidates, key=lambda c: c.id_number)[:n]
    for candidate in chosen:
        state = sign_in_and_begin(db, clock, session.access_code, candidate.id_number)
        attempts.hand_in(db, state.attempt_id, clock=clock)
    return chosen


def plain(widget: Static) -> str:
    """What a Static shows, as text (it may hold a Rich table)."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


def screen_text(app: ExamApp) -> str:
    parts = [plain(s) for s in app.screen.query(Static)]
    for table in app.screen.query(DataTable):
        parts += [" ".join(str(c) for c in table.get_row_at(r)) for r in range(table.row_count)]
    return "\n".join(parts)


def rows(table: DataTable[str]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]


def column(table: DataTable[str], key: str) -> list[str]:
    return [str(table.get_cell(row_key, key)) for row_key in table.rows]


async def open_screen(app: ExamApp, pilot: Pilot, screen: object, settle) -> None:
    await settle(pilot)
    app.push_screen(screen)  # type: ignore[arg-type]
    await settle(pilot)


async def fill(pilot: Pilot, dialog: ActionDialog, name: str, value: str, settle) -> None:
    dialog.query_one(f"#entry-{name}", Input).value = value
    dialog.query_one(f"#entry-{name}", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


# ---- the entrance -----------------------------------------------------------------------------------


async def test_menu_after_the_sign_in_lists_what_the_roles_reach(app: ExamApp, settle) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen)
        await pilot.press(*"admin", "enter", *DEMO_PASSWORD, "enter")
        await settle(pilot)
        menu = app.screen
        assert isinstance(menu, AdminMenuScreen)
        assert app.operator == "admin"
        options = menu.query_one("#admin-menu", OptionList)
        # The demo's admin holds the admin role only: grading (5) and appeals (6) are not listed.
        admin_entries = [(k, e) for k, e in ENTRIES if e not in ("grading", "appeals")]
        assert options.option_count == len(admin_entries) == 6
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        for (key, entry), prompt in zip(admin_entries, prompts, strict=True):
            assert prompt.startswith(f"{key}  {t(f'admin.menu.{entry}')}")
            assert t(f"admin.menu.{entry}.help") in prompt
        assert "演示管理员(admin)" in plain(menu.query_one("#admin-menu-title", Static))
        for key, screen_type in (("4", DecisionsScreen), ("2", CadresScreen), ("7", CoursesScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen_type)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is menu
        await pilot.press("5")  # grading: refused, with a message
        await settle(pilot)
        assert app.screen is menu
        assert any("没有权限进入阅卷" in str(n.message) for n in app._notifications)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("3")  # still signed in: straight to the menu
        await settle(pilot)
        assert isinstance(app.screen, AdminMenuScreen)


# ---- decisions ---------------------------------------------------------------------------------------


async def test_decisions_list_a_deferred_cadre_and_filter(app: ExamApp, demo_db: Database, settle) -> None:
    (cadre,) = deferred_cadres(demo_db, 1)
    (view,) = [v for v in list_appointments(demo_db) if v.status == "deferred"]
    app.signed_in = staff(OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, DecisionsScreen(), settle)
        table = app.screen.query_one("#decisions-table", DataTable)
        assert rows(table) == [
            [
                cadre.name,
                mask(cadre.id_number),
                cadre.unit,
                view.post,
                "暂缓任用",
                "考试不合格",
                "0",
                "1/2",
                view.retake_from.isoformat() if view.retake_from else "",
                "",
            ]
        ]
        assert cadre.id_number not in screen_text(app)
        tabs = {f: str(app.screen.query_one(f"#tab-{f}").label) for f in ("deferred", "pending_exam", "all")}
        assert tabs == {"deferred": "暂缓任用 1", "pending_exam": "待考 9", "all": "全部 10"}
        await pilot.press("f")  # 待考: the nine who have not sat
        await settle(pilot)
        assert table.row_count == 9 and set(column(table, "decision_status")) == {"待考"}
        await pilot.press("f")  # 通过: nobody
        await settle(pilot)
        assert not table.display and app.screen.query_one("#decisions-empty").display
        await pilot.press("f")  # 全部
        await settle(pilot)
        assert table.row_count == 10
        app.screen.query_one("#decisions-unit", Select).value = cadre.unit
        await settle(pilot)
        assert set(column(table, "unit")) == {cadre.unit}
        assert table.row_count == sum(1 for v in list_appointments(demo_db) if v.unit == cadre.unit)


async def test_override_through_the_dialog_is_recorded_with_operator_and_reason(
    app: ExamApp, demo_db: Database, settle
) -> None:
    deferred_cadres(demo_db, 1)
    (view,) = [v for v in list_appointments(demo_db) if v.status == "deferred"]
    app.signed_in = staff(OPERATOR)
    reason = "经组织考察,同意任用"
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, DecisionsScreen(), settle)
        await pilot.press("enter")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, AppointmentScreen)
        assert "考试不合格" in plain(page.query_one("#appointment-history", Static))
        await pilot.press("o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog) and dialog.id == "override"
        assert dialog.query_one("#choice-cleared", RadioButton).value  # the other decision is proposed
        await fill(pilot, dialog, "reason", "", settle)  # a reason is required
        assert app.screen is dialog
        assert t("dialog.required", label=t("admin.override.reason")) in plain(
            dialog.query_one("#dialog-problem-text", Static)
        )
        await fill(pilot, dialog, "reason", reason, settle)
        assert app.screen is page
        after, history = appointment_history(demo_db, view.id)
        assert (after.status, after.policy_status, after.override_by) == ("cleared", "deferred", OPERATOR)
        assert (history[-1].actor, history[-1].source, history[-1].note) == (OPERATOR, "override", reason)
        shown = plain(page.query_one("#appointment-history", Static))
        last = shown.strip().splitlines()[-1]
        assert OPERATOR in last and reason in last and "人工改定" in last and "通过" in last
        assert OPERATOR in plain(page.query_one("#appointment-facts", Static))
        assert "已改定为通过" in plain(page.query_one("#appointment-message", Static))

        await pilot.press("l")  # lift it: back to what the exam decided
        await settle(pilot)
        await fill(pilot, app.screen, "reason", "改定有误,撤销", settle)  # type: ignore[arg-type]
        after, history = appointment_history(demo_db, view.id)
        assert (after.status, after.override_status) == ("deferred", None)
        assert history[-1].source == "override_lifted" and history[-1].actor == OPERATOR

        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, app.screen, "note", "补考前谈话提醒", settle)  # type: ignore[arg-type]
        after, history = appointment_history(demo_db, view.id)
        assert after.note == "补考前谈话提醒" and history[-1].source == "note"
        await pilot.press("escape")  # the list shows the change
        await settle(pilot)
        assert isinstance(app.screen, DecisionsScreen)


async def test_export_writes_the_current_list_to_xlsx(
    app: ExamApp, demo_db: Database, settle, tmp_path: Path
) -> None:
    chosen = deferred_cadres(demo_db, 2)
    app.signed_in = staff(OPERATOR)
    target = tmp_path / "暂缓任用.xlsx"
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, DecisionsScreen(), settle)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        default = dialog.query_one("#entry-path", Input).value
        assert Path(default) == Path("sessions", "exports", "decisions-deferred-20261123.xlsx")
        await fill(pilot, dialog, "path", str(target), settle)
        assert isinstance(app.screen, DecisionsScreen)
        said = plain(app.screen.query_one("#decisions-message", Static))
        assert t("admin.decisions.exported", count=2, path=target) in " ".join(said.split())

        book = openpyxl.load_workbook(target)
        sheet = book.active
        assert sheet is not None and sheet.title == "暂缓任用名单"
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert table[0][0] == t("export.pii_notice")  # the personal-information notice above the headers
        assert table[1] == [t(f"decision.header.{c}") for c in APPOINTMENT_COLUMNS]
        by_name = {r[2]: r for r in table[2:]}
        assert set(by_name) == {c.name for c in chosen}
        for c in chosen:
            row = by_name[c.name]
            assert (row[1], row[3], row[6], row[7], row[9]) == (
                mask(c.id_number),
                c.unit,
                "暂缓任用",
                "考试不合格",
                "1/2",
            )

        await pilot.press("x")  # the same file again: refused in the dialog, the file kept
        await settle(pilot)
        dialog = app.screen
        await fill(pilot, dialog, "path", str(target), settle)  # type: ignore[arg-type]
        assert app.screen is dialog
        assert t("export.exists", path=target) in " ".join(
            plain(dialog.query_one("#dialog-problem-text", Static)).split()
        )


# ---- cadres ------------------------------------------------------------------------------------------


async def test_cadre_search_by_name_fragment_and_by_unit(app: ExamApp, demo_db: Database, settle) -> None:
    everyone = list_cadres(demo_db)
    target = next(c for c in everyone if len(c.name) >= 3)
    fragment = target.name[1:]
    app.signed_in = staff(OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, CadresScreen(), settle)
        table = app.screen.query_one("#cadres-table", DataTable)
        assert table.row_count == len(everyone)
        assert set(column(table, "id_number")) == {c.id_number_masked for c in everyone}
        await pilot.press("slash", *fragment)
        await settle(pilot)
        found = rows(table)
        assert [target.name, target.id_number_masked, target.unit] in [r[:3] for r in found]
        assert all(fragment in r[0] or fragment in r[2] for r in found)
        assert plain(app.screen.query_one("#cadres-count", Static)).strip() == f"找到 {len(found)} 人"

        app.screen.query_one("#cadre-search", Input).value = "财政"
        await settle(pilot)
        in_unit = list_cadres(demo_db, "市财政局")
        assert [r[:3] for r in rows(table)] == [[c.name, c.id_number_masked, c.unit] for c in in_unit]
        app.screen.query_one("#cadre-search", Input).value = "没有这个人"
        await settle(pilot)
        assert not table.display and app.screen.query_one("#cadres-empty").display


def test_search_cadres_service(db: Database, tmp_path: Path) -> None:
    """The read behind the search, on each backend: every word must match somewhere."""
    first = with_check_digit("11010119800101001")
    second = with_check_digit("11010219850202002")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"身份证号,姓名,单位\n{first},张三丰,市财政局\n{second},李四,市教育局\n", encoding="utf-8"
    )
    import_roster(db, roster)
    assert [h.name for h in search_cadres(db, "")] == ["张三丰", "李四"]
    assert [h.name for h in search_cadres(db, "三丰")] == ["张三丰"]
    assert [h.name for h in search_cadres(db, "教育")] == ["李四"]
    assert [h.name for h in search_cadres(db, "0202")] == ["李四"]
    assert [h.name for h in search_cadres(db, "财政 李")] == []
    assert [h.name for h in search_cadres(db, "%")] == []  # a wildcard is a character like any other
    (hit,) = search_cadres(db, "李四")
    assert (hit.id_number, hit.id_number_masked) == (second, mask(second))


async def test_roster_import_error_shows_every_row_and_imports_nothing(
    app: ExamApp, demo_db: Database, settle, tmp_path: Path
) -> None:
    new = with_check_digit("11010119900101123")
    bad = new[:-1] + ("0" if new[-1] != "0" else "1")  # the check digit is wrong
    roster = tmp_path / "名单.csv"
    roster.write_text(
        f"身份证号,姓名,单位\n{new},新干部,市财政局\n{bad},错号码,市财政局\n{with_check_digit('11010119910101123')},,市财政局\n",
        encoding="utf-8",
    )
    before = len(list_cadres(demo_db))
    app.signed_in = staff(OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, CadresScreen(), settle)
        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog) and dialog.id == "import-roster"
        await fill(pilot, dialog, "path", str(roster), settle)
        assert app.screen is dialog
        lines = plain(dialog.query_one("#dialog-problem-text", Static)).strip().splitlines()
        assert [line.split(": ")[0] for line in lines] == [f"{roster}:3", f"{roster}:4"]
        assert "身份证号" in lines[0] and "姓名" in lines[1]
        assert len(list_cadres(demo_db)) == before
        assert search_cadres(demo_db, "新干部") == []

        roster.write_text(f"身份证号,姓名,单位\n{new},新干部,市财政局\n", encoding="utf-8")
        await fill(pilot, dialog, "path", str(roster), settle)  # corrected: imported
        assert isinstance(app.screen, CadresScreen)
        assert len(list_cadres(demo_db)) == before + 1
        said = plain(app.screen.query_one("#cadres-message", Static))
        assert "新增 1" in said
        assert "新干部" in column(app.screen.query_one("#cadres-table", DataTable), "name")


async def test_cadre_page_shows_the_attempt_and_the_decision(app: ExamApp, demo_db: Database, settle) -> None:
    (cadre,) = deferred_cadres(demo_db, 1)
    (session,) = list_sessions(demo_db)
    app.signed_in = staff(OPERATOR)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, CadresScreen(), settle)
        app.screen.query_one("#cadre-search", Input).value = cadre.id_number[-6:]
        await settle(pilot)
        table = app.screen.query_one("#cadres-table", DataTable)
        assert cadre.name in column(table, "name")
        table.move_cursor(row=column(table, "name").index(cadre.name))
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, CadrePageScreen)
        identity = plain(page.query_one("#cadre-identity", Static))
        assert cadre.name in identity and mask(cadre.id_number) in identity
        sittings = " ".join(plain(page.query_one("#cadre-sittings", Static)).split())
        assert session.title in sittings and "0/100" in sittings and "不合格" in sittings
        decisions = plain(page.query_one("#cadre-appointments", Static))
        assert "暂缓任用" in decisions and "考试不合格" in decisions and "考生交卷" in decisions
        assert cadre.id_number not in screen_text(app)
