"""``exam-tui results``: a session's results as a table, CSV, an Excel workbook and JSON.

One mixed session on every backend (SQLite, and PostgreSQL when EXAM_TUI_TEST_PG_URL is set): a pass
with a grader's points, a fail with partial credit, a paper awaiting a grader, a paper still being
answered, a candidate waiting, one who never signed in — and after 收卷, the absent and the closed.
The bank is small, shuffled and has every question type, so papers differ per candidate.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.domain.idnumber import mask, with_check_digit
from exam_tui.formats.results_export import Sheet, display_width, table_text, write_xlsx
from exam_tui.i18n import t
from exam_tui.services import admission, answers, attempts, banks, cadres
from exam_tui.services.attempts import AttemptState
from exam_tui.services.grading import record_mark
from exam_tui.services.results import SessionResults, results_to_json, session_results
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, session_detail, start_session
from exam_tui.services.sessions import schedule_session
from tests.conftest import FIXED_NOW, SteppingClock
from tests.integration.conftest import unmask_args

runner = CliRunner()

BANK = """\
bank: results-test
title: 成绩导出测试题库
categories:
  - {id: law, title: 法律}
questions:
  - {id: s-1, type: single, category: law, stem: 单选一, options: {A: 甲, B: 乙, C: 丙, D: 丁}, answer: A}
  - {id: s-2, type: single, category: law, stem: 单选二, options: {A: 甲, B: 乙, C: 丙, D: 丁}, answer: B}
  - {id: s-3, type: single, category: law, stem: 单选三, options: {A: 甲, B: 乙, C: 丙, D: 丁}, answer: C}
  - {id: s-4, type: single, category: law, stem: 单选四, options: {A: 甲, B: 乙, C: 丙, D: 丁}, answer: D}
  - {id: m-1, type: multiple, category: law, stem: 多选一, options: {A: 甲, B: 乙, C: 丙, D: 丁}, answer: [A, C]}
  - {id: tf-1, type: true_false, category: law, stem: 判断一, answer: true}
  - {id: tf-2, type: true_false, category: law, stem: 判断二, answer: false}
  - {id: f-1, type: fill_blank, category: law, stem: 监察机关履行监督、____、处置职责。, answer: [调查]}
  - {id: sa-1, type: short_answer, category: law, stem: 简述监察机关的职责。, rubric: 监督、调查、处置。}
exams:
  - id: mixed
    title: 成绩导出测试
    kind: qualification
    duration_minutes: 30
    pass_score: 60
    grades: [{min: 90, level: 优秀}, {min: 60, level: 合格}]
    sections:
      - {title: 一、单项选择题, type: single, draw: 3, points: 10}
      - {title: 二、多项选择题, type: multiple, draw: 1, points: 20, partial_credit: true}
      - {title: 三、判断题, type: true_false, draw: 2, points: 10}
      - {title: 四、填空题, type: fill_blank, draw: 1, points: 10}
      - {title: 五、简答题, type: short_answer, draw: 1, points: 20}
"""

# P passes (a grader gives the short answer 15), F fails with half a multiple choice, W awaits a grader,
# B is still answering, C signed in and waits, D never came.
P, F, W, B, C, D = (with_check_digit(f"11010519800101{n:02d}1") for n in range(1, 7))
PEOPLE = {
    P: ("王一", "市财政局", "一级主任科员"),
    F: ("李二", "市财政局", ""),
    W: ("张三", "市教育局", "四级调研员"),
    B: ("赵四", "市教育局", "二级主任科员"),
    C: ("钱五", "市住房和城乡建设局", "一级科员"),
    D: ("孙六", "市住房和城乡建设局", "一级科员"),
}
HEADERS_ZH = [
    "身份证号",
    "姓名",
    "单位",
    "职级",
    "状态",
    "成绩",
    "是否及格",
    "等级",
    "开始作答时间",
    "交卷时间",
    "异常事件数",
]
HEADERS_EN = [
    "ID number",
    "Name",
    "Unit",
    "Rank",
    "State",
    "Score",
    "Pass/fail",
    "Level",
    "Started",
    "Handed in",
    "Incidents",
]
LOCAL_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@dataclass(frozen=True)
class Mixed:
    session_id: int
    url: str
    papers: dict[str, AttemptState]  # by ID number, for those who began


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def _correct(item: Any) -> Any:
    return [a[0] for a in item.key] if item.type == "fill_blank" else item.key


def _wrong(item: Any) -> Any:
    if item.type == "fill_blank":
        return ["侦查"]
    if item.type == "multiple":
        return ["B", "D"] if item.key != ["B", "D"] else ["A", "C"]
    return "B" if item.key == "A" else "A"


@pytest.fixture
def mixed(db: Database, tmp_path: Path) -> Mixed:
    clock = SteppingClock()
    bank = tmp_path / "bank.yaml"
    bank.write_text(BANK, encoding="utf-8")
    banks.import_files(db, [bank], clock=clock)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "身份证号,姓名,单位,职级\n" + "".join(f"{n},{','.join(PEOPLE[n])}\n" for n in PEOPLE),
        encoding="utf-8",
    )
    cadres.import_roster(db, roster, clock=clock)
    view = schedule_session(
        db,
        exam_ref="results-test/mixed",
        title="成绩导出测试场次",
        room="第一机房",
        starts_at=FIXED_NOW,
        id_numbers=list(PEOPLE),
        open_now=True,
        clock=clock,
    )
    start_session(db, view.id, clock=clock)

    def begin(number: str) -> AttemptState:
        clock.advance(seconds=30)
        admitted = admission.admit(db, login=number, access_code=view.access_code, clock=clock)
        return attempts.begin(
            db, session_id=view.id, cadre_id=admitted.candidate.cadre_id, hostname="lab-01", clock=clock
        )

    def save(state: AttemptState, number: int, answer: Any) -> None:
        clock.advance(seconds=7)
        answers.save_answer(
            db, state.attempt_id, item=number, answer=answer, flagged=False, revision=1, clock=clock
        )

    papers = {n: begin(n) for n in (P, F, W, B)}
    admission.admit(db, login=C, access_code=view.access_code, clock=clock)

    p = papers[P]
    for item in p.paper.items:
        if item.type == "fill_blank":
            save(p, item.number, [" 调 查 "])  # spaces do not cost the point
        elif item.type == "short_answer":
            save(p, item.number, "监督、调查、处置")
        else:
            save(p, item.number, _correct(item))
    begin(P)  # the terminal died; signing in again resumes the same paper (an incident)
    attempts.hand_in(db, p.attempt_id, clock=clock)
    record_mark(db, p.attempt_id, item=_number(p, "short_answer"), points=15, grader="g", clock=clock)

    f = papers[F]
    singles = [i for i in f.paper.items if i.type == "single"]
    save(f, singles[0].number, _correct(singles[0]))
    for item in singles[1:] + [i for i in f.paper.items if i.type in ("true_false", "fill_blank")]:
        save(f, item.number, _wrong(item))
    multiple = f.paper.item(_number(f, "multiple"))
    save(f, multiple.number, multiple.key[:1])  # half the key: half the points
    attempts.hand_in(db, f.attempt_id, clock=clock)

    w = papers[W]
    save(w, _number(w, "short_answer"), "监督和调查")
    tf = next(i for i in w.paper.items if i.type == "true_false")
    save(w, tf.number, tf.key)
    attempts.hand_in(db, w.attempt_id, clock=clock)

    b = papers[B]
    save(b, 1, _correct(b.paper.items[0]))
    answers.record_incident(db, b.attempt_id, "focus_lost", clock=clock)
    answers.record_incident(db, b.attempt_id, "focus_back", clock=clock)
    return Mixed(view.id, db.url, papers)


def _number(state: AttemptState, kind: str) -> int:
    return next(i.number for i in state.paper.items if i.type == kind)


def _by_id(results: SessionResults) -> dict[str, Any]:
    return {c.id_number: c for c in results.candidates}


# ---- the service ---------------------------------------------------------------------------------


def test_every_candidate_with_state_score_and_items(db: Database, mixed: Mixed) -> None:
    results = session_results(db, mixed.session_id)
    assert (results.pass_score, results.total_points, results.session.title) == (60, 100, "成绩导出测试场次")
    assert [c.unit for c in results.candidates] == sorted(c.unit for c in results.candidates)
    rows = _by_id(results)
    assert set(rows) == set(PEOPLE)
    summary = {
        n: (c.state, c.grading, c.score, c.passed, c.level, c.incidents, len(c.items))
        for n, c in rows.items()
    }
    assert summary == {
        P: ("handed_in", "graded", 95, True, "优秀", 1, 8),
        F: ("handed_in", "graded", 20, False, None, 0, 8),
        W: ("handed_in", "pending_grading", None, None, None, 0, 8),
        B: ("in_progress", None, None, None, None, 2, 8),
        C: ("waiting", None, None, None, None, 0, 0),
        D: ("not_signed_in", None, None, None, None, 0, 0),
    }
    assert rows[P].rank == "一级主任科员" and rows[F].rank is None  # an empty cell is no rank
    assert rows[P].name == "王一" and rows[C].unit == "市住房和城乡建设局"
    # the same states as `session show` (the two derive them separately)
    assert {c.id_number: c.state for c in session_detail(db, mixed.session_id).candidates} == {
        n: c.state for n, c in rows.items()
    }
    # items: the frozen paper of each candidate, in its own order, with the stored responses
    for number in (P, F, W, B):
        paper = mixed.papers[number].paper
        items = rows[number].items
        assert [i.question for i in items] == [i.question for i in paper.items]
        assert [i.key for i in items] == [i.key for i in paper.items]
    # Shuffled per candidate: questions within their sections and options within their questions. The
    # session's key is random, so two 8-question papers may come out in the same question order (CI met
    # it once); four papers alike in question and option order too are what this refuses.
    layouts = {
        number: tuple((i.question, i.bank_letters) for i in mixed.papers[number].paper.items)
        for number in (P, F, W, B)
    }
    assert len(set(layouts.values())) > 1
    for number in (P, F):
        assert round(sum(i.score for i in rows[number].items), 2) == rows[number].score
    pending = rows[W].items
    assert [i.score for i in pending if i.type == "short_answer"] == [None]
    assert sum(i.score or 0 for i in pending) == 10  # the true/false answered right; the rest nothing
    assert all(i.score is None for i in rows[B].items)  # not handed in: nothing graded yet
    assert rows[B].items[0].response == _correct(mixed.papers[B].paper.items[0])
    assert [i.response for i in rows[B].items[1:]] == [None] * 7
    assert rows[P].started_at is not None and rows[P].submitted_at is not None
    assert rows[B].submitted_at is None and rows[C].started_at is None


def test_after_the_close(db: Database, mixed: Mixed) -> None:
    # within B's 30 minutes, so B's paper is handed in by the close, not by the deadline
    close_session(db, mixed.session_id, clock=SteppingClock(FIXED_NOW + timedelta(minutes=20)))
    rows = _by_id(session_results(db, mixed.session_id))
    assert {n: c.state for n, c in rows.items()} == {
        P: "handed_in",
        F: "handed_in",
        W: "handed_in",
        B: "closed",
        C: "absent",
        D: "absent",
    }
    first = mixed.papers[B].paper.items[0]
    assert (rows[B].grading, rows[B].score, rows[B].passed) == ("graded", first.points, False)
    assert [i.score for i in rows[B].items] == [first.points] + [0.0] * 7


def test_unknown_session(db: Database) -> None:
    result = run("--db", db.url, "results", "99")
    assert result.exit_code == 1 and result.stderr.strip() == "没有编号为 99 的考试场次"
    assert result.stdout == ""


# ---- JSON: a third party can score every paper again -------------------------------------------------


def _rescore(item: dict[str, Any]) -> float:
    """Scoring an objective item from the JSON alone, as docs/cli.md describes it."""
    kind, given, key, points = item["type"], item["response"], item["key"], item["points"]
    if given is None or given == [] or given == "":
        return 0.0
    if kind in ("single", "true_false"):
        return points if given == key else 0.0
    if kind == "multiple":
        if set(given) == set(key):
            return points
        return points / 2 if item["partial_credit"] and set(given) < set(key) else 0.0

    def norm(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split()).casefold()

    right = sum(norm(g) in {norm(a) for a in accepted} for g, accepted in zip(given, key, strict=False))
    return round(points * right / len(key), 4)


def test_json_scores_can_be_recomputed(db: Database, mixed: Mixed, tmp_path: Path) -> None:
    result = run("--db", mixed.url, "results", str(mixed.session_id), "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    document = json.loads(result.stdout)
    assert document == results_to_json(session_results(db, mixed.session_id))
    assert set(document) == {
        "personal_information",
        "notice",
        "session",
        "pass_score",
        "total_points",
        "id_numbers_masked",
        "candidates",
    }
    assert document["personal_information"] is True and document["notice"] == t("export.pii_notice")
    assert document["session"]["exam"] == "results-test/mixed" and document["session"]["closed_at"] is None
    assert document["session"]["started_at"] == "2026-11-23T01:00:00+00:00"
    assert document["id_numbers_masked"] is True
    assert {c["id_number"] for c in document["candidates"]} == {mask(n) for n in PEOPLE}
    assert not any(n in result.stdout for n in PEOPLE)
    rescored = 0
    for candidate in document["candidates"]:
        for item in candidate["items"]:
            assert set(item) == {
                "number",
                "question",
                "type",
                "points",
                "partial_credit",
                "response",
                "key",
                "score",
            }
            if candidate["grading"] is not None and item["type"] != "short_answer":
                assert _rescore(item) == item["score"], (candidate["name"], item)
        if candidate["score"] is not None:
            total = round(sum(i["score"] for i in candidate["items"]), 2)
            assert total == candidate["score"]
            assert candidate["passed"] == (total >= document["pass_score"])
            rescored += 1
    assert rescored == 2  # P and F; W awaits a grader, B is answering, C and D have no paper
    unmasked = json.loads(
        run(
            "--db",
            mixed.url,
            "results",
            str(mixed.session_id),
            "--format",
            "json",
            *unmask_args(db, tmp_path),
        ).stdout
    )
    assert unmasked["id_numbers_masked"] is False
    assert {c["id_number"] for c in unmasked["candidates"]} == set(PEOPLE)


# ---- table and CSV --------------------------------------------------------------------------------


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _on_screen(text: str) -> str:
    """Each character repeated as many times as the columns it takes on a terminal."""
    return "".join(char * display_width(char) for char in text)


def test_table_is_the_default_and_masks(db: Database, mixed: Mixed, tmp_path: Path) -> None:
    result = run("--db", mixed.url, "results", str(mixed.session_id))
    assert result.exit_code == 0
    notice, title, header, rule, *rows, blank, head = result.stdout.splitlines()
    assert notice == "本表含个人信息,仅限工作需要使用,不得外传"
    assert blank == "" and head.startswith("审计链末端 #")  # the audit chain's head, as the last line
    assert title.startswith(f"考试场次 {mixed.session_id}《成绩导出测试场次》") and "考生 6 人" in title
    assert header.split() == HEADERS_ZH and set(rule) == {"-", " "}
    assert len(rows) == 6 and not any(n in result.stdout for n in PEOPLE)
    # columns line up on screen, wide characters counted twice: cut every line at the rule's dashes
    columns = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    for line in [header, *rows]:
        wide = _on_screen(line).ljust(len(rule))
        assert all(wide[end : end + 2] == "  " for _, end in columns[:-1]), line
    results = _by_id(session_results(db, mixed.session_id))
    by_id = {line.split()[0]: _on_screen(line).ljust(len(rule)) for line in rows}
    cells = [by_id[mask(P)][start:end].strip() for start, end in columns]
    expected = [mask(P), "王一", "市财政局", "一级主任科员", "已交卷", "95", "及格", "优秀"]
    started, submitted = (_local(results[P].started_at), _local(results[P].submitted_at))
    assert cells == [_on_screen(c) for c in expected] + [started, submitted, "1"]
    assert _on_screen("待阅卷") in by_id[mask(W)] and by_id[mask(D)].split()[-6:] == ["-"] * 5 + ["0"]
    english = run(
        "--db", mixed.url, "--lang", "en", "results", str(mixed.session_id), *unmask_args(db, tmp_path)
    )
    assert english.stdout.startswith("Contains personal information")
    assert english.stdout.splitlines()[2].split("  ")[0].strip() == "ID number"
    assert all(n in english.stdout for n in PEOPLE) and "awaiting grading" in english.stdout


def test_csv_has_a_bom_and_the_ui_language(db: Database, mixed: Mixed, tmp_path: Path) -> None:
    result = run("--db", mixed.url, "results", str(mixed.session_id), "--format", "csv")
    assert result.exit_code == 0 and result.stdout.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"), newline="")))
    # The notice is a line of its own above the headers (cell A1 in Excel), quoted for its commas.
    assert (
        table[0] == ["本表含个人信息,仅限工作需要使用,不得外传"]
        and table[1][0].startswith("审计链末端 #")  # the audit chain's head, a note of its own
        and table[2] == HEADERS_ZH
        and len(table) == 9
    )
    results = _by_id(session_results(db, mixed.session_id))
    rows = {r[0]: r for r in table[3:]}
    assert set(rows) == {mask(n) for n in PEOPLE}
    p, f, w, b, d = (rows[mask(n)] for n in (P, F, W, B, D))
    assert p == [
        mask(P),
        "王一",
        "市财政局",
        "一级主任科员",
        "已交卷",
        "95",
        "及格",
        "优秀",
        _local(results[P].started_at),
        _local(results[P].submitted_at),
        "1",
    ]
    assert LOCAL_TIME.match(p[8]) and LOCAL_TIME.match(p[9])
    assert f[5:8] == ["20", "不及格", ""] and w[5:7] == ["待阅卷", ""]
    assert b[4] == "作答中" and b[9] == "" and b[10] == "2"
    assert d[4:] == ["未登录", "", "", "", "", "", "0"]

    target = tmp_path / "导出" / "成绩.csv"
    written = run("--db", mixed.url, "--lang", "en", "results", str(mixed.session_id), "-o", str(target))
    assert written.exit_code == 0 and str(target) in written.stdout
    raw = target.read_bytes()
    notice = b'"Contains personal information: for official use only, not to be passed on"\r\n'
    assert raw.startswith(b"\xef\xbb\xbf" + notice + b"Audit chain head #")
    assert raw.splitlines()[2] == ",".join(HEADERS_EN).encode()
    assert "handed in" in raw.decode("utf-8-sig") and mask(P) in raw.decode("utf-8-sig")


# ---- the workbook ---------------------------------------------------------------------------------


def test_xlsx(db: Database, mixed: Mixed, tmp_path: Path) -> None:
    target = tmp_path / "out" / "2026" / "results.xlsx"  # folders created
    result = run("--db", mixed.url, "results", str(mixed.session_id), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"已导出考试场次 {mixed.session_id} 的成绩(6 名考生)到 {target}"
    results = _by_id(session_results(db, mixed.session_id))
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["成绩", "逐题得分", "题目", "汇总"]

    sheet = workbook["成绩"]
    assert sheet["A1"].value == "本表含个人信息,仅限工作需要使用,不得外传" and sheet["A1"].font.bold
    assert str(sheet["A2"].value).startswith("审计链末端 #")  # the audit chain's head, under the notice
    assert [c.value for c in sheet[3]] == HEADERS_ZH and all(c.font.bold for c in sheet[3])
    assert sheet.freeze_panes == "A4" and sheet.max_row == 9 and sheet.auto_filter.ref == "A3:K9"
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    p = rows[mask(P)]
    assert p[:8] == (mask(P), "王一", "市财政局", "一级主任科员", "已交卷", 95, "及格", "优秀")
    assert isinstance(p[5], int | float) and isinstance(p[10], int) and p[10] == 1
    assert p[8] == results[P].started_at.astimezone().replace(tzinfo=None)  # an Excel date, local time
    times = [c for column in ("I", "J") for c in sheet[column][3:] if c.value is not None]
    assert len(times) == 7 and all(isinstance(c.value, datetime) for c in times)  # 4 began, 3 handed in
    assert {c.number_format for c in times} == {"yyyy-mm-dd hh:mm:ss"}
    assert rows[mask(W)][5] == "待阅卷" and rows[mask(D)][5:10] == (None,) * 5
    unit_width = sheet.column_dimensions["C"].width
    assert unit_width >= display_width("市住房和城乡建设局") == 18  # CJK counted twice
    assert sheet.column_dimensions["A"].width >= 18

    points = workbook["逐题得分"]
    header = [c.value for c in points[3]]
    assert header == ["身份证号", "姓名", *(f"第{k}题" for k in range(1, 9)), "总分"]
    assert points.freeze_panes == "A4" and points.max_row == 7  # those who began: P, F, W, B
    by_id = {r[0]: r for r in points.iter_rows(min_row=4, values_only=True)}
    for number in (P, F):
        row = by_id[mask(number)]
        assert all(isinstance(v, int | float) for v in row[2:])
        assert round(sum(row[2:10]), 2) == row[10] == rows[mask(number)][5]
    assert by_id[mask(W)][10] is None and by_id[mask(W)][2:10].count(None) == 1  # the short answer
    assert by_id[mask(B)][2:] == (None,) * 9

    questions = workbook["题目"]
    assert [c.value for c in questions[3]] == header[:-1]
    for r, row in enumerate(questions.iter_rows(min_row=4, values_only=True), start=4):
        number = next(n for n in (P, F, W, B) if mask(n) == row[0])
        assert list(row[2:]) == [i.question for i in results[number].items]
        assert points.cell(row=r, column=1).value == row[0]  # the same cell address, the same candidate

    summary = workbook["汇总"]
    assert summary["A1"].value == sheet["A2"].value  # the same head on every sheet
    assert [c.value for c in summary[2]] == ["项目", "数值"] and summary.freeze_panes == "A3"
    figures = dict(summary.iter_rows(min_row=3, values_only=True))
    f_score = results[F].score
    assert f_score is not None and f_score < 60  # counted by hand: P 95 passed, F failed, W awaits a grader
    assert figures["考试场次"] == f"{mixed.session_id} 成绩导出测试场次" and figures["考场"] == "第一机房"
    assert (figures["合格分数"], figures["总分"]) == (60, 100)
    assert [figures[k] for k in ("应考人数", "交卷人数", "缺考人数", "已评分份数", "待阅卷份数")] == [
        6,
        3,
        0,
        2,
        1,
    ]
    assert figures["平均分"] == round((95 + f_score) / 2, 2)
    assert figures["中位数"] == round((95 + f_score) / 2, 2)
    assert (figures["最高分"], figures["最低分"]) == (95, f_score)
    assert (figures["合格人数"], figures["合格率(合格人数/已评分份数)"], figures["未达合格分数人数"]) == (
        1,
        "50.0%",
        1,
    )
    bands = {k: v for k, v in figures.items() if k.startswith("分数段")}
    assert len(bands) == 10 and sum(bands.values()) == 2 and bands["分数段 90–100(人数)"] == 1
    assert isinstance(figures["开考时间"], datetime) and figures["收卷时间"] is None  # not closed yet

    again = run("--db", mixed.url, "results", str(mixed.session_id), "-o", str(target))
    assert again.exit_code == 1 and again.stderr.strip() == f"文件 {target} 已存在;确需覆盖请加 --force"
    forced = run(
        "--db", mixed.url, "--lang", "en", "results", str(mixed.session_id), "-o", str(target), "--force"
    )
    assert forced.exit_code == 0
    assert openpyxl.load_workbook(target).sheetnames == [
        "Results",
        "Points per question",
        "Questions",
        "Summary",
    ]
    assert [p.name for p in target.parent.iterdir()] == ["results.xlsx"]  # no partial file left


# ---- command-line errors and format inference -----------------------------------------------------


def test_formats_from_the_file_name_and_usage_errors(mixed: Mixed, tmp_path: Path) -> None:
    sid = str(mixed.session_id)
    as_json = tmp_path / "r.JSON"
    assert run("--db", mixed.url, "results", sid, "-o", str(as_json)).exit_code == 0
    assert json.loads(as_json.read_text(encoding="utf-8"))["session"]["id"] == mixed.session_id
    as_text = tmp_path / "r.txt"
    assert run("--db", mixed.url, "results", sid, "-o", str(as_text)).exit_code == 0
    assert as_text.read_text(encoding="utf-8").splitlines()[2].split() == HEADERS_ZH
    explicit = tmp_path / "r.dat"
    assert run("--db", mixed.url, "results", sid, "--format", "csv", "-o", str(explicit)).exit_code == 0
    assert explicit.read_bytes().startswith(b"\xef\xbb\xbf")

    no_file = run("--db", mixed.url, "results", sid, "--format", "xlsx")
    assert (
        no_file.exit_code == 1
        and no_file.stderr.strip() == "xlsx 格式需要用 -o 指定输出文件,例如 -o 成绩.xlsx"
    )
    unknown = run("--db", mixed.url, "results", sid, "-o", str(tmp_path / "r.xls"))
    assert unknown.exit_code == 1 and "--format" in unknown.stderr and not (tmp_path / "r.xls").exists()
    (tmp_path / "blocker").write_text("a file, not a folder", encoding="utf-8")
    blocked = run("--db", mixed.url, "results", sid, "-o", str(tmp_path / "blocker" / "r.csv"))
    assert blocked.exit_code == 1 and blocked.stderr.startswith(f"无法写入 {tmp_path / 'blocker' / 'r.csv'}:")
    assert run("--db", mixed.url, "results", sid, "--format", "pdf").exit_code == 2
    assert run("--db", mixed.url, "results", "first").exit_code == 2
    english = run("--db", mixed.url, "--lang", "en", "results", "42")
    assert english.exit_code == 1 and "42" in english.stderr and "Traceback" not in english.output


# ---- the writers on their own ---------------------------------------------------------------------


def test_table_alignment_counts_wide_characters() -> None:
    text = table_text(["姓名", "成绩"], [["王一", 95.0], ["Ann", 7.5], ["李", None]])
    assert text.splitlines() == ["姓名  成绩", "----  ----", "王一    95", "Ann    7.5", "李       -"]


def test_xlsx_keeps_text_that_looks_like_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    write_xlsx(path, [Sheet("s", ["名"], [['=HYPERLINK("http://x")'], [3]])])
    sheet = openpyxl.load_workbook(path)["s"]
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == 3 and sheet["A3"].data_type == "n"
