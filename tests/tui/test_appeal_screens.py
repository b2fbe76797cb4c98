"""The appeals screens (申诉复核) driven with Pilot: file, review the exact paper, regrade, correct a key, decide.

The sitting: a pre-appointment exam of one single-choice question (whose bank key is wrong), one
true/false and one short answer. The appellant chose the right option (bank letter A) and failed; the
other candidate chose the bank's wrong key (B) and passed. Short answers are marked through the service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.widgets import DataTable, Input, ListView, Static

from exam_tui.domain.paper import Paper, PaperItem
from exam_tui.i18n import t
from exam_tui.services import appeals, attempts
from exam_tui.services.grading import record_mark
from exam_tui.services.runtime import Database
from exam_tui.tui.app import ExamApp
from exam_tui.tui.screens.admin.appeal_dialogs import AppealReportDialog
from exam_tui.tui.screens.admin.appeals import AppealReviewScreen, AppealsScreen
from exam_tui.tui.screens.admin.dialogs import ActionDialog
from tests.tui.test_grading_screen import GRADER, Sitting, grader_app, settle, sitting

REVIEWER = "王复核"
SIZE = (100, 30)
APPEAL_BANK = """\
bank: appeal-test
title: 申诉测试题库
categories:
  - {id: law, title: 法律}
questions:
  - id: sc-1
    type: single
    category: law
    stem: 监察委员会由哪个机关产生,对其负责?
    options: {A: 本级人民代表大会, B: 本级人民政府, C: 上级纪律检查委员会, D: 本级人民法院}
    answer: B
  - id: tf-1
    type: true_false
    category: law
    stem: 监察机关是行使国家监察职能的专责机关。
    answer: true
  - id: sa-1
    type: short_answer
    category: law
    stem: 简述监察机关的职责。
    rubric: 监督、调查、处置。
exams:
  - id: pre
    title: 申诉测试考试
    kind: pre_appointment
    duration_minutes: 30
    pass_score: 20
    shuffle_questions: false
    sections:
      - {title: 一、单选题, type: single, draw: 1, points: 10}
      - {title: 二、判断题, type: true_false, draw: 1, points: 10}
      - {title: 三、简答题, type: short_answer, draw: 1, points: 10}
"""


def shown(item: PaperItem, bank_letter: str) -> str:
    """The letter this paper shows for the bank's option ``bank_letter`` (every paper shuffles them)."""
    return item.options[item.bank_letters.index(bank_letter)][0]


def appeal_sitting(db: Database, folder: Path) -> Sitting:
    """Candidate 0 (proposed 副局长) answers A, true, a thin answer marked 4: 14, deferred.
    Candidate 1 answers B (the bank's key), true, a full answer marked 10: 30, passed."""
    bank = folder / "appeal.yaml"
    bank.write_text(APPEAL_BANK, encoding="utf-8")

    def answer(i: int, paper: Paper) -> dict[int, Any]:
        single = paper.item(1)
        written = "监督。" if i == 0 else "监督、调查、处置。"
        return {1: shown(single, "A" if i == 0 else "B"), 2: "A", 3: written}

    s = sitting(db, folder, bank=bank, exam_ref="appeal-test/pre", count=2, answer=answer, posts=["副局长"])
    for attempt_id, points in zip(s.attempt_ids, (4, 10), strict=True):
        record_mark(db, attempt_id, item=3, points=points, grader=GRADER, clock=s.clock)
    return s


def reviewer_app(db: Database, s: Sitting) -> ExamApp:
    return grader_app(db, s, REVIEWER)


def content(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def dialog_message(app: ExamApp) -> str:
    return content(app.screen, "#dialog-problem-text")


async def fill(pilot: Any, *values: str) -> None:
    """Type each value into the focused field, Enter after each (the last Enter confirms)."""
    for value in values:
        field = pilot.app.focused
        assert isinstance(field, Input)
        field.value = ""
        if value:
            field.insert_text_at_cursor(value)
        await pilot.press("enter")
    await settle(pilot)


async def open_review(pilot: Any, appeal_id: int) -> AppealReviewScreen:
    await pilot.app.push_screen(AppealReviewScreen(appeal_id))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AppealReviewScreen)
    return screen


def paper_text(screen: AppealReviewScreen) -> list[str]:
    return [str(s.content.plain) for s in screen.query("#review-items Static").results(Static)]


def result_of(db: Database, attempt_id: int) -> tuple[float | None, bool | None]:
    r = attempts.result(db, attempt_id)
    return r.score, r.passed


# ---- the list and filing ---------------------------------------------------------------------------


async def test_an_appeal_is_filed_in_the_dialog_which_explains_refusals(db: Database, tmp_path: Path) -> None:
    s = appeal_sitting(db, tmp_path)
    app = reviewer_app(db, s)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(AppealsScreen())
        await settle(pilot)
        assert content(app.screen, "#appeals-empty") == "还没有申诉。按 n 登记一份申诉。"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ActionDialog)
        await fill(pilot, "999", "成绩有误")
        assert isinstance(app.screen, ActionDialog)  # refused: the dialog stays, with the service's words
        assert dialog_message(app) == t("grading.no_attempt", id=999)
        await pilot.press("shift+tab")
        await fill(pilot, str(s.attempt_ids[0]), "单选题答案有误,我选的是对的")
        assert isinstance(app.screen, AppealsScreen)
        (filed,) = appeals.list_appeals(db)
        assert (filed.attempt_id, filed.filed_by, filed.state) == (s.attempt_ids[0], REVIEWER, "open")
        assert content(app.screen, "#appeals-status") == f"已登记申诉 #{filed.id}"
        row = app.screen.query_one("#appeals-table", DataTable).get_row_at(0)
        assert row[0] == str(filed.id) and row[1] == "欧阳明远" and row[5:] == ["复核中", "", "14 → —"]
        assert "单选题答案有误" in content(app.screen, "#appeals-detail")
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, str(s.attempt_ids[0]), "再次申诉")
        assert dialog_message(app) == t("appeal.already_open", id=filed.id)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AppealReviewScreen) and app.screen.appeal_id == filed.id
    assert len(appeals.list_appeals(db)) == 1


# ---- the review ---------------------------------------------------------------------------------------


async def test_the_review_shows_the_exact_paper_the_candidate_saw(db: Database, tmp_path: Path) -> None:
    s = appeal_sitting(db, tmp_path)
    appeal_id = appeals.file_appeal(db, s.attempt_ids[0], "单选题答案有误", filed_by="张登记", clock=s.clock)
    detail = appeals.appeal_detail(db, appeal_id)
    single = detail.items[0].item
    chosen, key = shown(single, "A"), shown(single, "B")
    app = reviewer_app(db, s)
    async with app.run_test(size=SIZE) as pilot:
        review = await open_review(pilot, appeal_id)
        header = content(review, "#review-header")
        assert "欧阳明远 · 市财政局 · 申诉测试考试 · 答卷 #" in header
        assert "张登记 于 2026-11-23 09:05 登记:单选题答案有误" in header
        assert "复核中" in header and "14 分,不合格" in header and "副局长 暂缓任用" in header
        first, second, third = paper_text(review)
        assert first.startswith("第 1 题 · 单选题 · 得分 0 / 10 · 题库编号 sc-1")
        assert "监察委员会由哪个机关产生" in first
        for letter, text in single.options:
            marks = ("●" if letter == chosen else "") + ("✓" if letter == key else "")
            assert f"\n{letter}. {text}{' ' + marks if marks else ''}\n" in first
        assert f"考生答案:{chosen}" in first and f"正确答案:{key}" in first
        assert "考生答案:正确" in second and "正确答案:正确" in second and "得分 10 / 10" in second
        assert "第 3 题 · 简答题 · 得分 4 / 10" in third and "考生答案:监督。" in third
        assert f"评分:{GRADER}(阅卷)4 分" in third and "评分要点:监督、调查、处置。" in third
        assert "张登记  登记申诉:单选题答案有误" in content(review, "#review-steps-text")
        assert review.query_one("#review-items", ListView).index == 0


async def test_regrade_key_correction_and_decision_change_the_stored_result(
    db: Database, tmp_path: Path
) -> None:
    s = appeal_sitting(db, tmp_path)
    appellant, other = s.attempt_ids
    appeal_id = appeals.file_appeal(
        db, appellant, "单选题答案有误,简答题给分偏低", filed_by="张登记", clock=s.clock
    )
    app = reviewer_app(db, s)
    async with app.run_test(size=SIZE) as pilot:
        review = await open_review(pilot, appeal_id)
        # regrade: the cursor on the short answer preselects it; a refused half point stays in the dialog
        await pilot.press("down", "down", "r")
        await settle(pilot)
        assert app.screen.query_one("#entry-item", Input).value == "3"
        await fill(pilot, "7.3", "")
        assert isinstance(app.screen, ActionDialog) and dialog_message(app) == t("grading.half_points")
        await pilot.press("shift+tab")
        await fill(pilot, "6", "要点答出两项")
        assert app.screen is review
        assert content(review, "#review-status") == "已保存复核评分,成绩现为 16"
        assert result_of(db, appellant) == (16, False)
        assert f"{REVIEWER}(复核)6 分" in paper_text(review)[2]
        # a key correction: the question under the cursor is preselected, the key in the bank's letters
        await pilot.press("up", "up", "k")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ActionDialog)
        assert dialog.query_one("#entry-question", Input).value == "sc-1"
        assert "A. 本级人民代表大会" in dialog.body and "现行答案 B" in dialog.body
        await fill(pilot, "Ａ", "据《监察法》第八条")
        report = app.screen
        assert isinstance(report, AppealReportDialog)
        said = content(report, "#report-text")
        assert "题目 sc-1:答案 B → A" in said and "重新计分 2 份答卷" in said
        assert f"答卷 #{appellant} 欧阳明远:16 分,不合格 → 26 分,合格" in said
        assert f"答卷 #{other} 司马清风:30 分,合格 → 20 分,合格" in said
        assert "任用决定变化 1 项" in said and "暂缓任用 → 通过" in said
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is review
        assert (result_of(db, appellant), result_of(db, other)) == ((26, True), (20, True))
        assert "原答案" in paper_text(review)[0] and "更正后" in paper_text(review)[0]
        # the same key again is refused in the dialog
        await pilot.press("k")
        await settle(pilot)
        await fill(pilot, "A", "再次更正")
        assert dialog_message(app) == t("answer_key.unchanged")
        await pilot.press("escape")
        await settle(pilot)
        # decide: the outcome compares with the filing
        await pilot.press("d")
        await settle(pilot)
        await fill(pilot, "更正答案并复评后成绩合格,予以任用")
        assert content(review, "#review-status") == "已作出决定:结果已更正"
        header = content(review, "#review-header")
        assert f"{REVIEWER} 于 2026-11-23 09:05 作出决定:结果已更正" in header
        assert "登记时:14 分,不合格" in header and "决定时:26 分,合格" in header
        assert "决定意见:更正答案并复评后成绩合格,予以任用" in header
        steps = content(review, "#review-steps-text")
        assert "复核评分:第 3 题给 6 分,成绩 14 → 16;评语:要点答出两项" in steps
        assert "更正答案:题目 sc-1 由 B 改为 A" in steps and "作出决定:结果已更正" in steps
        # decided: read-only
        for key in ("r", "k", "d"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is review
    decided = appeals.appeal_detail(db, appeal_id)
    assert (decided.view.state, decided.view.outcome, decided.decided_by) == ("decided", "changed", REVIEWER)
    assert (decided.before["score"], decided.after["score"]) == (14, 26)  # type: ignore[index]


async def test_an_appeal_that_changes_nothing_is_upheld(db: Database, tmp_path: Path) -> None:
    s = appeal_sitting(db, tmp_path)
    appeal_id = appeals.file_appeal(db, s.attempt_ids[1], "请求复核", filed_by="张登记", clock=s.clock)
    app = reviewer_app(db, s)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(AppealsScreen())
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, AppealReviewScreen)
        await pilot.press("d")
        await settle(pilot)
        await fill(pilot, "")
        assert dialog_message(app) == t("dialog.required", label=t("appeal_dialog.decide.note"))
        await fill(pilot, "经复核,成绩无误")
        assert content(review, "#review-status") == "已作出决定:维持原结果"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AppealsScreen)
        row = app.screen.query_one("#appeals-table", DataTable).get_row_at(0)
        assert row[5:] == ["已决定", "维持原结果", "30 → 30"]
    assert appeals.appeal_detail(db, appeal_id).view.outcome == "upheld"


# ---- the dialogs' entries ------------------------------------------------------------------------------


def drawn(widget: Any) -> list[str]:
    """The lines a widget draws, as text."""
    return [s.text for s in widget.render_lines(Region(0, 0, *widget.outer_size))]


async def entries_are_seen(pilot: Any, typed: str) -> None:
    """Every entry of the dialog on top is drawn inside the screen with its side bars, empty or not, and
    what is typed into the one with the cursor shows."""
    app = pilot.app
    dialog = app.screen
    assert isinstance(dialog, ActionDialog)
    inputs = list(dialog.query(Input))
    focused = app.focused
    assert isinstance(focused, Input)
    await pilot.press(*typed)
    await pilot.pause()
    screen = Region(0, 0, *app.size)
    for field in inputs:
        assert field.region.height == 1 and screen.contains_region(field.region)
        line = drawn(field)[0]
        assert line.startswith("▊") and line.rstrip().endswith("▎")  # not a blank line
    assert typed in drawn(focused)[0]


@pytest.mark.parametrize("size", [(80, 24), SIZE, (120, 50)])
async def test_the_appeal_dialogs_show_their_entries(
    db: Database, tmp_path: Path, size: tuple[int, int]
) -> None:
    s = appeal_sitting(db, tmp_path)
    app = reviewer_app(db, s)
    async with app.run_test(size=size) as pilot:
        await app.push_screen(AppealsScreen())
        await settle(pilot)
        await pilot.press("n")  # 登记申诉: the paper's number and the grounds
        await settle(pilot)
        await entries_are_seen(pilot, "12")
        await pilot.press("escape")
        await settle(pilot)
    appeal_id = appeals.file_appeal(db, s.attempt_ids[0], "单选题答案有误", filed_by="张登记", clock=s.clock)
    app = reviewer_app(db, s)
    async with app.run_test(size=size) as pilot:
        await open_review(pilot, appeal_id)
        await pilot.press("d")  # 作出决定: the decision's note
        await settle(pilot)
        await entries_are_seen(pilot, "abc")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("k")  # the longest: a body and three entries
        await settle(pilot)
        await entries_are_seen(pilot, "x")
