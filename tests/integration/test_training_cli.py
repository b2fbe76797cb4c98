"""The training, points and competition commands as an office runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.services import banks
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from tests.conftest import STARTER_BANK, SteppingClock
from tests.integration.conftest import BEIJING
from tests.integration.test_training import TRAINING_BANK

runner = CliRunner()


def run(db: Database, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", db.url, *args], catch_exceptions=False)


@pytest.fixture
def office(db: Database) -> Database:
    clock = SteppingClock()
    banks.import_files(db, [STARTER_BANK, TRAINING_BANK], clock=clock)
    seed_demo(db, seed=2026, tz=BEIJING, clock=clock)
    return db


def _course(db: Database) -> None:
    made = run(
        db,
        "training", "create",
        "--title", "廉政教育封闭式培训班",
        "--kind", "closed_training",
        "--from", "2026-11-23", "--to", "2026-11-24",
        "--place", "市委党校",
        "--unit", "市财政局", "--unit", "市教育局",
        "--by", "纪委办",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "已建立培训班 1" in made.stdout and "学员 15 人" in made.stdout


def test_a_course_from_the_command_line_to_its_record_and_notice(office: Database, tmp_path: Path) -> None:
    db = office
    _course(db)
    listed = json.loads(run(db, "training", "list", "--json").stdout)
    assert listed[0]["enrolled"] == 15 and not listed[0]["closed"]
    grid = json.loads(run(db, "training", "show", "1", "--format", "json").stdout)
    someone = grid["participants"][0]["name"]
    for day in ("2026-11-23", "2026-11-24"):
        for half in ("am", "pm"):
            extra = ["--absent", f"{someone}=病假"] if (day, half) == ("2026-11-24", "pm") else []
            taken = run(db, "training", "attend", "1", "--day", day, "--half", half, "--all-present", *extra)
            assert taken.exit_code == 0, taken.output
    assert "出勤 14,迟到 0,缺勤 1,未记录 0" in taken.stdout
    unknown = run(
        db, "training", "attend", "1", "--day", "2026-11-23", "--half", "am", "--late", "不在名单的人"
    )
    assert unknown.exit_code == 1 and "不在培训班 1" in unknown.stderr
    no_reason = run(db, "training", "attend", "1", "--day", "2026-11-23", "--half", "am", "--absent", someone)
    assert no_reason.exit_code == 1 and "原因" in no_reason.stderr
    drawn = run(db, "training", "draw", "1", "--day", "2026-11-23", "--half", "am", "-k", "2")
    assert drawn.exit_code == 0 and "随机种子" in drawn.stdout and "  2. " in drawn.stdout
    closed = run(db, "training", "close", "1", "--by", "纪委办")
    assert closed.exit_code == 0 and "登记积分 15 条" in closed.stdout
    assert run(db, "training", "close", "1").exit_code == 1

    record = tmp_path / "course.xlsx"
    assert run(db, "training", "show", "1", "-o", str(record)).exit_code == 0
    book = load_workbook(record)
    assert book.sheetnames == ["培训班", "考勤", "结业测试", "抽签发言", "积分登记"]
    assert book["考勤"].max_row == 16 and book["抽签发言"].max_row == 2

    page = run(
        db, "points", "notice", "--unit", "市财政局", "--year", "2026", "--posted-on", "2026-12-01"
    ).stdout
    assert (
        "2026年度廉政教育积分登记公示" in page and "(市财政局)" in page and "2026-12-01 至 2026-12-05" in page
    )
    sheet = tmp_path / "notice.xlsx"
    written = run(db, "points", "notice", "--unit", "市财政局", "--year", "2026", "-o", str(sheet))
    assert written.exit_code == 0
    rows = list(load_workbook(sheet).active.iter_rows(values_only=True))
    assert rows[0][-1] == "合计" and {r[-1] for r in rows[1:]} <= {4, 3}  # 2 days × 2, or 1.5 days × 2
    ranked = run(db, "points", "rank", "--year", "2026").stdout
    assert "各单位廉政教育积分" in ranked and "市财政局" in ranked


def test_manual_points_and_their_reversal_from_the_command_line(office: Database) -> None:
    db = office
    number = json.loads(run(db, "cadre", "list", "--json").stdout)[0]
    assert "id_number_masked" in number  # masked in lists: the command below takes a full number
    from sqlalchemy import select

    from exam_tui.store.models import CadreRow

    with db.read() as s:
        full = s.execute(select(CadreRow.id_number).order_by(CadreRow.id).limit(1)).scalar_one()
    added = run(
        db,
        "points",
        "add",
        full,
        "--category",
        "self_education",
        "--points",
        "2",
        "--reason",
        "自学条例",
        "--year",
        "2026",
    )
    assert added.exit_code == 0 and "第 1 条" in added.stdout
    assert (
        run(db, "points", "add", full, "--category", "other", "--points", "2", "--reason", "x").exit_code == 1
    )
    shown = json.loads(run(db, "points", "show", full, "--year", "2026", "--json").stdout)
    assert shown["total"] == 2 and shown["entries"][0]["reason"] == "自学条例"
    assert run(db, "points", "reverse", "1", "--reason", "登记错误").exit_code == 0
    assert json.loads(run(db, "points", "show", full, "--year", "2026", "--json").stdout)["total"] == 0
    text = run(db, "points", "show", full, "--year", "2026").stdout
    assert "冲正第 1 条:登记错误" in text


def test_the_points_rules_are_checked_before_they_are_imported(office: Database, tmp_path: Path) -> None:
    db = office
    mine = tmp_path / "rules.yaml"
    assert run(db, "points", "rules", "export", "-o", str(mine)).exit_code == 0
    text = mine.read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("category: higher_education", "category: elsewhere", 1), encoding="utf-8")
    refused = run(db, "points", "rules", "import", str(broken))
    assert refused.exit_code == 1 and f"{broken}:" in refused.stderr and "未导入" in refused.stderr
    doubled = tmp_path / "doubled.yaml"
    doubled.write_text(text.replace("points: 2", "points: 4", 1), encoding="utf-8")
    assert run(db, "points", "rules", "import", str(doubled)).exit_code == 0
    assert "points: 4" in run(db, "points", "rules", "show").stdout


def test_a_competition_round_from_the_command_line(office: Database) -> None:
    db = office
    made = run(db, "competition", "create", "--title", "知识竞赛", "--bank", "training-test")
    assert made.exit_code == 0 and "已建立竞赛 1" in made.stdout
    opened = run(
        db, "competition", "round", "1", "preliminary",
        "--exam", "training-test/contest", "--at", "2026-11-23T09:00:00+08:00", "--advance", "3",
        "--unit", "市财政局",
    )  # fmt: skip
    assert opened.exit_code == 0 and "参赛 7 人" in opened.stdout
    early = run(db, "competition", "decide", "1", "preliminary")
    assert early.exit_code == 1 and "尚未收卷" in early.stderr
    assert run(db, "competition", "round", "1", "semi_final", "--exam", "training-test/contest-semi",
               "--at", "2026-11-23T09:00:00+08:00", "--advance", "2").exit_code == 1  # fmt: skip
    shown = run(db, "competition", "show", "1").stdout
    assert "初赛:进行中" in shown


def test_a_round_nobody_sat_cannot_be_decided(office: Database) -> None:
    db = office
    run(db, "competition", "create", "--title", "知识竞赛", "--bank", "training-test")
    run(
        db, "competition", "round", "1", "preliminary",
        "--exam", "training-test/contest", "--at", "2026-11-23T09:00:00+08:00", "--advance", "3",
        "--unit", "市财政局",
    )  # fmt: skip
    assert run(db, "session", "start", "2").exit_code == 0
    assert run(db, "session", "close", "2").exit_code == 0
    refused = run(db, "competition", "decide", "1", "preliminary")
    assert refused.exit_code == 1 and "没有人参加" in refused.stderr


def test_a_cadre_record_shows_the_courses_and_the_years_points(office: Database) -> None:
    from sqlalchemy import select

    from exam_tui.store.models import CadreRow, UnitRow

    db = office
    _course(db)
    for half in ("am", "pm"):
        run(db, "training", "attend", "1", "--day", "2026-11-23", "--half", half, "--all-present")
    run(db, "training", "close", "1")
    with db.read() as s:
        number = s.execute(
            select(CadreRow.id_number)
            .join(UnitRow, UnitRow.id == CadreRow.unit_id)
            .where(UnitRow.name == "市财政局")
            .limit(1)  # type: ignore[arg-type]
        ).scalar_one()
    record = json.loads(run(db, "cadre", "show", number, "--json").stdout)
    (course,) = record["courses"]
    assert (course["title"], course["attended_half_days"], course["half_days"], course["closed"]) == (
        "廉政教育封闭式培训班",
        2,
        4,
        True,
    )
    assert record["points"] == [
        {
            "year": 2026,
            "counted": {"self_education": 0.0, "higher_education": 2.0, "organising": 0.0},
            "total": 2.0,
        }
    ]
    text = run(db, "cadre", "show", number).stdout
    assert (
        "出勤 2/4 个半天,已结业" in text
        and "2026 年:自我教育 0、参加上级教育 2、组织开展教育 0;合计 2" in text
    )
