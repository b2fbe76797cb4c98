"""The exam screen while the database is away: the banner, the save state, the answers kept on the machine;
and the terminal whose attempt was begun on another one.

The saver's messages are posted here directly; tests/integration/test_connection_loss.py cuts a real
connection to PostgreSQL under the whole terminal.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerState

from exam_tui.i18n import set_language, t
from exam_tui.services import admission, attempts
from exam_tui.services.answers import save_answer
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import start_session
from exam_tui.services.sessions import list_sessions
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.journal import AnswerJournal, JournalEntry
from exam_tui.tui.saver import ConnectionLost, ConnectionRestored, TerminalMoved
from exam_tui.tui.screens.candidate.dialogs import MovedDialog
from exam_tui.tui.screens.candidate.exam import ExamScreen
from exam_tui.tui.widgets.question import QuestionView
from tests.conftest import SteppingClock
from tests.tui.conftest import BEIJING

SIZE = (100, 30)


# Small copies of tests/tui/test_candidate.py's helpers: this file should not break with the screens
# that module's own imports reach.


def shown(widget: Static) -> str:
    return str(widget.content)


def rostered_id_number(db_path: Path) -> str:
    with sqlite3.connect(db_path) as conn:
        (number,) = conn.execute(
            "select c.id_number from cadre c join session_candidate sc on sc.cadre_id = c.id"
            " order by c.id limit 1"
        ).fetchone()
    return str(number)


async def settle(pilot: Pilot) -> None:
    """Until no worker but the saver runs and the saver has written what it was given."""
    app = pilot.app
    give_up = time.monotonic() + 5
    while time.monotonic() < give_up:
        await pilot.pause()
        busy = [
            w
            for w in app.workers
            if w.group != "saver"
            and w.state in (WorkerState.RUNNING, WorkerState.PENDING)
            and not w.is_cancelled
        ]
        saver = getattr(app.screen, "saver", None)
        if not busy and (saver is None or saver.idle):
            break
        await asyncio.sleep(0.02)
    await pilot.pause()


async def _begin(
    pilot: Pilot, app: ExamApp, demo_db: Database, db_path: Path, stepping: SteppingClock
) -> ExamScreen:
    (session,) = list_sessions(demo_db)
    if session.state != "started":
        start_session(demo_db, session.id, clock=stepping)
    await pilot.press(*rostered_id_number(db_path), "enter", *session.access_code, "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ExamScreen)
    return app.screen


def removed(path: Path) -> bool:
    """Whether ``path`` goes within a few seconds: the saver thread tidies up after the app has ended."""
    give_up = time.monotonic() + 5
    while path.exists() and time.monotonic() < give_up:
        time.sleep(0.02)
    return not path.exists()


@pytest.fixture(autouse=True)
def _journal_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EXAM_TUI_JOURNAL_DIR", str(tmp_path / "journal"))
    return tmp_path / "journal"


@pytest.fixture
def stepping() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def sit(demo_db: Database, stepping: SteppingClock) -> Callable[[], ExamApp]:
    return lambda: make_app(demo_db, clock=stepping, tz=BEIJING, candidate=True)


async def test_the_banner_shows_while_the_connection_is_lost(
    sit, demo_db: Database, db_path: Path, stepping: SteppingClock, _journal_here: Path
) -> None:
    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        exam = await _begin(pilot, app, demo_db, db_path, stepping)
        banner = exam.query_one("#connection-banner", Static)
        status = exam.query_one("#exam-status", Static)
        assert not banner.display

        exam.post_message(ConnectionLost("connection refused"))
        await pilot.press("a")
        await settle(pilot)
        assert banner.display and shown(banner) == t("exam.connection_lost")
        assert banner.region.height >= 1 and banner.region.width == SIZE[0]  # full width, above the question
        assert banner.region.y < exam.query_one(QuestionView).region.y
        assert shown(status).endswith(t("exam.kept_locally")) and status.has_class("save-warning")
        assert exam.kept[1] == 1  # the saver journaled it before anything else

        exam.post_message(ConnectionRestored())
        await settle(pilot)
        assert not banner.display
        assert "已保存 09:00:00" in shown(status) and not status.has_class("save-warning")
        await pilot.press("right", "b")
        await settle(pilot)
        assert not banner.display
    # Left with everything acknowledged: nothing stays on the machine.
    assert exam.saver.journal.path.parent == _journal_here and removed(exam.saver.journal.path)


async def test_the_english_banner(sit, demo_db: Database, db_path: Path, stepping: SteppingClock) -> None:
    set_language("en")
    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        exam = await _begin(pilot, app, demo_db, db_path, stepping)
        exam.post_message(ConnectionLost("connection refused"))
        await settle(pilot)
        banner = exam.query_one("#connection-banner", Static)
        assert banner.display and shown(banner).startswith("⚠ Connection to the database lost.")
        assert banner.region.height == 2  # wrapped at 100 columns, not cut


async def test_answers_kept_by_a_terminal_killed_offline_come_back_on_screen_and_are_uploaded(
    sit, demo_db: Database, db_path: Path, stepping: SteppingClock, _journal_here: Path
) -> None:
    (session,) = list_sessions(demo_db)
    start_session(demo_db, session.id, clock=stepping)
    number = rostered_id_number(db_path)
    admitted = admission.admit(demo_db, login=number, access_code=session.access_code, clock=stepping)
    state = attempts.begin(
        demo_db, session_id=session.id, cadre_id=admitted.candidate.cadre_id, clock=stepping
    )
    # The previous terminal saved item 1 once, then lost the database and was killed after two more changes.
    save_answer(demo_db, state.attempt_id, item=1, answer="A", flagged=False, revision=1, clock=stepping)
    journal = AnswerJournal.for_attempt(demo_db.url, state.attempt_id, paper=state.paper.seed)
    for entry in (
        JournalEntry(item=1, answer="A", flagged=False, revision=1, current_item=1),
        JournalEntry(item=1, answer="D", flagged=True, revision=2, current_item=1),
        JournalEntry(item=2, answer="B", flagged=False, revision=1, current_item=2),
    ):
        journal.append(entry)
    journal.acknowledge(1, 1)
    journal.close()
    assert journal.path.parent == _journal_here

    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        exam = await _begin(pilot, app, demo_db, db_path, stepping)
        assert exam.answers[1] == "D" and exam.answers[2] == "B" and exam.flagged == {1}
        assert exam.revisions == {1: 2, 2: 1}
        await pilot.press("b")  # changes item 1 again: the revision after the kept one
        await settle(pilot)
        assert exam.revisions[1] == 3
    resumed = attempts.begin(
        demo_db, session_id=session.id, cadre_id=admitted.candidate.cadre_id, clock=stepping
    )
    assert (
        resumed.answers == {1: "B", 2: "B"} and resumed.revisions == {1: 3, 2: 1} and resumed.flagged == {1}
    )
    assert removed(journal.path)


async def test_a_terminal_whose_attempt_was_begun_elsewhere_stops_and_says_so(
    sit, demo_db: Database, db_path: Path, stepping: SteppingClock
) -> None:
    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        exam = await _begin(pilot, app, demo_db, db_path, stepping)
        await pilot.press("a")
        await settle(pilot)
        assert exam.acknowledged == {1: 1}
        # The candidate signs in on another machine: that begin issues the attempt a new token.
        other = attempts.begin(
            demo_db,
            session_id=exam.admission.session.id,
            cadre_id=exam.admission.candidate.cadre_id,
            hostname="lab-02",
            clock=stepping,
        )
        assert other.resumed and other.answers == {1: "A"}
        await pilot.press("b")  # the old terminal's next save is refused: it writes nothing more
        give_up = time.monotonic() + 5
        while not isinstance(app.screen, MovedDialog) and time.monotonic() < give_up:
            await pilot.pause(0.05)
        dialog = app.screen
        assert isinstance(dialog, MovedDialog) and dialog.unsaved == [1]
        assert shown(dialog.query_one(".dialog-title", Static)) == t("moved.title")
        assert exam.ended
        await pilot.press("c")  # the modal holds the keys: nothing reaches the question
        assert exam.answers == {1: "B"}
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 0
    # Nothing of this terminal's changed the attempt after the other terminal began it.
    again = attempts.begin(
        demo_db,
        session_id=exam.admission.session.id,
        cadre_id=exam.admission.candidate.cadre_id,
        clock=stepping,
    )
    assert again.answers == {1: "A"} and again.revisions == {1: 1}


async def test_the_moved_notice_names_the_answers_that_did_not_reach_the_database(
    sit, demo_db: Database, db_path: Path, stepping: SteppingClock
) -> None:
    app = sit()
    async with app.run_test(size=(80, 24)) as pilot:
        exam = await _begin(pilot, app, demo_db, db_path, stepping)
        exam.revisions.update({3: 1, 7: 2})  # given here, never acknowledged
        exam.acknowledged.update({7: 1})
        exam.post_message(TerminalMoved())
        await pilot.pause()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MovedDialog) and dialog.unsaved == [3, 7]
        body = " ".join(shown(s) for s in dialog.query(".dialog-body").results(Static))
        assert "3" in body and "7" in body
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0
