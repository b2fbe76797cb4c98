"""Staff accounts on both backends: hashing, sign-in, lockout by the clock, disabling, assignments, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from exam_tui.domain.accounts import Area, Role
from exam_tui.services import accounts
from exam_tui.services.accounts import AccountError, authenticate
from exam_tui.services.runtime import Database
from exam_tui.store.models import AuditEventRow
from exam_tui.store.models_accounts import UserAccountRow
from tests.conftest import SteppingClock

PASSWORD = "correct horse battery"


def events(db: Database, action: str | None = None) -> list[AuditEventRow]:
    with db.read() as s:
        stmt = select(AuditEventRow).where(AuditEventRow.entity == "user").order_by(AuditEventRow.id)
        rows = list(s.execute(stmt).scalars())
    return [r for r in rows if action is None or r.action == action]


@pytest.fixture
def wang(db: Database, clock: SteppingClock) -> str:
    accounts.add_user(
        db, "WangLi", PASSWORD, roles=["grader", "reviewer"], display_name="王力", actor="root", clock=clock
    )
    return "wangli"


@pytest.fixture
def clock() -> SteppingClock:  # type: ignore[override]
    return SteppingClock()


def test_an_account_is_stored_with_an_argon2id_hash_and_audited_without_the_password(
    db: Database, wang: str
) -> None:
    with db.read() as s:
        row = s.execute(select(UserAccountRow)).scalar_one()
    assert row.login == "wangli" and row.display_name == "王力" and row.roles == ["grader", "reviewer"]
    assert row.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in row.password_hash
    [added] = events(db, "user.add")
    assert added.actor == "root" and added.entity_id == "wangli"
    assert PASSWORD not in str(added.details) and "argon2" not in str(added.details)
    view = accounts.list_users(db)
    assert [(v.login, v.roles) for v in view] == [("wangli", (Role.GRADER, Role.REVIEWER))]


def test_policy_and_duplicates_are_refused(db: Database, wang: str) -> None:
    with pytest.raises(AccountError) as short:
        accounts.add_user(db, "zhao", "short", roles=["admin"], actor=None)
    assert short.value.key == "account.password_short"
    with pytest.raises(AccountError) as dup:
        accounts.add_user(db, "wangli", "another long password", roles=["admin"], actor=None)
    assert dup.value.key == "account.exists"
    with pytest.raises(AccountError) as role:
        accounts.add_user(db, "zhao", "another long password", roles=["candidate"], actor=None)
    assert role.value.key == "account.roles_invalid"


def test_sign_in_gives_the_roles(db: Database, wang: str, clock: SteppingClock) -> None:
    user = authenticate(db, " WangLi ", PASSWORD, clock=clock)
    assert user.login == "wangli" and user.roles == {Role.GRADER, Role.REVIEWER}
    assert user.can(Area.GRADING) and user.can(Area.APPEALS) and not user.can(Area.BANKS)
    assert not user.may_proctor(1)
    assert [e.details["rehashed"] for e in events(db, "user.login")] == [False]  # type: ignore[index]


def test_unknown_login_and_wrong_password_say_the_same(db: Database, wang: str, clock: SteppingClock) -> None:
    with pytest.raises(AccountError) as unknown:
        authenticate(db, "nobody", PASSWORD, clock=clock)
    with pytest.raises(AccountError) as wrong:
        authenticate(db, "wangli", "wrong password!", clock=clock)
    assert unknown.value.message().startswith("登录名或密码不正确")
    assert wrong.value.message().startswith("登录名或密码不正确")
    assert wrong.value.params == {"left": 4}
    assert [e.details["reason"] for e in events(db, "user.login_failed")] == ["unknown", "password"]  # type: ignore[index]
    assert [e.entity_id for e in events(db, "user.login_failed")] == [None, "wangli"]  # not what was typed


def test_five_failures_lock_for_15_minutes_by_the_clock(
    db: Database, wang: str, clock: SteppingClock
) -> None:
    for left in (4, 3, 2, 1):
        with pytest.raises(AccountError) as wrong:
            authenticate(db, "wangli", "wrong password!", clock=clock)
        assert wrong.value.params["left"] == left
    with pytest.raises(AccountError) as locked:
        authenticate(db, "wangli", "wrong password!", clock=clock)
    assert locked.value.key == "account.locked" and locked.value.remaining == timedelta(minutes=15)
    assert len(events(db, "user.lockout")) == 1
    clock.advance(minutes=14, seconds=30)
    with pytest.raises(AccountError) as still:  # even the right password waits
        authenticate(db, "wangli", PASSWORD, clock=clock)
    assert still.value.key == "account.locked" and still.value.message().endswith("0 分 30 秒后再试")
    clock.advance(seconds=30)
    assert authenticate(db, "wangli", PASSWORD, clock=clock).login == "wangli"
    with db.read() as s:
        row = s.execute(select(UserAccountRow)).scalar_one()
    assert row.failed_attempts == 0 and row.locked_until is None


def test_a_new_password_lifts_the_lock(db: Database, wang: str, clock: SteppingClock) -> None:
    for _ in range(5):
        with pytest.raises(AccountError):
            authenticate(db, "wangli", "wrong password!", clock=clock)
    accounts.set_password(db, "wangli", "a brand new secret", actor="root", clock=clock)
    assert authenticate(db, "wangli", "a brand new secret", clock=clock).login == "wangli"
    [changed] = events(db, "user.passwd")
    assert changed.details == {"unlocked": True}


def test_disabled_accounts_cannot_sign_in_and_the_last_admin_stays(
    db: Database, wang: str, clock: SteppingClock
) -> None:
    accounts.set_disabled(db, "wangli", True, actor="root", clock=clock)
    with pytest.raises(AccountError) as off:
        authenticate(db, "wangli", PASSWORD, clock=clock)
    assert off.value.key == "account.disabled"
    with pytest.raises(AccountError) as wrong:  # a wrong password is still just wrong
        authenticate(db, "wangli", "wrong password!", clock=clock)
    assert wrong.value.key == "account.bad_credentials"
    accounts.set_disabled(db, "wangli", False, actor="root", clock=clock)
    assert authenticate(db, "wangli", PASSWORD, clock=clock)
    assert {"user.disable", "user.enable"} <= {e.action for e in events(db)}
    assert accounts.create_first_admin(db, "admin", "the boss's long secret", actor=None, clock=clock)
    with pytest.raises(AccountError) as last:
        accounts.set_disabled(db, "admin", True, actor="root", clock=clock)
    assert last.value.key == "account.last_admin"


def test_first_admin_only_once(db: Database, clock: SteppingClock) -> None:
    assert not accounts.has_admin(db)
    assert accounts.create_first_admin(db, "admin", "the boss's long secret", actor=None, clock=clock)
    assert not accounts.create_first_admin(db, "admin2", "the boss's long secret", actor=None, clock=clock)
    assert [u.login for u in accounts.list_users(db)] == ["admin"]


def test_old_parameters_are_rehashed_at_sign_in(db: Database, wang: str, clock: SteppingClock) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with db.write() as s:
        row = s.execute(select(UserAccountRow)).scalar_one()
        row.password_hash = weak
    authenticate(db, "wangli", PASSWORD, clock=clock)
    with db.read() as s:
        assert (
            s.execute(select(UserAccountRow)).scalar_one().password_hash.startswith("$argon2id$v=19$m=19456")
        )
    assert events(db, "user.login")[-1].details == {"rehashed": True}


def test_assignments_scope_proctors_and_graders(
    db: Database, demo: tuple[int, str, list[str]], wang: str, clock: SteppingClock
) -> None:
    session_id = demo[0]
    accounts.add_user(db, "li", PASSWORD, roles=["proctor", "grader"], actor="root", clock=clock)
    accounts.assign(db, "li", session_id=session_id, actor="root", clock=clock)
    accounts.assign(db, "li", exam_ref="integrity-regulations/pre-appointment", actor="root", clock=clock)
    accounts.assign(db, "li", session_id=session_id, actor="root", clock=clock)  # twice: once
    user = authenticate(db, "li", PASSWORD, clock=clock)
    assert user.may_proctor(session_id) and not user.may_proctor(session_id + 1)
    assert user.may_grade(999, "integrity-regulations/pre-appointment") and not user.may_grade(999, "x/y")
    with pytest.raises(AccountError) as lacks:
        accounts.assign(db, "wangli", session_id=session_id, actor="root", clock=clock)
    assert lacks.value.key == "account.assign_lacks_role"
    accounts.assign(db, "li", session_id=session_id, remove=True, actor="root", clock=clock)
    assert not authenticate(db, "li", PASSWORD, clock=clock).may_proctor(session_id)
    assert [e.action for e in events(db) if e.action.endswith("assign")] == [
        "user.assign",
        "user.assign",
        "user.unassign",
    ]


def test_the_demo_seeds_its_accounts_and_a_password_change_takes_one_off_the_list(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock
) -> None:
    assert accounts.demo_logins(db) == ["admin", "proctor", "grader", "reviewer"]
    proctor = authenticate(db, "proctor", accounts.DEMO_PASSWORD, clock=clock)
    assert proctor.may_proctor(demo[0]) and not proctor.can(Area.BANKS)
    assert authenticate(db, "admin", accounts.DEMO_PASSWORD, clock=clock).can(Area.BANKS)
    accounts.set_password(db, "admin", "not the demo one any more", actor="admin", clock=clock)
    assert accounts.demo_logins(db) == ["proctor", "grader", "reviewer"]
