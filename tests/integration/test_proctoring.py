"""The proctor's console data and interventions, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from exam_tui.services import admission, answers, attempts, proctoring
from exam_tui.services.attempts import AttemptClosed
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, extend_time, start_session
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AuditEventRow, IncidentRow
from tests.conftest import FIXED_NOW, SteppingClock
from tests.integration.conftest import sign_in_and_begin


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


def _answer_all(db: Database, clock: SteppingClock, state: attempts.AttemptState, *, right: int) -> None:
    for item in state.paper.items:
        correct = [a[0] for a in item.key] if item.type == "fill_blank" else item.key
        wrong = (
            "Z" if item.type in ("single", "true_false") else (["Z"] if item.type != "fill_blank" else ["?"])
        )
        answers.save_answer(
            db,
            state.attempt_id,
            item=item.number,
            answer=correct if item.number <= right else wrong,
            flagged=False,
            revision=1,
            clock=clock,
        )


def _incidents(db: Database, session_id: int) -> list[IncidentRow]:
    with db.read() as s:
        return list(
            s.execute(
                select(IncidentRow).where(IncidentRow.session_id == session_id).order_by(IncidentRow.id)
            ).scalars()
        )


def test_console_shows_every_state_time_left_and_silence(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    admission.admit(db, login=numbers[0], access_code=code, clock=clock)  # signed in, waiting
    start_session(db, session_id, clock=clock)
    answering = sign_in_and_begin(db, clock, code, numbers[1])
    handed = sign_in_and_begin(db, clock, code, numbers[2])
    terminated = sign_in_and_begin(db, clock, code, numbers[3])
    _answer_all(db, clock, handed, right=45)
    attempts.hand_in(db, handed.attempt_id, clock=clock)
    answers.save_answer(db, answering.attempt_id, item=1, answer="A", flagged=False, revision=1, clock=clock)
    answers.save_answer(db, answering.attempt_id, item=2, answer="B", flagged=True, revision=1, clock=clock)
    proctoring.terminate_attempt(db, session_id, numbers[3], reason="夹带资料", actor="监考甲", clock=clock)
    proctoring.mark_absent(db, session_id, numbers[4], reason="请假", actor="监考甲", clock=clock)

    clock.advance(seconds=20)
    view = proctoring.console_view(db, session_id, clock=clock)
    states = {c.id_number: c.state for c in view.detail.candidates}
    assert states[numbers[0]] == "waiting"
    assert states[numbers[1]] == "in_progress"
    assert states[numbers[2]] == "handed_in"
    assert states[numbers[3]] == "terminated"
    assert states[numbers[4]] == "absent"
    assert states[numbers[5]] == "not_signed_in"
    row = next(c for c in view.detail.candidates if c.id_number == numbers[1])
    assert (row.answered, row.questions, row.hostname, row.rank is not None) == (2, 45, "lab-01", True)
    assert view.now == clock() and view.planned_end == FIXED_NOW + timedelta(minutes=60)
    assert view.time_left(numbers[1]) == answering.deadline_at - clock()
    assert view.time_left(numbers[2]) is None
    assert not view.silent(numbers[1])
    clock.advance(seconds=11)  # 31 s since the last save, which was also the last sign of life
    later = proctoring.console_view(db, session_id, clock=clock)
    assert later.silent(numbers[1]) and not later.silent(numbers[2])
    answers.heartbeat(db, answering.attempt_id, clock=clock)
    assert not proctoring.console_view(db, session_id, clock=clock).silent(numbers[1])
    assert terminated.attempt_id != answering.attempt_id


def test_terminate_hands_in_with_what_it_holds_and_closes_the_terminal(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    state = sign_in_and_begin(db, clock, code, numbers[0])
    _answer_all(db, clock, state, right=10)
    with pytest.raises(SessionError) as e:
        proctoring.terminate_attempt(db, session_id, numbers[0], reason="  ", actor="p", clock=clock)
    assert e.value.key == "proctor.reason_required"
    proctoring.terminate_attempt(db, session_id, numbers[0], reason="使用手机", actor="监考甲", clock=clock)
    outcome = attempts.result(db, state.attempt_id)
    expected = sum(i.points for i in state.paper.items[:10])
    assert (outcome.submit_reason, outcome.state, outcome.score) == ("terminated", "graded", expected)
    with pytest.raises(AttemptClosed) as closed:
        answers.save_answer(db, state.attempt_id, item=11, answer="A", flagged=False, revision=2, clock=clock)
    assert closed.value.reason == "terminated"
    (incident,) = [i for i in _incidents(db, session_id) if i.kind == "terminated"]
    assert (incident.reason, incident.actor, incident.attempt_id) == ("使用手机", "监考甲", state.attempt_id)
    with db.read() as s:
        actions = [a.action for a in s.execute(select(AuditEventRow)).scalars()]
    assert "attempt.terminated" in actions
    with pytest.raises(SessionError) as again:
        proctoring.terminate_attempt(db, session_id, numbers[0], reason="x", actor="p", clock=clock)
    assert again.value.key == "proctor.not_in_progress"


def test_reopen_a_mistaken_hand_in_until_the_session_closes(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    state = sign_in_and_begin(db, clock, code, numbers[0])
    _answer_all(db, clock, state, right=5)
    first = attempts.hand_in(db, state.attempt_id, clock=clock)
    assert first.state == "graded" and first.score is not None
    proctoring.reopen_attempt(db, session_id, numbers[0], reason="误触交卷", actor="监考甲", clock=clock)
    again = admission.admit(db, login=numbers[0], access_code=code, clock=clock)
    assert again.resuming
    resumed = sign_in_and_begin(db, clock, code, numbers[0])
    assert resumed.attempt_id == state.attempt_id and resumed.deadline_at == state.deadline_at
    assert len(resumed.answers) == 45
    answers.save_answer(
        db, state.attempt_id, item=6, answer=state.paper.items[5].key, flagged=False, revision=2, clock=clock
    )
    # only the candidate's own hand-in can be undone; a terminated paper cannot
    other = sign_in_and_begin(db, clock, code, numbers[1])
    proctoring.terminate_attempt(db, session_id, numbers[1], reason="违纪", actor="p", clock=clock)
    with pytest.raises(SessionError) as e:
        proctoring.reopen_attempt(db, session_id, numbers[1], reason="x", actor="p", clock=clock)
    assert e.value.key == "proctor.reopen_reason"
    with pytest.raises(SessionError) as e:
        proctoring.reopen_attempt(db, session_id, numbers[0], reason="x", actor="p", clock=clock)
    assert e.value.key == "proctor.not_handed_in"  # it is in progress again
    close_session(db, session_id, clock=clock)
    final = attempts.result(db, state.attempt_id)
    assert final.submit_reason == "closed" and final.score == first.score + state.paper.items[5].points
    with pytest.raises(SessionError) as e:
        proctoring.reopen_attempt(db, session_id, numbers[0], reason="x", actor="p", clock=clock)
    assert e.value.key == "session.is_closed"
    assert other.attempt_id


def test_reopen_is_refused_once_time_is_up(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    state = sign_in_and_begin(db, clock, code, numbers[0])
    attempts.hand_in(db, state.attempt_id, clock=clock)
    clock.advance(minutes=61)
    with pytest.raises(SessionError) as e:
        proctoring.reopen_attempt(db, session_id, numbers[0], reason="误触", actor="p", clock=clock)
    assert e.value.key == "proctor.reopen_time"


def test_absent_and_moved(db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    proctoring.mark_absent(db, session_id, numbers[0], reason="病假", actor="p", clock=clock)
    with pytest.raises(SessionError) as e:
        admission.admit(db, login=numbers[0], access_code=code, clock=clock)
    assert e.value.key == "login.absent"
    with pytest.raises(SessionError) as e:
        proctoring.mark_absent(db, session_id, numbers[0], reason="病假", actor="p", clock=clock)
    assert e.value.key == "proctor.already_absent"
    sign_in_and_begin(db, clock, code, numbers[1])
    with pytest.raises(SessionError) as e:
        proctoring.mark_absent(db, session_id, numbers[1], reason="x", actor="p", clock=clock)
    assert e.value.key == "proctor.has_attempt"
    proctoring.move_machine(
        db, session_id, numbers[1], to_machine="lab-17", note="键盘故障", actor="p", clock=clock
    )
    moved = [i for i in _incidents(db, session_id) if i.kind == "moved"]
    assert moved[0].details["from_machine"] == "lab-01" and moved[0].details["to_machine"] == "lab-17"
    with pytest.raises(SessionError) as e:
        proctoring.move_machine(
            db, session_id, "11010519491231002X", to_machine="lab-2", actor="p", clock=clock
        )
    assert e.value.key == "proctor.not_on_roster"


def test_summary_after_close_matches_a_hand_count(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    papers = [sign_in_and_begin(db, clock, code, n) for n in numbers[:4]]
    for state, right in zip(papers, (45, 40, 20, 0), strict=True):
        _answer_all(db, clock, state, right=right)
    extend_time(db, session_id, minutes=10, clock=clock)
    close_session(db, session_id, clock=clock)
    detail = proctoring.console_view(db, session_id, clock=clock).detail
    summary = proctoring.session_summary(detail)
    scores = sorted(float(attempts.result(db, s.attempt_id).score or 0.0) for s in papers)
    assert summary.candidates == len(numbers) and summary.handed_in == 4
    assert summary.absent == len(numbers) - 4 and summary.graded == 4 and summary.pending == 0
    assert summary.mean == pytest.approx(sum(scores) / 4)
    assert summary.median == pytest.approx((scores[1] + scores[2]) / 2)
    assert summary.passed == sum(1 for s in scores if s >= detail.pass_score)
    assert [o.score for o in summary.below_pass] == [s for s in scores if s < detail.pass_score]
    by_hand = [sum(1 for s in scores if min(int(s // 10), 9) == band) for band in range(10)]
    assert [b.count for b in summary.histogram] == by_hand and summary.histogram[-1].high == 100
