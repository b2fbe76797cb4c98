"""Staff accounts: add, list, change a password, disable and enable, sign in, assign to sessions and exams.

Passwords are hashed with argon2id (argon2-cffi) at OWASP's Password Storage Cheat Sheet parameters for
argon2id: m = 19 MiB (19,456 KiB), t = 2 iterations, p = 1, a 16-byte salt and a 32-byte hash. A stored
hash made with other parameters is re-hashed at the next successful sign-in. The password itself is
never stored, logged or put into an audit event.

Signing in: an unknown login name and a wrong password get the same answer (and take the same time); five
wrong passwords in a row lock the account for 15 minutes by the database's clock (domain.accounts); a
disabled account is refused once its password is right. Every change to an account, every sign-in and
every refusal appends an audit event (entity ``user``, the login name as its id).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.accounts import (
    LOCKOUT,
    MAX_FAILURES,
    Area,
    Role,
    after_failure,
    areas,
    lock_remaining,
    login_problem,
    normalise_login,
    parse_roles,
    password_problem,
    sees_every_session,
)
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError, exam_versions
from exam_tui.store.models import AuditEventRow, ExamSessionRow, SettingRow
from exam_tui.store.models_accounts import UserAccountRow, UserAssignmentRow

# OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
ARGON2_PARAMETERS = {"time_cost": 2, "memory_cost": 19_456, "parallelism": 1, "hash_len": 32, "salt_len": 16}
_hasher = PasswordHasher(type=Type.ID, **ARGON2_PARAMETERS)

# The demo's accounts, one per role, all with this published password (the home screen says so).
DEMO_PASSWORD = "demo-pass-2026"
DEMO_ACCOUNTS = (
    ("admin", "演示管理员", Role.ADMIN),
    ("proctor", "演示监考员", Role.PROCTOR),
    ("grader", "演示阅卷员", Role.GRADER),
    ("reviewer", "演示复核员", Role.REVIEWER),
)
# The setting that lists the demo accounts still on the demo password (a password change takes one out).
DEMO_MARKER = "demo_accounts"


class AccountError(SessionError):
    """An account use that cannot go ahead; ``remaining`` is how long a locked account stays locked."""

    def __init__(self, key: str, *, remaining: timedelta | None = None, **params: Any) -> None:
        super().__init__(key, **params)
        self.remaining = remaining


@dataclass(frozen=True)
class Assignment:
    role: str
    session_id: int | None
    exam_ref: str | None


@dataclass(frozen=True)
class AccountView:
    login: str
    display_name: str
    roles: tuple[Role, ...]
    disabled: bool
    locked_until: datetime | None
    failed_attempts: int
    last_login_at: datetime | None
    created_at: datetime
    assignments: tuple[Assignment, ...] = ()


@dataclass(frozen=True)
class SignedIn:
    """Who is at a staff screen: their login name goes into every record they change."""

    login: str
    display_name: str
    roles: frozenset[Role]
    proctor_sessions: frozenset[int] = field(default_factory=frozenset)
    grading_sessions: frozenset[int] = field(default_factory=frozenset)
    grading_exams: frozenset[str] = field(default_factory=frozenset)

    def can(self, area: Area) -> bool:
        return area in areas(self.roles)

    def may_proctor(self, session_id: int) -> bool:
        """An admin runs any session's console; a proctor those assigned."""
        if sees_every_session(self.roles):
            return True
        return Role.PROCTOR in self.roles and session_id in self.proctor_sessions

    def may_grade(self, session_id: int, exam_ref: str) -> bool:
        """A grader grades the sessions and exams assigned; one who is also an admin, every session."""
        if Role.GRADER not in self.roles:
            return False
        if Role.ADMIN in self.roles:
            return True
        return session_id in self.grading_sessions or exam_ref in self.grading_exams


# ---- hashing ------------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _demo_hash(login: str) -> str:
    """The demo accounts' hashes, made once per process (tests seed the demo many times)."""
    return hash_password(DEMO_PASSWORD)


@cache
def _dummy_hash() -> str:
    """Verified against when the login name is unknown, so that the answer takes as long as a real one."""
    return hash_password("an unknown account's stand-in password")


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ---- reading ------------------------------------------------------------------------------------------


def _row(session: Session, login: str, *, for_update: bool = False) -> UserAccountRow | None:
    stmt = select(UserAccountRow).where(UserAccountRow.login == normalise_login(login))
    if for_update:
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def _existing(session: Session, login: str, *, for_update: bool = True) -> UserAccountRow:
    row = _row(session, login, for_update=for_update)
    if row is None:
        raise AccountError("account.unknown", login=login)
    return row


def _roles(row: UserAccountRow) -> tuple[Role, ...]:
    return parse_roles(list(row.roles))


def _assignments(session: Session, user_id: int) -> tuple[Assignment, ...]:
    rows = session.execute(
        select(UserAssignmentRow).where(UserAssignmentRow.user_id == user_id).order_by(UserAssignmentRow.id)
    ).scalars()
    return tuple(Assignment(r.role, r.session_id, r.exam_ref) for r in rows)


def _view(session: Session, row: UserAccountRow) -> AccountView:
    assert row.id is not None
    return AccountView(
        login=row.login,
        display_name=row.display_name,
        roles=_roles(row),
        disabled=row.disabled,
        locked_until=row.locked_until,
        failed_attempts=row.failed_attempts,
        last_login_at=row.last_login_at,
        created_at=row.created_at,
        assignments=_assignments(session, row.id),
    )


def list_users(db: Database) -> list[AccountView]:
    with db.read() as session:
        rows = session.execute(select(UserAccountRow).order_by(UserAccountRow.login)).scalars().all()
        return [_view(session, row) for row in rows]


def get_user(db: Database, login: str) -> AccountView:
    with db.read() as session:
        return _view(session, _existing(session, login, for_update=False))


def _enabled_admins(session: Session) -> list[UserAccountRow]:
    rows = session.execute(select(UserAccountRow).where(UserAccountRow.disabled.is_(False))).scalars()  # type: ignore[attr-defined]
    return [r for r in rows if Role.ADMIN.value in r.roles]


def has_admin(db: Database) -> bool:
    """Whether an enabled admin account exists (``exam-tui init`` creates the first)."""
    with db.read() as session:
        return bool(_enabled_admins(session))


def demo_logins(db: Database) -> list[str]:
    """The demo accounts that still have the demo password; empty unless the demo seeded them."""
    with db.read() as session:
        marker = session.get(SettingRow, DEMO_MARKER)
        return [login for login in (marker.value.split(",") if marker else []) if login]


# ---- changing -----------------------------------------------------------------------------------------


def _audit(
    session: Session, now: datetime, actor: str | None, action: str, login: str, **details: Any
) -> None:
    session.add(
        AuditEventRow(
            at=now, actor=actor, action=action, entity="user", entity_id=login[:100], details=details or None
        )
    )


def _checked_password(login: str, password: str) -> str:
    problem = password_problem(login, password)
    if problem is not None:
        raise AccountError(problem, login=login)
    return hash_password(password)


def add_user(
    db: Database,
    login: str,
    password: str,
    *,
    roles: Iterable[Role | str],
    display_name: str | None = None,
    actor: str | None,
    clock: MaybeClock = None,
    password_hash: str | None = None,
) -> AccountView:
    """A new account; the password must pass the policy (domain.accounts)."""
    login = normalise_login(login)
    problem = login_problem(login)
    if problem is not None:
        raise AccountError(problem, login=login)
    try:
        chosen = parse_roles([str(r) for r in roles])
    except ValueError as exc:
        raise AccountError("account.roles_invalid", role=str(exc)) from None
    name = " ".join((display_name or login).split())[:100] or login
    hashed = password_hash or _checked_password(login, password)
    with db.write() as session:
        now = now_in(session, clock)
        if _row(session, login) is not None:
            raise AccountError("account.exists", login=login)
        row = UserAccountRow(
            login=login,
            display_name=name,
            password_hash=hashed,
            roles=[r.value for r in chosen],
            created_at=now,
            created_by=actor,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        _audit(session, now, actor, "user.add", login, display_name=name, roles=list(row.roles))
        return _view(session, row)


def set_password(
    db: Database, login: str, password: str, *, actor: str | None, clock: MaybeClock = None
) -> None:
    """A new password; it also lifts a lockout and ends the account's place in the demo's list."""
    login = normalise_login(login)
    hashed = _checked_password(login, password)
    with db.write() as session:
        now = now_in(session, clock)
        row = _existing(session, login)
        unlocked = lock_remaining(row.locked_until, now) is not None
        row.password_hash, row.failed_attempts, row.locked_until, row.updated_at = hashed, 0, None, now
        session.add(row)
        _forget_demo_login(session, login)
        _audit(session, now, actor, "user.passwd", login, unlocked=unlocked)


def set_disabled(
    db: Database, login: str, disabled: bool, *, actor: str | None, clock: MaybeClock = None
) -> None:
    """Disable an account (it can no longer sign in) or enable it again; the last admin stays enabled."""
    login = normalise_login(login)
    with db.write() as session:
        now = now_in(session, clock)
        row = _existing(session, login)
        if row.disabled == disabled:
            return
        if disabled and Role.ADMIN.value in row.roles and len(_enabled_admins(session)) <= 1:
            raise AccountError("account.last_admin", login=login)
        row.disabled, row.updated_at = disabled, now
        if not disabled:
            row.failed_attempts, row.locked_until = 0, None
        session.add(row)
        if disabled:
            _forget_demo_login(session, login)
        _audit(session, now, actor, "user.disable" if disabled else "user.enable", login)


def _forget_demo_login(session: Session, login: str) -> None:
    marker = session.get(SettingRow, DEMO_MARKER)
    if marker is None:
        return
    logins = [x for x in marker.value.split(",") if x and x != login]
    if logins:
        marker.value = ",".join(logins)
        session.add(marker)
    else:
        session.delete(marker)


def assign(
    db: Database,
    login: str,
    *,
    session_id: int | None = None,
    exam_ref: str | None = None,
    role: Role | None = None,
    remove: bool = False,
    actor: str | None,
    clock: MaybeClock = None,
) -> None:
    """Give a proctor a session (``session_id``), or a grader a session or an exam (``exam_ref``).

    ``role`` is proctor or grader; without it, a session goes to the proctor role and an exam to the
    grader role. ``remove`` takes the assignment away again.
    """
    if (session_id is None) == (exam_ref is None):
        raise AccountError("account.assign_target")
    role = role or (Role.GRADER if exam_ref is not None else Role.PROCTOR)
    if role not in (Role.PROCTOR, Role.GRADER) or (role is Role.PROCTOR and exam_ref is not None):
        raise AccountError("account.assign_role", role=role.value)
    login = normalise_login(login)
    with db.write() as session:
        now = now_in(session, clock)
        row = _existing(session, login)
        assert row.id is not None
        if role.value not in row.roles:
            raise AccountError("account.assign_lacks_role", login=login, role=role.value)
        if session_id is not None and session.get(ExamSessionRow, session_id) is None:
            raise AccountError("account.assign_no_session", session=session_id)
        if exam_ref is not None:
            exam_versions(session, exam_ref)  # raises session.no_exam
        existing = session.execute(
            select(UserAssignmentRow).where(
                UserAssignmentRow.user_id == row.id,
                UserAssignmentRow.role == role.value,
                UserAssignmentRow.session_id == session_id
                if session_id is not None
                else UserAssignmentRow.session_id.is_(None),  # type: ignore[union-attr]
                UserAssignmentRow.exam_ref == exam_ref
                if exam_ref is not None
                else UserAssignmentRow.exam_ref.is_(None),  # type: ignore[union-attr]
            )
        ).scalar_one_or_none()
        if remove:
            if existing is None:
                raise AccountError("account.assign_missing", login=login)
            session.delete(existing)
        elif existing is not None:
            return
        else:
            session.add(
                UserAssignmentRow(
                    user_id=row.id,
                    role=role.value,
                    session_id=session_id,
                    exam_ref=exam_ref,
                    created_at=now,
                    created_by=actor,
                )
            )
        _audit(
            session,
            now,
            actor,
            "user.unassign" if remove else "user.assign",
            login,
            role=role.value,
            session_id=session_id,
            exam_ref=exam_ref,
        )


# ---- signing in ---------------------------------------------------------------------------------------


def authenticate(db: Database, login: str, password: str, *, clock: MaybeClock = None) -> SignedIn:
    """The signed-in user, or AccountError: bad_credentials (with attempts left), locked, disabled.

    The hash is verified outside any write transaction (it takes tens of milliseconds, and candidates'
    answers are written meanwhile); the outcome is then written with the row locked, so two terminals
    failing at once both count.
    """
    login = normalise_login(login)
    with db.read() as session:
        now = now_in(session, clock)
        row = _row(session, login)
        stored = row.password_hash if row is not None else None
        remaining = lock_remaining(row.locked_until, now) if row is not None else None
    if row is None or stored is None:
        _verify(_dummy_hash(), password)
        with db.write() as session:
            # Not the name typed: people type their password into the name field by mistake.
            session.add(
                AuditEventRow(
                    at=now_in(session, clock),
                    action="user.login_failed",
                    entity="user",
                    details={"reason": "unknown"},
                )
            )
        raise AccountError("account.bad_credentials_unknown")
    if remaining is not None:
        with db.write() as session:
            _audit(session, now_in(session, clock), login, "user.login_failed", login, reason="locked")
        raise _locked(remaining)
    right = _verify(stored, password)
    with db.write() as session:
        now = now_in(session, clock)
        row = _existing(session, login)
        remaining = lock_remaining(row.locked_until, now)
        if remaining is not None:  # another terminal's failures locked it meanwhile
            _audit(session, now, login, "user.login_failed", login, reason="locked")
            error: AccountError = _locked(remaining)
        elif not right:
            outcome = after_failure(row.failed_attempts, now)
            row.failed_attempts, row.locked_until = outcome.failures, outcome.locked_until
            session.add(row)
            _audit(
                session, now, login, "user.login_failed", login, reason="password", failures=outcome.failures
            )
            if outcome.locked_until is not None:
                _audit(session, now, login, "user.lockout", login, until=outcome.locked_until.isoformat())
                error = _locked(outcome.locked_until - now)
            else:
                error = AccountError("account.bad_credentials", left=MAX_FAILURES - outcome.failures)
        elif row.disabled:
            _audit(session, now, login, "user.login_failed", login, reason="disabled")
            error = AccountError("account.disabled", login=login)
        else:
            rehashed = _hasher.check_needs_rehash(row.password_hash)
            if rehashed:
                row.password_hash = hash_password(password)
            row.failed_attempts, row.locked_until, row.last_login_at = 0, None, now
            session.add(row)
            _audit(session, now, login, "user.login", login, rehashed=rehashed)
            assert row.id is not None
            return _signed_in(row, _assignments(session, row.id))
    raise error


def signed_in_now(session: Session, login: str) -> SignedIn | None:
    """The account as it stands in the caller's transaction (roles and assignments read again), or None
    when it no longer exists or is disabled: what services.access holds each staff action against."""
    row = _row(session, login)
    if row is None or row.disabled:
        return None
    assert row.id is not None
    return _signed_in(row, _assignments(session, row.id))


def _locked(remaining: timedelta) -> AccountError:
    seconds = max(int(remaining.total_seconds()), 1)
    return AccountError(
        "account.locked",
        remaining=remaining,
        minutes=seconds // 60,
        seconds=seconds % 60,
        lockout=int(LOCKOUT.total_seconds() // 60),
    )


def _signed_in(row: UserAccountRow, assignments: tuple[Assignment, ...]) -> SignedIn:
    return SignedIn(
        login=row.login,
        display_name=row.display_name,
        roles=frozenset(_roles(row)),
        proctor_sessions=frozenset(
            a.session_id for a in assignments if a.role == Role.PROCTOR and a.session_id is not None
        ),
        grading_sessions=frozenset(
            a.session_id for a in assignments if a.role == Role.GRADER and a.session_id is not None
        ),
        grading_exams=frozenset(a.exam_ref for a in assignments if a.role == Role.GRADER and a.exam_ref),
    )


# ---- the first admin and the demo's accounts -------------------------------------------------------------


def create_first_admin(
    db: Database, login: str, password: str, *, actor: str | None, clock: MaybeClock = None
) -> bool:
    """The first admin account; False (and nothing written) when an enabled admin exists already."""
    if has_admin(db):
        return False
    add_user(db, login, password, roles=[Role.ADMIN], actor=actor, clock=clock)
    return True


def seed_demo_accounts(
    session: Session, now: datetime, *, session_id: int | None, exam_refs: Iterable[str]
) -> None:
    """The demo's four accounts (one per staff role, the demo password) in the demo's transaction.

    The proctor is assigned the demo session and the grader the demo's exams; a marker setting lists
    the accounts so that the home screen can show them while they keep the demo password.
    """
    present = {
        r.login
        for r in session.execute(
            select(UserAccountRow).where(UserAccountRow.login.in_([a[0] for a in DEMO_ACCOUNTS]))  # type: ignore[attr-defined]
        ).scalars()
    }
    seeded: list[str] = []
    for login, name, role in DEMO_ACCOUNTS:
        if login in present:
            continue
        row = UserAccountRow(
            login=login,
            display_name=name,
            password_hash=_demo_hash(login),
            roles=[role.value],
            created_at=now,
            created_by="demo",
            updated_at=now,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        if role is Role.PROCTOR and session_id is not None:
            session.add(
                UserAssignmentRow(
                    user_id=row.id, role=role.value, session_id=session_id, created_at=now, created_by="demo"
                )
            )
        if role is Role.GRADER:
            for ref in exam_refs:
                session.add(
                    UserAssignmentRow(
                        user_id=row.id, role=role.value, exam_ref=ref, created_at=now, created_by="demo"
                    )
                )
        _audit(session, now, "demo", "user.add", login, display_name=name, roles=[role.value], demo=True)
        seeded.append(login)
    if seeded:
        session.add(SettingRow(key=DEMO_MARKER, value=",".join(seeded), updated_at=now, updated_by="demo"))
