"""The grader's screens (阅卷) driven with Pilot: pick a session, mark every answer, refusals, blind marks.

The sitting is built through services: the written-answer bank, a small roster imported from a CSV,
a session on ``written-test/written`` started, candidates signed in, answering and handing in.
``written_sitting`` is shared with the appeal screens' tests and the snapshots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from exam_tui.domain.idnumber import with_check_digit
from exam_tui.domain.paper import Paper
from exam_tui.i18n import t
from exam_tui.services import answers, attempts, cadres
from exam_tui.services.banks import import_files
from exam_tui.services.grading import grading_queue
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import start_session
from exam_tui.services.sessions import schedule_session
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.screens.admin.grading import GradingScreen, MarkingScreen, clip, parse_points
from tests.conftest import WRITTEN_BANK, SteppingClock
from tests.integration.conftest import sign_in_and_begin
from tests.tui.conftest import BEIJING, enrol, staff

GRADER = "李阅卷"
NAMES = ("欧阳明远", "司马清风", "诸葛晓岚", "上官云舒")
SIZE = (100, 30)


@dataclass(frozen=True)
class Sitting:
    session_id: int
    attempt_ids: list[int]
    names: list[str]
    id_numbers: list[str]
    clock: SteppingClock


def roster_csv(folder: Path, count: int, posts: Sequence[str] = ()) -> tuple[Path, list[str]]:
    """``count`` cadres of one unit; the first ones proposed for ``posts`` (任前考试 decisions)."""
    numbers = [with_check_digit(f"11010119800101{i:03d}") for i in range(1, count + 1)]
    proposed = [*posts, *[""] * count][:count]
    lines = ["身份证号,姓名,单位,拟任职务"]
    lines += [f"{n},{NAMES[i]},市财政局,{proposed[i]}" for i, n in enumerate(numbers)]
    path = folder / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, numbers


def sitting(
    db: Database,
    folder: Path,
    *,
    bank: Path,
    exam_ref: str,
    count: int,
    answer: Callable[[int, Paper], dict[int, Any]],
    posts: Sequence[str] = (),
) -> Sitting:
    """``count`` candidates sit ``exam_ref``; candidate i answers ``answer(i, paper)`` and hands in."""
    clock = SteppingClock()
    import_files(db, [bank], clock=clock)
    path, numbers = roster_csv(folder, count, posts)
    cadres.import_roster(db, path, clock=clock)
    view = schedule_session(
        db,
        exam_ref=exam_ref,
        title="简答题测试场次",
        room="第二机房",
        starts_at=clock(),
        id_numbers=numbers,
        open_now=True,
        clock=clock,
    )
    start_session(db, view.id, clock=clock)
    ids = []
    for i, number in enumerate(numbers):
        state = sign_in_and_begin(db, clock, view.access_code, number)
        for item, given in answer(i, state.paper).items():
            answers.save_answer(
                db, state.attempt_id, item=item, answer=given, flagged=False, revision=1, clock=clock
            )
        attempts.hand_in(db, state.attempt_id, clock=clock)
        ids.append(state.attempt_id)
    clock.advance(minutes=5)
    return Sitting(view.id, ids, list(NAMES[:count]), numbers, clock)


def written_sitting(
    db: Database, folder: Path, written: Sequence[str | None], *, bank: Path = WRITTEN_BANK
) -> Sitting:
    """The written-answer bank: everyone answers the true/false item right, then ``written`` (None: empty)."""

    def answer(i: int, _paper: Paper) -> dict[int, Any]:
        text = written[i]
        return {1: "A"} if text is None else {1: "A", 2: text}

    return sitting(db, folder, bank=bank, exam_ref="written-test/written", count=len(written), answer=answer)


def grader_app(db: Database, sitting: Sitting, operator: str = GRADER) -> ExamApp:
    app = make_app(db, clock=sitting.clock, tz=BEIJING)
    app.signed_in = enrol(db, staff(operator))
    return app


async def settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_marking(pilot: Pilot, session_id: int | None = None) -> MarkingScreen:
    """The grading screen (on the session, or picked from the list), then Enter on the first question."""
    await pilot.app.push_screen(GradingScreen(session_id))
    await settle(pilot)
    if session_id is None:
        await pilot.press("enter")
        await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MarkingScreen)
    return screen


async def give(pilot: Pilot, points: str, comment: str = "") -> None:
    if points.isascii():
        await pilot.press(*points)
    else:  # full-width text comes from an input method, committed at once (Pilot cannot press "．")
        field = pilot.app.focused
        assert isinstance(field, Input)
        field.insert_text_at_cursor(points)
    if comment:
        await pilot.press("tab", *comment)
    await pilot.press("enter")
    await settle(pilot)


def text_of(screen: object) -> str:
    """Every word a screen shows: its Statics' and Labels' content and its inputs' values."""
    parts = [str(w.content) for w in screen.query(Static)]  # type: ignore[attr-defined]
    parts += [w.value for w in screen.query(Input)]  # type: ignore[attr-defined]
    return "\n".join(parts)


def header(screen: MarkingScreen) -> str:
    return str(screen.query_one("#mark-header", Static).content)


def message(screen: MarkingScreen) -> str:
    return str(screen.query_one("#mark-message", Static).content)


# ---- pure helpers ------------------------------------------------------------------------------------


def test_points_are_read_as_typed_on_any_keyboard() -> None:
    assert [parse_points(s) for s in ("7", "7.5", "７．５", " 10 ", "7。5", "0")] == [7, 7.5, 7.5, 10, 7.5, 0]
    assert [parse_points(s) for s in ("", "abc", "7,5", "1e1", "nan", "7.5.1", "七")] == [None] * 7


def test_clip_cuts_between_characters() -> None:
    assert clip("简述监察机关的职责。", 8) == "简述监…"
    assert clip("简述\n职责", 20) == "简述 职责"
    assert clip("abcdef", 4) == "abc…"


# ---- the screens ---------------------------------------------------------------------------------------


async def test_grader_marks_every_answer_and_the_attempts_are_graded(db: Database, tmp_path: Path) -> None:
    sitting = written_sitting(
        db, tmp_path, ["监督、调查、处置。", "监督。", "监督、调查、处置都讲到了。", None]
    )
    app = grader_app(db, sitting)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.app.push_screen(GradingScreen())
        await settle(pilot)
        sessions = app.screen.query_one("#grading-sessions", DataTable)
        assert sessions.row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        queue = app.screen.query_one("#grading-queue", DataTable)
        assert queue.get_row_at(0)[1:] == ["10", "3", "0", "3", "0"]
        await pilot.press("enter")
        await settle(pilot)
        marking = app.screen
        assert isinstance(marking, MarkingScreen)
        assert header(marking) == f"答卷 #{sitting.attempt_ids[0]} · 第1评 · 剩余 3"
        assert "监督、调查、处置。" in text_of(marking)
        assert "评分要点" in text_of(marking) and "监督、调查、处置。" in text_of(marking)
        # The footer offers Enter, which saves from either field (give() presses it in the comment).
        shown = [b.binding for b in marking.active_bindings.values() if b.binding.show]
        saving = [(b.key, b.key_display, b.description) for b in shown if b.action == "save"]
        assert saving == [("enter", "Enter", t("key.mark_save"))]
        await give(pilot, "7", "要点齐全")
        assert header(marking) == f"答卷 #{sitting.attempt_ids[1]} · 第1评 · 剩余 2"
        assert message(marking) == f"已保存:答卷 #{sitting.attempt_ids[0]} 给 7 分"
        await give(pilot, "４．５")
        await pilot.press("1", "0", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, GradingScreen)
        assert str(app.screen.query_one("#grading-status", Static).content) == "这道题的答卷已全部评完"
        queue = app.screen.query_one("#grading-queue", DataTable)
        assert queue.get_row_at(0)[1:] == ["10", "3", "3", "0", "0"]
        await pilot.press("enter")  # nothing left for this grader: the queue says so and stays
        await settle(pilot)
        assert isinstance(app.screen, GradingScreen)
        assert str(app.screen.query_one("#grading-status", Static).content) == "这道题没有待您评阅的答卷"
        await pilot.press("escape")  # back to the session list it was picked from
        await settle(pilot)
        assert app.screen.query_one("#grading-sessions", DataTable).display
    results = [attempts.result(db, a) for a in sitting.attempt_ids]
    assert [(r.state, r.score, r.passed) for r in results] == [
        ("graded", 17, True),
        ("graded", 14.5, False),
        ("graded", 20, True),
        ("graded", 10, False),
    ]


async def test_a_refused_mark_is_explained_under_the_input_and_nothing_is_written(
    db: Database, tmp_path: Path
) -> None:
    sitting = written_sitting(db, tmp_path, ["监督、调查。"])
    app = grader_app(db, sitting)
    async with app.run_test(size=SIZE) as pilot:
        marking = await open_marking(pilot, sitting.session_id)
        for typed, said in (
            ("7.3", t("grading.half_points")),
            ("11", t("grading.points_range", max=10)),
            ("-1", t("grading.points_range", max=10)),
            ("七分", t("grading.points_range", max=10)),
        ):
            points = marking.query_one("#mark-points", Input)
            points.value = ""
            await give(pilot, typed)
            assert app.screen is marking
            assert message(marking) == said
            assert marking.query_one("#mark-message").has_class("error")
            assert app.focused is points
            assert header(marking) == f"答卷 #{sitting.attempt_ids[0]} · 第1评 · 剩余 1"
    assert attempts.result(db, sitting.attempt_ids[0]).state == "pending_grading"
    (question,) = grading_queue(db, sitting.session_id, GRADER)
    assert (question.settled, question.for_me) == (0, 1)


async def test_the_marking_screen_never_names_the_candidate(db: Database, tmp_path: Path) -> None:
    sitting = written_sitting(db, tmp_path, ["我认为监察机关负责监督。", "调查和处置。"])
    app = grader_app(db, sitting)
    async with app.run_test(size=SIZE) as pilot:
        marking = await open_marking(pilot, sitting.session_id)
        for _ in sitting.attempt_ids:
            shown = text_of(marking) + app.export_screenshot()
            for name, number in zip(sitting.names, sitting.id_numbers, strict=True):
                assert name not in shown
                assert number not in shown and number[-6:] not in shown and number[-4:] not in shown
            await give(pilot, "5")


DOUBLE_BANK = WRITTEN_BANK.read_text(encoding="utf-8").replace(
    "    pass_score: 15\n", "    pass_score: 15\n    double_marking: true\n    marking_margin: 2\n"
)


async def test_double_marking_keeps_the_graders_blind_and_asks_a_third(tmp_path: Path) -> None:
    from exam_tui.services.runtime import connect

    bank = tmp_path / "double.yaml"
    bank.write_text(DOUBLE_BANK, encoding="utf-8")
    assert "double_marking: true" in DOUBLE_BANK
    db = connect(f"sqlite:///{tmp_path / 'exam.db'}")
    try:
        sitting = written_sitting(db, tmp_path, ["监督、调查、处置。"], bank=bank)
        for grader, points, comment, mark in (
            ("甲阅卷", "3", "只答出一点", "第1评"),
            ("乙阅卷", "9", "", "第2评"),
            ("丙阅卷", "8", "", "第3评(仲裁)"),
        ):
            app = grader_app(db, sitting, grader)
            async with app.run_test(size=SIZE) as pilot:
                marking = await open_marking(pilot, sitting.session_id)
                assert header(marking) == f"答卷 #{sitting.attempt_ids[0]} · {mark} · 剩余 1"
                shown = text_of(marking)
                assert "只答出一点" not in shown and "甲阅卷" not in shown and "乙阅卷" not in shown
                await give(pilot, points, comment)
                assert isinstance(app.screen, GradingScreen)
                row = app.screen.query_one("#grading-queue", DataTable).get_row_at(0)
            if grader == "乙阅卷":  # 3 and 9 are more than 2 apart: a third grader is needed
                assert row[3:] == ["0", "0", "1"]
        result = attempts.result(db, sitting.attempt_ids[0])
        assert (result.state, result.score) == ("graded", 18)  # the median of 3, 9 and 8, plus 10
    finally:
        db.dispose()


async def test_escape_leaves_the_marking_screen_without_a_mark(db: Database, tmp_path: Path) -> None:
    sitting = written_sitting(db, tmp_path, ["监督。"])
    app = grader_app(db, sitting)
    async with app.run_test(size=SIZE) as pilot:
        await open_marking(pilot, sitting.session_id)
        await pilot.press("5", "escape")
        await settle(pilot)
        assert isinstance(app.screen, GradingScreen)
        assert app.screen.query_one("#grading-queue", DataTable).get_row_at(0)[4] == "1"
        await pilot.press("escape")  # opened on the session: Esc leaves the grading screen
        await settle(pilot)
        assert not isinstance(app.screen, GradingScreen)
    assert attempts.result(db, sitting.attempt_ids[0]).state == "pending_grading"


async def test_page_keys_scroll_a_long_answer_while_the_points_are_typed(tmp_path: Path) -> None:
    from textual.containers import VerticalScroll

    from exam_tui.services.runtime import connect

    db = connect(f"sqlite:///{tmp_path / 'exam.db'}")
    try:
        sitting = written_sitting(db, tmp_path, ["监督、调查、处置。" * 200])
        app = grader_app(db, sitting)
        async with app.run_test(size=(80, 24)) as pilot:
            marking = await open_marking(pilot, sitting.session_id)
            box = marking.query_one("#mark-answer", VerticalScroll)
            await pilot.press("4", "pagedown")
            await settle(pilot)
            assert box.scroll_y > 0
            assert app.focused is marking.query_one("#mark-points", Input)
            assert marking.query_one("#mark-points", Input).value == "4"
            await pilot.press("pageup")
            await settle(pilot)
            assert box.scroll_y == 0
    finally:
        db.dispose()
