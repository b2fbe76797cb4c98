"""What a candidate's terminal holds and shows: their own attempt only, never a key while sitting, and after
hand-in no more than the exam's review policy allows (none / score / full)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from textual.widgets import Static

from exam_tui.domain.paper import Paper
from exam_tui.services import attempts
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import session_detail, start_session
from exam_tui.services.sessions import list_sessions
from exam_tui.tui.app import make_app
from exam_tui.tui.screens.candidate.exam import ExamScreen
from exam_tui.tui.screens.candidate.result import ResultScreen
from tests.conftest import SteppingClock
from tests.tui.conftest import BEIJING
from tests.tui.test_candidate import settle, sign_in
from tests.tui.test_screens import rostered_id_number, shown

SIZE = (100, 30)


def screen_text(screen: object) -> str:
    return "\n".join(shown(w) for w in screen.query(Static))  # type: ignore[attr-defined]


def keyless(paper: Paper) -> bool:
    return all(
        i.key is None
        and i.explanation is None
        and i.rubric is None
        and i.source is None
        and not i.bank_letters
        for i in paper.items
    )


async def test_the_candidate_terminal_holds_no_key_and_no_one_else(demo_db: Database, db_path: Path) -> None:
    stepping = SteppingClock()
    (session,) = list_sessions(demo_db)
    roster = session_detail(demo_db, session.id).candidates
    number = rostered_id_number(db_path)
    me = next(c for c in roster if c.id_number == number)
    others = [c for c in roster if c.id_number != number]
    start_session(demo_db, session.id, clock=stepping)
    app = make_app(demo_db, clock=stepping, tz=BEIJING, candidate=True)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, number, session.access_code)
        seen = [screen_text(app.screen)]
        await pilot.press("enter")
        await settle(pilot)
        exam = app.screen
        assert isinstance(exam, ExamScreen)
        # The paper in the terminal's memory has no key, explanation, rubric, source or bank letter …
        assert keyless(exam.paper)
        # … while the stored paper has them (the test would catch a leak).
        full = attempts.result(demo_db, exam.attempt_id).paper
        assert not keyless(full) and [i.stem for i in full.items] == [i.stem for i in exam.paper.items]
        for item in full.items[:5]:
            await exam.go(item.number)
            await settle(pilot)
            text = screen_text(app.screen)
            assert not item.explanation or item.explanation not in text
            seen.append(text)
        await pilot.press("f10", "y")
        await settle(pilot)
        for _ in range(100):
            if isinstance(app.screen, ResultScreen):
                break
            await asyncio.sleep(0.05)
        result_screen = app.screen
        assert isinstance(result_screen, ResultScreen)
        await settle(pilot)
        # The demo's pre-appointment exam reviews `score`: the score, no item, no key.
        held = result_screen.result
        assert held.review == "score" and held.score is not None
        assert held.items == [] and keyless(held.paper)
        assert not result_screen.query(".review-item")
        seen.append(screen_text(result_screen))
    everything = "\n".join(seen)
    assert me.name in everything
    assert not [c.name for c in others if c.name in everything]
    assert not [c.id_number for c in roster if c.id_number in everything]  # numbers are masked


def test_the_review_policy_cuts_the_result(demo_db: Database) -> None:
    stepping = SteppingClock()
    (session,) = list_sessions(demo_db)
    start_session(demo_db, session.id, clock=stepping)
    candidate = session_detail(demo_db, session.id).candidates[0]
    from exam_tui.services.admission import admit

    admitted = admit(demo_db, login=candidate.id_number, access_code=session.access_code, clock=stepping)
    state = attempts.begin_sitting(
        demo_db, session_id=session.id, cadre_id=admitted.candidate.cadre_id, clock=stepping
    )
    assert keyless(state.paper)
    done = attempts.hand_in(demo_db, state.attempt_id, clock=stepping)
    assert done.score is not None and done.items

    none = attempts.as_candidate_sees(replace(done, review="none"))
    assert (none.score, none.passed, none.level, none.items) == (None, None, None, [])
    assert keyless(none.paper)
    score = attempts.as_candidate_sees(replace(done, review="score"))
    assert score.score == done.score and score.passed == done.passed
    assert score.items == [] and keyless(score.paper)
    full = attempts.as_candidate_sees(replace(done, review="full"))
    assert full == replace(done, review="full")  # keys and explanations: what `full` promises
