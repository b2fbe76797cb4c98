"""统计分析: from the admin menu to a session's item analysis, where the demo's miskeyed question is flagged.

The data is the analysis demo (``services.analysis_demo``): a closed, graded session of 120 generated
candidates with one single-choice question whose key the bank gets wrong. It is generated once per test
run (a few seconds) and copied for each test.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable, OptionList, Static

from exam_tui.domain.analysis import FLAG_NEGATIVE_DISCRIMINATION
from exam_tui.i18n import t
from exam_tui.services.analysis import analyse_session
from exam_tui.services.analysis_demo import EXAM, AnalysisDemo, seed_analysis_demo
from exam_tui.services.analysis_exports import flag_text
from exam_tui.services.runtime import Database, connect
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.screens.admin.analysis import AnalysisSessionsScreen
from exam_tui.tui.screens.admin.analysis_cells import SCREEN_COLUMNS, SEVERE_STYLE
from exam_tui.tui.screens.admin.analysis_question import QuestionAnalysisScreen
from exam_tui.tui.screens.admin.analysis_report import AnalysisScreen
from exam_tui.tui.screens.admin.analysis_sort import SortDialog
from exam_tui.tui.screens.admin.menu import AdminMenuScreen
from exam_tui.tui.widgets.prose import Prose
from tests.tui.conftest import BEIJING, fixed_clock, staff
from tests.tui.test_admin_screens import OPERATOR, plain

SIZE = (100, 30)
CANDIDATES = 120
STAMP = "20261123-090000"  # the fixed clock, in Beijing


# ---- data ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def analysis_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AnalysisDemo]:
    """The demo generated once: a database file to copy, and what the generator says it planted."""
    path = tmp_path_factory.mktemp("analysis") / "template.db"
    db = connect(f"sqlite:///{path}")
    try:
        demo = seed_analysis_demo(db, candidates=CANDIDATES, seed=2026, tz=BEIJING, clock=fixed_clock)
    finally:
        db.dispose()
    return path, demo


@pytest.fixture
def analysis_db(tmp_path: Path, analysis_template: tuple[Path, AnalysisDemo]) -> Iterator[Database]:
    template, _ = analysis_template
    copy = tmp_path / "exam.db"
    for suffix in ("", "-wal"):  # a WAL left beside the file holds the last writes
        if Path(f"{template}{suffix}").exists():
            shutil.copy(f"{template}{suffix}", f"{copy}{suffix}")
    db = connect(f"sqlite:///{copy}")
    yield db
    db.dispose()


@pytest.fixture
def demo(analysis_template: tuple[Path, AnalysisDemo]) -> AnalysisDemo:
    return analysis_template[1]


@pytest.fixture
def analysis_app(analysis_db: Database) -> ExamApp:
    app = make_app(analysis_db, clock=fixed_clock, tz=BEIJING)
    app.signed_in = staff(OPERATOR)
    return app


# ---- reading the screen -------------------------------------------------------------------------------


def items_table(app: ExamApp) -> DataTable[Text]:
    return app.screen.query_one("#analysis-items", DataTable)


def keys(table: DataTable[Text]) -> list[str | None]:
    return [k.value for k in table.rows]


def column(table: DataTable[Text], key: str) -> list[str]:
    return [str(table.get_cell(row_key, key)) for row_key in table.rows]


def row_of(table: DataTable[Text], question: str) -> list[Text]:
    return table.get_row(question)


def said(widget: Static) -> str:
    """What a Static shows, as text; wrapped prose as it was given."""
    content = widget.content
    return content.plain if isinstance(content, Prose) else plain(widget)


def number(cell: str) -> float | None:
    return None if cell == "-" else float(cell)


async def open_analysis(app: ExamApp, pilot, settle) -> AnalysisScreen:
    await settle(pilot)
    app.push_screen(AnalysisSessionsScreen())
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, AnalysisScreen)
    return screen


# ---- the way in ---------------------------------------------------------------------------------------


async def test_from_the_menu_to_the_analysis_where_the_miskeyed_question_is_flagged(
    analysis_db: Database, demo: AnalysisDemo, settle
) -> None:
    app = make_app(analysis_db, clock=fixed_clock, tz=BEIJING, user=staff(OPERATOR))
    messages: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        await pilot.press("3")  # 管理: signed in already
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, AnalysisSessionsScreen)
        sessions = listing.query_one("#analysis-sessions", DataTable)
        assert sessions.row_count == 1
        assert [str(c) for c in sessions.get_row_at(0)] == [
            "2026-11-23 09:00",
            demo.session.title,  # wide enough at 100 columns
            "统计分析演示考试",
            "已收卷",
            str(CANDIDATES),
            "0",
        ]
        assert EXAM in plain(listing.query_one("#analysis-sessions-detail", Static))

        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen)
        assert len({id(m) for m in messages if isinstance(m, AnalysisScreen.Loaded)}) == 1  # one read
        assert f"考试场次 {demo.session.id}" in plain(screen.query_one("#analysis-title", Static))
        summary = plain(screen.query_one("#analysis-summary", Static))
        assert f"分析的试卷数    {CANDIDATES}" in summary and "信度 α / KR-20" in summary

        # The note above the table names the question, in red on the screen.
        note = screen.query_one("#note-keys", Static)
        assert note.display and demo.miskeyed in said(note) and "请核对答案" in said(note)

        table = items_table(app)
        assert table.row_count == 40
        report = analyse_session(analysis_db, demo.session.id)
        negatives = [r.key for r in report.analysis.items if FLAG_NEGATIVE_DISCRIMINATION in r.flags]
        assert negatives == [demo.miskeyed]
        cells = dict(zip(SCREEN_COLUMNS, row_of(table, demo.miskeyed), strict=True))
        assert all(cell.style == SEVERE_STYLE for cell in cells.values())
        assert str(cells["number"]).startswith("!")
        assert flag_text(FLAG_NEGATIVE_DISCRIMINATION) in str(cells["flags"])
        assert str(cells["ebel_band"]) == "负值,核对答案"
        assert number(str(cells["discrimination_index"])) < 0  # type: ignore[operator]
        quiet = next(r.key for r in report.analysis.items if not r.flags)
        assert all(cell.style == "" for cell in row_of(table, quiet))

        table.move_cursor(row=list(table.rows).index(demo.miskeyed))  # type: ignore[arg-type]
        await settle(pilot)
        detail = plain(screen.query_one("#analysis-detail", Static))
        assert demo.miskeyed in detail and flag_text(FLAG_NEGATIVE_DISCRIMINATION) in detail

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is listing
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AdminMenuScreen)


async def test_the_whole_exam_and_every_key_in_the_footer(analysis_app: ExamApp, settle) -> None:
    async with analysis_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        analysis_app.push_screen(AnalysisSessionsScreen())
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = analysis_app.screen
        assert isinstance(screen, AnalysisScreen) and screen.exam_ref == EXAM
        assert EXAM in plain(screen.query_one("#analysis-title", Static))
        assert items_table(analysis_app).row_count == 40
        shown = {
            b.binding.key: b.binding.description for b in screen.active_bindings.values() if b.binding.show
        }
        for key in ("escape", "enter", "s", "r", "f", "x", "p"):
            assert key in shown and not shown[key].startswith("key."), key


# ---- sorting and filtering ----------------------------------------------------------------------------


async def test_sort_by_a_column_then_reverse(analysis_app: ExamApp, demo: AnalysisDemo, settle) -> None:
    async with analysis_app.run_test(size=SIZE) as pilot:
        screen = await open_analysis(analysis_app, pilot, settle)
        table = items_table(analysis_app)
        assert column(table, "number")[:3] == ["1", "2", "3"]  # the paper's order at first

        await pilot.press("s")
        await settle(pilot)
        dialog = analysis_app.screen
        assert isinstance(dialog, SortDialog)
        choices = dialog.query_one("#sort-columns", OptionList)
        assert choices.option_count == len(SCREEN_COLUMNS)
        choices.highlighted = SCREEN_COLUMNS.index("discrimination_index")
        await pilot.press("enter")
        await settle(pilot)
        assert analysis_app.screen is screen
        values = [number(v) for v in column(table, "discrimination_index")]
        present = [v for v in values if v is not None]
        assert present == sorted(present) and values[: len(present)] == present  # none last
        assert keys(table)[0] == demo.miskeyed  # the lowest discrimination first
        assert str(table.columns["discrimination_index"].label).endswith("↑")
        sorted_by = plain(screen.query_one("#analysis-sorted", Static))
        assert "区分度指数" in sorted_by and "升序" in sorted_by

        await pilot.press("r")
        await settle(pilot)
        values = [number(v) for v in column(table, "discrimination_index")]
        present = [v for v in values if v is not None]
        assert present == sorted(present, reverse=True) and values[: len(present)] == present
        assert keys(table)[len(present) - 1] == demo.miskeyed
        assert str(table.columns["discrimination_index"].label).endswith("↓")
        assert "降序" in plain(screen.query_one("#analysis-sorted", Static))

        await pilot.press("s")  # the same column again: reversed back
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert keys(table)[0] == demo.miskeyed

        await pilot.press("s")  # a text column
        await settle(pilot)
        analysis_app.screen.query_one("#sort-columns", OptionList).highlighted = SCREEN_COLUMNS.index(
            "question"
        )
        await pilot.press("enter")
        await settle(pilot)
        assert column(table, "question") == sorted(column(table, "question"))


async def test_flagged_only(analysis_app: ExamApp, demo: AnalysisDemo, analysis_db: Database, settle) -> None:
    report = analyse_session(analysis_db, demo.session.id)
    flagged = [r.key for r in report.analysis.items if r.flags]
    async with analysis_app.run_test(size=SIZE) as pilot:
        screen = await open_analysis(analysis_app, pilot, settle)
        table = items_table(analysis_app)
        await pilot.press("f")
        await settle(pilot)
        assert keys(table) == flagged
        assert all(n.startswith("!") for n in column(table, "number"))
        title = plain(screen.query_one("#analysis-table-title", Static))
        assert f"{len(flagged)} / 40" in title
        await pilot.press("f")
        await settle(pilot)
        assert table.row_count == 40


# ---- one question ---------------------------------------------------------------------------------------


async def test_drill_down_shows_the_distractors_and_the_key(
    analysis_app: ExamApp, demo: AnalysisDemo, settle
) -> None:
    async with analysis_app.run_test(size=SIZE) as pilot:
        screen = await open_analysis(analysis_app, pilot, settle)
        table = items_table(analysis_app)
        place = keys(table).index(demo.miskeyed)
        table.move_cursor(row=place)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        page = analysis_app.screen
        assert isinstance(page, QuestionAnalysisScreen)
        assert demo.miskeyed in plain(page.query_one("#question-title", Static))

        flags = said(page.query_one("#question-flags", Static))
        assert flags.startswith(flag_text(FLAG_NEGATIVE_DISCRIMINATION))  # the key in doubt first
        # The upper group chose the true answer, which the bank marks wrong.
        assert f"的人选了 {demo.true_key},而题库答案是 {demo.bank_key}。" in flags

        distractors = page.query_one("#question-distractors", DataTable)
        rows = {
            str(r[0]): [str(c) for c in r] for r in map(distractors.get_row_at, range(distractors.row_count))
        }
        assert sorted(rows) == ["A", "B", "C", "D"]
        answer = [k.value for k in distractors.columns].index("is_key")
        assert [letter for letter, r in rows.items() if r[answer] == "是"] == [demo.bank_key]
        text_column = [k.value for k in distractors.columns].index("text")
        assert all(r[text_column] for r in rows.values())  # wide enough for the options' text

        options = said(page.query_one("#question-options", Static))
        marked = [line for line in options.splitlines() if t("analysis_screen.key_mark").strip() in line]
        assert len(marked) == 1 and marked[0].startswith(f"{demo.bank_key}. ")
        assert "故意标错" in said(page.query_one("#question-explanation", Static))
        assert said(page.query_one("#question-stem", Static))

        await pilot.press("right")  # the next question of the table
        await settle(pilot)
        following = str(table.get_row_at(place + 1)[1])
        assert following in plain(page.query_one("#question-title", Static))
        await pilot.press("escape")  # back on the question last seen
        await settle(pilot)
        assert analysis_app.screen is screen
        assert table.cursor_row == place + 1


async def test_a_question_without_distractors_says_so(analysis_app: ExamApp, settle) -> None:
    from dataclasses import replace

    async with analysis_app.run_test(size=(80, 24)) as pilot:
        screen = await open_analysis(analysis_app, pilot, settle)
        assert screen.report is not None
        number_, row = screen.shown[0]
        bare = replace(row, distractors=())
        analysis_app.push_screen(QuestionAnalysisScreen(screen.report, [(number_, bare)], 0))
        await settle(pilot)
        page = analysis_app.screen
        assert not page.query_one("#question-distractors").display
        assert page.query_one("#question-distractors-none").display
        # 80 columns: no room for the options' text in the table; the options are listed in full below.
        assert "text" not in [k.value for k in page.query_one("#question-distractors", DataTable).columns]


# ---- exports --------------------------------------------------------------------------------------------


async def test_exports_write_the_workbook_and_the_pdfs(
    analysis_app: ExamApp, demo: AnalysisDemo, settle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = Path("sessions", "exports")
    stem = f"analysis-session-{demo.session.id}-{STAMP}"
    async with analysis_app.run_test(size=SIZE) as pilot:
        await open_analysis(analysis_app, pilot, settle)
        await pilot.press("f")  # as shown: the flagged items only
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        workbook = folder / f"{stem}.xlsx"
        assert workbook.exists()
        said = [str(n.message) for n in analysis_app._notifications]
        assert t("analysis_screen.exported", path=workbook) in said
        book = openpyxl.load_workbook(workbook)
        items = book[t("analysis.table.items")]
        assert str(items["A1"].value).startswith("审计链末端 #")  # the chain's head, above the headers
        keys = [r[1] for r in items.iter_rows(min_row=3, values_only=True)]
        assert demo.miskeyed in keys and len(keys) < 40

        await pilot.press("p")
        await settle(pilot)
        for name in (f"{stem}-paper.pdf", f"{stem}-items.pdf"):
            assert (folder / name).read_bytes().startswith(b"%PDF"), name
            if shutil.which("pdftotext") is not None:
                text = subprocess.run(
                    ["pdftotext", str(folder / name), "-"], capture_output=True, text=True, check=True
                ).stdout
                assert text.count("审计链末端 #") == text.count("\f")  # at the foot of every page
        said = [str(n.message) for n in analysis_app._notifications]
        assert any(str(folder / f"{stem}-paper.pdf") in m and "和" in m for m in said)


async def test_an_export_that_fails_says_why(
    analysis_app: ExamApp, settle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("sessions").write_text("not a folder", encoding="utf-8")  # the export folder cannot be made
    async with analysis_app.run_test(size=SIZE) as pilot:
        await open_analysis(analysis_app, pilot, settle)
        await pilot.press("x")
        await settle(pilot)
        errors = [str(n.message) for n in analysis_app._notifications if n.severity == "error"]
        assert len(errors) == 1 and errors[0].startswith("导出失败")
        assert isinstance(analysis_app.screen, AnalysisScreen)


# ---- errors and nothing to show -------------------------------------------------------------------------


async def test_errors_and_empty_lists_are_said_in_words(
    analysis_app: ExamApp, empty_db: Database, settle
) -> None:
    async with analysis_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        analysis_app.push_screen(AnalysisScreen(session_id=999))
        await settle(pilot)
        empty = analysis_app.screen.query_one("#analysis-empty", Static)
        assert empty.display and empty.has_class("error")
        assert t("session.not_found", id=999) in plain(empty)
        assert not analysis_app.screen.query_one("#analysis-items").display
        await pilot.press("escape")
        await settle(pilot)
        analysis_app.push_screen(AnalysisScreen(exam_ref="no-bank/no-exam"))
        await settle(pilot)
        assert t("session.no_exam", exam="no-bank/no-exam") in plain(
            analysis_app.screen.query_one("#analysis-empty", Static)
        )

    app = make_app(empty_db, clock=fixed_clock, tz=BEIJING)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(AnalysisSessionsScreen())
        await settle(pilot)
        empty = app.screen.query_one("#analysis-sessions-empty", Static)
        assert empty.display and t("analysis_screen.no_sessions") in plain(empty)
        await pilot.press("enter", "e")  # nothing to open
        await settle(pilot)
        assert isinstance(app.screen, AnalysisSessionsScreen)


async def test_left_and_right_move_the_table_a_column_at_a_time(analysis_app: ExamApp, settle) -> None:
    async with analysis_app.run_test(size=(80, 24)) as pilot:
        await open_analysis(analysis_app, pilot, settle)
        table = items_table(analysis_app)
        first = table.ordered_columns[table.fixed_columns].get_render_width(table)
        await pilot.press("right")
        await settle(pilot)
        assert table.scroll_x == first  # the first scrolling column out of view, the fixed two kept
        await pilot.press("right", "left", "left")
        await settle(pilot)
        assert table.scroll_x == 0
