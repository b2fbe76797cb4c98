"""No whole ID number on the screens that list cadres: the admin's cadres and a cadre's page, the decisions
list, and the proctor's console with its dialogs. The text looked through is every Static and every row of
every table on the screen (rows scrolled out of view included), and the screenshot."""

from __future__ import annotations

import re

from textual.pilot import Pilot

from exam_tui.domain.idnumber import mask
from exam_tui.services.runtime import Database
from exam_tui.tui.app import ExamApp
from exam_tui.tui.screens.admin.cadres import CadrePageScreen, CadresScreen
from exam_tui.tui.screens.admin.decisions import DecisionsScreen
from tests.conftest import SteppingClock
from tests.tui.conftest import staff
from tests.tui.test_admin_screens import SIZE, deferred_cadres, open_screen, screen_text
from tests.tui.test_proctor_console import highlight, live_sitting, open_console, proctor_app

WHOLE_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
MASKED_ID = re.compile(r"[0-9]{3}\*{11}[0-9]{3}[0-9X]")


def shown(app: ExamApp) -> str:
    return screen_text(app) + "\n" + app.export_screenshot()


def assert_masked(app: ExamApp) -> str:
    text = shown(app)
    assert not WHOLE_ID.findall(text), WHOLE_ID.findall(text)
    return text


async def test_admin_cadre_screens_show_no_whole_id_number(app: ExamApp, demo_db: Database, settle) -> None:
    someone = deferred_cadres(demo_db, 2)[0]  # with a sitting and a deferral on their page
    app.signed_in = staff("李管理")
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, CadresScreen(), settle)
        assert MASKED_ID.search(assert_masked(app))  # the numbers are there, masked
        await open_screen(app, pilot, CadrePageScreen(someone.id_number), settle)
        assert mask(someone.id_number) in assert_masked(app)
        await open_screen(app, pilot, DecisionsScreen(), settle)
        assert MASKED_ID.search(assert_masked(app))


async def test_proctor_console_and_its_dialogs_show_no_whole_id_number(
    demo_db_each_backend: Database,
) -> None:
    db, clock = demo_db_each_backend, SteppingClock()
    s = live_sitting(db, clock)
    app = proctor_app(db, clock, s.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        text = assert_masked(app)
        assert all(n not in text for n in s.number.values())
        for role, key in (("answering", "x"), ("answering", "e"), ("handed_in", "r"), ("not_signed_in", "a")):
            await highlight(pilot, s.number[role])
            await pilot.press(key)
            await _settle(pilot)
            assert MASKED_ID.search(assert_masked(app))  # the dialog names the candidate, masked
            if app.screen.is_modal:
                await pilot.press("escape")
                await _settle(pilot)


async def _settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
