"""The candidate's attempt through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text

from exam_tui.domain.idnumber import with_check_digit
from exam_tui.services import admission, answers, attempts, banks
from exam_tui.services.attempts import AttemptClosed
from exam_tui.services.demo import seed_demo
from exam_tui.services.grading import record_mark
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, extend_time, session_detail, start_session
from exam_tui.services.sessions import SessionError, roster, schedule_session
from tests.conftest import FIXED_NOW, STARTER_BANK, WRITTEN_BANK, SteppingClock
from tests.integration.conftest import sign_in_and_begin

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


def _correct(item: Any) -> Any:
    return [a[0] for a in item.key] if item.type == "fill_blank" else item.key


def test_login_errors(db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock) -> None:
    session_id, code, numbers = demo
    with pytest.raises(SessionError) as e:
        admission.admit(db, login=numbers[0], access_code="ZZZZZZ", clock=clock)
    assert e.value.key == "login.bad_code"
    with pytest.raises(SessionError) as e:
        admission.admit(db, login="110105198407157692", access_code=code, clock=clock)
    assert e.value.key == "login.bad_id" and e.value.params["reason"] == "id.checksum"
    with pytest.raises(SessionError) as e:
        admission.admit(db, login="110105198407157691", access_code=code, clock=clock)
    assert e.value.key == "login.unknown_candidate"
    with pytest.raises(SessionError) as e:  # on no roster, so checked in full: the region code is named
        admission.admit(db, login=with_check_digit("00000019840715769"), access_code=code, clock=clock)
    assert e.value.key == "login.bad_id" and e.value.params["reason"] == "id.place"
    admitted = admission.admit(db, login=numbers[0].lower(), access_code=code.lower(), clock=clock)
    assert admitted.exam.questions == 45 and admitted.exam.total_points == 100 and not admitted.resuming
    assert admitted.candidate.masked_id == numbers[0][:3] + "*" * 11 + numbers[0][-4:]
    # last six characters plus the name
    again = admission.admit(
        db, login=numbers[0][-6:], name=admitted.candidate.name, access_code=code, clock=clock
    )
    assert again.candidate.cadre_id == admitted.candidate.cadre_id
    with pytest.raises(SessionError) as e:
        admission.admit(db, login=numbers[0][-6:], access_code=code, clock=clock)
    assert e.value.key == "login.need_name"
    # waiting candidates cannot begin before the start
    with pytest.raises(SessionError) as e:
        attempts.begin(db, session_id=session_id, cadre_id=admitted.candidate.cadre_id, clock=clock)
    assert e.value.key == "begin.not_started"
    assert [r.checked_in for r in roster(db, session_id)].count(True) == 1


def test_not_on_roster_and_not_open(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    _, code, _ = demo
    with db.read() as s:
        outsider = s.execute(
            text(
                "SELECT id_number FROM cadre WHERE id NOT IN (SELECT cadre_id FROM session_candidate) "
                "ORDER BY id LIMIT 1"
            )
        ).scalar_one()
    with pytest.raises(SessionError) as e:
        admission.admit(db, login=outsider, access_code=code, clock=clock)
    assert e.value.key == "login.not_on_roster"
    later = schedule_session(
        db,
        exam_ref="integrity-regulations/practice",
        title="t",
        room=None,
        starts_at=FIXED_NOW,
        id_numbers=[outsider],
        clock=clock,
    )
    with pytest.raises(SessionError) as e:
        admission.admit(db, login=outsider, access_code=later.access_code, clock=clock)
    assert e.value.key == "login.not_open"


def test_full_sitting_answers_resume_and_grading(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    state = sign_in_and_begin(db, clock, code, numbers[0])
    paper = state.paper
    assert len(paper.items) == 45 and state.deadline_at == FIXED_NOW + timedelta(minutes=60)
    for item in paper.items[:-1]:  # all but the last right
        clock.advance(seconds=10)
        ack = answers.save_answer(
            db,
            state.attempt_id,
            item=item.number,
            answer=_correct(item),
            flagged=item.number == 3,
            revision=1,
            current_item=item.number,
            clock=clock,
        )
        assert ack.revision == 1
    # a retried older write never overwrites a newer answer
    first = paper.items[0]
    wrong = "A" if first.key != "A" else "B"
    answers.save_answer(db, state.attempt_id, item=1, answer=wrong, flagged=False, revision=3, clock=clock)
    stale = answers.save_answer(
        db, state.attempt_id, item=1, answer=first.key, flagged=False, revision=2, clock=clock
    )
    assert stale.revision == 3  # acknowledged with the revision that stands
    with pytest.raises(ValueError):
        answers.save_answer(db, state.attempt_id, item=46, answer="A", flagged=False, revision=1, clock=clock)
    answers.save_answer(
        db, state.attempt_id, item=1, answer=first.key, flagged=False, revision=4, current_item=7, clock=clock
    )
    # the terminal dies; the candidate signs in again elsewhere and gets the same paper back
    resumed = sign_in_and_begin(db, clock, code, numbers[0])
    assert resumed.resumed and resumed.paper == paper and resumed.current_item == 7
    assert resumed.answers[1] == first.key and resumed.revisions[1] == 4 and resumed.flagged == {3}
    assert resumed.deadline_at == state.deadline_at
    outcome = attempts.hand_in(db, state.attempt_id, clock=clock)
    last = paper.items[-1]
    assert outcome.state == "graded" and outcome.score == 100 - last.points and outcome.passed
    with pytest.raises(AttemptClosed):
        answers.save_answer(db, state.attempt_id, item=1, answer="A", flagged=False, revision=9, clock=clock)
    with pytest.raises(SessionError) as e:
        admission.admit(db, login=numbers[0], access_code=code, clock=clock)
    assert e.value.key == "login.submitted"
    record = next(c for c in session_detail(db, session_id).candidates if c.id_number == numbers[0])
    assert (record.state, record.answered, record.score, record.resumes) == (
        "handed_in",
        44,
        outcome.score,
        1,
    )


def test_deadline_grace_and_time_up(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    state = sign_in_and_begin(db, clock, code, numbers[1])
    item = state.paper.items[0]
    clock.advance(minutes=60, seconds=3)  # after the deadline, inside the grace for a save in flight
    answers.save_answer(db, state.attempt_id, item=1, answer=item.key, flagged=False, revision=1, clock=clock)
    clock.advance(seconds=5)
    with pytest.raises(AttemptClosed) as e:
        answers.save_answer(db, state.attempt_id, item=2, answer="A", flagged=False, revision=1, clock=clock)
    assert e.value.reason == "time_up"
    result = attempts.result(db, state.attempt_id)
    assert result.submit_reason == "time_up" and result.score == item.points
    assert result.items[1].answer is None  # the refused write left nothing


def test_heartbeat_hands_in_at_the_deadline(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    state = sign_in_and_begin(db, clock, code, numbers[2])
    assert answers.heartbeat(db, state.attempt_id, clock=clock).state == "in_progress"
    clock.advance(minutes=60)
    assert answers.heartbeat(db, state.attempt_id, clock=clock).state == "graded"


def test_signing_in_again_after_the_deadline_hands_the_attempt_in(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    """The terminal died and the time ran out meanwhile: the next sign-in is told the paper is handed in,
    and it is (graded on what was saved), not left in progress until the proctor closes the session."""
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    state = sign_in_and_begin(db, clock, code, numbers[0])
    item = state.paper.items[0]
    answers.save_answer(db, state.attempt_id, item=1, answer=item.key, flagged=False, revision=1, clock=clock)
    clock.advance(minutes=61)
    with pytest.raises(SessionError) as e:
        sign_in_and_begin(db, clock, code, numbers[0])
    assert e.value.key == "login.submitted"
    result = attempts.result(db, state.attempt_id)
    assert (result.state, result.submit_reason, result.score) == ("graded", "time_up", item.points)
    with pytest.raises(SessionError) as e:
        admission.admit(db, login=numbers[0], access_code=code, clock=clock)
    assert e.value.key == "login.submitted"


def test_extend_and_close(db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    a = sign_in_and_begin(db, clock, code, numbers[0])
    b = sign_in_and_begin(db, clock, code, numbers[1])
    assert extend_time(db, session_id, minutes=10, id_number=numbers[0], clock=clock) == 1
    assert extend_time(db, session_id, minutes=5, clock=clock) == 2
    ticks = {s.attempt_id: answers.heartbeat(db, s.attempt_id, clock=clock).deadline_at for s in (a, b)}
    assert ticks[a.attempt_id] - ticks[b.attempt_id] == timedelta(minutes=10)
    assert ticks[b.attempt_id] == FIXED_NOW + timedelta(minutes=65)
    # someone who begins after the extension for all gets it too
    c = sign_in_and_begin(db, clock, code, numbers[2])
    assert c.deadline_at == FIXED_NOW + timedelta(minutes=65)
    answers.save_answer(
        db, a.attempt_id, item=1, answer=a.paper.items[0].key, flagged=False, revision=1, clock=clock
    )
    clock.advance(minutes=20)
    close_session(db, session_id, clock=clock)
    detail = session_detail(db, session_id)
    states = {r.id_number: r.state for r in detail.candidates}
    assert states[numbers[0]] == "closed" and states[numbers[3]] == "absent"
    assert next(r for r in detail.candidates if r.id_number == numbers[0]).score == a.paper.items[0].points
    with pytest.raises(SessionError):
        close_session(db, session_id, clock=clock)


def test_late_entry_is_refused(db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    clock.advance(minutes=16)
    with pytest.raises(SessionError) as e:
        admission.admit(db, login=numbers[4], access_code=code, clock=clock)
    assert e.value.key == "login.too_late"


def test_short_answers_wait_for_a_grader(db: Database, clock: SteppingClock) -> None:
    banks.import_files(db, [STARTER_BANK, WRITTEN_BANK])
    seed_demo(db, tz=BEIJING, clock=clock)
    with db.read() as s:
        number = s.execute(text("SELECT id_number FROM cadre ORDER BY id LIMIT 1")).scalar_one()
    view = schedule_session(
        db,
        exam_ref="written-test/written",
        title="简答",
        room=None,
        starts_at=FIXED_NOW,
        id_numbers=[number],
        open_now=True,
        clock=clock,
    )
    start_session(db, view.id, clock=clock)
    state = sign_in_and_begin(db, clock, view.access_code, number)
    true_false, written = state.paper.items
    assert (true_false.type, written.type) == ("true_false", "short_answer")
    answers.save_answer(db, state.attempt_id, item=1, answer="A", flagged=False, revision=1, clock=clock)
    answers.save_answer(
        db, state.attempt_id, item=2, answer="监督、调查", flagged=False, revision=1, clock=clock
    )
    result = attempts.hand_in(db, state.attempt_id, clock=clock)
    assert result.state == "pending_grading" and result.score is None and result.passed is None
    with pytest.raises(SessionError) as e:
        record_mark(db, state.attempt_id, item=1, points=1, grader="g", clock=clock)
    assert e.value.key == "grading.not_short_answer"
    with pytest.raises(SessionError) as e:
        record_mark(db, state.attempt_id, item=2, points=11, grader="g", clock=clock)
    assert e.value.key == "grading.points_range"
    record_mark(db, state.attempt_id, item=2, points=7, grader="g", clock=clock)
    graded = attempts.result(db, state.attempt_id)
    assert (graded.state, graded.score, graded.passed) == ("graded", 17, True)


def test_database_clock_is_used_without_an_injected_clock(
    db: Database, demo: tuple[int, str, list[str]]
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id)
    admitted = admission.admit(db, login=numbers[0], access_code=code)
    state = attempts.begin(db, session_id=session_id, cadre_id=admitted.candidate.cadre_id)
    assert abs(state.server_now - datetime.now(UTC)) < timedelta(seconds=30)
    assert state.deadline_at - state.server_now == timedelta(minutes=60)


@pytest.mark.tampers
def test_migration_0003_counts_the_items_of_attempts_under_way(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    from exam_tui.store.migrate import SCHEMA_HEAD, migrate_to, upgrade

    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    state = sign_in_and_begin(db, clock, code, numbers[0])
    migrate_to(db, "downgrade", "0002")
    assert upgrade(db) == SCHEMA_HEAD
    last = state.paper.items[-1]
    ack = answers.save_answer(
        db, state.attempt_id, item=last.number, answer=last.key, flagged=False, revision=1, clock=clock
    )
    assert ack.revision == 1
    with pytest.raises(ValueError):
        answers.save_answer(
            db, state.attempt_id, item=last.number + 1, answer="A", flagged=False, revision=1, clock=clock
        )


@pytest.mark.tampers
def test_migrations_down_and_up_keep_the_rows_and_the_foreign_keys(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    """Batch mode rebuilds referenced tables on SQLite (cadre, attempt): the rows stay, enforcement returns."""
    from sqlalchemy import text

    from exam_tui.store.migrate import SCHEMA_HEAD, migrate_to, upgrade

    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    sign_in_and_begin(db, clock, code, numbers[0])
    with db.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM cadre")).scalar_one()
    migrate_to(db, "downgrade", "0003")
    assert upgrade(db) == SCHEMA_HEAD
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cadre")).scalar_one() == before
        assert conn.execute(text("SELECT count(*) FROM attempt")).scalar_one() == 1
        if db.backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_a_later_begin_replaces_the_terminal_token_and_the_old_heartbeat_is_told(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    first = sign_in_and_begin(db, clock, code, numbers[0])
    assert first.token is not None
    assert answers.heartbeat(db, first.attempt_id, current_item=1, clock=clock, token=first.token).state
    second = sign_in_and_begin(db, clock, code, numbers[0])  # the candidate moved to another machine
    assert second.resumed and second.token is not None and second.token != first.token
    with pytest.raises(attempts.TerminalReplaced):
        answers.heartbeat(db, first.attempt_id, current_item=1, clock=clock, token=first.token)
    tick = answers.heartbeat(db, second.attempt_id, current_item=1, clock=clock, token=second.token)
    assert tick.state == attempts.IN_PROGRESS
    # Without a token (a bench, a service caller) the heartbeat checks nothing.
    assert answers.heartbeat(db, first.attempt_id, current_item=1, clock=clock).state == attempts.IN_PROGRESS


def test_a_replaced_terminal_cannot_save_so_no_answer_of_the_new_one_is_shadowed(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    session_id, code, numbers = demo
    start_session(db, session_id, clock=clock)
    old = sign_in_and_begin(db, clock, code, numbers[0])

    def save(state: attempts.AttemptState, answer: str, revision: int) -> answers.SaveAck:
        return answers.save_answer(
            db,
            state.attempt_id,
            item=1,
            answer=answer,
            flagged=False,
            revision=revision,
            clock=clock,
            token=state.token,
        )

    assert save(old, "A", 1).revision == 1
    new = sign_in_and_begin(db, clock, code, numbers[0])
    assert new.revisions == {1: 1}
    # Both terminals count on from revision 1: were the old one's "B" taken as revision 2, the new one's
    # "C" at revision 2 would be acknowledged while "B" stood.
    with pytest.raises(attempts.TerminalReplaced):
        save(old, "B", 2)
    assert save(new, "C", 2).revision == 2
    again = sign_in_and_begin(db, clock, code, numbers[0])
    assert again.answers == {1: "C"} and again.revisions == {1: 2}
    with pytest.raises(attempts.TerminalReplaced):
        answers.record_incident(db, old.attempt_id, "focus_lost", {}, clock=clock, token=old.token)
    answers.record_incident(db, again.attempt_id, "focus_lost", {}, clock=clock, token=again.token)
    with db.read() as s:
        lost = s.execute(text("SELECT focus_losses FROM attempt WHERE id = :a"), {"a": new.attempt_id})
        assert lost.scalar_one() == 1  # the current terminal's, not the replaced one's
    # A replaced token is refused even for an item not on the paper: the terminal is told why.
    with pytest.raises(attempts.TerminalReplaced):
        answers.save_answer(
            db, old.attempt_id, item=999, answer="A", flagged=False, revision=1, clock=clock, token=old.token
        )
