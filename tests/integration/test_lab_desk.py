"""A lab machine signed in as the candidate-terminal role sits a whole exam: the sign-in desk (run, as in a
real lab, by a proctor's login) admits it, draws and begins its paper, hands it in and returns the result
as the exam's review policy allows; the terminal itself only ever calls the exam_tui_* functions.

Uses the database, roles and logins of test_pg_roles (its module fixture): the candidate's terminal is a
LOGIN user in the candidate role, the desk a LOGIN user in the proctor role.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from exam_tui.services import attempts, audit, desk
from exam_tui.services.attempts import IN_PROGRESS
from exam_tui.services.runtime import Database, connect, is_terminal_role
from exam_tui.services.sessions import SessionError, list_sessions
from exam_tui.services.terminal import DeskFront, DeskLink, DeskUnavailable, DirectFront, front_for
from exam_tui.store.desk_functions import PENDING_LIMIT
from tests.integration.conftest import roster_numbers
from tests.integration.pg_lab import Lab
from tests.integration.test_pg_roles import PERMISSION_DENIED

pytestmark = pytest.mark.pg


def _right(key: object) -> object:
    """The answer a candidate types for ``key`` (a blank's first accepted alternative)."""
    if isinstance(key, list) and key and isinstance(key[0], list):
        return [alternatives[0] for alternatives in key]
    return key


@contextmanager
def desk_running(db: Database) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=desk.run, args=(db, stop), kwargs={"idle_seconds": 0.2}, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive()


def _session(lab: Lab) -> tuple[int, str]:
    (session,) = list_sessions(lab.admin)
    return session.id, session.access_code


def _free_number(lab: Lab, index: int) -> str:
    """A rostered candidate the module fixture has not begun (it began the first two)."""
    session_id, _ = _session(lab)
    return roster_numbers(lab.admin, session_id)[index]


def test_the_lab_machine_is_recognised_and_opens_without_touching_the_schema(lab: Lab) -> None:
    assert is_terminal_role(lab.candidate) and not is_terminal_role(lab.proctor)
    assert not is_terminal_role(lab.admin)
    # The full connect (what `exam-tui sit` does) checks the schema revision through its function.
    again = connect(lab.candidate.url)
    try:
        assert isinstance(front_for(again), DeskFront)
        assert isinstance(front_for(lab.admin), DirectFront)
    finally:
        again.dispose()


def test_a_lab_terminal_sits_a_whole_exam_through_the_desk(lab: Lab) -> None:
    session_id, code = _session(lab)
    number = _free_number(lab, 2)
    front = DeskFront(lab.candidate)
    with desk_running(lab.proctor):
        admitted = front.admit(login=number, access_code=code, name=None, session_id=None)
        assert admitted.session.id == session_id and not admitted.resuming
        assert admitted.candidate.masked_id != number and "*" in admitted.candidate.masked_id
        assert front.session_state(session_id) == "started"
        state, link = front.begin(admitted, hostname="lab-07")
        assert isinstance(link, DeskLink) and not state.resumed
        assert all(i.key is None and i.explanation is None for i in state.paper.items)
        # Answer every question with its key (read here on the admin's side: the terminal cannot).
        keyed = attempts.result(lab.admin, state.attempt_id).paper
        for revision, item in enumerate(keyed.items, start=1):
            ack = link.save(
                item=item.number,
                answer=_right(item.key),
                flagged=False,
                revision=revision,
                current_item=item.number,
            )
            assert ack.item == item.number
        assert link.heartbeat(current_item=1).state == IN_PROGRESS
        with pytest.raises(SessionError) as early:
            link.result()  # before hand-in the desk shows nothing
        assert early.value.key == "desk.not_handed_in"
        shown = link.hand_in("candidate")
        again = link.hand_in("candidate")  # a retry waits for the same request, asks nothing twice
        afterwards = link.result()
    stored = attempts.result(lab.admin, state.attempt_id)
    assert stored.state != IN_PROGRESS and stored.submit_reason == "candidate"
    assert stored.score == stored.total_points
    # The demo's exam reviews `score`: the score and outcome, no item and no key reach the terminal.
    assert shown.score == stored.score and shown.passed is True and shown.items == []
    assert all(i.key is None for i in shown.paper.items)
    assert again == shown and afterwards == shown
    with lab.admin.read() as s:
        rows = s.execute(
            text(
                "SELECT kind, params::text, hostname FROM terminal_request WHERE token_hash = :h ORDER BY id"
            ),
            {"h": attempts.hash_of_token(link.gateway.token)},
        ).all()
    assert [r.kind for r in rows] == ["admit", "begin", "result", "hand_in", "result"]
    # What the candidate typed (the ID number, the access code) is not kept once served.
    assert all(number not in r.params and code not in r.params for r in rows)
    assert audit.verify(lab.admin).intact


def test_refusals_reach_the_terminal_as_the_services_word_them(lab: Lab) -> None:
    session_id, code = _session(lab)
    number = _free_number(lab, 3)
    front = DeskFront(lab.candidate)
    with desk_running(lab.proctor):
        with pytest.raises(SessionError) as bad_code:
            front.admit(login=number, access_code="ZZZZZZ", name=None, session_id=None)
        assert bad_code.value.key == "login.bad_code"
        with pytest.raises(SessionError) as unknown:
            front.admit(login="110105194910010015", access_code=code, name=None, session_id=None)
        assert unknown.value.key in {"login.unknown_candidate", "login.bad_id"}
        with pytest.raises(SessionError) as not_signed_in:
            front.begin(None, hostname="lab")  # type: ignore[arg-type]
        assert not_signed_in.value.key == "desk.no_admission"
        mine = front.admit(login=number, access_code=code, name=None, session_id=None)
        _state, link = front.begin(mine, hostname="lab-08")
        # Another terminal may neither begin on this admission nor hand in or read this attempt.
        other = DeskFront(lab.candidate)
        other.admit(login=_free_number(lab, 4), access_code=code, name=None, session_id=None)
        assert other._desk is not None and front._admit_request is not None
        for sql, values in (
            (
                "SELECT exam_tui_desk_ask('begin', :t, NULL, CAST(:p AS json), 'x')",
                {"p": f'{{"admit": {front._admit_request}}}'},
            ),
            ("SELECT exam_tui_desk_ask('hand_in', :t, :a, '{}'::json, 'x')", {"a": link.attempt_id}),
            ("SELECT exam_tui_desk_ask('result', :t, :a, '{}'::json, 'x')", {"a": link.attempt_id}),
            ("SELECT exam_tui_desk_outcome(:r, :t)", {"r": front._admit_request}),
            ("SELECT exam_tui_session_state(:r, :t)", {"r": front._admit_request}),
            ("SELECT * FROM terminal_request", {}),
        ):
            with pytest.raises(DBAPIError) as refused, lab.candidate.engine.connect() as conn:
                conn.execute(text(sql), {"t": other._desk.secret, **values})
            assert getattr(refused.value.orig, "sqlstate", None) == PERMISSION_DENIED, sql
    with lab.admin.read() as s:
        still = s.execute(
            text("SELECT state FROM attempt WHERE id = :a"), {"a": link.attempt_id}
        ).scalar_one()
    assert still == IN_PROGRESS and session_id == mine.session.id


def test_no_desk_running_is_said_in_time_and_a_flood_is_refused(lab: Lab) -> None:
    _session_id, code = _session(lab)
    front = DeskFront(lab.candidate, wait_seconds=0.5)
    with pytest.raises(DeskUnavailable):
        front.admit(login=_free_number(lab, 5), access_code=code, name=None, session_id=None)
    assert front._desk is None  # not signed in
    secret = "s" * 40
    with lab.candidate.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        ask = text("SELECT exam_tui_desk_ask('admit', :t, NULL, '{}'::json, 'x')")
        for _ in range(PENDING_LIMIT):
            conn.execute(ask, {"t": secret})
        with pytest.raises(DBAPIError) as flood:
            conn.execute(ask, {"t": secret})
    assert getattr(flood.value.orig, "sqlstate", None) == "54000"
    # A desk started later serves what waited (the refusals here: no login, no code).
    assert desk.serve_pending(lab.proctor) >= PENDING_LIMIT


def test_a_request_whose_desk_died_is_taken_over(lab: Lab) -> None:
    _session_id, code = _session(lab)
    front = DeskFront(lab.candidate, wait_seconds=0.0)
    with pytest.raises(DeskUnavailable):
        front.admit(login=_free_number(lab, 6), access_code=code, name=None, session_id=None)
    claimed = desk.claim(lab.proctor)  # a desk claims it … and is killed before serving
    assert claimed is not None
    assert desk.claim(lab.proctor) is None  # nobody else takes a fresh claim
    with lab.admin.read() as s:
        now = s.execute(text("SELECT now()")).scalar_one()
    later = now + timedelta(seconds=desk.CLAIM_SECONDS + 1)
    taken = desk.claim(lab.proctor, clock=lambda: later)
    assert taken is not None and taken.id == claimed.id
    desk.serve(lab.proctor, taken)
    desk.serve(lab.proctor, claimed)  # the first desk wakes up: the outcome written stands
    with lab.admin.read() as s:
        outcome = s.execute(
            text("SELECT outcome::text FROM terminal_request WHERE id = :i"), {"i": claimed.id}
        ).scalar_one()
    assert '"ok"' in outcome


async def test_exam_tui_sit_on_a_lab_machine_runs_as_the_candidate_role(lab: Lab) -> None:
    """The candidate's screens, unchanged, on a terminal signed in as the candidate role: sign in, begin,
    answer, hand in, the result — every step through the functions and a desk run by a proctor."""
    import asyncio

    from exam_tui.tui.app import make_app
    from exam_tui.tui.screens.candidate.exam import ExamScreen
    from exam_tui.tui.screens.candidate.result import ResultScreen
    from tests.tui.conftest import BEIJING
    from tests.tui.test_candidate import settle, sign_in

    _session_id, code = _session(lab)
    number = _free_number(lab, 7)
    app = make_app(lab.candidate, tz=BEIJING, candidate=True)
    with desk_running(lab.proctor):
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot, number, code)
            assert isinstance(app.front, DeskFront)
            await pilot.press("enter")
            await settle(pilot)
            exam = app.screen
            assert isinstance(exam, ExamScreen) and isinstance(exam.link, DeskLink)
            first = exam.paper.items[0]
            await pilot.press("a" if first.type != "true_false" else "t")
            await settle(pilot)
            await pilot.press("f10", "y")
            for _ in range(200):
                if isinstance(app.screen, ResultScreen):
                    break
                await asyncio.sleep(0.05)
            assert isinstance(app.screen, ResultScreen)
            shown = app.screen.result
    stored = attempts.result(lab.admin, exam.attempt_id)
    assert stored.state != IN_PROGRESS and shown.score == stored.score and shown.items == []
    with lab.admin.read() as s:
        answered = s.execute(
            text("SELECT count(*) FROM response WHERE attempt_id = :a AND answer IS NOT NULL"),
            {"a": exam.attempt_id},
        ).scalar_one()
    assert answered >= 1
    assert audit.verify(lab.admin).intact


def test_the_desk_hands_in_an_attempt_whose_time_ran_out_with_nobody_at_the_terminal(lab: Lab) -> None:
    _session_id, code = _session(lab)
    front = DeskFront(lab.candidate)
    with desk_running(lab.proctor):
        admitted = front.admit(login=_free_number(lab, 8), access_code=code, name=None, session_id=None)
        state, link = front.begin(admitted, hostname="lab-09")
        link.save(item=1, answer="A", flagged=False, revision=1, current_item=1)
    # The terminal is unplugged; the desk's sweep, two hours on, finds the attempt open past its deadline.
    with lab.admin.read() as s:
        now = s.execute(text("SELECT now()")).scalar_one()
    later = now + timedelta(hours=2)
    assert desk.hand_in_overdue(lab.proctor, clock=lambda: later) >= 1
    assert desk.hand_in_overdue(lab.proctor, clock=lambda: later) == 0
    stored = attempts.result(lab.admin, state.attempt_id)
    assert stored.state != IN_PROGRESS and stored.submit_reason == "time_up"
    with desk_running(lab.proctor):
        assert link.heartbeat(current_item=1).state == stored.state
        assert link.result().score == stored.score
    assert audit.verify(lab.admin).intact


def test_a_lab_terminal_whose_candidate_began_again_elsewhere_is_told_so_and_writes_nothing(lab: Lab) -> None:
    _session_id, code = _session(lab)
    number = _free_number(lab, 9)
    first, second = DeskFront(lab.candidate), DeskFront(lab.candidate)
    with desk_running(lab.proctor):
        state, old = first.begin(
            first.admit(login=number, access_code=code, name=None, session_id=None), hostname="lab-10"
        )
        old.save(item=1, answer="A", flagged=False, revision=1, current_item=1)
        # The candidate's machine hangs; they sign in at the next one, which resumes the attempt.
        again = second.admit(login=number, access_code=code, name=None, session_id=None)
        resumed, new = second.begin(again, hostname="lab-11")
        assert resumed.attempt_id == state.attempt_id and resumed.resumed and resumed.answers == {1: "A"}
        for call in (
            lambda: old.save(item=1, answer="B", flagged=False, revision=2, current_item=1),
            lambda: old.heartbeat(current_item=1),
            lambda: old.incident("focus_lost", {}),
            lambda: old.hand_in("candidate"),
        ):
            with pytest.raises(attempts.TerminalReplaced):
                call()
        assert new.save(item=1, answer="C", flagged=False, revision=2, current_item=1).revision == 2
    assert attempts.result(lab.admin, state.attempt_id).state == IN_PROGRESS
    with lab.admin.read() as s:
        stored = s.execute(
            text("SELECT answer::text FROM response WHERE attempt_id = :a AND item = 1"),
            {"a": state.attempt_id},
        ).scalar_one()
    assert stored == '"C"'
