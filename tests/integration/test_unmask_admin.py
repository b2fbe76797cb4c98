"""Whole ID numbers for admins only: ``--unmasked --by ADMIN`` with the admin's password (a hidden prompt
or ``--password-file``), checked like a sign-in; every refusal exits 1 with its reason and unmasks
nothing, and ``record_unmask`` itself refuses an account that is not an enabled admin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from exam_tui.cli import app, common
from exam_tui.domain.accounts import MAX_FAILURES, Role
from exam_tui.services import accounts
from exam_tui.services.accounts import DEMO_PASSWORD, AccountError, SignedIn
from exam_tui.services.pii import Unmasking, UnmaskRefused, admin_unmasking, record_unmask
from exam_tui.services.runtime import Database
from exam_tui.store.models import AuditEventRow
from tests.conftest import SteppingClock
from tests.integration.test_decisions_cli import run, runner

OTHER_PASSWORD = "another-admin-2026"


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


def events(db: Database, action: str) -> list[AuditEventRow]:
    with db.read() as s:
        query = select(AuditEventRow).where(AuditEventRow.action == action).order_by(AuditEventRow.id)
        return list(s.execute(query).scalars().all())


def password_file(folder: Path, password: str, name: str = "password") -> Path:
    path = folder / name
    path.write_text(password + "\n", encoding="utf-8")
    return path


def show(db: Database, session_id: int, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    """``session show ID --json --unmasked`` with ``args`` (--by, --password-file); ``input`` typed in."""
    command = ["--db", db.url, "session", "show", str(session_id), "--json", "--unmasked", *args]
    return runner.invoke(app, command, input=input, catch_exceptions=False)


def test_every_refusal_exits_1_with_its_reason_and_unmasks_nothing(
    db: Database, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    session_id, _, numbers = demo  # the demo seeds admin and proctor with the demo password
    right = password_file(tmp_path, DEMO_PASSWORD)
    wrong = password_file(tmp_path, "not-the-password", "wrong")

    missing_by = show(db, session_id, "--password-file", str(right))
    assert missing_by.exit_code == 1 and "--by" in missing_by.stderr

    unknown = show(db, session_id, "--by", "nobody", "--password-file", str(right))
    assert unknown.exit_code == 1 and "没有账号 nobody" in unknown.stderr
    assert events(db, "user.login_failed")[-1].details == {"reason": "unknown"}

    typo = show(db, session_id, "--by", "admin", "--password-file", str(wrong))
    assert typo.exit_code == 1
    assert "未输出完整身份证号" in typo.stderr and f"再错 {MAX_FAILURES - 1} 次" in typo.stderr
    assert accounts.get_user(db, "admin").failed_attempts == 1  # counted like a sign-in
    assert events(db, "user.login_failed")[-1].details == {"reason": "password", "failures": 1}

    proctor = show(db, session_id, "--by", "proctor", "--password-file", str(right))
    assert proctor.exit_code == 1 and "proctor 不是启用的管理员账号" in proctor.stderr
    ((refused,),) = [[(e.actor, e.entity_id, e.details) for e in events(db, "pii.unmask_refused")]]
    assert refused == ("proctor", "proctor", {"reason": "not_admin"})

    accounts.add_user(db, "second", OTHER_PASSWORD, roles=[Role.ADMIN], actor="test")
    accounts.set_disabled(db, "second", True, actor="test")
    disabled = show(
        db, session_id, "--by", "second", "--password-file", str(password_file(tmp_path, OTHER_PASSWORD))
    )
    assert disabled.exit_code == 1 and "账号 second 已停用" in disabled.stderr

    accounts.set_disabled(db, "second", False, actor="test")
    for _ in range(MAX_FAILURES):
        assert show(db, session_id, "--by", "second", "--password-file", str(wrong)).exit_code == 1
    locked = show(
        db, session_id, "--by", "second", "--password-file", str(password_file(tmp_path, OTHER_PASSWORD))
    )
    assert locked.exit_code == 1 and "账号已锁定" in locked.stderr  # even with the right password
    assert events(db, "user.lockout")[-1].entity_id == "second"
    with pytest.raises(AccountError, match=r"account\.locked"):  # and the sign-in screen is locked out too
        accounts.authenticate(db, "second", OTHER_PASSWORD)

    unreadable = show(db, session_id, "--by", "admin", "--password-file", str(tmp_path / "absent"))
    assert (
        unreadable.exit_code == 1
        and "无法读取密码文件" in unreadable.stderr
        and "absent" in unreadable.stderr
    )
    folder = show(db, session_id, "--by", "admin", "--password-file", str(tmp_path))
    assert folder.exit_code == 1 and "无法读取密码文件" in folder.stderr
    empty = show(
        db, session_id, "--by", "admin", "--password-file", str(password_file(tmp_path, "", "empty"))
    )
    assert empty.exit_code == 1 and "第一行是空的" in empty.stderr
    no_terminal = show(db, session_id, "--by", "admin")  # the test runner's stdin is not a terminal
    assert no_terminal.exit_code == 1 and "--password-file" in no_terminal.stderr

    written = tmp_path / "results.csv"
    refused_export = run(
        db, "results", str(session_id), "-o", str(written), "--unmasked", "--by", "proctor",
        "--password-file", str(right),
    )  # fmt: skip
    assert refused_export.exit_code == 1 and not written.exists()
    plan = tmp_path / "plan.yaml"
    refused_plan = run(
        db, "deferred", "--retake-plan", str(plan), "--by", "proctor", "--password-file", str(right)
    )
    assert refused_plan.exit_code == 1 and not plan.exists()
    for failed in (missing_by, unknown, typo, proctor, disabled, locked, unreadable, empty, no_terminal):
        assert not any(n in failed.stdout + failed.stderr for n in numbers)
        assert "Traceback" not in failed.output
    assert events(db, "pii.unmask") == []


def test_an_admin_unmasks_with_a_password_file_or_the_hidden_prompt(
    db: Database, demo: tuple[int, str, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id, _, numbers = demo
    from_file = show(
        db, session_id, "--by", " Admin ", "--password-file", str(password_file(tmp_path, DEMO_PASSWORD))
    )
    assert from_file.exit_code == 0, from_file.output
    assert {c["id_number"] for c in json.loads(from_file.stdout)["candidates"]} == set(numbers)
    assert "操作人 admin" in from_file.stderr

    monkeypatch.setattr(common, "stdin_is_terminal", lambda: True)
    typed = show(db, session_id, "--by", "admin", input=DEMO_PASSWORD + "\n")
    assert typed.exit_code == 0, typed.output
    assert "管理员 admin 的密码" in typed.output and DEMO_PASSWORD not in typed.output  # hidden
    mistyped = show(db, session_id, "--by", "admin", input="a-wrong-one\n")
    assert mistyped.exit_code == 1 and "登录名或密码不正确" in mistyped.stderr

    unmasked = [(e.actor, e.entity, e.entity_id, e.details["export"]) for e in events(db, "pii.unmask")]
    assert unmasked == [("admin", "exam_session", str(session_id), "session_show.json")] * 2
    # The verified admin signed in for it: the same record a sign-in leaves.
    assert [e.actor for e in events(db, "user.login")][-2:] == ["admin", "admin"]
    shown = run(db, "audit", "show", "--subject", f"exam_session:{session_id}")
    assert "pii.unmask" in shown.stdout and "  admin  " in shown.stdout


def test_record_unmask_refuses_whoever_is_not_an_enabled_admin_now(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    def record(unmasking: Unmasking) -> None:
        record_unmask(
            unmasking, entity="exam_session", entity_id="1", export="results.csv", rows=1, file=None
        )

    proctor = accounts.authenticate(db, "proctor", DEMO_PASSWORD)
    with pytest.raises(UnmaskRefused, match=r"pii\.not_admin"):
        record(Unmasking(db, proctor))
    # An Unmasking made by hand that claims the role: the account's row is what counts.
    forged = SignedIn(login="proctor", display_name="x", roles=frozenset({Role.ADMIN}))
    with pytest.raises(UnmaskRefused, match=r"pii\.not_admin"):
        record(Unmasking(db, forged))
    with pytest.raises(UnmaskRefused, match=r"pii\.not_admin"):
        record(Unmasking(db, SignedIn(login="ghost", display_name="x", roles=frozenset({Role.ADMIN}))))
    with pytest.raises(UnmaskRefused, match=r"pii\.not_admin"):
        admin_unmasking(db, "proctor", DEMO_PASSWORD, clock=clock)

    accounts.add_user(db, "second", OTHER_PASSWORD, roles=[Role.ADMIN], actor="test")
    kept = admin_unmasking(db, "second", OTHER_PASSWORD, clock=clock)
    record(kept)
    accounts.set_disabled(db, "second", True, actor="test")  # disabled after it was verified
    with pytest.raises(UnmaskRefused):
        record(kept)
    assert [e.actor for e in events(db, "pii.unmask")] == ["second"]
