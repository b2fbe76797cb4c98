"""The live final in the TUI: the host's big screen and two teams' terminals on one database.

The final is set up through the services as the competition tests do (preliminary and semi-final sat and
closed, the final opened); a SteppingClock is the services' clock in all three apps, so the countdowns
only move when the test moves them. The screens' timers are slowed down and each screen is refreshed
by calling its refresh method, so every read happens when the test says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from exam_tui.i18n import t
from exam_tui.services import attempts, banks, competitions, final
from exam_tui.services.demo import seed_demo
from exam_tui.services.final import Team
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, start_session
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.screens.candidate.dialogs import ConfirmDialog
from exam_tui.tui.screens.final.host import FinalHostScreen
from exam_tui.tui.screens.final.team import TeamJoinScreen, TeamScreen
from exam_tui.tui.screens.final.widgets import Countdown, QuestionPanel, ScoreBoard, TeamList
from tests.conftest import STARTER_BANK, SteppingClock, cadres_by_unit
from tests.integration.conftest import sign_in_and_begin
from tests.integration.test_training import TRAINING_BANK
from tests.tui.conftest import BEIJING, staff

HOST = "竞赛组委会"
TITLE = "2026年廉政法规知识竞赛"
SECONDS = 20
SIZE, SMALL = (100, 30), (80, 24)


@dataclass
class LiveFinal:
    round_id: int
    teams: list[Team]


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture(autouse=True)
def _reads_when_the_test_says(monkeypatch: pytest.MonkeyPatch) -> None:
    for screen in (FinalHostScreen, TeamScreen):
        monkeypatch.setattr(screen, "REFRESH_SECONDS", 3600.0)
        monkeypatch.setattr(screen, "TICK_SECONDS", 3600.0)


def _cadres(db: Database, units: int, each: int) -> list[str]:
    """ID numbers of ``each`` cadres from each of the first ``units`` units."""
    return [n for numbers in cadres_by_unit(db, units, each).values() for n in numbers]


@pytest.fixture
def live_final(db: Database, clock: SteppingClock) -> LiveFinal:
    """Three units of two cadres sit both rounds and all go on; the final: 3 questions of 20 seconds,
    10 points right, -5 wrong (every key of the test bank is A, or A and B)."""
    banks.import_files(db, [STARTER_BANK, TRAINING_BANK], clock=clock)
    seed_demo(db, seed=2026, tz=BEIJING, clock=clock)
    everyone = _cadres(db, units=3, each=2)
    cid = competitions.create_competition(
        db, title=TITLE, bank="training-test", team_mode="sum", team_best=2, actor=HOST, clock=clock
    )
    for stage, exam in (
        ("preliminary", "training-test/contest"),
        ("semi_final", "training-test/contest-semi"),
    ):
        who = {"id_numbers": everyone} if stage == "preliminary" else {}
        opened = competitions.open_round(
            db,
            cid,
            stage,
            exam=exam,
            starts_at=clock(),
            advance_count=len(everyone),
            actor=HOST,
            clock=clock,
            **who,
        )
        start_session(db, opened.id, clock=clock)
        for number in everyone:
            state = sign_in_and_begin(db, clock, opened.access_code, number)
            attempts.hand_in(db, state.attempt_id, clock=clock)
        clock.advance(minutes=30)
        close_session(db, opened.id, clock=clock)
        competitions.close_round(db, cid, stage, actor=HOST, clock=clock)
    teams = final.open_final(
        db, cid, questions=3, seconds=SECONDS, right=10, wrong=-5, seed="ab" * 16, actor=HOST, clock=clock
    )
    assert len(teams) == 3
    return LiveFinal(final.final_round_id(db, cid), teams)


# ---- helpers ----------------------------------------------------------------------------------------


def text_of(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


def footer_keys(app: ExamApp) -> list[str]:
    """What the footer offers, in its order."""
    return [key.description for key in app.screen.query(FooterKey)]


async def settle(*pilots: Pilot[None]) -> None:
    """Every app's workers done and their messages handled (a handler may start one more read)."""
    for _ in range(3):
        for pilot in pilots:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()


async def refresh(*pilots: Pilot[None]) -> None:
    for pilot in pilots:
        pilot.app.screen.request_refresh()  # type: ignore[attr-defined]
    await settle(*pilots)


async def choose(pilot: Pilot[None], *, right: bool) -> None:
    """The team's choice, right or wrong, by its letter keys (capitals for a change, for the wrong one)."""
    screen = pilot.app.screen
    assert isinstance(screen, TeamScreen) and screen.state is not None and screen.state.current is not None
    kind = screen.state.current.item.type
    if kind == "multiple":
        await pilot.press(*(("a", "b") if right else ("C",)))
    else:
        await pilot.press("a" if right else "B")


def team_app(db: Database, clock: SteppingClock) -> ExamApp:
    return make_app(db, clock=clock, tz=BEIJING, start="final_team")


def host_app(db: Database, clock: SteppingClock, round_id: int) -> ExamApp:
    return make_app(db, clock=clock, tz=BEIJING, start="final_host", round_id=round_id, user=staff(HOST))


# ---- the whole final ------------------------------------------------------------------------------------


async def test_a_final_on_the_big_screen_and_two_team_terminals(
    db: Database, clock: SteppingClock, live_final: LiveFinal, tmp_path: Path
) -> None:
    first, second, third = live_final.teams
    host, one, two = host_app(db, clock, live_final.round_id), team_app(db, clock), team_app(db, clock)
    async with host.run_test(size=SIZE) as hp, one.run_test(size=SMALL) as p1, two.run_test(size=SMALL) as p2:
        await settle(hp, p1, p2)
        board = host.screen
        assert isinstance(board, FinalHostScreen)
        assert t("final_screen.title", title=TITLE) in text_of(board, "#final-title")
        # Before the first question: the teams and their codes, for the host to read out, none joined yet.
        assert {(code, joined) for code, _, _, joined in board.query_one(TeamList).cells} == {
            (first.code, False),
            (second.code, False),
            (third.code, False),
        }
        assert text_of(board, "#final-hint") == t("final_screen.press_first")
        assert footer_keys(host) == [t(f"final_screen.key.{k}") for k in ("next", "close", "finish", "leave")]

        # Joining: a code too short, a code that is no team's, then the team's own in small letters.
        assert isinstance(one.screen, TeamJoinScreen)
        await p1.click("#team-code")
        await p1.press("z", "z", "enter")
        assert text_of(one.screen, "#join-error") == t("final_screen.code_length", n=4)
        await p1.press("z", "z", "enter")
        await settle(p1)
        assert text_of(one.screen, "#join-error") == t("final.bad_code")
        assert isinstance(one.screen, TeamJoinScreen)
        one.screen.query_one("#team-code").value = ""  # type: ignore[attr-defined]
        await p1.press(*first.code.lower(), "enter")
        await p2.press(*second.code, "enter")
        await settle(p1, p2)
        a, b = one.screen, two.screen
        assert isinstance(a, TeamScreen) and isinstance(b, TeamScreen)
        assert a.team.id == first.id and b.team.id == second.id
        assert first.name in text_of(a, "#team-name")
        assert all(name in text_of(a, "#team-members") for name in first.members)
        assert text_of(a, "#team-waiting") == t("final_screen.waiting")
        # Said once, in the middle; the status line under it is empty, and Enter has nothing to send yet.
        assert text_of(a, "#team-status") == "" and one.export_screenshot().count("等待主持人出题") == 1
        assert footer_keys(one) == [t("final_screen.key.leave")]
        # The big screen sees the two teams join as it reads the board; the third is still out.
        await refresh(hp)
        assert [joined for _, _, _, joined in board.query_one(TeamList).cells] == [True, True, False]
        listed = host.export_screenshot()
        assert listed.count(t("final_screen.joined")) == 2 and listed.count(t("final_screen.not_joined")) == 1

        # Question 1: shown by the host; both teams see it, without the key.
        await hp.press("n")
        await settle(hp)
        shown = board.board.current if board.board else None
        assert shown is not None and shown.number == 1 and shown.item.key is None
        assert t("final_screen.progress", n=1, total=3) in text_of(board, "#final-progress")
        assert board.query_one(Countdown).value == str(SECONDS)
        assert text_of(board, "#final-answered") == t("final_screen.answered", n=0, teams=3)
        stem = shown.item.stem
        assert stem in text_of(board, "#final-question .final-stem")
        await refresh(p1, p2)
        for team in (a, b):
            assert team.state is not None and team.state.current is not None
            assert team.state.current.item.key is None  # the service left it out …
            assert not team.query_one(QuestionPanel).key_shown  # … and no option is marked as the key
            assert stem in text_of(team, "#team-question .final-stem")
            assert not team.query_one("#team-result").display
            assert team.query_one(Countdown).value == str(SECONDS)
        assert footer_keys(one) == [t("final_screen.key.submit"), t("final_screen.key.leave")]
        one.save_screenshot(str(tmp_path / "team-running-80x24.svg"))
        # The host cannot go on, nor finish, while it runs.
        await hp.press("space")
        assert text_of(board, "#final-message") == t("final_screen.still_running", n=1)
        await hp.press("f")
        assert text_of(board, "#final-message") == t("final_screen.finish_running", n=1)
        assert not isinstance(host.screen, ConfirmDialog)

        # The first team answers right, the second wrong; the first team's next Enter is refused.
        clock.advance(seconds=3)
        await choose(p1, right=True)
        await p1.press("enter")
        await choose(p2, right=False)
        await p2.press("enter")
        await settle(p1, p2)
        assert text_of(a, "#team-status") == t("final_screen.submitted")
        assert text_of(b, "#team-status") == t("final_screen.submitted")
        given = final.team_state(db, first.id, clock=clock).my_answer
        await p1.press("b", "enter")
        await settle(p1)
        assert text_of(a, "#team-status") == t("final_screen.already")
        assert final.team_state(db, first.id, clock=clock).my_answer == given
        await refresh(hp)
        assert text_of(board, "#final-answered") == t("final_screen.answered", n=2, teams=3)
        assert not board.query_one(QuestionPanel).key_shown

        # Time runs out: both terminals and the big screen show the key and the result.
        clock.advance(seconds=SECONDS)
        await refresh(hp, p1, p2)
        shown = board.board.current if board.board else None
        assert shown is not None and shown.over and shown.item.key is not None
        key = shown.item.key
        assert board.query_one(Countdown).value == "0"
        assert board.query_one(QuestionPanel).key_shown
        result = text_of(board, "#final-result")
        assert t("final_screen.right_teams", teams=first.name) in result
        assert t("final_screen.wrong_teams", teams=second.name) in result
        assert t("final_screen.silent_teams", teams=third.name) in result
        cells = board.query_one(ScoreBoard).cells
        assert [(c[0], c[1], c[2], c[3], c[4], c[5]) for c in cells] == [
            ("1", first.name, "10", "1", "0", "0"),
            ("2", third.name, "0", "0", "0", "1"),
            ("3", second.name, "-5", "0", "1", "0"),
        ]
        assert text_of(board, "#final-hint") == t("final_screen.press_next")
        for team, verdict in ((a, "final_screen.right"), (b, "final_screen.wrong")):
            assert team.query_one(QuestionPanel).key_shown
            assert t(verdict) in text_of(team, "#team-result")
            assert t("final_screen.key_line", key="").rstrip() in text_of(team, "#team-result")
            assert team.query_one(ScoreBoard).cells == cells
        assert t("final_screen.standing", points="10", place=1) in text_of(a, "#team-result")
        assert t("final_screen.standing", points="-5", place=3) in text_of(b, "#team-result")
        assert key in (["A", "B"], "A")
        assert b.query(".final-option.wrong")
        # The team's terminal (80×24) shows the question, the result and the board at once.
        room = Region(0, 0, SMALL[0], SMALL[1] - 1)
        for selector in ("#team-question", "#team-countdown", "#team-result", "#team-board", "#team-status"):
            assert _inside(b.query_one(selector), room), selector
        assert b.query_one(QuestionPanel).max_scroll_y == 0
        two.save_screenshot(str(tmp_path / "team-over-80x24.svg"))

        # Question 2: the first team answers, the host ends it early; the second team's Enter comes too late.
        await hp.press("n")
        await settle(hp)
        await refresh(p1, p2)
        assert a.state is not None and a.state.current is not None and a.state.current.number == 2
        assert a.choice is None and text_of(a, "#team-status") != t("final_screen.submitted")
        await choose(p1, right=True)
        await p1.press("enter")
        await settle(p1)
        await choose(p2, right=True)
        await hp.press("s")
        await settle(hp)
        assert text_of(board, "#final-message") == t("final_screen.closed", n=2)
        await p2.press("enter")  # this terminal has not heard yet: the service refuses it
        await settle(p2)
        assert text_of(b, "#team-status") == t("final.too_late", n=2)
        await refresh(p2)
        await p2.press("enter")  # now it knows
        assert text_of(b, "#team-status") == t("final_screen.too_late")
        assert final.team_state(db, second.id, clock=clock).my_answer is None
        assert t("final_screen.unanswered") in text_of(b, "#team-result")

        # Question 3: the first team answers; time runs out before the second team presses Enter, which
        # this terminal knows from the clock alone: nothing is sent.
        await hp.press("n")
        await settle(hp)
        await refresh(p1, p2)
        await choose(p1, right=True)
        await p1.press("enter")
        await choose(p2, right=False)
        await settle(p1)
        clock.advance(seconds=SECONDS + 1)
        await p2.press("enter")
        assert text_of(b, "#team-status") == t("final_screen.too_late")
        await settle(p2)
        assert final.team_state(db, second.id, clock=clock).my_answer is None
        await refresh(hp, p1, p2)
        assert text_of(board, "#final-hint") == t("final_screen.press_finish")
        await hp.press("n")
        assert text_of(board, "#final-message") == t("final_screen.press_finish")

        # The host finishes (after confirming): the final board with the champion, on every terminal.
        await hp.press("f")
        await settle(hp)
        assert isinstance(host.screen, ConfirmDialog)
        await hp.press("y")
        await settle(hp)
        await refresh(hp, p1, p2)
        assert host.screen is board and not board.query_one("#final-main").display
        assert t("final_screen.champion_line", teams=first.name) in text_of(board, "#final-result")
        cells = board.query_one(ScoreBoard).cells
        assert [c[:3] for c in cells] == [
            (t("final_screen.champion"), first.name, "30"),
            ("2", third.name, "0"),
            ("3", second.name, "-5"),
        ]
        for team in (a, b):
            assert team.state is not None and team.state.finished
            assert t("final_screen.over") in text_of(team, "#team-result")
            assert team.query_one(ScoreBoard).cells == cells
        assert t("final_screen.champion") in text_of(a, "#team-result")
        # Over: the footers offer only what still works (no next question, no finish, nothing to send).
        assert footer_keys(host) == [t("final_screen.key.leave")]
        assert footer_keys(one) == footer_keys(two) == [t("final_screen.key.leave")]
        host.save_screenshot(str(tmp_path / "host-finished-100x30.svg"))

        # Leaving asks first, on the big screen (Esc) and on a team's terminal (q, not the app's quit).
        await hp.press("escape")
        assert isinstance(host.screen, ConfirmDialog)
        await hp.press("n")
        assert host.screen is board
        await p1.press("q")
        assert isinstance(one.screen, ConfirmDialog)
        await p1.press("y")
        await settle(p1)
        assert isinstance(one.screen, TeamJoinScreen)


# ---- the big screen fits ----------------------------------------------------------------------------


def _inside(widget: Widget, screen: Region) -> bool:
    return widget.region.height > 0 and screen.contains_region(widget.region)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["100x30", "80x24"])
async def test_the_host_screen_fits(
    db: Database, clock: SteppingClock, live_final: LiveFinal, size: tuple[int, int], tmp_path: Path
) -> None:
    first, second, _ = live_final.teams
    final.show_next(db, live_final.round_id, actor=HOST, clock=clock)
    final.answer(db, first.id, 1, "A", clock=clock)
    final.answer(db, second.id, 1, "B", clock=clock)
    host = host_app(db, clock, live_final.round_id)
    async with host.run_test(size=size) as pilot:
        await settle(pilot)
        screen = host.screen
        width, height = size
        room = Region(0, 0, width, height - 1)  # above the footer
        host.save_screenshot(str(tmp_path / f"host-running-{width}x{height}.svg"))
        for selector in (
            "#final-title",
            "#final-progress",
            "#final-question",
            "#final-countdown",
            "#final-answered",
        ):
            assert _inside(screen.query_one(selector), room), selector
        assert screen.query_one(QuestionPanel).max_scroll_y == 0  # the whole question shows
        clock.advance(seconds=SECONDS + 1)  # the deadline and its second of grace
        await refresh(pilot)
        host.save_screenshot(str(tmp_path / f"host-over-{width}x{height}.svg"))
        for selector in (
            "#final-question",
            "#final-countdown",
            "#final-result",
            "#final-board",
            "#final-hint",
        ):
            assert _inside(screen.query_one(selector), room), selector
        assert screen.query_one(QuestionPanel).max_scroll_y == 0
        board = screen.query_one(ScoreBoard)
        assert board.region.height >= len(board.cells) + 2  # heading, rule, one line a team
