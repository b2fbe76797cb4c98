"""The services themselves check a signed-in staff account's assignments (services.access), on SQLite and
PostgreSQL: a proctor acts only on the sessions assigned, a grader grades only the queues assigned, an
admin runs every session, and a change of assignment counts from the next call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from exam_tui.domain.accounts import Role
from exam_tui.services import accounts, attempts, proctoring
from exam_tui.services.accounts import DEMO_PASSWORD, SignedIn, authenticate
from exam_tui.services.grading import grading_queue, next_answer, record_mark
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, extend_time, start_session
from exam_tui.services.sessions import SessionError, schedule_session
from exam_tui.store.models import AuditEventRow, ExamSessionRow, IncidentRow
from tests.conftest import FIXED_NOW, SteppingClock
from tests.integration import test_double_marking as marking
from tests.integration.conftest import sign_in_and_begin
from tests.integration.test_double_marking import SA1, WrittenSitting

DEMO_EXAM = "integrity-regulations/pre-appointment"
sitting = marking.sitting  # the written-answer session of four candidates (a fixture)


@pytest.fixture
def clock() -> SteppingClock:  # type: ignore[override]
    return SteppingClock()


@pytest.fixture
def two_sessions(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> tuple[int, int, list[str]]:
    """The demo session (A, its proctor assigned) and a second session (B) of four of its candidates."""
    a, _code, numbers = demo
    b = schedule_session(
        db,
        exam_ref=DEMO_EXAM,
        title="第二场",
        room=None,
        starts_at=FIXED_NOW,
        id_numbers=numbers[:4],
        open_now=True,
        clock=clock,
    )
    return a, b.id, numbers[:4]


def sign_in(db: Database, login: str, clock: SteppingClock) -> SignedIn:
    return authenticate(db, login, DEMO_PASSWORD, clock=clock)


def actions(
    db: Database, clock: SteppingClock, session_id: int, number: str
) -> dict[str, Callable[..., Any]]:
    """Every proctoring and session-control use case on ``session_id``, waiting for ``by``."""
    kw: dict[str, Any] = {"clock": clock}
    act = {"reason": "测试", "actor": "p", **kw}
    return {
        "console_view": lambda by: proctoring.console_view(db, session_id, by=by, **kw),
        "start_session": lambda by: start_session(db, session_id, by=by, **kw),
        "extend_time": lambda by: extend_time(db, session_id, minutes=5, by=by, **kw),
        "terminate_attempt": lambda by: proctoring.terminate_attempt(db, session_id, number, by=by, **act),
        "reopen_attempt": lambda by: proctoring.reopen_attempt(db, session_id, number, by=by, **act),
        "mark_absent": lambda by: proctoring.mark_absent(db, session_id, number, by=by, **act),
        "move_machine": lambda by: proctoring.move_machine(
            db, session_id, number, to_machine="lab-09", actor="p", by=by, **kw
        ),
        "close_session": lambda by: close_session(db, session_id, by=by, **kw),
    }


def refused(call: Callable[[], Any]) -> SessionError:
    with pytest.raises(SessionError) as caught:
        call()
    return caught.value


def written(db: Database) -> tuple[int, int]:
    """Incidents and audit events: a refused action adds neither."""
    with db.read() as s:
        incidents = s.execute(select(func.count()).select_from(IncidentRow)).scalar_one()
        events = s.execute(select(func.count()).select_from(AuditEventRow)).scalar_one()
        return incidents, events


def test_a_proctor_is_refused_every_action_on_a_session_not_assigned(
    db: Database, two_sessions: tuple[int, int, list[str]], clock: SteppingClock
) -> None:
    a, b, numbers = two_sessions
    proctor = sign_in(db, "proctor", clock)
    # B is running, one candidate answering: each action would otherwise go ahead or fail for its own reason.
    start_session(db, b, clock=clock)
    with db.read() as s:
        code = s.get(ExamSessionRow, b).access_code  # type: ignore[union-attr]
    sign_in_and_begin(db, clock, code, numbers[0])
    before = written(db)
    for name, call in actions(db, clock, b, numbers[0]).items():
        error = refused(lambda call=call: call(proctor))
        assert (error.key, error.params) == ("access.not_assigned", {"login": "proctor", "session": b}), name
        assert "proctor" in error.message() and str(b) in error.message()
    assert written(db) == before
    with db.read() as s:
        assert s.get(ExamSessionRow, b).state == "started"  # type: ignore[union-attr]
    # The same account runs its own session A, action by action.
    on_a = actions(db, clock, a, numbers[0])
    assert len(on_a["console_view"](proctor).detail.candidates) > 4
    on_a["start_session"](proctor)
    on_a["mark_absent"](proctor)
    on_a["move_machine"](proctor)
    with db.read() as s:
        code_a = s.get(ExamSessionRow, a).access_code  # type: ignore[union-attr]
    answering = sign_in_and_begin(db, clock, code_a, numbers[1])
    attempts.hand_in(db, answering.attempt_id, clock=clock)
    actions(db, clock, a, numbers[1])["reopen_attempt"](proctor)
    actions(db, clock, a, numbers[1])["terminate_attempt"](proctor)
    assert on_a["extend_time"](proctor) == 0
    assert on_a["close_session"](proctor).state == "closed"


def test_an_admin_runs_every_session_and_the_cli_passes_no_account(
    db: Database, two_sessions: tuple[int, int, list[str]], clock: SteppingClock
) -> None:
    a, b, numbers = two_sessions
    admin = sign_in(db, "admin", clock)
    for session_id in (a, b):
        on = actions(db, clock, session_id, numbers[2])
        on["console_view"](admin)
        on["start_session"](admin)
        on["mark_absent"](admin)
        on["extend_time"](admin)
    # by=None: not through the staff sign-in (the CLI with the database owner's credentials).
    assert close_session(db, b, clock=clock, by=None).state == "closed"
    assert close_session(db, a, clock=clock, by=admin).state == "closed"


def test_an_assignment_removed_or_an_account_disabled_counts_from_the_next_call(
    db: Database, two_sessions: tuple[int, int, list[str]], clock: SteppingClock
) -> None:
    a, b, numbers = two_sessions
    proctor = sign_in(db, "proctor", clock)  # signed in with session A; the object is never refreshed
    assert proctor.proctor_sessions == frozenset({a})
    proctoring.console_view(db, a, clock=clock, by=proctor)
    accounts.assign(db, "proctor", session_id=a, remove=True, actor="admin", clock=clock)
    assert (
        refused(lambda: proctoring.console_view(db, a, clock=clock, by=proctor)).key == "access.not_assigned"
    )
    assert refused(lambda: start_session(db, a, clock=clock, by=proctor)).key == "access.not_assigned"
    # And the other way: B assigned while signed in is reachable at once, A no longer.
    accounts.assign(db, "proctor", session_id=b, actor="admin", clock=clock)
    start_session(db, b, clock=clock, by=proctor)
    accounts.set_disabled(db, "proctor", True, actor="admin", clock=clock)
    error = refused(lambda: proctoring.mark_absent(db, b, numbers[0], reason="x", actor="p", by=proctor))
    assert (error.key, error.params) == ("access.account_gone", {"login": "proctor"})


def test_a_grader_is_refused_a_queue_not_assigned_until_it_is(
    db: Database,
    sitting: WrittenSitting,
    clock: SteppingClock,
) -> None:
    grader = sign_in(db, "grader", clock)  # the demo's grader: the demo's exams, not this one
    session_id, attempt = sitting.session_id, sitting.attempts[0]
    calls: dict[str, Callable[[], Any]] = {
        "grading_queue": lambda: grading_queue(db, session_id, "grader", by=grader),
        "next_answer": lambda: next_answer(db, session_id, "sa-1", "grader", by=grader),
        "record_mark": lambda: record_mark(
            db, attempt, item=SA1, points=5, grader="grader", clock=clock, by=grader
        ),
    }
    for name, call in calls.items():
        error = refused(call)
        assert (error.key, error.params) == (
            "access.not_grader",
            {"login": "grader", "session": session_id},
        ), name
    # An admin who does not grade is refused too (grading is the grader role's, services.accounts.may_grade).
    admin = sign_in(db, "admin", clock)
    assert refused(lambda: grading_queue(db, session_id, "admin", by=admin)).key == "access.not_grader"
    # Assigned the exam, the same signed-in grader grades at the next call; the assignment taken away, not.
    accounts.assign(db, "grader", exam_ref="double-marking-test/written", actor="admin", clock=clock)
    assert {q.question for q in calls["grading_queue"]()} == {"sa-1", "sa-2"}
    assert calls["next_answer"]().attempt_id == attempt  # type: ignore[union-attr]
    assert calls["record_mark"]().attempt_id == attempt
    accounts.assign(db, "grader", exam_ref="double-marking-test/written", remove=True, actor="admin")
    assert refused(calls["next_answer"]).key == "access.not_grader"
    # A session assigned (rather than its exam) opens that session's queue only.
    accounts.assign(db, "grader", session_id=session_id, role=Role.GRADER, actor="admin")
    assert calls["grading_queue"]()
