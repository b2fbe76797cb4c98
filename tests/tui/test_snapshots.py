"""Snapshots at 100×30 and at 80×24 (Chinese is double width: tables cut, the preview wraps)."""

from __future__ import annotations

import sqlite3

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from exam_tui.tui.screens.bank_browser import BankBrowserScreen

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
        await pilot.app.push_screen(BankBrowserScreen())
        await _settle(pilot)
        pilot.app.screen.query_one("#questions", DataTable).focus()
        await pilot.press("down")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_browser)


# ---- the candidate terminal ------------------------------------------------------------------------


@pytest.fixture
def candidate_app(demo_db, monkeypatch):
    from exam_tui.services.session_control import start_session
    from exam_tui.services.sessions import list_sessions
    from exam_tui.tui.app import make_app
    from exam_tui.tui.screens.candidate.exam import ExamScreen
    from tests.tui.conftest import BEIJING, fixed_clock

    # The countdown stands still, so the snapshot never catches it between two seconds.
    monkeypatch.setattr(ExamScreen, "monotonic", staticmethod(lambda: 0.0))
    (session,) = list_sessions(demo_db)
    # A session's secret is drawn from the OS; pin it so every run draws the same paper.
    with sqlite3.connect(demo_db.engine.url.database) as conn:
        conn.execute("UPDATE exam_session SET secret = ?", ("5e" * 32,))
    start_session(demo_db, session.id, clock=fixed_clock)
    app = make_app(demo_db, clock=fixed_clock, tz=BEIJING, candidate=True)
    app.snap_code = session.access_code  # type: ignore[attr-defined]
    return app


async def _into_exam(pilot: Pilot) -> None:
    from tests.tui.test_candidate import settle
    from tests.tui.test_screens import rostered_id_number

    number = rostered_id_number(pilot.app.db.engine.url.database)
    await settle(pilot)  # the form has its focus before typing starts
    await pilot.press(*number, "enter", *pilot.app.snap_code, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "ExamScreen", pilot.app.screen.query_one("#login-error").content


@pytest.mark.parametrize("size", SIZES)
def test_candidate_login(snap_compare, candidate_app, size) -> None:
    assert snap_compare(candidate_app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_candidate_exam_multiple_choice(snap_compare, candidate_app, size) -> None:
    async def answer(pilot: Pilot) -> None:
        from tests.tui.test_candidate import settle

        await _into_exam(pilot)
        screen = pilot.app.screen
        await screen.go(next(i.number for i in screen.paper.items if i.type == "multiple"))
        await pilot.press("a", "c", "f2")
        await settle(pilot)

    assert snap_compare(candidate_app, terminal_size=size, run_before=answer)


@pytest.mark.parametrize("size", SIZES)
def test_candidate_exam_fill_blank(snap_compare, candidate_app, size) -> None:
    async def fill(pilot: Pilot) -> None:
        from tests.tui.test_candidate import settle

        await _into_exam(pilot)
        screen = pilot.app.screen
        await screen.go(next(i.number for i in screen.paper.items if i.type == "fill_blank"))
        from textual.widgets import Input

        for field in screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the snapshot flaky
        await pilot.press(*"中央纪委")
        await pilot.pause(0.7)
        await settle(pilot)

    assert snap_compare(candidate_app, terminal_size=size, run_before=fill)


@pytest.mark.parametrize("size", SIZES)
def test_candidate_hand_in_confirmation(snap_compare, candidate_app, size) -> None:
    async def hand_in(pilot: Pilot) -> None:
        from tests.tui.test_candidate import settle

        await _into_exam(pilot)
        await pilot.press("b", "right", "f2", "f10")
        await settle(pilot)

    assert snap_compare(candidate_app, terminal_size=size, run_before=hand_in)


# ---- the proctor's console ---------------------------------------------------------------------------------


@pytest.fixture
def proctor_sitting(demo_db, monkeypatch):
    """The demo session with a candidate in every state a running session has (see test_proctor_console)."""
    from exam_tui.tui.screens.proctor.console import ConsoleScreen
    from tests.conftest import SteppingClock

    # The console's clock runs on monotonic time between reads: stopped, every frame is the same.
    monkeypatch.setattr(ConsoleScreen, "monotonic", staticmethod(lambda: 0.0))
    return demo_db, SteppingClock()


@pytest.mark.parametrize("size", SIZES)
def test_proctor_console_mixed_session(snap_compare, proctor_sitting, size) -> None:
    from tests.tui.test_proctor_console import mixed_sitting, proctor_app, settle

    db, clock = proctor_sitting
    sitting = mixed_sitting(db, clock)  # the session secret is pinned: the same papers every run
    assert snap_compare(proctor_app(db, clock, sitting.session_id), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_proctor_summary_after_close(snap_compare, proctor_sitting, size) -> None:
    from tests.tui.test_proctor_console import graded_sitting, proctor_app, settle

    db, clock = proctor_sitting
    sitting = graded_sitting(db, clock)

    async def close(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("c", *sitting.code, "enter")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "SummaryScreen"

    assert snap_compare(proctor_app(db, clock, sitting.session_id), terminal_size=size, run_before=close)
