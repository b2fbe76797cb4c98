"""The command line as an admin uses it: exit codes, FILE:LINE:COL lines, JSON, languages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exam_tui.cli import app
from tests.conftest import STARTER_BANK
from tests.unit.test_bank_schema import VALID, at

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_validate_valid_and_invalid(tmp_path: Path) -> None:
    ok = run("bank", "validate", str(STARTER_BANK))
    assert ok.exit_code == 0
    assert "integrity-regulations" in ok.stdout and "有效" in ok.stdout
    broken = tmp_path / "broken.yaml"
    text = VALID.replace("answer: C", "answer: E").replace("pass_score: 6", "pass_score: 60")
    broken.write_text(text, encoding="utf-8")
    bad = run("bank", "validate", str(STARTER_BANK), str(broken))
    assert bad.exit_code == 1
    lines = bad.stderr.splitlines()
    line, col = at(text, "E\n")
    assert lines[0] == f"{broken}:{line}:{col}: 题目 q1: 答案 “E” 不是本题的选项(选项为 ABCD)"
    line, col = at(text, "60")
    assert lines[1] == f"{broken}:{line}:{col}: 考试 paper: 及格分 60 高于试卷总分 10"
    assert lines[2] == f"{broken}: 发现 2 个问题"
    assert "Traceback" not in bad.output


def test_import_list_show(url: str) -> None:
    imported = run("--db", url, "bank", "import", str(STARTER_BANK))
    assert imported.exit_code == 0 and "第 1 版" in imported.stdout
    assert "未变" in run("--db", url, "bank", "import", str(STARTER_BANK)).stdout
    listing = json.loads(run("--db", url, "bank", "list", "--json").stdout)
    assert [b["bank"] for b in listing] == ["integrity-regulations"]
    assert set(listing[0]) == {
        "bank",
        "title",
        "version",
        "label",
        "questions",
        "categories",
        "exams",
        "imported_at",
        "source_file",
    }
    shown = json.loads(run("--db", url, "bank", "show", "integrity-regulations", "--json").stdout)
    assert {e["ref"] for e in shown["exams"]} >= {"integrity-regulations/pre-appointment"}
    text = run("--db", url, "--lang", "en", "bank", "show", "integrity-regulations").stdout
    assert "pre-appointment" in text and "60 min" in text


def test_failed_import_writes_nothing(url: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(VALID.replace("answer: C", "answer: E"), encoding="utf-8")
    result = run("--db", url, "bank", "import", str(STARTER_BANK), str(broken))
    assert result.exit_code == 1
    assert "未导入任何内容" in result.stderr
    assert "还没有导入任何题库" in run("--db", url, "bank", "list").stdout


def test_user_errors_exit_1_usage_errors_exit_2(url: str) -> None:
    assert run("--db", url, "bank", "show", "nope").exit_code == 1
    assert run("--lang", "fr", "bank", "list").exit_code == 1
    assert run("bank", "frobnicate").exit_code == 2
    unsupported = run("--db", "mysql://x@localhost/db", "bank", "list")
    assert unsupported.exit_code == 1 and "mysql" in unsupported.stderr


def test_demo_seeds_once(url: str) -> None:
    assert run("--db", url, "bank", "import", str(STARTER_BANK)).exit_code == 0
    seeded = run("--db", url, "demo")
    assert seeded.exit_code == 0 and "8 个单位" in seeded.stdout
    assert "已存在" in run("--db", url, "demo").stdout


def test_demo_without_bank_says_what_to_do_writes_nothing_and_works_after_the_import(url: str) -> None:
    result = run("--db", url, "demo")
    assert result.exit_code == 1 and "integrity-regulations/pre-appointment" in result.stderr
    assert run("--db", url, "bank", "import", str(STARTER_BANK)).exit_code == 0
    seeded = run("--db", url, "demo")  # nothing was left half-written to make it refuse
    assert seeded.exit_code == 0 and "8 个单位" in seeded.stdout


def test_console_script_and_module_and_env(tmp_path: Path) -> None:
    env = {**os.environ, "EXAM_TUI_DATABASE_URL": f"sqlite:///{tmp_path / 'env.db'}", "EXAM_TUI_LANG": "en"}
    out = subprocess.run(
        [sys.executable, "-m", "exam_tui", "init"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,  # never a terminal: init would ask for the first admin's password
    )
    assert out.returncode == 0 and "database ready" in out.stdout
    assert (tmp_path / "env.db").exists()
    default = subprocess.run(
        [str(Path(sys.executable).with_name("exam-tui")), "init"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert default.returncode == 0
    assert (tmp_path / "sessions" / "exam.db").exists()
