"""The staff sign-in: success, wrong password, lockout with its remaining time, disabled, role gating."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from exam_tui.services import accounts
from exam_tui.services.accounts import DEMO_PASSWORD
from exam_tui.services.runtime import Database
from exam_tui.services.sessions import list_sessions
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.screens.admin.appeals import AppealsScreen
from exam_tui.tui.screens.admin.menu import AdminMenuScreen
from exam_tui.tui.screens.home import HomeScreen
from exam_tui.tui.screens.proctor.picker import SessionPickerScreen
from exam_tui.tui.screens.staff_login import StaffLoginScreen
from tests.conftest import SteppingClock
from tests.tui.conftest import BEIJING

SIZE = (100, 30)
SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]


async def settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def sign_in(pilot: Pilot, login: str, password: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, StaffLoginScreen)
    screen.query_one("#staff-login-name", Input).value = login
    screen.query_one("#staff-login-password", Input).value = password
    screen.query_one("#staff-login-password", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


def said(app: ExamApp) -> str:
    return str(app.screen.query_one("#staff-login-message", Static).render())


@pytest.fixture
def stepping() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def app_at(demo_db: Database, stepping: SteppingClock) -> Callable[..., ExamApp]:
    return lambda **kw: make_app(demo_db, clock=stepping, tz=BEIJING, **kw)


async def test_sign_in_then_the_admin_menu_and_the_login_is_the_actor(app_at: Callable[..., ExamApp]) -> None:
    app = app_at()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen)
        password = app.screen.query_one("#staff-login-password", Input)
        assert password.password  # masked
        await pilot.press(*"admin", "enter")  # Enter in the login name goes to the password
        assert app.screen.focused is password
        await pilot.press(*DEMO_PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, AdminMenuScreen)
        assert app.operator == "admin"
        await pilot.press("escape")
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert "已登录:演示管理员(admin) · 管理员" in str(home.query_one("#home-accounts", Static).render())
        await pilot.press("o")  # sign out: the next staff screen asks again
        await settle(pilot)
        assert app.signed_in is None
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen)


async def test_wrong_password_then_lockout_with_the_time_left(
    app_at: Callable[..., ExamApp], stepping: SteppingClock, demo_db: Database
) -> None:
    app = app_at()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await sign_in(pilot, "proctor", "not the password")
        assert said(app) == "登录名或密码不正确(再错 4 次,账号将锁定 15 分钟)"
        assert app.screen.query_one("#staff-login-password", Input).value == ""  # cleared
        await sign_in(pilot, "nobody", "not the password")
        assert said(app) == "登录名或密码不正确"  # an unknown name says no more than that
        for _ in range(3):
            await sign_in(pilot, "proctor", "not the password")
        assert said(app) == "登录名或密码不正确(再错 1 次,账号将锁定 15 分钟)"
        await sign_in(pilot, "proctor", "not the password")
        assert said(app) == "登录失败次数过多,账号已锁定:请在 15 分 0 秒后再试"
        stepping.advance(minutes=6, seconds=20)
        await sign_in(pilot, "proctor", DEMO_PASSWORD)  # even the right password waits
        assert said(app) == "登录失败次数过多,账号已锁定:请在 8 分 40 秒后再试"
        assert isinstance(app.screen, StaffLoginScreen) and app.signed_in is None
        stepping.advance(minutes=9)
        await sign_in(pilot, "proctor", DEMO_PASSWORD)
        assert isinstance(app.screen, SessionPickerScreen)


async def test_a_disabled_account_is_refused(app_at: Callable[..., ExamApp], demo_db: Database) -> None:
    accounts.set_disabled(demo_db, "grader", True, actor="admin")
    app = app_at()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await sign_in(pilot, "grader", DEMO_PASSWORD)
        assert said(app) == "账号 grader 已停用,请联系管理员"
        assert app.signed_in is None


async def test_roles_gate_the_screens(app_at: Callable[..., ExamApp], demo_db: Database) -> None:
    app = app_at()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the proctor's console wanted, a reviewer signs in: refused, back home
        await settle(pilot)
        await sign_in(pilot, "reviewer", DEMO_PASSWORD)
        assert isinstance(app.screen, HomeScreen)
        assert any("账号 reviewer 没有权限进入监考" in str(n.message) for n in app._notifications)
        await pilot.press("3")  # the admin area: only appeals is listed
        await settle(pilot)
        menu = app.screen
        assert isinstance(menu, AdminMenuScreen)
        assert [o.id for o in menu.query_one("#admin-menu").options] == ["appeals"]  # type: ignore[attr-defined]
        await pilot.press("1")  # banks: refused
        await settle(pilot)
        assert app.screen is menu
        await pilot.press("6")
        await settle(pilot)
        assert isinstance(app.screen, AppealsScreen)


async def test_a_proctor_sees_only_the_sessions_assigned(
    app_at: Callable[..., ExamApp], demo_db: Database
) -> None:
    from exam_tui.services.sessions import schedule_session
    from tests.conftest import FIXED_NOW

    (assigned,) = list_sessions(demo_db)
    other = schedule_session(
        demo_db,
        exam_ref="integrity-regulations/pre-appointment",
        title="另一场",
        room="第二机房",
        starts_at=FIXED_NOW,
        id_numbers=[],
        open_now=True,
        actor="admin",
    )
    app = app_at(proctor=True, session_id=other.id)  # `exam-tui proctor --session ID` of another session
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen)  # the station asks first
        await sign_in(pilot, "proctor", DEMO_PASSWORD)
        picker = app.screen
        assert isinstance(picker, SessionPickerScreen)  # not the console of a session not assigned
        assert any("没有分配到考试场次" in str(n.message) for n in app._notifications)
        table = picker.query_one("#sessions", DataTable)
        assert table.row_count == 1
        assert table.coordinate_to_cell_key((0, 0)).row_key.value == str(assigned.id)


async def test_a_station_for_one_job_signs_out_an_account_without_it(app_at: Callable[..., ExamApp]) -> None:
    app = app_at(proctor=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await sign_in(pilot, "grader", DEMO_PASSWORD)
        assert isinstance(app.screen, StaffLoginScreen)
        assert said(app) == "账号 grader 没有权限进入监考" and app.signed_in is None


@pytest.mark.parametrize("size", SIZES)
def test_login_screen(snap_compare, app, size) -> None:
    async def open_login(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_login)


@pytest.mark.parametrize("size", SIZES)
def test_login_screen_wrong_password(snap_compare, app, size) -> None:
    async def wrong(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await sign_in(pilot, "admin", "not the password")

    assert snap_compare(app, terminal_size=size, run_before=wrong)


async def test_the_finals_host_screen_needs_an_admin(app_at: Callable[..., ExamApp]) -> None:
    app = app_at(start="final_host", round_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, StaffLoginScreen)
        await sign_in(pilot, "proctor", DEMO_PASSWORD)
        assert said(app) == "账号 proctor 没有权限进入决赛主持" and app.signed_in is None
