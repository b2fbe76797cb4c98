"""Pilot tests: each screen against the seeded demo database, asserting on what the user sees."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import Button, DataTable, Static, Tree

from exam_tui.i18n import t
from exam_tui.services.banks import QuestionView, list_questions
from exam_tui.services.runtime import Database
from exam_tui.services.sessions import list_sessions
from exam_tui.tui.app import ExamApp
from exam_tui.tui.screens.admin.menu import AdminMenuScreen
from exam_tui.tui.screens.bank_browser import BankBrowserScreen
from exam_tui.tui.screens.candidate.login import CandidateLoginScreen
from exam_tui.tui.screens.home import HomeScreen
from exam_tui.tui.screens.practice.login import PracticeLoginScreen
from exam_tui.tui.screens.proctor.picker import SessionPickerScreen
from exam_tui.tui.screens.staff_login import StaffLoginScreen
from tests.tui.conftest import staff

SIZE = (100, 30)
BANK = "integrity-regulations"


def shown(widget: Static) -> str:
    return str(widget.content)


def cells(table: DataTable[str], row: int) -> list[str]:
    return [str(c) for c in table.get_row_at(row)]


def rostered_id_number(db_path: Path) -> str:
    with sqlite3.connect(db_path) as conn:
        (number,) = conn.execute(
            "select c.id_number from cadre c join session_candidate sc on sc.cadre_id = c.id"
            " order by c.id limit 1"
        ).fetchone()
    return str(number)


async def test_home_lists_todays_demo_session(app: ExamApp, demo_db: Database, settle) -> None:
    (session,) = list_sessions(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown(app.screen.query_one("#app-title", Static)) == t("app.title")
        labels = [str(b.label) for b in app.screen.query(Button)]
        assert labels == ["1  考生", "2  监考员", "3  管理员", "4  练习"]
        table = app.screen.query_one("#today", DataTable)
        assert table.row_count == 1
        row = cells(table, 0)
        assert row[0] == "14:30"  # 06:30 UTC shown in the room's zone
        assert row[1] == session.title
        assert row[2:] == ["第一机房", "已开放", "10", session.access_code]
        assert not app.screen.query_one("#today-none").display


async def test_home_says_when_no_session_today(empty_db: Database, app_on, settle) -> None:
    app = app_on(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        none = app.screen.query_one("#today-none", Static)
        assert none.display and shown(none) == "今天没有安排考试"
        assert not app.screen.query_one("#today", DataTable).display


async def test_role_keys_open_screens_and_escape_returns(app: ExamApp, settle) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("2", "3"):  # the proctor's and the admin's screens: the staff sign-in first
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, StaffLoginScreen)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
        app.signed_in = staff()
        for key, screen_type in (
            ("2", SessionPickerScreen),
            ("3", AdminMenuScreen),
            ("4", PracticeLoginScreen),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen_type)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
        await pilot.click("#role-admin")
        await settle(pilot)
        assert isinstance(app.screen, AdminMenuScreen)


async def test_candidate_key_turns_the_terminal_into_a_candidate_terminal(app: ExamApp, settle) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, CandidateLoginScreen) and app.candidate_mode
        await pilot.press("escape")  # no way back to the proctor's or admin's screens
        await settle(pilot)
        assert isinstance(app.screen, CandidateLoginScreen)


async def test_bank_browser_shows_question_answer_and_source(app: ExamApp, demo_db: Database, settle) -> None:
    questions = list_questions(demo_db, BANK)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(
            BankBrowserScreen()
        )  # the admin menu's 1 opens it (tests/tui/test_admin_screens.py)
        await settle(pilot)
        tree = app.screen.query_one("#banks", Tree)
        bank_node = tree.root.children[0]
        assert "廉政" in str(bank_node.label) or "第 1 版" in str(bank_node.label)
        assert str(bank_node.children[0].label) == f"全部题目({len(questions)})"
        await pilot.press("enter")  # select the bank: all its questions
        await settle(pilot)
        table = app.screen.query_one("#questions", DataTable)
        assert table.row_count == len(questions)
        table.focus()
        await pilot.press("down")
        await settle(pilot)
        second = questions[1]
        preview = shown(app.screen.query_one("#preview", Static))
        assert second.slug in preview
        assert f"答案:{second.answer}" in preview
        assert f"出处:{second.source}" in preview
        for letter, option in (second.options or {}).items():
            assert f"{letter}. {option}" in preview


async def test_bank_browser_formats_each_answer_kind(app: ExamApp, demo_db: Database, settle) -> None:
    questions = list_questions(demo_db, BANK)
    by_slug = {q.slug: q for q in questions}
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(
            BankBrowserScreen()
        )  # the admin menu's 1 opens it (tests/tui/test_admin_screens.py)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#questions", DataTable)
        table.focus()
        seen: dict[str, tuple[QuestionView, str]] = {}
        for row in range(len(questions)):
            table.move_cursor(row=row)
            await pilot.pause()
            q = by_slug[str(table.coordinate_to_cell_key((row, 0)).row_key.value)]
            seen.setdefault(q.type, (q, shown(app.screen.query_one("#preview", Static))))
    multiple, text = seen["multiple"]
    assert f"答案:{'、'.join(multiple.answer)}" in text
    true_false, text = seen["true_false"]
    assert f"答案:{'是' if true_false.answer else '否'}" in text
    _, text = seen["fill_blank"]
    assert "第 1 空:十二小时 / 12小时 / 十二个小时 / 12个小时" in text
    assert "第 2 空:二十四小时 / 24小时" in text
    short, text = seen["short_answer"]
    assert "评分要点:" in text and "答案:" not in text
    assert short.rubric is not None and short.rubric.splitlines()[0] in text


async def test_bank_browser_empty_state(empty_db: Database, app_on, settle) -> None:
    app = app_on(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(
            BankBrowserScreen()
        )  # the admin menu's 1 opens it (tests/tui/test_admin_screens.py)
        await settle(pilot)
        none = app.screen.query_one("#browser-none", Static)
        assert none.display and shown(none) == t("browser.none")


async def test_proctor_key_lists_sessions_and_describes_the_highlighted_one(app: ExamApp, settle) -> None:
    app.signed_in = staff()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        sessions = app.screen.query_one("#sessions", DataTable)
        assert sessions.row_count == 1
        assert cells(sessions, 0)[0] == "今天 14:30"
        detail = shown(app.screen.query_one("#picker-detail", Static))
        assert "60 分钟" in detail and "计划开考 2026-11-23 14:30" in detail
