"""The account rules without a database: roles and what they reach, the password policy, the lockout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exam_tui.domain.accounts import (
    LOCKOUT,
    MAX_FAILURES,
    Area,
    Role,
    after_failure,
    areas,
    can,
    lock_remaining,
    login_problem,
    parse_roles,
    password_problem,
    sees_every_session,
)

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_each_role_reaches_only_its_areas() -> None:
    assert areas({Role.PROCTOR}) == {Area.PROCTOR}
    assert areas({Role.GRADER}) == {Area.GRADING}
    assert areas({Role.REVIEWER}) == {Area.APPEALS}
    admin = areas({Role.ADMIN})
    assert {Area.BANKS, Area.CADRES, Area.SESSIONS, Area.DECISIONS, Area.PROCTOR} <= admin
    assert Area.GRADING not in admin and Area.APPEALS not in admin
    assert areas({Role.CANDIDATE}) == frozenset()


def test_several_roles_add_up() -> None:
    both = {Role.GRADER, Role.REVIEWER}
    assert can(both, Area.GRADING) and can(both, Area.APPEALS) and not can(both, Area.BANKS)
    assert sees_every_session({Role.ADMIN}) and not sees_every_session({Role.PROCTOR})


def test_roles_are_parsed_in_order_and_candidate_is_not_an_account_role() -> None:
    assert parse_roles("reviewer, admin") == (Role.ADMIN, Role.REVIEWER)
    assert parse_roles(["grader", "grader"]) == (Role.GRADER,)
    for bad in ("candidate", "boss", ""):
        with pytest.raises(ValueError):
            parse_roles(bad)


def test_login_names() -> None:
    assert login_problem("wang.li") is None
    assert login_problem("a") == "account.login_invalid"
    assert login_problem("王力") == "account.login_invalid"
    assert login_problem("Wang") == "account.login_invalid"  # the service lower-cases first


def test_password_policy() -> None:
    assert password_problem("wangli", "short-pw") == "account.password_short"
    assert password_problem("wangli", "x" * 129) == "account.password_long"
    assert password_problem("wangli", "my-WANGLI-2026") == "account.password_has_login"
    assert password_problem("wangli", "correct horse battery") is None
    assert password_problem("wangli", "            ") is None  # every character counts (ASVS 2.1.3)


def test_the_fifth_failure_in_a_row_locks_for_15_minutes() -> None:
    failures = 0
    for n in range(1, MAX_FAILURES):
        outcome = after_failure(failures, NOW)
        assert outcome == (outcome.__class__(failures=n, locked_until=None))
        failures = outcome.failures
    locked = after_failure(failures, NOW)
    assert locked.locked_until == NOW + LOCKOUT == NOW + timedelta(minutes=15)
    assert locked.failures == 0
    assert lock_remaining(locked.locked_until, NOW + timedelta(minutes=5)) == timedelta(minutes=10)
    assert lock_remaining(locked.locked_until, NOW + timedelta(minutes=15)) is None
    assert lock_remaining(None, NOW) is None
