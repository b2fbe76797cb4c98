"""A lab machine whose clock is an hour ahead or behind changes nothing about deadlines.

The exam clock is the database's (``store.db.database_now``). ``skewed_local_clock`` sets this process's
wall clock off by an offset, as the lab machine's would read, in every place the program can read it:
``datetime.now``/``utcnow``/``today`` and ``date.today`` through any ``exam_tui`` module's ``datetime`` or
``date`` name, and ``time.time``/``time_ns``. The places in the candidate's path that read it are
``services.clock.system_clock`` (the app's display clock), ``store.db.database_now`` and
``store.answer_writes`` (SQLite's "database clock", see below) and the local journal's timestamps
(``tui.journal``, for a person reading the file). The countdown runs on ``time.monotonic`` between
contacts with the database, which a wrong wall clock does not move, and this shim leaves it alone.

PostgreSQL: the server's clock is a different machine's. With the candidate's clock an hour ahead or
behind, resuming hands back the same deadline and the database's time; the countdown on the exam screen
shows the deadline minus the database's time; a save is taken an hour "after" the deadline by the local
clock and refused one minute after it by the database's; handing in is a candidate's hand-in, not a
time-up.

SQLite: there is no server. Every process that writes the file runs on the machine holding it (network
file systems are refused), so its clock is the exam clock for every terminal alike: no candidate's clock
can differ from the database's. Setting that machine's clock an hour ahead ends every attempt under way
on it, which ``test_on_sqlite_the_machine_holding_the_file_is_the_exam_clock`` records.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text
from textual.widgets import Static

from exam_tui.services import admission, answers, attempts, banks
from exam_tui.services.attempts import AttemptClosed
from exam_tui.services.clock import system_clock
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import start_session
from exam_tui.services.sessions import SessionError
from tests.conftest import STARTER_BANK
from tests.integration.conftest import roster_numbers

BEIJING = timezone(timedelta(hours=8))
HOUR = timedelta(hours=1)
_REAL_DATETIME, _REAL_DATE = datetime, date


class _LooksReal(type):
    # Values made by the real class (the drivers', the stored ones) still pass isinstance checks.
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _REAL_DATETIME if issubclass(cls, _REAL_DATETIME) else _REAL_DATE)


def _skewed_classes(offset: timedelta) -> tuple[type, type]:
    class SkewedDatetime(_REAL_DATETIME, metaclass=_LooksReal):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return _REAL_DATETIME.now(tz) + offset

        @classmethod
        def utcnow(cls) -> datetime:  # type: ignore[override]
            return _REAL_DATETIME.utcnow() + offset

        @classmethod
        def today(cls) -> datetime:  # type: ignore[override]
            return _REAL_DATETIME.today() + offset

    class SkewedDate(_REAL_DATE, metaclass=_LooksReal):
        @classmethod
        def today(cls) -> date:  # type: ignore[override]
            return (_REAL_DATETIME.now() + offset).date()

    return SkewedDatetime, SkewedDate


@pytest.fixture
def skewed_local_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Call with an offset: from then on (until the test ends) this process's wall clock is that far off.

    Only modules already imported are patched: a test imports the screens it drives before it skews."""

    def skew(offset: timedelta) -> None:
        skewed_datetime, skewed_date = _skewed_classes(offset)
        real_time, real_time_ns = time.time, time.time_ns
        monkeypatch.setattr(time, "time", lambda: real_time() + offset.total_seconds())
        monkeypatch.setattr(time, "time_ns", lambda: real_time_ns() + int(offset.total_seconds() * 1e9))
        for name, module in list(sys.modules.items()):
            if not name.startswith("exam_tui") or module is None:
                continue
            if getattr(module, "datetime", None) is _REAL_DATETIME:
                monkeypatch.setattr(module, "datetime", skewed_datetime)
            if getattr(module, "date", None) is _REAL_DATE:
                monkeypatch.setattr(module, "date", skewed_date)

    yield skew


def _database_clock(db: Database) -> datetime:
    """Read straight from the server, past every clock the program has."""
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT clock_timestamp()")).scalar_one().astimezone(UTC)


def _sitting(db: Database) -> tuple[int, str, list[str]]:
    banks.import_files(db, [STARTER_BANK])
    demo = seed_demo(db, tz=BEIJING)  # the real clock
    start_session(db, demo.session.id)
    return demo.session.id, demo.session.access_code, roster_numbers(db, demo.session.id)


def _begin(db: Database, code: str, number: str, **clock: Any) -> attempts.AttemptState:
    admitted = admission.admit(db, login=number, access_code=code, **clock)
    return attempts.begin(
        db, session_id=admitted.session.id, cadre_id=admitted.candidate.cadre_id, hostname="lab-07", **clock
    )


@pytest.mark.parametrize("offset", [HOUR, -HOUR], ids=["an hour ahead", "an hour behind"])
def test_on_postgresql_a_skewed_lab_machine_changes_no_deadline(
    db: Database, skewed_local_clock: Any, offset: timedelta
) -> None:
    if db.backend != "postgresql":
        pytest.skip("SQLite has no clock but the machine's: see the module notes and the SQLite test")
    _, code, numbers = _sitting(db)
    # Attempts begun in the past (on a clock set back, the one way to make them without waiting): one
    # with 55 of its 60 minutes left, so that an hour ahead is past its deadline and the grace for a save
    # in flight; one whose time ran out a minute ago, so that an hour behind leaves it 59 minutes.
    now = _database_clock(db)
    on_time = _begin(db, code, numbers[0], clock=lambda: now - timedelta(minutes=5))
    duration = on_time.deadline_at - on_time.server_now
    over = _begin(db, code, numbers[1], clock=lambda: now - duration - timedelta(minutes=1))
    assert on_time.deadline_at - HOUR < now - answers.LATE_WRITE_GRACE
    assert over.deadline_at < now

    skewed_local_clock(offset)
    drift = system_clock() - _database_clock(db)
    assert abs(drift - offset) < timedelta(seconds=5), drift  # the terminal's clock is off by the hour

    before = _database_clock(db)
    resumed = _begin(db, code, numbers[0])
    after = _database_clock(db)
    assert resumed.resumed and resumed.deadline_at == on_time.deadline_at
    assert before <= resumed.server_now <= after
    # The countdown starts from the deadline minus the database's time (ExamScreen.remaining).
    assert (
        on_time.deadline_at - after
        <= resumed.deadline_at - resumed.server_now
        <= on_time.deadline_at - before
    )

    # An hour ahead, the local clock is past the deadline: the save is taken all the same.
    item = resumed.paper.items[0].number
    before = _database_clock(db)
    ack = answers.save_answer(db, resumed.attempt_id, item=item, answer="A", flagged=False, revision=1)
    tick = answers.heartbeat(db, resumed.attempt_id)
    after = _database_clock(db)
    assert ack.deadline_at == on_time.deadline_at and before <= ack.saved_at <= after
    assert tick.state == attempts.IN_PROGRESS and before <= tick.server_now <= after

    # An hour behind, the local clock gives the other candidate 59 minutes: the save is refused.
    with pytest.raises(AttemptClosed) as refused:
        answers.save_answer(db, over.attempt_id, item=item, answer="A", flagged=False, revision=1)
    assert refused.value.reason == "time_up"
    assert attempts.result(db, over.attempt_id).submit_reason == "time_up"

    handed_in = attempts.hand_in(db, resumed.attempt_id)
    assert handed_in.submit_reason == "candidate"


def test_on_sqlite_the_machine_holding_the_file_is_the_exam_clock(
    sqlite_db: Database, skewed_local_clock: Any
) -> None:
    """Every writer runs on the machine holding the file, so its clock is the database's: set an hour
    ahead, the attempt's time is up for every terminal at once (and for the proctor's console)."""
    _, code, numbers = _sitting(sqlite_db)
    state = _begin(sqlite_db, code, numbers[0])
    skewed_local_clock(HOUR + timedelta(minutes=1))
    with pytest.raises(SessionError) as e:  # signing in again finds the time up, and hands the paper in
        _begin(sqlite_db, code, numbers[0])
    assert e.value.key == "login.submitted"
    result = attempts.result(sqlite_db, state.attempt_id)
    assert (result.state, result.submit_reason) == ("graded", "time_up")


@pytest.mark.parametrize("offset", [HOUR, -HOUR], ids=["an hour ahead", "an hour behind"])
async def test_on_postgresql_the_countdown_shows_the_database_deadline(
    db: Database, skewed_local_clock: Any, offset: timedelta
) -> None:
    """The real exam screen, on the database clock (no injected clock), on a terminal an hour off."""
    from exam_tui.tui.app import make_app
    from exam_tui.tui.screens.candidate.exam import ExamScreen
    from tests.tui.test_candidate import settle, sign_in
    from tests.tui.test_screens import shown

    if db.backend != "postgresql":
        pytest.skip("SQLite has no clock but the machine's: see the module notes and the SQLite test")
    _, code, numbers = _sitting(db)
    deadline = _begin(db, code, numbers[0]).deadline_at  # begun on another terminal, resumed here
    skewed_local_clock(offset)
    app = make_app(db, tz=BEIJING, candidate=True)
    before = _database_clock(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, numbers[0], code)
        await pilot.press("enter")
        await settle(pilot)
        exam = app.screen
        assert isinstance(exam, ExamScreen)
        exam._update_clock()
        countdown = shown(exam.query_one("#countdown", Static))
        after = _database_clock(db)
    h, m, s = (int(part) for part in countdown.split()[-1].split(":"))
    left = timedelta(hours=h, minutes=m, seconds=s)
    # Shown rounded up to the second, at some moment between the two reads of the database's clock.
    assert deadline - after <= left <= deadline - before + timedelta(seconds=1), (
        countdown,
        deadline - before,
    )
