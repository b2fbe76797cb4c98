"""The training, points and competition commands as an office runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.services import banks, competitions, final
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, start_session
from exam_tui.store.models import CadreRow, UnitRow
from tests.conftest import STARTER_BANK, SteppingClock, cadres_by_unit
from tests.integration.conftest import BEIJING
from tests.integration.test_competitions import EXAM, HOST, SEMI, _sit
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
    assert book["考勤"].max_row == 17 and book["抽签发言"].max_row == 3  # the notice, the headers, the rows

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
    assert rows[0][0] == "本表含个人信息,仅限工作需要使用,不得外传"
    assert rows[1][-1] == "合计" and {r[-1] for r in rows[2:]} <= {4, 3}  # 2 days × 2, or 1.5 days × 2
    ranked = run(db, "points", "rank", "--year", "2026").stdout
    assert "各单位廉政教育积分" in ranked and "市财政局" in ranked
    # Units: the mean (what they are ranked by) right after the name, always with two decimals, so that
    # neither the place nor the count of cadres reads as a mean.
    units = ranked.split("\n\n")[0].splitlines()
    assert units[1].split() == ["名次", "单位", "人均积分", "人数", "积分合计"]
    finance = next(line.split() for line in units if "市财政局" in line)
    assert finance[2].count(".") == 1 and len(finance[2].split(".")[1]) == 2
    assert float(finance[2]) == round(float(finance[4]) / int(finance[3]), 2)


def test_manual_points_and_their_reversal_from_the_command_line(office: Database) -> None:
    db = office
    number = json.loads(run(db, "cadre", "list", "--json").stdout)[0]
    assert "id_number_masked" in number  # masked in lists: the command below takes a full number

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
    # The first column is the entry's number in the ledger (what `points reverse` takes), named so.
    lines = text.splitlines()
    header = next(line for line in lines if "登记时间" in line)
    assert header.split()[0] == "记录号" and "序号" not in text
    assert [line.split()[0] for line in lines[lines.index(header) + 2 :][:2]] == ["1", "2"]


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


def _competition_to_the_final(db: Database) -> tuple[list[final.Team], int]:
    """Competition 1 through the services: three cadres of each of four units sit the preliminary (the
    6th and 7th tie at the cut: tiebreak 10 and 0) and the semi-final; the final is opened, 3 questions."""
    clock = SteppingClock()
    found = cadres_by_unit(db, units=4, each=3)
    everyone = [n for numbers in found.values() for n in numbers]
    cid = competitions.create_competition(
        db, title="知识竞赛", bank="training-test", team_mode="sum", team_best=2, actor=HOST, clock=clock
    )
    for stage, exam, who, marks in (
        ("preliminary", EXAM, everyone, [10, 9, 8, 7, 6, 5, 5, 4, 3, 2, 1, 0]),
        ("semi_final", SEMI, [], [10, 9, 8, 7, 6, 5]),
    ):
        opened = competitions.open_round(
            db, cid, stage, exam=exam, starts_at=clock(), advance_count=6 if who else 4,
            id_numbers=who, actor=HOST, clock=clock,
        )  # fmt: skip
        start_session(db, opened.id, clock=clock)
        for number, right in zip(everyone, marks, strict=False):
            _sit(db, clock, opened.access_code, number, right, minutes=10)
        clock.advance(minutes=30)
        close_session(db, opened.id, clock=clock)
        competitions.close_round(db, cid, stage, actor=HOST, clock=clock)
        if stage == "preliminary":
            competitions.record_tiebreak(
                db, cid, stage, {everyone[5]: 10, everyone[6]: 0}, actor=HOST, clock=clock
            )
    teams = final.open_final(
        db, cid, questions=3, seconds=20, right=10, wrong=-5, seed="ab" * 16, actor=HOST, clock=clock
    )
    return teams, final.final_round_id(db, cid)


def test_a_competition_shows_its_final_and_refuses_an_unknown_round(office: Database) -> None:
    db = office
    teams, round_id = _competition_to_the_final(db)
    assert len(teams) >= 2
    first, second = teams[0], teams[1]
    # Before the first question: the teams with their codes, nothing that looks like a result.
    waiting = run(db, "competition", "show", "1", "final")
    assert waiting.exit_code == 0
    assert waiting.stdout.splitlines()[0] == f"决赛:尚未出题,{len(teams)} 支参赛队,共 3 题"
    assert f"  {first.code}  {first.name}(" in waiting.stdout
    assert f"  决赛:尚未出题,{len(teams)} 支参赛队,共 3 题" in run(db, "competition", "show", "1").stdout

    clock = SteppingClock()
    for number in range(1, 4):  # the first team right every time, the second wrong
        final.show_next(db, round_id, actor=HOST, clock=clock)
        clock.advance(seconds=3)
        final.answer(db, first.id, number, "A", clock=clock)
        final.answer(db, second.id, number, "B", clock=clock)
        clock.advance(seconds=21)
    final.finish(db, round_id, actor=HOST, clock=clock)

    # The final's result, not an exam round's words (no traceback, no "晋级 0 人").
    rounds = run(db, "competition", "show", "1").stdout
    assert f"  决赛:已结束,冠军 {first.name}(30 分)" in rounds and "晋级 0 人" not in rounds
    shown = run(db, "competition", "show", "1", "final")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0] == f"决赛:已结束,冠军 {first.name}(30 分)"
    assert lines[1].split() == ["名次", "参赛队", "得分", "答对", "答错", "未答", "答对用时(秒)"]
    assert lines[3].split()[:6] == ["1", first.name, "30", "3", "0", "0"]
    assert next(line for line in lines if second.name in line).split()[2:6] == ["-15", "0", "3", "0"]
    document = json.loads(run(db, "competition", "show", "1", "--json").stdout)
    played = document["rounds"][2]["final"]
    assert played["champions"] == [first.name] and played["board"][0]["points"] == 30

    # An unknown round is refused with the names there are; the final is no round to decide.
    unknown = run(db, "competition", "show", "1", "foo")
    assert unknown.exit_code == 1
    assert "没有名为 foo 的轮次;可用的是 preliminary(初赛)、semi_final(复赛)、final(决赛)" in unknown.stderr
    decided = run(db, "competition", "decide", "1", "final")
    assert decided.exit_code == 1 and "决赛不是以考试场次进行的轮次" in decided.stderr
    assert run(db, "competition", "decide", "1", "foo").exit_code == 1

    # Tiebreak points print as whole numbers, as every other column does (10, not 10.0).
    prelim = run(db, "competition", "show", "1", "preliminary").stdout
    tied = [line.split() for line in prelim.splitlines() if line.split()[-1:] in (["晋级"], ["10"], ["0"])]
    assert any(row[-2:] == ["10", "晋级"] for row in tied) and any(row[-1] == "0" for row in tied)
    assert "10.0" not in prelim and " 0.0" not in prelim


def test_a_cadre_record_shows_the_courses_and_the_years_points(office: Database) -> None:

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
