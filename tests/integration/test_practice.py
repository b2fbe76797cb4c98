"""Practice and the wrong-answer book through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from exam_tui.services import answers, attempts, banks, practice, training
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, start_session
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AttemptRow, CadreRow
from tests.conftest import STARTER_BANK, SteppingClock
from tests.integration.conftest import BEIJING, sign_in_and_begin
from tests.integration.test_training import MONDAY, TRAINING_BANK

BANK = "training-test"


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def cadre(db: Database, clock: SteppingClock) -> str:
    banks.import_files(db, [STARTER_BANK, TRAINING_BANK], clock=clock)
    seed_demo(db, seed=2026, tz=BEIJING, clock=clock)
    with db.read() as s:
        return s.execute(select(CadreRow.id_number).order_by(CadreRow.id).limit(1)).scalar_one()


def _wrong(item: object) -> object:
    options = [letter for letter, _ in item.options]  # type: ignore[attr-defined]
    return next(o for o in options if o != item.key) if options else ("B" if item.key == "A" else "A")  # type: ignore[attr-defined]


def _answer(
    db: Database, run: practice.Run, queue: list[str], right: bool, clock: SteppingClock
) -> practice.Feedback:
    shown = practice.item(db, run, queue[0], 1)
    clock.advance(seconds=10)
    return practice.answer(db, run, shown, shown.key if right else _wrong(shown), queue=queue, clock=clock)


def test_practice_gives_feedback_at_once_and_the_book_repeats_until_right_twice(
    db: Database, clock: SteppingClock, cadre: str
) -> None:
    who = practice.practiser(db, cadre)
    run = practice.start(db, cadre_id=who.cadre_id, bank=BANK, mode="sequential", category="law", clock=clock)
    assert run.queue[:3] == ["s-01", "s-02", "s-03"] and all(q.startswith(("s-", "t-")) for q in run.queue)
    wrong = _answer(db, run, run.queue, False, clock)
    assert wrong.correct is False and wrong.in_book and wrong.explanation == "第1题的解析。"
    assert wrong.source == "《测试条例》第1条" and wrong.queue == run.queue[1:]
    right = _answer(db, run, wrong.queue, True, clock)
    assert right.correct is True and not right.in_book
    assert [b.question for b in practice.wrong_book(db, who.cadre_id)] == ["s-01"]

    book = practice.start(db, cadre_id=who.cadre_id, bank=BANK, mode="wrong_book", clock=clock)
    assert book.queue == ["s-01"]
    once = _answer(db, book, book.queue, True, clock)
    assert once.in_book and once.streak == 1 and once.queue == ["s-01"]  # still in: asked again
    twice = _answer(db, book, once.queue, True, clock)
    assert not twice.in_book and twice.queue == []
    assert practice.wrong_book(db, who.cadre_id) == []
    with pytest.raises(SessionError) as empty:
        practice.start(db, cadre_id=who.cadre_id, bank=BANK, mode="wrong_book", clock=clock)
    assert empty.value.key == "practice.book_empty"
    with db.read() as s:  # practice is never an exam result
        assert s.execute(select(func.count()).select_from(AttemptRow)).scalar_one() == 0


def test_a_finished_exam_whose_review_shows_keys_fills_the_book(
    db: Database, clock: SteppingClock, cadre: str
) -> None:
    course = training.create_course(
        db,
        title="测试班",
        kind="closed_training",
        starts_on=MONDAY,
        ends_on=MONDAY,
        id_numbers=[cadre],
        actor="纪委",
    )
    view = training.open_closing_test(
        db, course.id, exam_ref=f"{BANK}/closing", starts_at=clock(), actor="纪委", clock=clock
    )
    start_session(db, view.id, clock=clock)
    state = sign_in_and_begin(db, clock, view.access_code, cadre)
    for n, item in enumerate(state.paper.items):  # the first two wrong, the rest right
        given = _wrong(item) if n < 2 else item.key
        answers.save_answer(
            db, state.attempt_id, item=item.number, answer=given, flagged=False, revision=1, clock=clock
        )
    attempts.hand_in(db, state.attempt_id, clock=clock)
    clock.advance(minutes=40)
    close_session(db, view.id, clock=clock)
    who = practice.practiser(db, cadre)
    book = practice.wrong_book(db, who.cadre_id)
    assert [b.question for b in book] == [state.paper.items[0].question, state.paper.items[1].question]
    assert all(b.source == f"attempt:{state.attempt_id}" for b in book)


def test_practising_needs_a_known_cadre_and_bank(db: Database, cadre: str) -> None:
    with pytest.raises(SessionError) as unknown:
        practice.practiser(db, "110101199001011237")
    assert unknown.value.key == "practice.unknown_cadre"
    who = practice.practiser(db, cadre)
    with pytest.raises(SessionError) as no_bank:
        practice.start(db, cadre_id=who.cadre_id, bank="no-such-bank", mode="random")
    assert no_bank.value.key == "practice.no_bank"
