"""The practice terminal (练习) and the wrong-answer book (错题本), driven with the keyboard as a cadre would.

The training bank's keys are all A (or 正确, shown as A), so a test answers right with A and wrong with B
without looking anything up. Runs on SQLite, and on PostgreSQL when EXAM_TUI_TEST_PG_URL is set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from textual.message import Message
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static

from exam_tui.i18n import t
from exam_tui.services import practice
from exam_tui.services.banks import import_files
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from exam_tui.store.models import AttemptRow, CadreRow
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.screens.practice.book import PracticeBookScreen
from exam_tui.tui.screens.practice.choice import PracticeChoiceScreen
from exam_tui.tui.screens.practice.login import PracticeLoginScreen
from exam_tui.tui.screens.practice.run import PracticeRunScreen
from exam_tui.tui.screens.practice.summary import PracticeSummaryScreen
from exam_tui.tui.widgets.question import OptionRow
from tests.conftest import ROOT, STARTER_BANK, WRITTEN_BANK, SteppingClock
from tests.tui.conftest import BEIJING

SIZE = (100, 30)
SMALL = (80, 24)
TRAINING_BANK = ROOT / "tests" / "fixtures" / "training-bank.yaml"
BANK = "training-test"
UNKNOWN = "110101199001011237"  # a valid number that is on no roll

BLANK_BANK = """\
bank: blank-test
title: 填空测试题库
categories:
  - {id: law, title: 法律}
questions:
  - id: f-1
    type: fill_blank
    category: law
    stem: 留置时间不得超过____个月，延长不得超过____个月。
    answer:
      - [三, 3]
      - [三, 3]
    explanation: 填空题的解析。
    source: 《测试条例》第9条
"""


LONG_CATEGORY_BANK = """\
bank: long-category-test
title: 长分类名测试题库
categories:
  - {id: cs-law, title: 中华人民共和国公务员法（纪律规定）}
  - {id: rules, title: 中国共产党纪律处分条例（2023年修订）}
questions:
""" + "".join(
    f"""\
  - id: q-{n}
    type: true_false
    category: {"cs-law" if n <= 15 else "rules"}
    stem: 第{n}题的说法是正确的。
    answer: true
"""
    for n in range(1, 18)
)


@pytest.fixture
def stepping() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def cadre(db: Database, stepping: SteppingClock) -> str:
    """The ID number of a cadre on the demo roll; the starter, training and written-answer banks imported."""
    import_files(db, [STARTER_BANK, TRAINING_BANK, WRITTEN_BANK], clock=stepping)
    seed_demo(db, seed=2026, tz=BEIJING, clock=stepping)
    with db.read() as s:
        return str(s.execute(select(CadreRow.id_number).order_by(CadreRow.id).limit(1)).scalar_one())


def terminal(db: Database, stepping: SteppingClock) -> ExamApp:
    return make_app(db, clock=stepping, tz=BEIJING, start="practice")


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def shown(app: ExamApp) -> str:
    """The text of every Static on the screen that is displayed (its containers too)."""
    parts = []
    for widget in app.screen.query(Static):
        if all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget)):
            parts.append(str(widget.content))
    return "\n".join(p for p in parts if p)


def text_of(app: ExamApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def mode_options(app: ExamApp) -> dict[str, tuple[str, bool]]:
    modes = app.screen.query_one("#choice-modes", OptionList)
    options = [modes.get_option_at_index(i) for i in range(modes.option_count)]
    return {str(o.id): (str(o.prompt), o.disabled) for o in options}


async def sign_in(pilot: Pilot[Any], id_number: str) -> None:
    await pilot.press(*id_number, "enter")
    await settle(pilot)


async def choose_bank(pilot: Pilot[Any], slug: str) -> None:
    """On the choice screen: ↓ in the bank list until ``slug`` is highlighted."""
    banks = pilot.app.screen.query_one("#choice-banks", OptionList)
    assert banks.has_focus
    ids = [banks.get_option_at_index(i).id for i in range(banks.option_count)]
    await pilot.press(*["down"] * (ids.index(slug) - (banks.highlighted or 0)))
    await pilot.pause()
    assert banks.highlighted_option is not None and banks.highlighted_option.id == slug


def cadre_id(db: Database, id_number: str) -> int:
    return practice.practiser(db, id_number).cadre_id


def put_in_book(db: Database, id_number: str, slugs: list[str], clock: SteppingClock) -> None:
    """Answer these questions wrong in a practice run, through the services."""
    who = practice.practiser(db, id_number)
    run = practice.start(db, cadre_id=who.cadre_id, bank=BANK, mode="sequential", clock=clock)
    for slug in slugs:
        shown_item = practice.item(db, run, slug, 1)
        clock.advance(seconds=10)
        practice.answer(db, run, shown_item, "B", queue=[slug], clock=clock)


def run_screen(app: ExamApp) -> PracticeRunScreen:
    screen = app.screen
    assert isinstance(screen, PracticeRunScreen)
    return screen


def nothing_of_the_key(app: ExamApp, n: int) -> None:
    """No sign of question n's key: no verdict, answer, explanation or source, no option marked right."""
    text = shown(app)
    assert not app.screen.query_one("#practice-feedback").display
    assert "正确答案" not in text and f"第{n}题的解析" not in text and f"第{n}条" not in text
    assert not app.screen.query(".key-option") and not app.screen.query(".wrong-choice")
    screenshot = app.export_screenshot()
    assert f"第{n}题的解析" not in screenshot and "正确答案" not in screenshot


# ---- sign-in ------------------------------------------------------------------------------------


async def test_an_unknown_id_number_is_refused_in_the_form(
    db: Database, stepping: SteppingClock, cadre: str
) -> None:
    app = terminal(db, stepping)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PracticeLoginScreen)
        await sign_in(pilot, UNKNOWN)
        assert isinstance(app.screen, PracticeLoginScreen)
        error = app.screen.query_one("#practice-login-error", Static)
        assert error.display and str(error.content) == t("practice.unknown_cadre")
        field = app.screen.query_one("#practice-id-number", Input)
        field.value = ""
        await sign_in(pilot, "12345")
        assert str(error.content).startswith("身份证号 12345 有误")
        field.value = ""
        await sign_in(pilot, cadre)
        assert isinstance(app.screen, PracticeChoiceScreen)
        who = practice.practiser(db, cadre)
        assert who.name in text_of(app, "#choice-title") and who.id_number_masked in text_of(
            app, "#choice-title"
        )
        await pilot.press("escape")  # signs out: an empty form for the next cadre
        await pilot.pause()
        assert isinstance(app.screen, PracticeLoginScreen) and field.value == ""


# ---- practising in order ------------------------------------------------------------------------


async def test_sequential_practice_shows_key_explanation_and_source_only_after_enter(
    db: Database, stepping: SteppingClock, cadre: str
) -> None:
    messages: list[Message] = []
    app = terminal(db, stepping)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await sign_in(pilot, cadre)
        await choose_bank(pilot, BANK)
        assert mode_options(app)["wrong_book"] == (t("practice.mode.book_none"), True)
        assert text_of(app, "#choice-ready") == "按 Enter 开始:培训测试题库 · 顺序练习 · 全部分类"
        await pilot.press("enter")
        await settle(pilot)
        screen = run_screen(app)
        assert screen.item.question == "s-01"
        assert text_of(app, "#practice-title") == "培训测试题库 · 顺序练习 · 全部分类"
        assert text_of(app, "#practice-progress") == "第 1 题  还有 23 题  答对 0/0"
        nothing_of_the_key(app, 1)

        await pilot.press("enter")  # no answer yet: nothing happens
        await settle(pilot)
        assert not any(isinstance(m, PracticeRunScreen.Checked) for m in messages)
        nothing_of_the_key(app, 1)

        await pilot.press("a")
        await pilot.pause()
        nothing_of_the_key(app, 1)  # chosen, not checked: still nothing
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app, "#practice-verdict") == "✓ 回答正确"
        assert app.screen.query_one("#practice-verdict").has_class("right")
        assert text_of(app, "#practice-key") == "正确答案:A. 正确的选项1"
        assert text_of(app, "#practice-explanation") == "解析:第1题的解析。"
        assert text_of(app, "#practice-source") == "出处:《测试条例》第1条"
        assert not app.screen.query_one("#practice-book").display  # never in the book: nothing to say
        assert [r.letter for r in app.screen.query(OptionRow) if r.has_class("key-option")] == ["A"]
        assert text_of(app, "#practice-progress") == "第 1 题  还有 23 题  答对 1/1"
        await pilot.press("b")  # the answer stands once checked
        await pilot.pause()
        assert screen.answer == "A"

        await pilot.press("enter")
        await settle(pilot)
        assert screen.item.question == "s-02"
        nothing_of_the_key(app, 2)
        await pilot.press("b", "enter")
        await settle(pilot)
        assert text_of(app, "#practice-verdict") == "✗ 回答错误"
        assert app.screen.query_one("#practice-verdict").has_class("wrong")
        assert text_of(app, "#practice-key") == "正确答案:A. 正确的选项2"
        assert text_of(app, "#practice-explanation") == "解析:第2题的解析。"
        assert text_of(app, "#practice-source") == "出处:《测试条例》第2条"
        assert text_of(app, "#practice-book") == "已记入错题本"
        assert [r.letter for r in app.screen.query(OptionRow) if r.has_class("wrong-choice")] == ["B"]
        assert text_of(app, "#practice-progress") == "第 2 题  还有 22 题  答对 1/2"

        await pilot.press("right")  # → goes on as Enter does
        await settle(pilot)
        assert screen.item.question == "s-03" and screen.number == 3
        await pilot.press("escape")  # leaves the run: back to the choice, the book counted
        await settle(pilot)
        assert isinstance(app.screen, PracticeChoiceScreen)
        assert mode_options(app)["wrong_book"] == ("错题本(1题)", False)

    book = practice.wrong_book(db, cadre_id(db, cadre))
    assert [(b.bank, b.question, b.times_wrong, b.streak) for b in book] == [(BANK, "s-02", 1, 0)]
    assert book[0].source.startswith("practice:")
    with db.read() as s:  # practice is never an exam result
        assert s.execute(select(func.count()).select_from(AttemptRow)).scalar_one() == 0


# ---- the wrong-answer book ----------------------------------------------------------------------


async def test_the_choice_shows_the_books_count_and_starts_the_book(
    db: Database, stepping: SteppingClock, cadre: str
) -> None:
    put_in_book(db, cadre, ["s-03", "t-02"], stepping)
    app = terminal(db, stepping)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, cadre)
        assert mode_options(app)["wrong_book"] == (t("practice.mode.book_none"), True)  # the first bank
        await choose_bank(pilot, BANK)
        assert mode_options(app)["wrong_book"] == ("错题本(2题)", False)
        await pilot.press("tab", "down", "down")
        await pilot.pause()
        assert app.screen.query_one("#choice-categories", OptionList).disabled  # the book takes no category
        assert text_of(app, "#choice-ready") == (
            "按 Enter 开始:培训测试题库 · 错题本中的 2 道题(连续答对 2 次移出)"
        )
        await pilot.press("enter")
        await settle(pilot)
        screen = run_screen(app)
        assert screen.run.mode == "wrong_book" and screen.queue == ["s-03", "t-02"]
        assert text_of(app, "#practice-title") == "培训测试题库 · 错题本"


async def test_the_book_asks_again_until_right_twice_then_the_summary(
    db: Database, stepping: SteppingClock, cadre: str
) -> None:
    put_in_book(db, cadre, ["s-01", "t-01"], stepping)
    app = terminal(db, stepping)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, cadre)
        await choose_bank(pilot, BANK)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, PracticeBookScreen)
        assert text_of(app, "#book-title") == "错题本 · 培训测试题库(共 2 题)"
        table = app.screen.query_one("#book-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [
            ["第1道单选题的题干：下列哪一项正确？", "1", "0", "练习 2026-11-23"],
            ["第1道判断题的说法是正确的。", "1", "0", "练习 2026-11-23"],
        ]
        await pilot.press("enter")
        await settle(pilot)
        screen = run_screen(app)
        assert screen.queue == ["s-01", "t-01"]
        # From the book, what is left is the questions still in it (this one included until cleared).
        assert text_of(app, "#practice-progress") == "第 1 题  错题本还剩 2 题  答对 0/0"

        # Capital letters choose too (Caps Lock or Shift must not make a key dead).
        await pilot.press("A", "enter")
        await settle(pilot)
        assert text_of(app, "#practice-verdict") == "✓ 回答正确"
        assert text_of(app, "#practice-book") == "已连续答对 1 次,再答对 1 次移出错题本"
        # s-01 comes again, yet a right answer does not make more to do: still 2, not 3.
        assert text_of(app, "#practice-progress") == "第 1 题  错题本还剩 2 题  答对 1/1"

        await pilot.press("enter")
        await settle(pilot)
        assert screen.item.question == "t-01"
        nothing_of_the_key(app, 1)
        await pilot.press("B", "enter")  # 错误: wrong, and its streak starts again
        await settle(pilot)
        assert text_of(app, "#practice-verdict") == "✗ 回答错误"
        assert text_of(app, "#practice-key") == "正确答案:A 正确"
        assert text_of(app, "#practice-book") == "已记入错题本"
        assert screen.queue == ["s-01", "t-01"]

        await pilot.press("enter")
        await settle(pilot)
        assert screen.item.question == "s-01" and screen.number == 3
        await pilot.press("A", "enter")
        await settle(pilot)
        assert text_of(app, "#practice-book") == "已移出错题本"
        assert screen.queue == ["t-01"]
        assert text_of(app, "#practice-progress") == "第 3 题  错题本还剩 1 题  答对 2/3"

        for streak_text in ("已连续答对 1 次,再答对 1 次移出错题本", "已移出错题本"):
            await pilot.press("enter")
            await settle(pilot)
            assert screen.item.question == "t-01"
            await pilot.press("a", "enter")
            await settle(pilot)
            assert text_of(app, "#practice-book") == streak_text
        assert screen.queue == []
        assert text_of(app, "#practice-hint") == t("practice.run.hint_last")

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PracticeSummaryScreen)
        assert text_of(app, "#practice-summary-counts").splitlines() == [
            "答题 5 道",
            "答对 4 道",
            "答错 1 道",
            "错题本中现有本题库的题目 0 道",
        ]
        await pilot.press("enter")  # back to the choice, the book now empty
        await settle(pilot)
        assert isinstance(app.screen, PracticeChoiceScreen)
        assert mode_options(app)["wrong_book"] == (t("practice.mode.book_none"), True)
    assert practice.wrong_book(db, cadre_id(db, cadre)) == []


# ---- blanks and written answers -----------------------------------------------------------------


async def test_blanks_take_tab_and_a_written_answer_shows_its_rubric(
    db: Database, stepping: SteppingClock, cadre: str, tmp_path: Path
) -> None:
    bank_file = tmp_path / "blank.yaml"
    bank_file.write_text(BLANK_BANK, encoding="utf-8")
    import_files(db, [bank_file], clock=stepping)
    app = terminal(db, stepping)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, cadre)
        await choose_bank(pilot, "blank-test")
        await pilot.press("enter")
        await settle(pilot)
        screen = run_screen(app)
        assert app.screen.focused is not None and app.screen.focused.id == "blank-1"
        await pilot.press("enter")  # nothing typed: nothing happens
        await settle(pilot)
        assert screen.feedback is None
        await pilot.press("x")  # a letter in a blank is typed, not taken for a choice
        await pilot.pause()
        assert app.screen.query_one("#blank-1", Input).value == "x"
        await pilot.press("backspace", "3", "tab", "4", "enter")
        await settle(pilot)
        assert text_of(app, "#practice-verdict") == "✗ 回答错误"
        assert text_of(app, "#practice-key") == "正确答案:\n第 1 空:三 / 3\n第 2 空:三 / 3"
        assert text_of(app, "#practice-source") == "出处:《测试条例》第9条"
        assert all(field.disabled for field in app.screen.query(Input))
        await pilot.press("enter", "enter")  # the summary, then back to the choice
        await settle(pilot)

        await choose_bank(pilot, "written-test")
        await pilot.press("enter")
        await settle(pilot)
        screen = run_screen(app)
        assert screen.item.type == "true_false"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.feedback is None
        await pilot.press("a", "enter", "enter")
        await settle(pilot)
        assert screen.item.type == "short_answer"
        assert "监督、调查、处置" not in shown(app)
        await pilot.press("enter")  # a written answer shows its rubric even when nothing is written
        await settle(pilot)
        assert text_of(app, "#practice-verdict") == "简答题不判对错,请对照评分要点自查"
        assert text_of(app, "#practice-key") == "评分要点:\n监督、调查、处置。"
        assert not app.screen.query_one("#practice-book").display
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app, "#practice-summary-counts").splitlines() == [
            "答题 2 道",
            "答对 1 道",
            "答错 0 道",
            "简答 1 道(不判对错)",
            "错题本中现有本题库的题目 0 道",
        ]


# ---- the choice's lists ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["100x30", "80x24"])
async def test_a_long_category_breaks_between_characters_never_before_a_closing_mark(
    db: Database, stepping: SteppingClock, cadre: str, tmp_path: Path, size: tuple[int, int]
) -> None:
    """At 100×30 the list is 32 cells wide: Textual's own folding put "）(15题)" at a line's start."""
    from exam_tui.domain.line_breaks import NO_LINE_START as NO_START

    bank_file = tmp_path / "long.yaml"
    bank_file.write_text(LONG_CATEGORY_BANK, encoding="utf-8")
    import_files(db, [bank_file], clock=stepping)
    app = terminal(db, stepping)
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot, cadre)
        await choose_bank(pilot, "long-category-test")
        categories = app.screen.query_one("#choice-categories", OptionList)
        assert str(categories.get_option_at_index(1).prompt) == "中华人民共和国公务员法（纪律规定）(15题)"
        lines = [categories.render_line(y).text.strip(" │") for y in range(categories.virtual_size.height)]
        lines = [line for line in lines if line]
        assert len(lines) > categories.option_count  # the long titles do break …
        assert not [line for line in lines if line[0] in NO_START]  # … never before a closing mark
        assert any(line.endswith("(15题)") for line in lines)  # and the count is never split
        assert any(line.endswith("(2题)") for line in lines)
        text = "".join(lines)
        assert "中华人民共和国公务员法（纪律规定）(15题)" in text
        assert "中国共产党纪律处分条例（2023年修订）(2题)" in text


# ---- a small terminal ---------------------------------------------------------------------------


def fully_inside(outer: Widget, *inner: Widget) -> bool:
    return all(w.region.area and outer.region.contains_region(w.region) for w in inner)


async def test_everything_that_matters_fits_80_by_24(
    db: Database, stepping: SteppingClock, cadre: str
) -> None:
    app = terminal(db, stepping)
    async with app.run_test(size=SMALL) as pilot:
        form = app.screen.query_one("#practice-login-form")
        assert fully_inside(app.screen, form, app.screen.query_one("#practice-submit"))
        await sign_in(pilot, cadre)
        await choose_bank(pilot, BANK)
        screen = app.screen
        lists = [screen.query_one(f"#choice-{name}") for name in ("banks", "modes", "categories")]
        assert fully_inside(screen, *lists, screen.query_one("#choice-ready"))
        categories = screen.query_one("#choice-categories", OptionList)
        assert categories.option_count == 3 and categories.max_scroll_y == 0  # all three shown

        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("b", "enter")
        await settle(pilot)
        screen = app.screen
        body = screen.query_one("#practice-body")
        parts = [
            *screen.query("#stem, .option"),
            *(
                screen.query_one(f"#practice-{p}")
                for p in ("verdict", "book", "key", "explanation", "source")
            ),
        ]
        assert len(parts) == 10 and fully_inside(body, *parts)  # question, options and feedback at once
        assert fully_inside(
            screen, *(screen.query_one(f"#practice-{p}") for p in ("title", "progress", "hint"))
        )
        for one_line in ("title", "progress", "hint"):
            assert screen.query_one(f"#practice-{one_line}").region.height == 1
        assert "……" not in text_of(app, "#practice-hint")
