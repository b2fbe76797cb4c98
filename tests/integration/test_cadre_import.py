"""Importing rosters: all or nothing, re-import by ID number, the audit trail, and the command line.

Runs on SQLite always and on PostgreSQL when EXAM_TUI_TEST_PG_URL is set.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.domain.idnumber import mask, normalise_id_number, with_check_digit
from exam_tui.i18n import set_language
from exam_tui.services import cadres
from exam_tui.services.runtime import Database
from exam_tui.store.models import AuditEventRow, CadreRow, UnitRow
from tests.conftest import FIXED_NOW, ROOT
from tests.unit.test_roster_format import HEADER_ZH, ID1, ID2, ID3

SAMPLE = ROOT / "sessions" / "roster-example.csv"
runner = CliRunner()


def write(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def cadre(db: Database, id_number: str) -> tuple[CadreRow, str]:
    with db.read() as s:
        row, unit = s.execute(
            select(CadreRow, UnitRow.name)
            .join(UnitRow, CadreRow.unit_id == UnitRow.id)  # type: ignore[arg-type]
            .where(CadreRow.id_number == id_number)
        ).one()
        return row, unit


def test_sample_roster_imports(db: Database, clock: Callable[[], datetime]) -> None:
    result = cadres.import_roster(db, SAMPLE, clock=clock, actor="admin")
    assert (result.total, result.added, result.updated, result.unchanged) == (12, 12, 0, 0)
    assert result.units_created == 9
    assert len(result.id_numbers) == 12 and result.id_numbers[0] == "110101197803120217"
    assert (count(db, CadreRow), count(db, UnitRow)) == (12, 9)
    row, unit = cadre(db, "110105197501081131")
    assert (row.name, unit, row.rank, row.position, row.proposed_post) == (
        "张志强",
        "市财政局",
        "副处长级",
        "预算科科长",
        "副局长",
    )
    assert row.created_at == row.updated_at == FIXED_NOW


def test_one_bad_row_writes_nothing(db: Database, tmp_path: Path, clock: Callable[[], datetime]) -> None:
    path = write(tmp_path, f"{HEADER_ZH}\n{ID1},甲,市财政局,,,\n{ID2},,市教育局,,,\n{ID3},丙,市审计局,,,\n")
    with pytest.raises(cadres.RosterImportError) as caught:
        cadres.import_roster(db, path, clock=clock)
    assert caught.value.lines == [f"{path}:3: 姓名不能为空"]
    assert (count(db, CadreRow), count(db, UnitRow), count(db, AuditEventRow)) == (0, 0, 0)


def test_problem_lines_in_both_languages(tmp_path: Path) -> None:
    bad = ID1[:-1] + ("0" if ID1[-1] != "0" else "1")
    path = write(tmp_path, f"身份证号,姓名,单位,性别\n{bad},甲,市财政局,男\n")
    with pytest.raises(cadres.RosterImportError) as zh:
        cadres.import_roster(None, path)  # type: ignore[arg-type]  # refused before the database is used
    assert zh.value.lines == [
        f"{path}:1: 表头中有无法识别的列:“性别”。表头应为第一个非空行,可用的列名为 身份证号、姓名、单位、职级、现任职务、拟任职务;不需要的列请删除"
    ]
    path = write(tmp_path, f"身份证号,姓名\n{bad},甲\n{ID1},\n")
    set_language("en")
    with pytest.raises(cadres.RosterImportError) as en:
        cadres.import_roster(None, path)  # type: ignore[arg-type]
    assert en.value.lines == [f"{path}:1: required columns are missing: unit"]
    with pytest.raises(cadres.RosterImportError) as whole:
        cadres.import_roster(None, tmp_path / "missing.csv")  # type: ignore[arg-type]
    assert whole.value.lines == [f"{tmp_path / 'missing.csv'}: no such file"]


def test_reimport_updates_by_id_number(db: Database, tmp_path: Path, clock: Callable[[], datetime]) -> None:
    first = f"{HEADER_ZH}\n{ID1},甲,市财政局,一级主任科员,国库科副科长,国库科科长\n{ID2},乙,市财政局,,,\n"
    path = write(tmp_path, first)
    cadres.import_roster(db, path, clock=clock)
    later = FIXED_NOW + timedelta(days=3)
    # ID1 changes name, unit and proposed post; ID2 stays as it was; ID3 is new, in a new unit.
    second = (
        f"{HEADER_ZH}\n{ID3},丙,市审计局,,,\n{ID1},甲某,市审计局,一级主任科员,国库科副科长,\n"
        f"{ID2},乙,市财政局,,,\n"
    )
    result = cadres.import_roster(db, write(tmp_path, second), clock=lambda: later)
    assert (result.total, result.added, result.updated, result.unchanged, result.units_created) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert result.id_numbers == [ID3, ID1, ID2]
    row, unit = cadre(db, ID1)
    assert (row.name, unit, row.rank, row.proposed_post) == ("甲某", "市审计局", "一级主任科员", None)
    assert (row.created_at, row.updated_at) == (FIXED_NOW, later)
    unchanged, _ = cadre(db, ID2)
    assert unchanged.updated_at == FIXED_NOW
    assert (count(db, CadreRow), count(db, UnitRow)) == (3, 2)


def test_absent_column_keeps_the_value_empty_cell_clears_it(
    db: Database, tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    cadres.import_roster(
        db, write(tmp_path, f"{HEADER_ZH}\n{ID1},甲,市财政局,一级主任科员,国库科副科长,国库科科长\n")
    )
    result = cadres.import_roster(db, write(tmp_path, f"身份证号,姓名,单位,拟任职务\n{ID1},甲,市财政局,\n"))
    assert (result.updated, result.unchanged) == (1, 0)
    row, _ = cadre(db, ID1)
    assert (row.rank, row.position, row.proposed_post) == ("一级主任科员", "国库科副科长", None)
    again = cadres.import_roster(db, write(tmp_path, f"身份证号,姓名,单位\n{ID1},甲,市财政局\n"))
    assert (again.updated, again.unchanged) == (0, 1)


def test_audit_event(db: Database, clock: Callable[[], datetime]) -> None:
    cadres.import_roster(db, SAMPLE, clock=clock, actor="admin")
    cadres.import_roster(db, SAMPLE, clock=clock)
    with db.read() as s:
        events = s.execute(select(AuditEventRow).order_by(AuditEventRow.id)).scalars().all()  # type: ignore[arg-type]
    assert [(e.action, e.entity, e.actor, e.at) for e in events] == [
        ("cadre.import", "cadre", "admin", FIXED_NOW),
        ("cadre.import", "cadre", None, FIXED_NOW),
    ]
    assert events[0].details == {
        "file": "roster-example.csv",
        "total": 12,
        "added": 12,
        "updated": 0,
        "unchanged": 0,
        "units_created": 9,
    }
    assert events[1].details is not None and events[1].details["unchanged"] == 12


def test_existing_units_are_reused(db: Database, tmp_path: Path, clock: Callable[[], datetime]) -> None:
    with db.write() as s:
        s.add(UnitRow(name="市财政局"))
    result = cadres.import_roster(
        db, write(tmp_path, f"{HEADER_ZH}\n{ID1},甲,市财政局,,,\n{ID2},乙,市教育局,,,\n")
    )
    assert result.units_created == 1
    assert count(db, UnitRow) == 2


def test_large_roster_in_chunks(db: Database, tmp_path: Path, clock: Callable[[], datetime]) -> None:
    numbers = [
        normalise_id_number(with_check_digit(f"110105198001{day:02d}{seq:03d}"))
        for day in (1, 2)
        for seq in range(600)
    ]
    lines = [f"{n},干部{i},单位{i % 7}" for i, n in enumerate(numbers)]
    path = write(tmp_path, "身份证号,姓名,单位\n" + "\n".join(lines) + "\n")
    first = cadres.import_roster(db, path, clock=clock)
    assert (first.added, first.units_created) == (1200, 7)
    again = cadres.import_roster(db, path, clock=clock)
    assert (again.added, again.unchanged) == (0, 1200)
    assert again.id_numbers == numbers


def test_list_cadres(db: Database, clock: Callable[[], datetime]) -> None:
    cadres.import_roster(db, SAMPLE, clock=clock)
    everyone = cadres.list_cadres(db)
    assert len(everyone) == 12
    assert everyone[0] == cadres.CadreView(
        mask("110101197803120217"),
        "王建国",
        "市纪委监委机关",
        "四级调研员",
        "第三监督检查室副主任",
        "第三监督检查室主任",
    )
    # Unit by unit, in the order the roster introduced them.
    assert [v.unit for v in everyone[:4]] == ["市纪委监委机关", "市纪委监委机关", "市财政局", "市财政局"]
    assert [v.name for v in cadres.list_cadres(db, " 市财政局 ")] == ["张志强", "刘芳"]
    with pytest.raises(cadres.UnitNotFound):
        cadres.list_cadres(db, "市不存在局")


# ---- command line -----------------------------------------------------------------------------


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_cli_import_and_list(url: str) -> None:
    imported = run("--db", url, "cadre", "import", str(SAMPLE))
    assert imported.exit_code == 0
    assert imported.stdout == f"{SAMPLE}: 已导入 12 名干部(新增 12,更新 0,未变 0),新建单位 9 个\n"
    again = json.loads(run("--db", url, "cadre", "import", str(SAMPLE), "--json").stdout)
    assert again == {
        "file": str(SAMPLE),
        "total": 12,
        "added": 0,
        "updated": 0,
        "unchanged": 12,
        "units_created": 0,
    }
    listing = run("--db", url, "cadre", "list", "--unit", "市财政局")
    assert listing.exit_code == 0
    assert listing.stdout.splitlines() == [
        "身份证号\t姓名\t单位\t职级\t现任职务\t拟任职务",
        "110***********1131\t张志强\t市财政局\t副处长级\t预算科科长\t副局长",
        "110***********0684\t刘芳\t市财政局\t一级主任科员\t国库科副科长\t国库科科长",
    ]
    as_json = json.loads(run("--db", url, "cadre", "list", "--json").stdout)
    assert len(as_json) == 12
    assert set(as_json[0]) == {
        "id_number_masked",
        "name",
        "unit",
        "rank",
        "position",
        "proposed_post",
        "category",
    }
    assert "1234567" not in json.dumps(as_json) and as_json[0]["id_number_masked"] == "110***********0217"


def test_cli_import_errors(url: str, tmp_path: Path) -> None:
    path = write(
        tmp_path, f"{HEADER_ZH}\n{ID1},甲,市财政局,,,\n\n1.10105E+17,乙,市财政局,,,\n{ID1},丙,市财政局,,,\n"
    )
    result = run("--db", url, "cadre", "import", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:4: 身份证号被 Excel 存成了数字(1.10105E+17),后几位可能已经丢失:请把该列设置为“文本”格式,重新填写身份证号后再导入",
        f"{path}:5: 身份证号与第 2 行重复",
        "未导入任何干部:发现 2 个问题",
    ]
    assert "还没有干部名单" in run("--db", url, "cadre", "list").stdout
    english = run("--db", url, "--lang", "en", "cadre", "import", str(tmp_path / "roster.xls"))
    assert english.exit_code == 1
    assert english.stderr.splitlines()[0].startswith(f"{tmp_path / 'roster.xls'}: unsupported file type")


def test_cli_list_unknown_unit(url: str) -> None:
    assert run("--db", url, "cadre", "import", str(SAMPLE)).exit_code == 0
    result = run("--db", url, "cadre", "list", "--unit", "市不存在局")
    assert result.exit_code == 1 and result.stderr == "没有单位 “市不存在局”\n"


def test_cli_usage(url: str) -> None:
    assert run("--db", url, "cadre").exit_code in (0, 2)
    assert run("--db", url, "cadre", "import").exit_code == 2
