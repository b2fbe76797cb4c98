"""The candidate's whole path, driven with the keyboard as a candidate would."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea
from textual.worker import WorkerState

from exam_tui.i18n import t
from exam_tui.services import attempts
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import session_detail, start_session
from exam_tui.services.sessions import list_sessions
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.saver import TickJob
from exam_tui.tui.screens.candidate.dialogs import ConfirmDialog, hand_in_dialog, quit_dialog
from exam_tui.tui.screens.candidate.exam import ExamScreen
from exam_tui.tui.screens.candidate.login import CandidateLoginScreen
from exam_tui.tui.screens.candidate.result import ResultScreen
from exam_tui.tui.screens.candidate.rules import RulesScreen
from exam_tui.tui.widgets.question import QuestionView
from tests.conftest import SteppingClock
from tests.tui.conftest import BEIJING
from tests.tui.test_screens import rostered_id_number, shown

SIZE = (100, 30)


@pytest.fixture
def stepping() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def sit(demo_db: Database, stepping: SteppingClock) -> Callable[[], ExamApp]:
    return lambda: make_app(demo_db, clock=stepping, tz=BEIJING, candidate=True)


async def settle(pilot: Pilot, *, saved: bool = True) -> None:
    """Let workers finish (the saver never does: wait until it has written what it was given)."""
    app = pilot.app
    for _ in range(3):
        # Polls of a screen that has gone may stay pending for ever: wait only for running ones.
        for _ in range(250):
            busy = [
                w
                for w in app.workers
                if w.group != "saver"
                and w.state in (WorkerState.RUNNING, WorkerState.PENDING)
                and not w.is_cancelled
            ]
            if not busy:
                break
            await asyncio.sleep(0.02)
        await pilot.pause()
    screen = app.screen
    if saved and isinstance(screen, ExamScreen):
        for _ in range(200):
            if screen.saver.idle:
                break
            await asyncio.sleep(0.02)
        await pilot.pause()


async def sign_in(pilot: Pilot, login: str, code: str) -> None:
    await pilot.press(*login, "enter", *code, "enter")
    await settle(pilot)


def clear_form(app: ExamApp) -> None:
    for field in app.screen.query(Input):
        field.value = ""
    app.screen.query_one("#id-number", Input).focus()


def error_text(app: ExamApp) -> str:
    error = app.screen.query_one("#login-error", Static)
    assert error.display
    return shown(error)


async def test_login_errors(sit, demo_db: Database, db_path: Path) -> None:
    (session,) = list_sessions(demo_db)
    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "110101199001011234", session.access_code)
        assert error_text(app) == "身份证号无效:校验位不正确"
        clear_form(app)
        await sign_in(pilot, rostered_id_number(db_path), "ZZZZZZ")
        assert error_text(app) == t("login.bad_code")
        clear_form(app)
        await sign_in(pilot, "11010519491231002X", session.access_code.lower())
        assert error_text(app) == t("login.unknown_candidate")
        assert isinstance(app.screen, CandidateLoginScreen)


async def test_last_six_and_name(sit, demo_db: Database, db_path: Path) -> None:
    (session,) = list_sessions(demo_db)
    number = rostered_id_number(db_path)
    name = next(c.name for c in session_detail(demo_db, session.id).candidates if c.id_number == number)
    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        assert not app.screen.query_one("#name").display
        await pilot.press(*number[-6:], "enter")
        assert app.screen.query_one("#name").display and app.screen.focused.id == "name"
        app.screen.query_one("#name", Input).value = name
        await pilot.press("enter")
        assert app.screen.focused.id == "code"
        await pilot.press(*session.access_code, "enter")
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        assert name in shown(app.screen.query_one("#identity", Static))


@pytest.mark.parametrize("size", [(80, 24), (100, 28), SIZE])
async def test_the_form_with_the_name_and_an_error_fits_without_scrolling(sit, size: tuple[int, int]) -> None:
    app = sit()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*"123456", "enter")
        screen = app.screen
        error = screen.query_one("#login-error", Static)
        error.update(t("login.unknown_candidate") + t("login.unknown_candidate"))  # two lines
        error.display = True
        await pilot.pause()
        form = screen.query_one("#login-form")
        assert screen.query_one("#name").display and app.focused is not None and app.focused.id == "name"
        assert screen.max_scroll_y == 0 and form.max_scroll_y == 0
        assert form.region.bottom <= screen.query_one("#keymap").region.y


@pytest.mark.parametrize(
    ("key", "yes"), [("y", True), ("Y", True), ("n", False), ("N", False), ("escape", False)]
)
async def test_confirm_dialogs_take_either_case(sit, key: str, yes: bool) -> None:
    app = sit()
    answers: list[bool | None] = []
    async with app.run_test(size=SIZE) as pilot:
        for dialog in (quit_dialog(), hand_in_dialog([3], [], 5)):
            await app.push_screen(dialog, answers.append)
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, CandidateLoginScreen)
    assert answers == [yes, yes]


@pytest.mark.parametrize("size", [(80, 24), SIZE])
async def test_the_unanswered_numbers_break_after_the_comma_never_inside_a_number(
    sit, size: tuple[int, int]
) -> None:
    unanswered = list(range(4, 46))
    app = sit()
    async with app.run_test(size=size) as pilot:
        await app.push_screen(hand_in_dialog(unanswered, [2, 17], 45))
        await pilot.pause()
        body = app.screen.query_one(".dialog-body", Static)
        lines = [s.text.rstrip() for s in body.render_lines(Region(0, 0, body.size.width, body.size.height))]
        first = next(i for i, line in enumerate(lines) if line.startswith("未答"))
        last = next(i for i, line in enumerate(lines) if line.startswith("已标记"))
        listed = lines[first:last]
        assert len(listed) > 1  # the list does wrap at this width
        assert not any(line.lstrip().startswith("、") for line in listed)
        # a number cut at the end of a line would read as two numbers
        assert [int(n) for line in listed for n in re.findall(r"\d+", line)] == unanswered


async def test_the_form_comes_first_and_the_database_is_opened_behind_it(
    demo_db: Database, db_path: Path, stepping: SteppingClock
) -> None:
    (session,) = list_sessions(demo_db)
    opened = threading.Event()
    release = threading.Event()

    def slow_open() -> Database:
        opened.set()
        release.wait(10)  # a PostgreSQL server across the lab, still answering
        return demo_db

    app = make_app(slow_open, clock=stepping, tz=BEIJING, candidate=True)
    async with app.run_test(size=SIZE) as pilot:
        # The form is up and takes typing while the database is still being opened.
        assert isinstance(app.screen, CandidateLoginScreen)
        await pilot.press(*rostered_id_number(db_path), "enter", *session.access_code, "enter")
        await pilot.pause()
        assert opened.is_set() and isinstance(app.screen, CandidateLoginScreen)
        release.set()  # the sign-in was waiting for the database, not refused
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)


async def test_a_database_that_cannot_be_opened_ends_the_terminal_with_its_reason() -> None:
    def broken() -> Database:
        raise RuntimeError("无法打开数据库 sqlite:///x.db:磁盘只读")

    app = make_app(broken, tz=BEIJING, candidate=True)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if app.return_code is not None:
                break
            await pilot.pause(0.02)
    assert app.return_code == 1


@pytest.fixture
def still_terminal_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Between contacts the countdown runs on monotonic time; on a loaded machine a second may pass before
    an assertion (CI read 0:59:59 for 1:00:00), so the terminal's clock stands still like the database's."""
    monkeypatch.setattr(ExamScreen, "monotonic", staticmethod(lambda: 0.0))


@pytest.mark.usefixtures("still_terminal_clock")
async def test_waits_for_the_start_then_answers_every_type(
    sit, demo_db: Database, db_path: Path, stepping: SteppingClock
) -> None:
    (session,) = list_sessions(demo_db)
    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, rostered_id_number(db_path), session.access_code)
        rules = app.screen
        assert isinstance(rules, RulesScreen)
        identity = shown(rules.query_one("#identity", Static))
        assert "********" in identity  # the ID number is masked on screen
        assert shown(rules.query_one("#wait-status", Static)) == t("rules.waiting")
        await pilot.press("enter")  # not started: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, RulesScreen)
        start_session(demo_db, session.id, clock=stepping)
        rules.poll_state()  # the two-second poll, without waiting for it
        await settle(pilot)
        assert shown(rules.query_one("#wait-status", Static)) == t("rules.ready")
        await pilot.press("enter")
        await settle(pilot)
        exam = app.screen
        assert isinstance(exam, ExamScreen)
        paper = exam.paper
        assert shown(exam.query_one("#countdown", Static)) == "剩余 1:00:00"

        given: dict[int, object] = {}
        for kind in ("single", "multiple", "true_false", "fill_blank"):
            item = next(i for i in paper.items if i.type == kind)
            await exam.go(item.number)
            await settle(pilot)
            view = exam.query_one(QuestionView)
            if kind == "single":
                await pilot.press("c")
                given[item.number] = "C"
            elif kind == "multiple":
                await pilot.press("a", "B", "d", "b")  # either case; b toggled off again
                given[item.number] = ["A", "D"]
            elif kind == "true_false":
                await pilot.press("b")
                given[item.number] = "B"
                assert [r.text for r in view.query("OptionRow")] == ["正确", "错误"]
            else:
                assert app.focused is not None and app.focused.id == "blank-1"  # typing starts at once
                # the key line says what works while typing: not the letters and the arrows
                assert shown(exam.query_one("#keymap", Static)) == t("exam.keys_blanks")
                answers = []
                for n in range(1, item.blanks + 1):
                    await pilot.press(*f"答{n}")
                    answers.append(f"答{n}")
                    await pilot.press("tab")
                await pilot.pause(0.6)  # the typing pause before a text answer is saved
                given[item.number] = answers
            await settle(pilot)
        await pilot.press("f2")  # mark the fill-in question
        await pilot.press("pageup")  # PageUp leaves a text field
        await settle(pilot)
        assert exam.current == next(i for i in paper.items if i.type == "fill_blank").number - 1
        await pilot.press("f5", *"1", "enter")
        await settle(pilot)
        assert exam.current == 1
        await pilot.press("right")
        await settle(pilot)
        assert exam.current == 2
        status = shown(exam.query_one("#exam-status", Static))
        assert f"已答 {len(given)}/{len(paper.items)}" in status and "已保存 09:00:00" in status

        # what the database holds is what was given
        state = attempts.begin(
            demo_db, session_id=session.id, cadre_id=exam.admission.candidate.cadre_id, clock=stepping
        )
        assert state.answers == given
        assert state.flagged == {next(i for i in paper.items if i.type == "fill_blank").number}

        # hand-in: a stray Enter goes back, Y hands in
        await pilot.press("f10")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        body = shown(dialog.query_one(".dialog-body", Static))
        assert f"已答 {len(given)}/{len(paper.items)} 题" in body and "已标记:" in body
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExamScreen)
        await pilot.press("f10", "Y")  # the capital the dialog prints (Caps Lock, Shift)
        await settle(pilot)
        for _ in range(100):
            if isinstance(app.screen, ResultScreen):
                break
            await asyncio.sleep(0.05)
        result_screen = app.screen
        assert isinstance(result_screen, ResultScreen)
        verdict = shown(result_screen.query_one("#verdict", Static))
        result = attempts.result(demo_db, exam.attempt_id)
        assert result.submit_reason == "candidate" and result.score is not None
        assert f"得分:{result.score:g} / 100" in verdict
        await pilot.press("enter")  # the next candidate gets an empty form, the cursor in the ID number
        await settle(pilot)
        login = app.screen
        assert isinstance(login, CandidateLoginScreen)
        assert all(field.value == "" for field in login.query(Input))
        assert app.focused is not None and app.focused.id == "id-number"
        assert not login.query_one("#name").display and not login.query_one("#login-error").display
        await pilot.press(*"123456", "enter")  # the next one signs in with six characters and a name
        assert app.focused.id == "name"


async def _begin(
    pilot: Pilot, app: ExamApp, demo_db: Database, db_path: Path, stepping: SteppingClock
) -> ExamScreen:
    (session,) = list_sessions(demo_db)
    if session.state != "started":
        start_session(demo_db, session.id, clock=stepping)
    await sign_in(pilot, rostered_id_number(db_path), session.access_code)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ExamScreen)
    return app.screen


async def test_time_up_hands_in_automatically(
    sit, demo_db: Database, db_path: Path, stepping: SteppingClock
) -> None:
    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        exam = await _begin(pilot, app, demo_db, db_path, stepping)
        await pilot.press("a")
        await settle(pilot)
        stepping.advance(minutes=50)
        exam.saver.submit(TickJob(exam.current))
        await settle(pilot)
        assert exam.query_one("#countdown", Static).has_class("warning")  # ten minutes left
        stepping.advance(minutes=10, seconds=1)
        exam.saver.submit(TickJob(exam.current))  # what the countdown does when it reaches zero
        # The result screen is pushed, then composed: wait for its verdict, not only for the screen.
        for _ in range(200):
            if isinstance(app.screen, ResultScreen) and app.screen.query("#verdict"):
                break
            await asyncio.sleep(0.05)
        assert isinstance(app.screen, ResultScreen)
        assert "考试时间到,自动交卷" in shown(app.screen.query_one("#verdict", Static))
        assert attempts.result(demo_db, exam.attempt_id).submit_reason == "time_up"


@pytest.mark.usefixtures("still_terminal_clock")
async def test_resume_after_the_app_is_torn_down(
    sit, demo_db: Database, db_path: Path, stepping: SteppingClock
) -> None:
    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        exam = await _begin(pilot, app, demo_db, db_path, stepping)
        paper = exam.paper
        await pilot.press("a", "right", "b", "f2", "right", "right")
        await settle(pilot)
        where = exam.current
        answers = dict(exam.answers)
    stepping.advance(minutes=7)
    again = sit()
    async with again.run_test(size=SIZE) as pilot:
        (session,) = list_sessions(demo_db)
        await sign_in(pilot, rostered_id_number(db_path), session.access_code)
        assert shown(again.screen.query_one("#wait-status", Static)) == t("rules.resume")
        await pilot.press("enter")
        await settle(pilot)
        exam = again.screen
        assert isinstance(exam, ExamScreen)
        assert (
            exam.paper == paper and exam.current == where and exam.answers == answers and exam.flagged == {2}
        )
        assert shown(exam.query_one("#countdown", Static)) == "剩余 0:53:00"
    record = next(c for c in session_detail(demo_db, session.id).candidates if c.attempt_id is not None)
    assert record.resumes == 1


async def test_quit_asks_first_and_leaves_the_attempt_resumable(
    sit, demo_db: Database, db_path: Path, stepping: SteppingClock
) -> None:
    app = sit()
    async with app.run_test(size=SIZE) as pilot:
        exam = await _begin(pilot, app, demo_db, db_path, stepping)
        await pilot.press("q")  # a stray q does nothing on a candidate terminal
        await settle(pilot)
        assert isinstance(app.screen, ExamScreen)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ExamScreen)
        await pilot.press("ctrl+q", "y")
        for _ in range(100):
            if app._exit_renderables is not None or not app.is_running:
                break
            await asyncio.sleep(0.05)
    assert attempts.result(demo_db, exam.attempt_id).state == "in_progress"


async def test_written_answer_types_at_once_and_page_keys_leave_the_text(
    demo_db: Database, db_path: Path, stepping: SteppingClock
) -> None:
    from exam_tui.services.banks import import_files
    from exam_tui.services.sessions import schedule_session
    from tests.conftest import WRITTEN_BANK

    import_files(demo_db, [WRITTEN_BANK], clock=stepping)
    number = rostered_id_number(db_path)
    view = schedule_session(
        demo_db,
        exam_ref="written-test/written",
        title="简答",
        room=None,
        starts_at=stepping(),
        id_numbers=[number],
        open_now=True,
        clock=stepping,
    )
    start_session(demo_db, view.id, clock=stepping)
    app = make_app(demo_db, clock=stepping, tz=BEIJING, candidate=True, session_id=view.id)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, number, view.access_code)
        await pilot.press("enter")
        await settle(pilot)
        exam = app.screen
        assert isinstance(exam, ExamScreen)
        await pilot.press("pagedown")  # from the true/false question to the written one
        await settle(pilot)
        assert exam.current == 2
        assert isinstance(app.focused, TextArea)  # typing starts at once
        keymap = exam.query_one("#keymap", Static)
        assert shown(keymap) == t("exam.keys_writing")  # what works while typing: no A–H, no ←→
        await pilot.press(*"监督调查处置")
        await pilot.pause(0.6)
        await pilot.press("pageup")  # PageUp leaves the text area instead of moving its cursor
        await settle(pilot)
        assert exam.current == 1
        assert shown(keymap) == t("exam.keys")  # a choice again: the letters and the arrows
    state = attempts.begin(
        demo_db, session_id=view.id, cadre_id=exam.admission.candidate.cadre_id, clock=stepping
    )
    assert state.answers == {2: "监督调查处置"}
