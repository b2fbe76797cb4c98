"""Accounts and roles: who may reach which screen, the password policy and the lockout rule.

Pure rules, tested without a database. Candidates hold no account: they sign in with their ID number and
the session's access code, and reach only their own attempt. The staff roles are held by accounts, and a
person may hold several:

- admin: question banks, rosters (cadres), exam sessions (and any session's console), decisions,
  training courses, analysis;
- proctor: the consoles of the sessions they are assigned;
- grader: the grading queues of the sessions or exams they are assigned;
- reviewer: appeals.

Password policy (OWASP ASVS 2.1): at least 12 characters, at most 128 (every character counts, spaces
too, nothing else is required), and not the login name. Lockout: 5 failed sign-ins in a row lock the
account for 15 minutes; a correct password afterwards starts the count again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PROCTOR = "proctor"
    GRADER = "grader"
    REVIEWER = "reviewer"
    CANDIDATE = "candidate"


# The roles an account can hold (a candidate is whoever signs in with an ID number and an access code).
STAFF_ROLES = (Role.ADMIN, Role.PROCTOR, Role.GRADER, Role.REVIEWER)


class Area(StrEnum):
    """The parts of the program behind the staff sign-in."""

    BANKS = "banks"
    CADRES = "cadres"
    SESSIONS = "sessions"
    DECISIONS = "decisions"
    GRADING = "grading"
    APPEALS = "appeals"
    COURSES = "courses"
    ANALYSIS = "analysis"
    PROCTOR = "proctor"  # session consoles
    FINAL = "final"  # hosting a competition's final


PERMISSIONS: dict[Role, frozenset[Area]] = {
    Role.ADMIN: frozenset(
        {
            Area.BANKS,
            Area.CADRES,
            Area.SESSIONS,
            Area.DECISIONS,
            Area.COURSES,
            Area.ANALYSIS,
            Area.PROCTOR,
            Area.FINAL,
        }
    ),
    Role.PROCTOR: frozenset({Area.PROCTOR}),
    Role.GRADER: frozenset({Area.GRADING}),
    Role.REVIEWER: frozenset({Area.APPEALS}),
    Role.CANDIDATE: frozenset(),
}


def areas(roles: frozenset[Role] | set[Role] | tuple[Role, ...]) -> frozenset[Area]:
    """Every area any of ``roles`` reaches."""
    reached: set[Area] = set()
    for role in roles:
        reached |= PERMISSIONS[role]
    return frozenset(reached)


def can(roles: frozenset[Role] | set[Role] | tuple[Role, ...], area: Area) -> bool:
    return area in areas(roles)


def sees_every_session(roles: frozenset[Role] | set[Role] | tuple[Role, ...]) -> bool:
    """An admin runs every session's console; a proctor only those assigned."""
    return Role.ADMIN in roles


def parse_roles(text: str | list[str] | tuple[str, ...]) -> tuple[Role, ...]:
    """Staff roles from ``admin,grader`` (or a list), in the canonical order; ValueError names a bad one."""
    words = text.split(",") if isinstance(text, str) else list(text)
    chosen: set[Role] = set()
    for word in (w.strip().lower() for w in words):
        if not word:
            continue
        try:
            role = Role(word)
        except ValueError:
            raise ValueError(word) from None
        if role not in STAFF_ROLES:
            raise ValueError(word)
        chosen.add(role)
    if not chosen:
        raise ValueError("")
    return tuple(r for r in STAFF_ROLES if r in chosen)


# ---- login names and passwords -----------------------------------------------------------------------

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
MIN_PASSWORD = 12
MAX_PASSWORD = 128


def normalise_login(login: str) -> str:
    return login.strip().lower()


def login_problem(login: str) -> str | None:
    """None for a usable login name, else the message key of what is wrong."""
    if not LOGIN_PATTERN.fullmatch(login):
        return "account.login_invalid"
    return None


def password_problem(login: str, password: str) -> str | None:
    """None for a password the policy accepts, else the message key of what is wrong."""
    if len(password) < MIN_PASSWORD:
        return "account.password_short"
    if len(password) > MAX_PASSWORD:
        return "account.password_long"
    if login and normalise_login(login) in password.lower():
        return "account.password_has_login"
    return None


# ---- lockout ------------------------------------------------------------------------------------------

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class FailureOutcome:
    failures: int  # failed attempts counted towards the next lock
    locked_until: datetime | None  # set when this failure locks the account


def after_failure(failures: int, now: datetime) -> FailureOutcome:
    """One more wrong password: the count goes up, and the fifth in a row locks for 15 minutes."""
    failures += 1
    if failures >= MAX_FAILURES:
        return FailureOutcome(failures=0, locked_until=now + LOCKOUT)
    return FailureOutcome(failures=failures, locked_until=None)


def lock_remaining(locked_until: datetime | None, now: datetime) -> timedelta | None:
    """How long the account stays locked; None when it is not locked."""
    if locked_until is None or locked_until <= now:
        return None
    return locked_until - now


def attempts_left(failures: int) -> int:
    return MAX_FAILURES - failures
