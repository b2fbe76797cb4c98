"""`exam-tui report …` and `exam-tui demo --analysis` as an admin runs them: every format, every refusal."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from exam_tui.cli import app
from tests.conftest import STARTER_BANK

runner = CliRunner()
CANDIDATES = 150


def run(url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", url, *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with the demo organisation and a generated, graded session of 150 (read-only below)."""
    path = tmp_path_factory.mktemp("reports") / "exam.db"
    address = f"sqlite:///{path}"
    assert run(address, "bank", "import", str(STARTER_BANK)).exit_code == 0
    assert run(address, "demo").exit_code == 0  # session 1: the demo's, nobody has sat it
    seeded = run(address, "demo", "--analysis", str(CANDIDATES))
    assert seeded.exit_code == 0, seeded.output
    assert "考试场次 2" in seeded.stdout and "exam-tui report items --session 2" in seeded.stdout
    return address


def _miskeyed(url: str) -> str:
    document = json.loads(run(url, "report", "items", "--session", "2", "--format", "json").stdout)
    (row,) = [i for i in document["items"] if "analysis.flag.negative_discrimination" in i["flags"]]
    return str(row["key"])


def test_items_table_flags_the_miskeyed_question_in_words(url: str) -> None:
    shown = run(url, "report", "items", "--session", "2")
    assert shown.exit_code == 0
    assert "题目分析" in shown.stdout and f"分析的试卷数      {CANDIDATES}" in shown.stdout
    assert "负区分度——请核对答案" in shown.stdout and "【选项分析】" in shown.stdout
    flagged = run(url, "report", "items", "--session", "2", "--flagged").stdout
    body = flagged.split("【题目统计】")[1].split("【选项分析】")[0]
    rows = [line for line in body.splitlines()[3:] if line.strip()]
    assert rows and all("提示" not in r for r in rows)  # no header repeated
    assert _miskeyed(url) in body


def test_items_sorted_by_a_column_either_way(url: str) -> None:
    def facilities(*extra: str) -> list[float]:
        out = run(url, "report", "items", "--session", "2", "--format", "json", *extra).stdout
        return [i["facility"] for i in json.loads(out)["items"]]

    ascending = facilities("--sort", "facility")
    assert ascending == sorted(ascending) and len(ascending) == 40
    assert facilities("--sort", "facility", "--desc") == sorted(ascending, reverse=True)
    wrong = run(url, "report", "items", "--session", "2", "--sort", "colour")
    assert wrong.exit_code == 1 and "不能按 colour 排序" in wrong.stderr


def test_the_exam_scope_and_the_question_across_exams(url: str) -> None:
    by_exam = json.loads(
        run(url, "report", "items", "--exam", "analysis-demo/analysis", "--format", "json").stdout
    )
    assert by_exam["scope"] == "exam" and by_exam["sessions"] == [2] and len(by_exam["items"]) == 40
    question = run(url, "report", "question", "analysis-demo", _miskeyed(url))
    assert (
        question.exit_code == 0 and "analysis-demo/analysis" in question.stdout and "负值" in question.stdout
    )


def test_paper_report_numbers_and_csv(url: str, tmp_path: Path) -> None:
    document = json.loads(run(url, "report", "paper", "--session", "2", "--format", "json").stdout)
    paper = document["paper"]
    assert paper["n"] == CANDIDATES and sum(b["count"] for b in paper["histogram"]) == CANDIDATES
    assert paper["kr20"] == paper["alpha"] and 0 < paper["alpha"] < 1
    text = run(url, "report", "paper", "--session", "2").stdout
    assert "KR-20 信度" in text and "【分数分布】" in text
    target = tmp_path / "items.csv"
    assert run(url, "report", "items", "--session", "2", "-o", str(target)).exit_code == 0
    raw = target.read_bytes()
    head, headers, *rows = raw.decode("utf-8-sig").splitlines()
    assert raw.startswith("\ufeff".encode()) and head.startswith("审计链末端 #") and "难度系数%" in headers
    assert len(rows) == 40


def test_workbooks_have_their_sheets_and_charts(url: str, tmp_path: Path) -> None:
    paper = tmp_path / "paper.xlsx"
    assert run(url, "report", "paper", "--session", "2", "-o", str(paper)).exit_code == 0
    book = load_workbook(paper)
    assert book.sheetnames == ["概要", "分数分布"]
    assert len(book["分数分布"]._charts) == 1  # type: ignore[attr-defined]
    assert str(book["概要"]["A1"].value).startswith("审计链末端 #")  # the chain's head, then the headers
    assert book["概要"]["A3"].value == "考试" and book["分数分布"].max_row == 12
    items = tmp_path / "items.xlsx"
    assert run(url, "report", "items", "--session", "2", "-o", str(items)).exit_code == 0
    assert load_workbook(items).sheetnames == ["概要", "题目统计", "选项分析"]
    coverage = tmp_path / "coverage.xlsx"
    assert run(url, "report", "coverage", "-o", str(coverage)).exit_code == 0
    sheet = load_workbook(coverage)["各单位"]
    assert len(sheet._charts) == 1  # type: ignore[attr-defined]
    assert str(sheet.cell(sheet.max_row, 1).value).startswith("合计")
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.parametrize("kind", ["paper", "items", "coverage", "annual"])
def test_pdf_reports(url: str, tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.pdf"
    scope = ["--session", "2"] if kind in ("paper", "items") else []
    written = run(url, "report", kind, *scope, "-o", str(target))
    assert written.exit_code == 0, written.output
    assert target.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: the text of the PDF is not checked")
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    title = {
        "paper": "试卷分析",
        "items": "题目分析",
        "coverage": "廉政教育覆盖情况",
        "annual": "廉政教育工作考核",
    }
    assert title[kind] in text


def test_coverage_and_annual(url: str, tmp_path: Path) -> None:
    coverage = json.loads(run(url, "report", "coverage", "--format", "json").stdout)
    assert coverage["total"]["sat"] == CANDIDATES and coverage["total"]["person_times"] == CANDIDATES
    assert sum(u["on_roll"] for u in coverage["units"]) == coverage["total"]["on_roll"]
    annual = json.loads(run(url, "report", "annual", "--format", "json").stdout)
    places = [u["place"] for u in annual["units"]]
    assert places == sorted(places) and places[0] == 1
    indices = [u["index"] for u in annual["units"]]
    assert indices == sorted(indices, reverse=True)
    assert sum(i["weight"] for i in annual["rules"]["indicators"]) == 100

    rules = tmp_path / "rules.yaml"
    assert run(url, "report", "rules", "-o", str(rules)).exit_code == 0
    rules.write_text(
        rules.read_text(encoding="utf-8").replace(
            "weight: 30, measure: pass_rate", "weight: 20, measure: pass_rate"
        ),
        encoding="utf-8",
    )
    bad = run(url, "report", "annual", "--rules", str(rules))
    assert bad.exit_code == 1 and "rules.yaml:" in bad.stderr and "权重之和应为 100" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["items"], "二者取一"),
        (["items", "--session", "2", "--exam", "analysis-demo/analysis"], "二者取一"),
        (["items", "--session", "99"], "99"),
        (["items", "--exam", "analysis-demo/nothing"], "analysis-demo/nothing"),
        (["paper", "--session", "2", "--format", "xlsx"], "-o"),
        (["paper", "--session", "2", "--format", "docx"], "不认识的格式 docx"),
        (["paper", "--session", "2", "--format", "pdf", "-o", "x.xlsx"], "不一致"),
        (["paper", "--session", "2", "-o", "x.docx"], "无法从文件名"),
        (["coverage", "--year", "2026", "--from", "2026-01-01"], "只能用一种"),
        (["coverage", "--from", "2026-01-01"], "同时给出"),
        (["coverage", "--from", "2026-13-01", "--to", "2026-12-31"], "2026-13-01"),
        (["coverage", "--from", "2026-12-31", "--to", "2026-01-01"], "2026-01-01"),
        (["annual", "--rules", "no-such-rules.yaml"], "no-such-rules.yaml"),
    ],
)
def test_refusals_are_one_clear_line(url: str, args: list[str], message: str) -> None:
    refused = run(url, "report", *args)
    assert refused.exit_code == 1 and message in refused.stderr and "Traceback" not in refused.output


def test_an_existing_file_is_kept_unless_forced(url: str, tmp_path: Path) -> None:
    target = tmp_path / "paper.pdf"
    target.write_text("keep me", encoding="utf-8")
    kept = run(url, "report", "paper", "--session", "2", "-o", str(target))
    assert kept.exit_code == 1 and target.read_text(encoding="utf-8") == "keep me"
    assert run(url, "report", "paper", "--session", "2", "-o", str(target), "--force").exit_code == 0
    assert target.read_bytes().startswith(b"%PDF-")


def test_the_analysis_demo_is_made_once(url: str) -> None:
    again = run(url, "demo", "--analysis", "10")
    assert again.exit_code == 0 and "已存在" in again.stdout
    paper = json.loads(run(url, "report", "paper", "--session", "2", "--format", "json").stdout)["paper"]
    assert paper["n"] == CANDIDATES  # nothing added a second time
