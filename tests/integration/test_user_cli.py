"""``exam-tui user …`` and ``exam-tui init``'s first admin: passwords from a file, never from argv."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.services.runtime import connect
from exam_tui.store.models import AuditEventRow

runner = CliRunner()
SECRET = "a long enough secret"


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "pw.txt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def run(url: str, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", url, *args], input=stdin, catch_exceptions=False)


def test_init_creates_the_first_admin_from_a_file_once(url: str, secret: Path) -> None:
    first = run(url, "init", "--admin-password-file", str(secret))
    assert first.exit_code == 0 and "已创建管理员账号 admin" in first.stdout
    again = run(url, "init", "--admin-password-file", str(secret), "--admin", "boss")
    assert again.exit_code == 0 and "已有管理员账号" in again.stdout
    listed = json.loads(run(url, "user", "list", "--json").stdout)
    assert [(u["login"], u["roles"]) for u in listed] == [("admin", ["admin"])]
    assert SECRET not in run(url, "user", "list").stdout


def test_init_without_a_terminal_or_file_only_says_how(url: str) -> None:
    plain = run(url, "init")
    assert plain.exit_code == 0 and "exam-tui init --admin-password-file" in plain.stdout
    assert "exam-tui init" not in run(url, "init", "--no-admin").stdout.split("\n", 1)[1]


def test_user_commands(url: str, secret: Path, tmp_path: Path) -> None:
    added = run(
        url,
        "user",
        "add",
        "li.na",
        "--role",
        "proctor,grader",
        "--name",
        "李娜",
        "--password-file",
        str(secret),
        "--by",
        "root",
    )
    assert added.exit_code == 0 and "已添加账号 li.na(监考员、阅卷员)" in added.stdout
    run(
        url,
        "bank",
        "import",
        str(Path(__file__).parent.parent / "fixtures" / "integrity-regulations-starter.yaml"),
    )
    assigned = run(url, "user", "assign", "li.na", "--exam", "integrity-regulations/pre-appointment")
    assert assigned.exit_code == 0 and "考试 integrity-regulations/pre-appointment" in assigned.stdout
    missing = run(url, "user", "assign", "li.na", "--session", "99")
    assert missing.exit_code == 1 and "没有考试场次 99" in missing.stderr
    assert run(url, "user", "disable", "li.na").exit_code == 0
    assert "已停用" in run(url, "user", "list").stdout
    assert run(url, "user", "enable", "li.na").exit_code == 0
    short = tmp_path / "short.txt"
    short.write_text("short\n", encoding="utf-8")
    refused = run(url, "user", "passwd", "li.na", "--password-file", str(short))
    assert refused.exit_code == 1 and "至少 12 个字符" in refused.stderr
    assert (
        run(url, "user", "passwd", "li.na", "--password-file", "-", stdin="another fine secret\n").exit_code
        == 0
    )
    bad_role = run(url, "user", "add", "zhao", "--role", "boss", "--password-file", str(secret))
    assert bad_role.exit_code == 1 and "角色 boss" in bad_role.stderr
    db = connect(url)
    with db.read() as s:
        actions = [
            e.action for e in s.execute(select(AuditEventRow).where(AuditEventRow.entity == "user")).scalars()
        ]
        details = [str(e.details) for e in s.execute(select(AuditEventRow)).scalars()]
    db.dispose()
    assert actions == ["user.add", "user.assign", "user.disable", "user.enable", "user.passwd"]
    assert not any(SECRET in d or "another fine secret" in d for d in details)


def test_no_password_on_argv_and_none_without_a_terminal(url: str) -> None:
    # CliRunner's stdin is not a terminal: without --password-file the command refuses, it never reads argv.
    result = run(url, "user", "add", "zhao", "--role", "admin")
    assert result.exit_code == 1 and "--password-file" in result.stderr
    assert run(url, "user", "add", "zhao", "--role", "admin", "--password", "x").exit_code == 2
