"""A candidate terminal that loses the database keeps the candidate answering (tui/saver.py, tui/journal.py).

The terminal's database connection goes through a TCP proxy (tests/integration/_tcp_proxy.py) that the
tests cut and restore: the candidate's engine really loses its connections and has new ones refused, or
(stalled) keeps them open with nothing coming back. Setting up and checking go through a direct
connection. PostgreSQL only: a SQLite file has no connection to lose (tests/unit/test_journal.py covers
the journal on its own, and the last test here drives the saver against a switchable SQLite failure).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from textual.message import Message
from textual.widgets import Static

from exam_tui.i18n import t
from exam_tui.services import admission, answers, attempts, banks
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database, connect
from exam_tui.services.session_control import start_session
from exam_tui.store.models import AttemptRow, ResponseRow
from exam_tui.tui.app import make_app
from exam_tui.tui.journal import AnswerJournal, JournalEntry
from exam_tui.tui.saver import (
    AnswerSaver,
    ConnectionLost,
    ConnectionRestored,
    Kept,
    Saved,
    SaveJob,
    SaveRetrying,
)
from exam_tui.tui.screens.candidate.exam import ExamScreen
from exam_tui.tui.screens.candidate.result import ResultScreen
from exam_tui.tui.screens.candidate.rules import RulesScreen
from tests.conftest import STARTER_BANK, _empty_pg
from tests.integration._tcp_proxy import TcpProxy
from tests.integration.conftest import roster_numbers

PG_URL = os.environ.get("EXAM_TUI_TEST_PG_URL")
BEIJING = timezone(timedelta(hours=8))
FAST = (0.05, 0.1, 0.2, 0.4)  # the saver's backoff in these tests: the cap is not what is tested
WAIT = 15.0


# ---- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture
def pg(request: pytest.FixtureRequest) -> Iterator[Database]:
    if not PG_URL:
        pytest.skip(
            "needs PostgreSQL: set EXAM_TUI_TEST_PG_URL (a SQLite file has no connection to cut; "
            "tests/unit/test_journal.py covers the journal)"
        )
    db = connect(request.getfixturevalue("_pg_database"))
    _empty_pg(db)
    yield db
    db.dispose()


@pytest.fixture
def proxy(pg: Database) -> Iterator[TcpProxy]:
    target = make_url(pg.url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    proxy.start()
    yield proxy
    proxy.close()


@pytest.fixture
def terminal(pg: Database, proxy: TcpProxy) -> Iterator[Callable[[], Database]]:
    """Opens the candidate terminal's database through the proxy (as many times as a test restarts it)."""
    url = make_url(pg.url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    opened: list[Database] = []

    def open_terminal() -> Database:
        opened.append(connect(url, migrate=False))
        return opened[-1]

    yield open_terminal
    for db in opened:
        db.dispose()


@dataclass(frozen=True)
class Sitting:
    attempt_id: int
    session_id: int
    cadre_id: int
    id_number: str
    access_code: str
    item_count: int


def _sitting(db: Database, *, begin: bool = True) -> Sitting:
    """Today's demo session, started, on the database's clock; the first candidate's attempt begun."""
    banks.import_files(db, [STARTER_BANK])
    session = seed_demo(db, tz=BEIJING).session
    start_session(db, session.id)
    number = roster_numbers(db, session.id)[0]
    admitted = admission.admit(db, login=number, access_code=session.access_code)
    attempt_id, items = 0, 0
    if begin:
        state = attempts.begin(db, session_id=session.id, cadre_id=admitted.candidate.cadre_id)
        attempt_id, items = state.attempt_id, len(state.paper.items)
    return Sitting(attempt_id, session.id, admitted.candidate.cadre_id, number, session.access_code, items)


def _stored(db: Database, attempt_id: int) -> dict[int, tuple[int, Any, bool]]:
    with db.read() as s:
        rows = s.execute(select(ResponseRow).where(ResponseRow.attempt_id == attempt_id)).scalars()
        return {r.item: (r.revision, r.answer, r.flagged) for r in rows}


def _last_seen(db: Database, attempt_id: int) -> datetime | None:
    with Session(db.engine) as s:
        attempt = s.get(AttemptRow, attempt_id)
        assert attempt is not None
        return attempt.last_heartbeat_at


class Posted:
    """What the saver posts to the screen, collected from its threads."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._changed = threading.Condition()

    def __call__(self, message: Message) -> None:
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    def of(self, kind: type[Message]) -> list[Any]:
        with self._changed:
            return [m for m in self.messages if isinstance(m, kind)]

    def index(self, kind: type[Message]) -> int:
        with self._changed:
            return next(i for i, m in enumerate(self.messages) if isinstance(m, kind))

    def wait_for(self, what: str, ready: Callable[[], bool], timeout: float = WAIT) -> None:
        give_up = time.monotonic() + timeout
        with self._changed:
            while not ready():
                left = give_up - time.monotonic()
                assert left > 0, f"waited {timeout} s for {what}; posted: {self.messages}"
                self._changed.wait(min(left, 0.05))

    def kept(self) -> set[tuple[int, int]]:
        return {(m.item, m.revision) for m in self.of(Kept)}

    def saved(self) -> set[tuple[int, int]]:
        return {(m.item, m.revision) for m in self.of(Saved)}


@contextmanager
def running(saver: AnswerSaver) -> Iterator[threading.Thread]:
    thread = threading.Thread(target=saver.run, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        saver.stop()
        thread.join(timeout=WAIT)
        assert not thread.is_alive()


def _wait_idle(saver: AnswerSaver, timeout: float = WAIT) -> None:
    give_up = time.monotonic() + timeout
    while not saver.idle:
        assert time.monotonic() < give_up, "the saver did not get through its queue"
        time.sleep(0.02)


# ---- the saver on a real connection that is cut -----------------------------------------------------


def test_answers_given_while_the_connection_is_cut_reach_the_database_once_it_is_back(
    pg: Database, proxy: TcpProxy, terminal: Callable[[], Database], tmp_path: Path
) -> None:
    sitting = _sitting(pg)
    db = terminal()
    journal = AnswerJournal.for_attempt(db.url, sitting.attempt_id, directory=tmp_path)
    posted = Posted()
    saver = AnswerSaver(db, sitting.attempt_id, posted, journal=journal, backoff=FAST, heartbeat_seconds=0.2)
    with running(saver):
        for item in (1, 2, 3):
            saver.submit(SaveJob(item, "A", False, 1, item))
        posted.wait_for("the first answers", lambda: {(1, 1), (2, 1), (3, 1)} <= posted.saved())
        assert proxy.connections > 0 and _stored(pg, sitting.attempt_id)[2] == (1, "A", False)

        proxy.cut()
        silent_since = _last_seen(pg, sitting.attempt_id)
        offline = [
            SaveJob(2, "B", False, 2, 2),
            SaveJob(4, ["A", "C"], False, 1, 4),
            SaveJob(5, "A", False, 1, 5),
            SaveJob(5, "C", False, 2, 5),
            SaveJob(1, "A", True, 2, 5),  # marked for review
        ]
        for job in offline:
            saver.submit(job)
        # Every answer is on this machine's disk, and the screen is told the connection is gone.
        posted.wait_for(
            "the answers kept locally", lambda: {(j.item, j.revision) for j in offline} <= posted.kept()
        )
        posted.wait_for("the connection lost", lambda: bool(posted.of(ConnectionLost)))
        assert [(e.item, e.answer, e.flagged, e.revision) for e in journal.pending()] == [
            (j.item, j.answer, j.flagged, j.revision) for j in offline
        ]
        # It goes on retrying, but says the connection is lost only once; the proctor hears nothing.
        retries = len(posted.of(SaveRetrying))
        posted.wait_for("retries while offline", lambda: len(posted.of(SaveRetrying)) >= retries + 3)
        assert len(posted.of(ConnectionLost)) == 1 and not posted.of(ConnectionRestored)
        stored = _stored(pg, sitting.attempt_id)
        assert stored[2] == (1, "A", False) and 4 not in stored and 5 not in stored
        assert _last_seen(pg, sitting.attempt_id) == silent_since
        assert not saver.idle

        proxy.restore()
        posted.wait_for("the connection back", lambda: bool(posted.of(ConnectionRestored)))
        _wait_idle(saver)
        assert _stored(pg, sitting.attempt_id) == {
            1: (2, "A", True),
            2: (2, "B", False),
            3: (1, "A", False),
            4: (1, ["A", "C"], False),
            5: (2, "C", False),
        }
        assert journal.pending() == []
        assert len(posted.of(ConnectionLost)) == 1 and len(posted.of(ConnectionRestored)) == 1
        assert posted.index(ConnectionLost) < posted.index(ConnectionRestored)
        # The newest answer of item 5 went; the older one is in the journal only, settled by the ack.
        assert {(2, 2), (4, 1), (5, 2), (1, 2)} <= posted.saved()
        posted.wait_for("a heartbeat", lambda: _last_seen(pg, sitting.attempt_id) != silent_since)
    assert not journal.path.exists()  # everything acknowledged: nothing left on the machine


def test_a_terminal_killed_while_offline_replays_its_journal_when_started_again(
    pg: Database, proxy: TcpProxy, terminal: Callable[[], Database], tmp_path: Path
) -> None:
    sitting = _sitting(pg)
    db = terminal()
    journal = AnswerJournal.for_attempt(db.url, sitting.attempt_id, directory=tmp_path)
    posted = Posted()
    saver = AnswerSaver(db, sitting.attempt_id, posted, journal=journal, backoff=FAST)
    with running(saver):
        saver.submit(SaveJob(1, "A", False, 1, 1))
        posted.wait_for("the first answer", lambda: (1, 1) in posted.saved())
        proxy.cut()
        for job in (SaveJob(1, "B", False, 2, 1), SaveJob(2, "C", False, 1, 2), SaveJob(2, "D", True, 2, 2)):
            saver.submit(job)
        posted.wait_for("the answers kept locally", lambda: {(1, 2), (2, 1), (2, 2)} <= posted.kept())
        posted.wait_for("the connection lost", lambda: bool(posted.of(ConnectionLost)))
    # The terminal is gone (stopped without another write), its answers only on this machine.
    assert _stored(pg, sitting.attempt_id) == {1: (1, "A", False)}
    assert [(e.item, e.revision) for e in journal.pending()] == [(1, 2), (2, 1), (2, 2)]
    # A save that landed just before the kill, its ack never written: the database already went further.
    answers.save_answer(pg, sitting.attempt_id, item=3, answer="Y", flagged=False, revision=2)
    journal.append(JournalEntry(item=3, answer="X", flagged=False, revision=1, current_item=3))
    journal.close()

    proxy.restore()
    again = AnswerSaver(
        terminal(),
        sitting.attempt_id,
        posted_again := Posted(),
        journal=AnswerJournal.for_attempt(db.url, sitting.attempt_id, directory=tmp_path),
        backoff=FAST,
    )
    # What the screen adopts before the first frame: the newest kept answer of each item.
    assert again.unsent == [
        SaveJob(1, "B", False, 2, 1),
        SaveJob(2, "D", True, 2, 2),
        SaveJob(3, "X", False, 1, 3),
    ]
    with running(again):
        _wait_idle(again)
        assert _stored(pg, sitting.attempt_id) == {1: (2, "B", False), 2: (2, "D", True), 3: (2, "Y", False)}
        assert again.journal.pending() == []
        assert not posted_again.of(ConnectionLost)
        # Replayed first, in order; the database answers item 3 with the newer revision it holds.
        assert [(m.item, m.revision) for m in posted_again.of(Saved)][:3] == [(1, 2), (2, 2), (3, 2)]
    assert not journal.path.exists()


def test_a_database_that_stops_answering_is_noticed_and_answers_are_still_kept(
    pg: Database, proxy: TcpProxy, terminal: Callable[[], Database], tmp_path: Path
) -> None:
    sitting = _sitting(pg)
    db = terminal()
    journal = AnswerJournal.for_attempt(db.url, sitting.attempt_id, directory=tmp_path)
    posted = Posted()
    saver = AnswerSaver(db, sitting.attempt_id, posted, journal=journal, backoff=FAST, stall_seconds=0.5)
    with running(saver):
        saver.submit(SaveJob(1, "A", False, 1, 1))
        posted.wait_for("the first answer", lambda: (1, 1) in posted.saved())
        proxy.stall()  # nothing fails: the write just never comes back
        saver.submit(SaveJob(2, "B", False, 1, 2))
        posted.wait_for("the stall noticed", lambda: bool(posted.of(ConnectionLost)))
        assert "no answer" in posted.of(ConnectionLost)[0].detail
        # The writer is stuck inside a write; answers still reach the disk.
        saver.submit(SaveJob(3, "C", False, 1, 3))
        saver.submit(SaveJob(2, "D", False, 2, 2))
        posted.wait_for("the answers kept locally", lambda: {(2, 1), (3, 1), (2, 2)} <= posted.kept())
        assert [(e.item, e.revision) for e in journal.pending()] == [(2, 1), (3, 1), (2, 2)]
        assert (2, 1) not in posted.saved()

        proxy.resume()
        posted.wait_for("the connection back", lambda: bool(posted.of(ConnectionRestored)))
        _wait_idle(saver)
        assert _stored(pg, sitting.attempt_id) == {1: (1, "A", False), 2: (2, "D", False), 3: (1, "C", False)}
        assert journal.pending() == [] and len(posted.of(ConnectionLost)) == 1


# ---- the whole candidate terminal through the proxy --------------------------------------------------


async def test_the_candidate_answers_and_hands_in_through_an_outage(
    pg: Database,
    proxy: TcpProxy,
    terminal: Callable[[], Database],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EXAM_TUI_JOURNAL_DIR", str(tmp_path / "journal"))
    sitting = _sitting(pg, begin=False)
    app = make_app(terminal(), tz=BEIJING, candidate=True)  # the database's clock, as in the lab

    async def until(what: str, ready: Callable[[], bool], timeout: float = WAIT) -> None:
        give_up = time.monotonic() + timeout
        while not ready():
            assert time.monotonic() < give_up, f"waited {timeout} s for {what}"
            await asyncio.sleep(0.05)

    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*sitting.id_number, "enter", *sitting.access_code, "enter")
        await until("the rules", lambda: isinstance(app.screen, RulesScreen))
        await pilot.press("enter")
        await until("the exam", lambda: isinstance(app.screen, ExamScreen))
        exam = app.screen
        assert isinstance(exam, ExamScreen)
        banner = exam.query_one("#connection-banner", Static)
        status = exam.query_one("#exam-status", Static)
        await pilot.press("a")
        await until("the first answer saved", lambda: exam.saver.idle and exam.acknowledged.get(1) == 1)
        assert not banner.display

        proxy.cut()
        await pilot.press("right", "b")
        await until("the banner", lambda: banner.display)
        assert str(banner.content) == t("exam.connection_lost")
        await until("the answer kept", lambda: exam.kept.get(2) == 1)
        await pilot.pause()
        assert t("exam.kept_locally") in str(status.content) and status.has_class("save-warning")
        assert isinstance(app.screen, ExamScreen)  # still answering

        await pilot.press("f10", "y")
        await until("the hand-in waiting", lambda: str(status.content) == t("exam.hand_in_waiting"))
        await asyncio.sleep(0.5)
        assert app.screen is exam and attempts.result(pg, exam.attempt_id).state == "in_progress"
        await pilot.press("c")  # handed in: the answers are final
        assert exam.answers.get(2) == "B" and exam.revisions[2] == 1

        proxy.restore()
        await until("the result", lambda: isinstance(app.screen, ResultScreen))
    result = attempts.result(pg, exam.attempt_id)
    assert result.submit_reason == "candidate"
    stored = _stored(pg, exam.attempt_id)
    assert (stored[1][1], stored[2][1]) == ("A", "B")
    # Handed in with everything acknowledged: the saver's thread removes the journal as it ends.
    await until("the journal removed", lambda: not any((tmp_path / "journal").iterdir()))


# ---- the same saver against a switchable failure (runs without PostgreSQL) ---------------------------


class Unreachable(Database):
    """A SQLite database whose writes fail as a lost server's would, while ``down`` is set (a stand-in
    for the real cut above, so that the saver's offline path runs where PostgreSQL is not set up)."""

    down = False

    def write(self) -> Any:
        if self.down:
            raise OperationalError("BEGIN", {}, ConnectionRefusedError("connection refused"))
        return super().write()

    def read(self) -> Any:
        if self.down:
            raise OperationalError("SELECT", {}, ConnectionRefusedError("connection refused"))
        return super().read()


def test_the_saver_keeps_and_replays_answers_across_a_failing_database(
    sqlite_db: Database, tmp_path: Path
) -> None:
    sitting = _sitting(sqlite_db)
    db = Unreachable(url=sqlite_db.url, engine=sqlite_db.engine)
    journal = AnswerJournal.for_attempt(db.url, sitting.attempt_id, directory=tmp_path)
    posted = Posted()
    saver = AnswerSaver(db, sitting.attempt_id, posted, journal=journal, backoff=FAST)
    with running(saver):
        saver.submit(SaveJob(1, "A", False, 1, 1))
        posted.wait_for("the first answer", lambda: (1, 1) in posted.saved())
        db.down = True
        saver.submit(SaveJob(2, "B", False, 1, 2))
        saver.submit(SaveJob(1, "C", False, 2, 1))
        posted.wait_for(
            "kept and lost", lambda: {(2, 1), (1, 2)} <= posted.kept() and bool(posted.of(ConnectionLost))
        )
        assert [(e.item, e.revision) for e in journal.pending()] == [(2, 1), (1, 2)]
        db.down = False
        posted.wait_for("the connection back", lambda: bool(posted.of(ConnectionRestored)))
        _wait_idle(saver)
    assert _stored(sqlite_db, sitting.attempt_id) == {1: (2, "C", False), 2: (1, "B", False)}
    assert not journal.path.exists()
