"""``exam-tui session …`` as an admin uses it: plan files, the access code, the record, exit codes, JSON.

The command-line tests run on a SQLite file; the example plans are also opened through the services
on every backend (SQLite, and PostgreSQL when EXAM_TUI_TEST_PG_URL is set).
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.domain.idnumber import mask, with_check_digit
from exam_tui.services import admission, answers, attempts, banks, cadres
from exam_tui.services.runtime import Database, connect
from exam_tui.services.session_control import open_from_plan, session_detail
from tests.conftest import ROOT, STARTER_BANK
from tests.integration.conftest import unmask_args
from tests.unit.test_bank_schema import at

runner = CliRunner()

PLAN_WITH_ROSTER = ROOT / "sessions" / "plan-example.yaml"
PLAN_WITH_IDS = ROOT / "sessions" / "plan-ids-example.yaml"
EXAMPLE_IDS = [with_check_digit("110105198407157" + s) for s in ("01", "12", "23")]

# Four cadres: A hands in, B is still answering at the close, C signs in but never begins, D never comes.
A, B, C, D = (
    with_check_digit("11010219800101002"),
    "11010519840715700X",
    with_check_digit("11010619850202003"),
    with_check_digit("11010819860303004"),
)
NAMES = {A: "王一", B: "李二", C: "张三", D: "赵四"}
ROSTER = "身份证号,姓名,单位\n" + "".join(
    f"{n},{NAMES[n]},{unit}\n"
    for n, unit in zip((A, B, C, D), ("市财政局", "市财政局", "市教育局", "市教育局"), strict=True)
)

PLAN = """\
exam: integrity-regulations/pre-appointment
title: 任前廉政法规考试(测试)
room: 第一机房
starts_at: 2026-11-23T14:30:00+08:00
candidates:
{entries}"""

LIST_FIELDS = {
    "id",
    "title",
    "room",
    "starts_at",
    "state",
    "access_code",
    "exam",
    "exam_title",
    "duration_minutes",
    "candidates",
}
DETAIL_FIELDS = (LIST_FIELDS - {"candidates"}) | {
    "pass_score",
    "total_points",
    "started_at",
    "closed_at",
    "extra_minutes",
    "allow_late_minutes",
    "candidates",
    "personal_information",
    "notice",
    "id_numbers_masked",
}
CANDIDATE_FIELDS = {
    "id_number",
    "name",
    "unit",
    "state",
    "checked_in_at",
    "attempt_id",
    "answered",
    "questions",
    "started_at",
    "deadline_at",
    "submitted_at",
    "submit_reason",
    "grading",
    "score",
    "passed",
    "level",
    "hostname",
    "focus_losses",
    "resumes",
}
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def plan_text(numbers: list[str]) -> str:
    return PLAN.format(entries="".join(f'  - "{n}"\n' for n in numbers))


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def ready(url: str, tmp_path: Path) -> str:
    """A database with the starter bank and the four cadres; the plan for them is tmp_path/plan.yaml."""
    assert run("--db", url, "bank", "import", str(STARTER_BANK)).exit_code == 0
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert run("--db", url, "cadre", "import", str(roster)).exit_code == 0
    (tmp_path / "plan.yaml").write_text(plan_text([A, B.lower(), C, D]), encoding="utf-8")
    return url


def open_plan(url: str, tmp_path: Path) -> dict[str, Any]:
    result = run("--db", url, "session", "open", str(tmp_path / "plan.yaml"), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def show(url: str, session_id: int) -> dict[str, Any]:
    """The record with whole ID numbers (asked for, so audited), to look candidates up by them."""
    with tempfile.TemporaryDirectory() as folder:
        unmasked = unmask_args(url, Path(folder), "tester")
        result = run("--db", url, "session", "show", str(session_id), "--json", *unmasked)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _correct(item: Any) -> Any:
    return [a[0] for a in item.key] if item.type == "fill_blank" else item.key


# ---- open and list -------------------------------------------------------------------------------


def test_open_prints_the_session_and_its_access_code(ready: str, tmp_path: Path) -> None:
    result = run("--db", ready, "session", "open", str(tmp_path / "plan.yaml"))
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "已开放考试场次 1:任前廉政法规考试(测试)"
    assert "integrity-regulations/pre-appointment" in lines[1] and "考生 4 人" in lines[1]
    code = re.fullmatch(r"准入码:([2-9A-Z]{6})", lines[2])
    assert code is not None
    assert "exam-tui session start 1" in lines[3]
    [listed] = json.loads(run("--db", ready, "session", "list", "--json").stdout)
    assert listed["access_code"] == code.group(1)


def test_open_json_and_list(ready: str, tmp_path: Path) -> None:
    opened = open_plan(ready, tmp_path)
    assert set(opened) == LIST_FIELDS
    assert opened == {
        "id": 1,
        "title": "任前廉政法规考试(测试)",
        "room": "第一机房",
        "starts_at": "2026-11-23T06:30:00+00:00",
        "state": "open",
        "access_code": opened["access_code"],
        "exam": "integrity-regulations/pre-appointment",
        "exam_title": opened["exam_title"],
        "duration_minutes": 60,
        "candidates": 4,
    }
    assert json.loads(run("--db", ready, "session", "list", "--json").stdout) == [opened]
    text = run("--db", ready, "session", "list")
    assert text.exit_code == 0
    header, row = text.stdout.splitlines()
    assert header.split("\t") == ["编号", "开考时间", "状态", "标题", "考场", "考生", "准入码"]
    fields = row.split("\t")
    assert (
        fields[0] == "1"
        and fields[2] == "已开放"
        and fields[3:]
        == [
            "任前廉政法规考试(测试)",
            "第一机房",
            "4",
            opened["access_code"],
        ]
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", fields[1])
    assert len(json.loads(run("--db", ready, "session", "list", "--state", "OPEN", "--json").stdout)) == 1
    assert json.loads(run("--db", ready, "session", "list", "--state", "closed", "--json").stdout) == []
    assert run("--db", ready, "session", "list", "--state", "closed").stdout.strip() == (
        "没有状态为“已收卷”的考试场次"
    )
    assert run("--db", ready, "session", "list", "--state", "finished").exit_code == 2


def test_empty_list(url: str) -> None:
    result = run("--db", url, "session", "list")
    assert result.exit_code == 0 and "exam-tui session open" in result.stdout
    assert json.loads(run("--db", url, "session", "list", "--json").stdout) == []


# ---- a whole session -----------------------------------------------------------------------------


def test_start_extend_close_and_the_record(ready: str, tmp_path: Path) -> None:
    opened = open_plan(ready, tmp_path)
    sid, code = opened["id"], opened["access_code"]
    before = show(ready, sid)
    assert set(before) == DETAIL_FIELDS
    assert {c["state"] for c in before["candidates"]} == {"not_signed_in"}
    assert before["started_at"] is None and before["closed_at"] is None

    started = run("--db", ready, "session", "start", str(sid))
    assert started.exit_code == 0 and started.stdout.startswith("已开考")

    db = connect(ready)
    try:
        states = {}
        for number in (A, B):
            admitted = admission.admit(db, login=number, access_code=code)
            states[number] = attempts.begin(
                db, session_id=sid, cadre_id=admitted.candidate.cadre_id, hostname="lab-01"
            )
        admission.admit(db, login=C, access_code=code)  # signs in, never begins
        a = states[A]
        for item in a.paper.items:
            answers.save_answer(
                db, a.attempt_id, item=item.number, answer=_correct(item), flagged=False, revision=1
            )
        attempts.hand_in(db, a.attempt_id)
        b = states[B]
        answers.save_answer(
            db, b.attempt_id, item=1, answer=_correct(b.paper.items[0]), flagged=False, revision=1
        )
        answers.record_incident(db, b.attempt_id, "focus_lost")
    finally:
        db.dispose()

    one = run("--db", ready, "session", "extend", str(sid), "--candidate", B.lower(), "--minutes", "10")
    assert one.exit_code == 0
    assert one.stdout.strip() == f"已为考生 {mask(B)} 延长作答时间 10 分钟"
    everyone = run("--db", ready, "session", "extend", str(sid), "--minutes", "5")
    assert everyone.exit_code == 0 and "1 份正在进行的作答已延长" in everyone.stdout

    during = show(ready, sid)
    by_id = {c["id_number"]: c for c in during["candidates"]}
    assert during["state"] == "started" and during["extra_minutes"] == 5
    assert {n: c["state"] for n, c in by_id.items()} == {
        A: "handed_in",
        B: "in_progress",
        C: "waiting",
        D: "not_signed_in",
    }
    ra, rb, rc, rd = by_id[A], by_id[B], by_id[C], by_id[D]
    assert all(set(c) == CANDIDATE_FIELDS for c in during["candidates"])
    assert (ra["answered"], ra["questions"], ra["score"], ra["passed"]) == (45, 45, 100, True)
    assert (ra["grading"], ra["submit_reason"], ra["hostname"]) == ("graded", "candidate", "lab-01")
    assert (rb["answered"], rb["grading"], rb["score"], rb["focus_losses"]) == (1, None, None, 1)
    deadline = datetime.fromisoformat(rb["deadline_at"]) - datetime.fromisoformat(rb["started_at"])
    assert deadline == timedelta(minutes=60 + 10 + 5)
    assert rc["checked_in_at"] is not None and rc["attempt_id"] is None
    assert rd["checked_in_at"] is None and rd["answered"] == 0
    assert (ra["name"], ra["unit"]) == ("王一", "市财政局")
    for value in _times(during):
        assert UTC_TIME.match(value), value

    text = run("--db", ready, "session", "show", str(sid)).stdout
    assert text.startswith("考试场次 1《任前廉政法规考试(测试)》:已开考")
    assert "全体考生延时 5 分钟" in text and "考生 4 人:" in text
    rows = {line.split("\t")[0]: line.split("\t") for line in text.splitlines() if "\t" in line}
    assert rows[mask(A)][1:] == ["王一", "市财政局", "已交卷", "45/45", "100", "及格"]
    assert rows[mask(B)][3:] == ["作答中", "1/45", "-", "-"]
    assert rows[mask(C)][3] == "等待开考" and rows[mask(D)][3] == "未登录"
    assert all(n not in text for n in (A, B, C, D))  # whole ID numbers only when asked for

    closed = run("--db", ready, "session", "close", str(sid))
    assert closed.exit_code == 0
    assert closed.stdout.startswith("已收卷:交卷 2 人,缺考 2 人")
    after = show(ready, sid)
    assert after["state"] == "closed" and UTC_TIME.match(after["closed_at"])
    by_id = {c["id_number"]: c for c in after["candidates"]}
    assert {n: c["state"] for n, c in by_id.items()} == {
        A: "handed_in",
        B: "closed",
        C: "absent",
        D: "absent",
    }
    assert by_id[B]["submit_reason"] == "closed" and by_id[B]["grading"] == "graded"
    assert by_id[B]["score"] == b.paper.items[0].points and by_id[B]["passed"] is False

    english = run("--db", ready, "--lang", "en", "session", "show", str(sid)).stdout
    assert "handed in at close" in english and "absent" in english and ": closed" in english

    # a closed session takes no more commands
    for args in (("start",), ("close",), ("extend", "--minutes", "5")):
        refused = run("--db", ready, "session", args[0], str(sid), *args[1:])
        assert refused.exit_code == 1 and refused.stderr.strip() == "场次 1 已收卷"


def _times(record: dict[str, Any]) -> list[str]:
    keys = ("starts_at", "started_at", "closed_at", "checked_in_at", "deadline_at", "submitted_at")
    found = [record[k] for k in keys if isinstance(record.get(k), str)]
    for c in record.get("candidates", []):
        found += _times(c)
    return found


# ---- errors --------------------------------------------------------------------------------------


def test_bad_plan_prints_every_problem_and_opens_nothing(ready: str, tmp_path: Path) -> None:
    text = (
        plan_text([A, "110105198407157010"])
        .replace("integrity-regulations/pre-appointment", "pre-appointment")
        .replace("+08:00", "")
    )
    plan = tmp_path / "bad.yaml"
    plan.write_text(text, encoding="utf-8")
    result = run("--db", ready, "session", "open", str(plan))
    assert result.exit_code == 1 and result.stdout == ""
    exam, start, number = (at(text, needle) for needle in ("pre-appointment", "2026", '"110105198407157010"'))
    assert result.stderr.splitlines() == [
        f"{plan}:{exam[0]}:{exam[1]}: “pre-appointment” 不是 题库/考试 形式的考试标识",
        f"{plan}:{start[0]}:{start[1]}: 时间 “2026-11-23T14:30:00” 缺少时区,例如 +08:00",
        f"{plan}:{number[0]}:{number[1]}: 身份证号 “110105198407157010” 无效:校验位不正确",
        "未开放考试场次:发现 3 个问题",
    ]
    assert "Traceback" not in result.output
    assert json.loads(run("--db", ready, "session", "list", "--json").stdout) == []


def test_plan_problems_in_english(ready: str, tmp_path: Path) -> None:
    plan = tmp_path / "bad.yaml"
    plan.write_text(
        plan_text([A]).replace("title: 任前廉政法规考试(测试)\n", "proctor: x\n"), encoding="utf-8"
    )
    result = run("--db", ready, "--lang", "en", "session", "open", str(plan))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{plan}:1:1: required key 'title' is missing",
        f"{plan}:2:1: unknown key 'proctor'",
        "No session opened: 2 problem(s) found",
    ]


def test_missing_plan_file(url: str, tmp_path: Path) -> None:
    result = run("--db", url, "session", "open", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{tmp_path / 'nope.yaml'}:1:1: 文件不存在"


def test_plan_for_an_unknown_exam_or_unknown_people(ready: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text([A]).replace("pre-appointment", "nope"), encoding="utf-8")
    result = run("--db", ready, "session", "open", str(plan))
    assert result.exit_code == 1
    assert result.stderr.strip() == "没有考试 “integrity-regulations/nope”:请先导入定义了它的题库"
    stranger = with_check_digit("11010119900101005")
    plan.write_text(plan_text([A, stranger]), encoding="utf-8")
    result = run("--db", ready, "session", "open", str(plan))
    assert result.exit_code == 1 and result.stderr.strip() == f"以下身份证号不在干部名单中:{mask(stranger)}"
    assert json.loads(run("--db", ready, "session", "list", "--json").stdout) == []


def test_plan_with_a_roster_file_imports_and_seats_it(url: str) -> None:
    assert run("--db", url, "bank", "import", str(STARTER_BANK)).exit_code == 0
    opened = run("--db", url, "session", "open", str(PLAN_WITH_ROSTER), "--json")
    assert opened.exit_code == 0, opened.output
    view = json.loads(opened.stdout)
    assert view["candidates"] == 12 and view["title"] == "2026年第四批新任领导干部任前廉政法规考试"
    names = {c["name"] for c in show(url, view["id"])["candidates"]}
    assert {"王建国", "张志强", "何婷婷"} <= names


def test_plan_with_a_bad_roster_file(ready: str, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("身份证号,姓名,单位\n12345,王五,市财政局\n", encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        PLAN.format(entries="").replace("candidates:\n", "candidates: people.csv\n"), encoding="utf-8"
    )
    result = run("--db", ready, "session", "open", str(plan))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'people.csv'}:2: ") and "12345" in lines[0]
    assert lines[-1] == "未开放考试场次:发现 1 个问题"


def test_unknown_session_and_usage_errors(ready: str, tmp_path: Path) -> None:
    for args in (("show", "99"), ("start", "99"), ("close", "99"), ("extend", "99", "--minutes", "5")):
        result = run("--db", ready, "session", *args)
        assert result.exit_code == 1 and result.stderr.strip() == "没有编号为 99 的考试场次", args
    sid = str(open_plan(ready, tmp_path)["id"])
    assert run("--db", ready, "session", "extend", sid).exit_code == 2  # --minutes is required
    assert run("--db", ready, "session", "show", "first").exit_code == 2
    assert run("--db", ready, "session", "frobnicate").exit_code == 2
    assert run("--db", ready, "session", "open").exit_code == 2
    out_of_range = run("--db", ready, "session", "extend", sid, "--minutes", "0")
    assert out_of_range.exit_code == 1 and out_of_range.stderr.strip() == "延长时间应为 1 至 240 分钟"
    bad_id = run("--db", ready, "session", "extend", sid, "--candidate", "12345", "--minutes", "5")
    assert bad_id.exit_code == 1 and bad_id.stderr.strip() == "身份证号 “12345” 无效:应为 18 位"
    assert run("--db", ready, "session", "start", sid).exit_code == 0
    again = run("--db", ready, "session", "start", sid)
    assert again.exit_code == 1 and again.stderr.strip() == f"场次 {sid} 已经开考"
    nobody = run("--db", ready, "session", "extend", sid, "--candidate", A, "--minutes", "5")
    assert nobody.exit_code == 1 and mask(A) in nobody.stderr and A not in nobody.stderr
    assert "Traceback" not in nobody.output


# ---- the example plans, through the services, on every backend -------------------------------------


def test_example_plan_with_id_numbers_opens(db: Database, tmp_path: Path) -> None:
    banks.import_files(db, [STARTER_BANK])
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "身份证号,姓名,单位\n" + "".join(f"{n},干部{i},市财政局\n" for i, n in enumerate(EXAMPLE_IDS)),
        encoding="utf-8",
    )
    cadres.import_roster(db, roster)
    view = open_from_plan(db, PLAN_WITH_IDS, actor="test")
    assert (view.state, view.candidates, view.exam_ref) == (
        "open",
        3,
        "integrity-regulations/pre-appointment",
    )
    assert view.starts_at == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    detail = session_detail(db, view.id)
    assert sorted(c.id_number for c in detail.candidates) == sorted(EXAMPLE_IDS)
    assert detail.allow_late_minutes == 10 and detail.session.room == "第二机房"


def test_example_plan_with_a_roster_file_opens(db: Database) -> None:
    banks.import_files(db, [STARTER_BANK])
    view = open_from_plan(db, PLAN_WITH_ROSTER, actor="test")  # the database's clock: no clock passed
    assert view.candidates == 12 and view.state == "open"
