"""The admin's bank screen: the banks' versions, importing a file through the picker, searching questions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import DataTable, DirectoryTree, Input, Select, Static, Tree

from exam_tui.i18n import t
from exam_tui.services.banks import import_files, list_banks, list_questions
from exam_tui.services.runtime import Database
from exam_tui.tui.app import ExamApp
from exam_tui.tui.screens.admin.banks import BankAdminScreen, ImportDialog, SearchDialog, start_folder
from tests.conftest import STARTER_BANK
from tests.integration.test_bank_search import TAGGED_BANK
from tests.tui.conftest import fixed_clock, staff

SIZE = (100, 30)
SMALL = (80, 24)
STARTER = "integrity-regulations"


async def settle(pilot: Pilot) -> None:
    """Wait for the screens' workers and the messages they post; the file picker's loader runs as long
    as the picker is open, so it is not waited for."""
    for _ in range(4):
        busy = [w.wait() for w in pilot.app.workers if w.is_running and w.group != "_loader"]
        await asyncio.gather(*busy)
        await pilot.pause()


def text_of(app: ExamApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def rows(table: DataTable[str]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def question_keys(app: ExamApp) -> list[str]:
    table = app.screen.query_one("#questions", DataTable)
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]


async def open_banks(pilot: Pilot) -> BankAdminScreen:
    pilot.app.signed_in = staff("王管理")  # type: ignore[attr-defined]
    await pilot.app.push_screen(BankAdminScreen())
    await settle(pilot)
    assert isinstance(pilot.app.screen, BankAdminScreen)
    return pilot.app.screen


@pytest.fixture
def banks_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The admin works in a folder with question_banks/ in it, as the shipped layout has."""
    folder = tmp_path / "question_banks"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    return folder


async def test_the_banks_show_their_current_versions(app: ExamApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_banks(pilot)
        assert text_of(app, ".screen-title") == "题库管理"
        versions = app.screen.query_one("#bank-versions", DataTable)
        assert versions.region.height == 3  # the header, one bank, the rule under them
        # Imported at 01:00 UTC: 09:00 in the exam room.
        assert rows(versions) == [["廉政法规知识题库", "1", "2026.1", "2026-11-23 09:00", "54"]]
        assert [str(c.label) for c in versions.ordered_columns] == [
            "名称",
            "版本",
            "版本标签",
            "导入时间",
            "题数",
        ]
        assert len(question_keys(app)) == 54  # the browser under it works as before


async def test_a_broken_file_shows_every_problem_with_its_line_and_imports_nothing(
    app: ExamApp, demo_db: Database, banks_dir: Path
) -> None:
    broken = banks_dir / "broken.yaml"
    text = TAGGED_BANK.replace("answer: C", "answer: Z").replace("category: rules", "category: rulez", 1)
    broken.write_text(text, encoding="utf-8")
    (banks_dir / "notes.txt").write_text("not a bank", encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await open_banks(pilot)
        await pilot.press("i")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        tree = dialog.query_one("#import-tree", DirectoryTree)
        assert Path(tree.path).resolve() == banks_dir.resolve()
        assert [str(n.label) for n in tree.root.children] == ["broken.yaml"]  # only bank files
        await pilot.press("down", "enter")  # the first file: picked into the path field
        await settle(pilot)
        assert Path(dialog.query_one("#import-path", Input).value).name == "broken.yaml"
        await pilot.press("enter")  # the import button has the focus now
        await settle(pilot)
        assert app.screen is dialog  # still open, showing why
        report = text_of(app, "#import-report").splitlines()
        path = dialog.query_one("#import-path", Input).value
        assert report[0] == "发现 2 处问题,没有导入任何内容:"
        assert report[1].startswith(f"{path}:{line_of(text, 'answer: Z')}:13: ")  # the Z after "answer: "
        assert report[2].startswith(f"{path}:{line_of(text, 'rulez')}:15: ")  # a category nobody declared
        assert "rulez" in report[2]
    assert [b.slug for b in list_banks(demo_db)] == [STARTER]


async def test_a_good_file_is_imported_and_the_lists_show_the_new_version(
    app: ExamApp, demo_db: Database, banks_dir: Path
) -> None:
    changed = banks_dir / "starter.yaml"
    changed.write_text(
        STARTER_BANK.read_text(encoding="utf-8").replace('"2026.1"', '"2026.2"'), encoding="utf-8"
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_banks(pilot)
        await pilot.press("i")
        await settle(pilot)
        path_field = app.screen.query_one("#import-path", Input)
        path_field.focus()
        await pilot.press(*str(changed), "enter")  # typed rather than picked
        await settle(pilot)
        assert isinstance(app.screen, BankAdminScreen)
        versions = app.screen.query_one("#bank-versions", DataTable)
        assert rows(versions)[0][:3] == ["廉政法规知识题库", "2", "2026.2"]
        tree = app.screen.query_one("#banks", Tree)
        assert str(tree.root.children[0].label) == "廉政法规知识题库(第 2 版)"
        assert len(question_keys(app)) == 54
        # The same file again: nothing new, and the screen says so.
        await pilot.press("i")
        await settle(pilot)
        app.screen.query_one("#import-path", Input).value = str(changed)
        await pilot.click("#confirm")
        await settle(pilot)
        assert isinstance(app.screen, BankAdminScreen)
        assert rows(app.screen.query_one("#bank-versions", DataTable))[0][1] == "2"
        assert any("没有新增版本" in str(n.message) for n in app._notifications)
    assert [(b.slug, b.version, b.label) for b in list_banks(demo_db)] == [(STARTER, 2, "2026.2")]


async def test_import_into_an_empty_database_shows_the_browser(
    empty_db: Database, app_on, banks_dir: Path
) -> None:
    (banks_dir / "tagged.yaml").write_text(TAGGED_BANK, encoding="utf-8")
    app = app_on(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_banks(pilot)
        assert text_of(app, "#browser-none") == t("bankadmin.none")
        assert not app.screen.query_one("#bank-versions").display
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("down", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BankAdminScreen)
        assert app.screen.query_one("#browser").display
        assert not app.screen.query_one("#browser-none").display
        assert rows(app.screen.query_one("#bank-versions", DataTable))[0][:4] == [
            "标签测试题库",
            "1",
            "2026.2",
            "2026-11-23 09:00",
        ]
        assert question_keys(app) == ["q1", "q2", "q3", "q4", "q5"]


async def test_the_picker_starts_in_question_banks_when_there_is_one(tmp_path: Path) -> None:
    assert start_folder(tmp_path) == tmp_path
    (tmp_path / "question_banks").mkdir()
    assert start_folder(tmp_path) == tmp_path / "question_banks"


@pytest.fixture
def tagged_app(demo_db: Database, app_on, tmp_path: Path) -> ExamApp:
    path = tmp_path / "tagged.yaml"
    path.write_text(TAGGED_BANK, encoding="utf-8")
    import_files(demo_db, [path], clock=fixed_clock)
    return app_on(demo_db)


async def search(
    pilot: Pilot, *, text: str = "", category: str | None = None, type: str | None = None, tag: str = ""
) -> None:
    await pilot.press("slash")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, SearchDialog)
    dialog.query_one("#search-text", Input).value = ""
    dialog.query_one("#search-tag", Input).value = tag
    dialog.query_one("#search-category", Select).value = category or Select.NULL
    dialog.query_one("#search-type", Select).value = type or Select.NULL
    dialog.query_one("#search-text", Input).focus()
    await pilot.press(*text, "enter")
    await settle(pilot)


async def test_search_by_text_category_type_and_tag(tagged_app: ExamApp, demo_db: Database) -> None:
    app = tagged_app
    async with app.run_test(size=SIZE) as pilot:
        await open_banks(pilot)
        tree = app.screen.query_one("#banks", Tree)
        tree.move_cursor(next(n for n in tree.root.children if n.data.bank == "tagged-bank"))
        await settle(pilot)
        assert question_keys(app) == ["q1", "q2", "q3", "q4", "q5"]

        await search(pilot, text="监察机关")
        assert question_keys(app) == ["q3", "q5"]
        assert text_of(app, "#search-status") == "搜索:文字“监察机关” · 找到 2 道题(Esc 清除)"
        assert "q3" in text_of(app, "#preview")  # the first result is shown in full

        await search(pilot, category="law")
        assert question_keys(app) == ["q1", "q2"]
        assert "分类“法律”" in text_of(app, "#search-status")

        await search(pilot, type="true_false")
        assert question_keys(app) == ["q3"]

        await search(pilot, tag="政务处分", category="rules")
        assert question_keys(app) == ["q4"]

        await search(pilot, text="罚款", type="single")
        assert question_keys(app) == []
        assert text_of(app, "#preview") == "没有符合条件的题目。"

        await pilot.press("escape")  # clears the search: the bank's questions again
        await settle(pilot)
        assert question_keys(app) == ["q1", "q2", "q3", "q4", "q5"]
        assert not app.screen.query_one("#search-status").display
        await pilot.press("escape")  # then leaves
        await settle(pilot)
        assert not isinstance(app.screen, BankAdminScreen)
    assert len(list_questions(demo_db, "tagged-bank")) == 5


async def test_search_dialog_picks_a_category_with_the_keyboard(tagged_app: ExamApp) -> None:
    app = tagged_app
    async with app.run_test(size=SIZE) as pilot:
        await open_banks(pilot)
        tree = app.screen.query_one("#banks", Tree)
        tree.move_cursor(next(n for n in tree.root.children if n.data.bank == "tagged-bank"))
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press("tab", "enter", "down", "down", "enter")  # the category list: 规定
        await settle(pilot)
        app.screen.query_one("#search-text", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert question_keys(app) == ["q3", "q4", "q5"]


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["100x30", "80x24"])
async def test_screens_fit(
    tagged_app: ExamApp, banks_dir: Path, size: tuple[int, int], tmp_path: Path
) -> None:
    """Everything a step needs is on screen at either size (the SVGs are kept for a look)."""
    broken = banks_dir / "broken.yaml"
    broken.write_text(TAGGED_BANK.replace("category: law", "category: lore"), encoding="utf-8")
    app = tagged_app
    width, height = size

    def on_screen(*selectors: str) -> None:
        # Inside a dialog, within the dialog's box: what overflows it is cut off, not shown.
        box = app.screen.query(".dialog").first().content_region if app.screen.query(".dialog") else None
        for selector in selectors:
            region = app.screen.query_one(selector).region
            assert region.height > 0 and region.bottom <= height and region.right <= width, selector
            assert box is None or box.contains_region(region), selector

    async with app.run_test(size=size) as pilot:
        await open_banks(pilot)
        app.save_screenshot(str(tmp_path / "banks.svg"))
        await search(pilot, text="政务处分")
        app.save_screenshot(str(tmp_path / "search.svg"))
        on_screen("#search-status", "#questions", "#preview-scroll")
        await pilot.press("i")
        await settle(pilot)
        app.save_screenshot(str(tmp_path / "import.svg"))
        on_screen("#import-tree", "#import-path", "#confirm")
        await pilot.press("down", "enter", "enter")
        await settle(pilot)
        app.save_screenshot(str(tmp_path / "problems.svg"))
        on_screen("#import-tree", "#import-path", "#import-problems", "#confirm")
        assert app.screen.query_one("#confirm").region.height == 3


async def test_a_title_the_narrow_tree_cuts_is_shown_whole_above_the_questions(
    app: ExamApp, demo_db: Database, tmp_path: Path
) -> None:
    long_title = "纪检监察干部案件办理资格考试题库"
    bank = tmp_path / "long.yaml"
    text = TAGGED_BANK.replace("标签测试题库", long_title).replace(
        "title: 法律}", "title: 中华人民共和国公职人员政务处分法}"
    )
    bank.write_text(text, encoding="utf-8")
    import_files(demo_db, [bank], clock=fixed_clock)
    async with app.run_test(size=SMALL) as pilot:
        await open_banks(pilot)
        tree = app.screen.query_one("#banks", Tree)
        node = next(n for n in tree.root.children if str(n.label).startswith(long_title))
        assert tree.region.width < cell_len(str(node.label))  # at 80 columns the tree cuts it
        tree.move_cursor(node)
        await settle(pilot)
        line = app.screen.query_one("#bank-node", Static)
        assert text_of(app, "#bank-node") == f"{long_title}(第 1 版)"
        assert line.region.height >= 1 and line.region.right <= SMALL[0]
        await pilot.press("down", "down")  # all its questions, then its first category
        await settle(pilot)
        assert text_of(app, "#bank-node") == f"{long_title}(第 1 版) · 中华人民共和国公职人员政务处分法(2)"
        assert line.region.height == 2  # broken over two lines, not cut
