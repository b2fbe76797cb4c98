"""A knowledge competition of three rounds through the services, on SQLite and PostgreSQL: the
preliminary and semi-final as exam sessions with advancement and a tiebreak, the final played live."""

from __future__ import annotations

import pytest

from exam_tui.services import answers, attempts, banks, competitions, final
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, start_session
from exam_tui.services.sessions import SessionError
from tests.conftest import STARTER_BANK, SteppingClock, cadres_by_unit
from tests.integration.conftest import BEIJING, sign_in_and_begin
from tests.integration.test_training import TRAINING_BANK

EXAM = "training-test/contest"
SEMI = "training-test/contest-semi"
HOST = "竞赛组委会"


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def units(db: Database, clock: SteppingClock) -> dict[str, list[str]]:
    """Three cadres from each of four units: unit name → ID numbers."""
    banks.import_files(db, [STARTER_BANK, TRAINING_BANK], clock=clock)
    seed_demo(db, seed=2026, tz=BEIJING, clock=clock)
    return cadres_by_unit(db, units=4, each=3)


def _sit(db: Database, clock: SteppingClock, code: str, number: str, right: int, minutes: int) -> None:
    """Right answers on the first ``right`` items, the rest wrong; hand in after ``minutes``."""
    state = sign_in_and_begin(db, clock, code, number)
    for n, item in enumerate(state.paper.items):
        given = item.key if n < right else ("B" if item.key == "A" else "A")
        answers.save_answer(
            db, state.attempt_id, item=item.number, answer=given, flagged=False, revision=1, clock=clock
        )
    clock.advance(minutes=minutes)
    attempts.hand_in(db, state.attempt_id, clock=clock)
    clock.advance(minutes=-minutes)  # the next candidate began at the same moment


def test_three_rounds_with_a_tie_at_the_cut_and_a_live_final(
    db: Database, clock: SteppingClock, units: dict[str, list[str]]
) -> None:
    everyone = [n for numbers in units.values() for n in numbers]
    cid = competitions.create_competition(
        db,
        title="2026年廉政法规知识竞赛",
        bank="training-test",
        team_mode="sum",
        team_best=2,
        actor=HOST,
        clock=clock,
    )
    with pytest.raises(SessionError):  # the semi-final waits for the preliminary
        competitions.open_round(
            db, cid, "semi_final", exam=EXAM, starts_at=clock(), advance_count=2, actor=HOST
        )
    prelim = competitions.open_round(
        db,
        cid,
        "preliminary",
        exam=EXAM,
        starts_at=clock(),
        advance_count=6,
        id_numbers=everyone,
        actor=HOST,
        clock=clock,
    )
    assert prelim.candidates == 12
    start_session(db, prelim.id, clock=clock)
    # Scores 100, 90, 80, 70 … by person; the 6th and 7th both score 50 in the same time: tied at the cut.
    marks = [10, 9, 8, 7, 6, 5, 5, 4, 3, 2, 1, 0]
    for number, right in zip(everyone, marks, strict=True):
        _sit(db, clock, prelim.access_code, number, right, minutes=10)
    clock.advance(minutes=30)
    close_session(db, prelim.id, clock=clock)
    tied = competitions.close_round(db, cid, "preliminary", actor=HOST, clock=clock)
    assert tied.round.state == "open" and len(tied.tied) == 2
    # The five above the tie are through; the two tied wait for a tiebreak question.
    assert [(s.advanced, s.tied) for s in tied.standings[:8]] == [(True, False)] * 5 + [(False, True)] * 2 + [
        (False, False)
    ]
    assert tied.teams and tied.teams[0].score == 190  # the first unit's best two: 100 + 90
    decided = competitions.record_tiebreak(
        db, cid, "preliminary", {everyone[5]: 10, everyone[6]: 0}, actor=HOST, clock=clock
    )
    assert decided.round.state == "closed" and decided.round.advanced is not None
    assert [s.name for s in decided.standings if s.advanced] == [s.name for s in decided.standings[:6]]

    semi = competitions.open_round(
        db, cid, "semi_final", exam=SEMI, starts_at=clock(), advance_count=4, actor=HOST, clock=clock
    )
    assert semi.candidates == 6  # exactly those the preliminary advanced
    start_session(db, semi.id, clock=clock)
    for number, right in zip(everyone[:6], [10, 9, 8, 7, 6, 5], strict=True):
        _sit(db, clock, semi.access_code, number, right, minutes=5)
    clock.advance(minutes=30)
    close_session(db, semi.id, clock=clock)
    result = competitions.close_round(db, cid, "semi_final", actor=HOST, clock=clock)
    assert result.round.state == "closed" and len(result.round.advanced or []) == 4

    # The final: the units of the four, live, 3 questions of 20 seconds, 10 points right, -5 wrong.
    teams = final.open_final(
        db, cid, questions=3, seconds=20, right=10, wrong=-5, seed="ab" * 16, actor=HOST, clock=clock
    )
    assert 1 <= len(teams) <= 4 and len({t.code for t in teams}) == len(teams)
    round_id = final.final_round_id(db, cid)
    first, *others = teams
    # Joining is recorded, so that the host's screen shows who is in; nobody has joined before.
    assert final.joined(db, round_id) == frozenset() == final.board(db, round_id, clock=clock).joined
    assert final.join(db, first.code.lower(), clock=clock) == (round_id, first)
    assert final.join(db, first.code, clock=clock) == (round_id, first)  # a terminal restarted: once
    assert final.joined(db, round_id) == {first.id} == final.board(db, round_id, clock=clock).joined
    for number in range(1, 4):
        shown = final.show_next(db, round_id, actor=HOST, clock=clock)
        assert shown.number == number and shown.item.key is None and shown.seconds_left == 20
        with pytest.raises(SessionError):  # one question at a time
            final.show_next(db, round_id, actor=HOST, clock=clock)
        state = final.team_state(db, first.id, clock=clock)
        assert state.current is not None and state.current.item.key is None  # no key while it runs
        key = final.board(db, round_id, clock=clock)
        assert key.current is not None and key.current.answered == 0
        clock.advance(seconds=3)
        final.answer(db, first.id, number, "A", clock=clock)  # every key of the test bank is A (正确)
        with pytest.raises(SessionError):
            final.answer(db, first.id, number, "B", clock=clock)
        if others:
            final.answer(db, others[0].id, number, "B", clock=clock)
        clock.advance(seconds=21)  # the deadline and its second of grace
        with pytest.raises(SessionError) as late:
            final.answer(db, others[-1].id if others else first.id, number, "A", clock=clock)
        assert late.value.key in ("final.too_late", "final.already_answered")
        after = final.team_state(db, first.id, clock=clock)
        assert after.current is not None and after.current.over and after.correct is True
        assert after.current.item.key == "A"
    with pytest.raises(SessionError):
        final.show_next(db, round_id, actor=HOST, clock=clock)
    rows = final.finish(db, round_id, actor=HOST, clock=clock)
    assert rows[0].team == first.name and rows[0].points == 30 and rows[0].place == 1
    if others:
        assert next(r for r in rows if r.team == others[0].name).points == -15
    assert final.join(db, first.code) == (round_id, first)  # a terminal restarted after the end: the board
    assert final.team_state(db, first.id, clock=clock).finished
    if others:  # joining a final that is over records nothing
        final.join(db, others[0].code, clock=clock)
        assert final.joined(db, round_id) == {first.id}


def test_an_unknown_round_is_refused_with_the_names_of_the_rounds(db: Database, clock: SteppingClock) -> None:
    banks.import_files(db, [STARTER_BANK, TRAINING_BANK], clock=clock)
    cid = competitions.create_competition(db, title="知识竞赛", bank="training-test", actor=HOST, clock=clock)
    for call in (
        lambda stage: competitions.round_result(db, cid, stage),
        lambda stage: competitions.close_round(db, cid, stage, actor=HOST, clock=clock),
        lambda stage: competitions.open_round(
            db, cid, stage, exam=EXAM, starts_at=clock(), advance_count=1, actor=HOST, clock=clock
        ),
    ):
        with pytest.raises(SessionError) as unknown:
            call("foo")
        assert unknown.value.key == "competition.bad_stage"
        assert "preliminary(初赛)、semi_final(复赛)" in unknown.value.message()
        with pytest.raises(SessionError) as live:  # the final is played live: no standings to decide
            call("final")
        assert live.value.key == "competition.not_an_exam_round"
    assert competitions.check_stage("final") == "final"
    with pytest.raises(SessionError) as missing:
        competitions.round_result(db, cid, "semi_final")
    assert missing.value.message() == f"竞赛 {cid} 还没有复赛"
