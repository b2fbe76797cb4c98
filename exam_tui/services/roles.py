"""Least privilege on PostgreSQL: ``exam-tui init --roles`` (the group roles, their grants and the
candidate's functions, store.roles), LOGIN users in them, and the candidate gateway: what a lab machine
signed in as the candidate-terminal role can do, through those functions only.

The gateway speaks for one attempt with its terminal token (issued by ``attempts.begin``): the paper
without keys, its answers, saves, heartbeats and incidents. Signing in, beginning or resuming, handing in
and grading are not in it; they read the roster, the session's secret and the keys, which the candidate
role cannot (see docs/deployment.md, "Least privilege").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from exam_tui.domain.paper import Paper
from exam_tui.services.answers import INCIDENT_KINDS, LATE_WRITE_GRACE, SaveAck, Tick
from exam_tui.services.attempts import IN_PROGRESS, AttemptClosed
from exam_tui.services.runtime import Database
from exam_tui.services.sessions import SessionError
from exam_tui.store import roles as store_roles
from exam_tui.store.roles import CANDIDATE_INCIDENTS, DEFAULT_PREFIX, GROUPS, RoleNameError, RoleNames

__all__ = [
    "CANDIDATE_INCIDENTS",
    "DEFAULT_PREFIX",
    "GROUPS",
    "CandidateGateway",
    "TokenRefused",
    "add_login",
    "call_function",
    "init_roles",
]

assert set(CANDIDATE_INCIDENTS) <= set(INCIDENT_KINDS)


def _names(prefix: str) -> RoleNames:
    try:
        return RoleNames.with_prefix(prefix)
    except RoleNameError as exc:
        raise SessionError("roles.bad_name", name=str(exc)) from exc


def _postgres(db: Database) -> None:
    if db.backend != "postgresql":
        raise SessionError("roles.sqlite")


def init_roles(db: Database, *, prefix: str = DEFAULT_PREFIX) -> RoleNames:
    """Create (or bring up to date) the owner, proctor and candidate-terminal roles of this database.
    Run as a superuser; idempotent, and to be run again after each upgrade."""
    _postgres(db)
    names = _names(prefix)
    try:
        with db.engine.begin() as conn:
            store_roles.install(conn, names, open_state=IN_PROGRESS, grace_s=LATE_WRITE_GRACE.total_seconds())
    except DBAPIError as exc:
        raise SessionError("roles.failed", detail=_first_line(exc)) from exc
    return names


def add_login(
    db: Database, *, name: str, group: str, password_file: Path, prefix: str = DEFAULT_PREFIX
) -> bool:
    """A LOGIN user ``name`` in ``group`` (owner, proctor or candidate) whose password is the first line
    of ``password_file`` (never an argument: argv is visible to every user of the machine). The
    password is sent as a SCRAM-SHA-256 verifier computed here, so it reaches neither the server's log
    nor its memory. True if the user was created, False if it existed (its password is then reset)."""
    _postgres(db)
    names = _names(prefix)
    if group not in GROUPS:
        raise SessionError("roles.bad_group", group=group, groups=", ".join(GROUPS))
    try:
        store_roles.check_name(name)
    except RoleNameError as exc:
        raise SessionError("roles.bad_name", name=name) from exc
    try:
        lines = password_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError("roles.password_file", path=str(password_file), detail=str(exc)) from exc
    password = lines[0] if lines else ""
    if len(password) < 12:
        raise SessionError("roles.password_short", path=str(password_file))
    try:
        with db.engine.begin() as conn:
            pgconn = conn.connection.dbapi_connection.pgconn  # type: ignore[union-attr]
            verifier = pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
            return store_roles.add_login(conn, name, names.group(group), verifier)
    except DBAPIError as exc:
        raise SessionError("roles.failed", detail=_first_line(exc)) from exc


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)


# ---------------------------------------------------------------------------------------------- gateway


class TokenRefused(Exception):
    """The database refused the token (wrong, replaced by a resume elsewhere, or another attempt's)."""


@dataclass(frozen=True)
class OwnAnswers:
    answers: dict[int, Any]
    flagged: set[int]
    revisions: dict[int, int]


class CandidateGateway:
    """One attempt as the candidate-terminal role reaches it: every call is one of the SECURITY DEFINER
    functions of store.roles, which checks the token first. Works on a connection with no other right."""

    def __init__(self, db: Database, attempt_id: int, token: str) -> None:
        self.db, self.attempt_id, self.token = db, attempt_id, token

    def _call(self, sql: str, **values: Any) -> Any:
        return call_function(self.db, sql, {"attempt": self.attempt_id, "token": self.token, **values})

    def paper(self) -> Paper:
        """The paper as drawn, without keys, explanations or rubrics."""
        rows = self._call("SELECT exam_tui_paper(:attempt, :token)")
        data = rows[0][0]
        return Paper.from_json(json.loads(data) if isinstance(data, str) else data)

    def answers(self) -> OwnAnswers:
        rows = self._call("SELECT * FROM exam_tui_responses(:attempt, :token)")
        return OwnAnswers(
            answers={r[0]: r[1] for r in rows if r[1] is not None},
            flagged={r[0] for r in rows if r[2]},
            revisions={r[0]: r[3] for r in rows},
        )

    def save(
        self, *, item: int, answer: Any, flagged: bool, revision: int, current_item: int | None = None
    ) -> SaveAck:
        """As answers.save_answer, except that a late write is only recorded (the hand-in is the
        server's): raises AttemptClosed when the attempt takes no more answers."""
        rows = self._call(
            "SELECT * FROM exam_tui_save(:attempt, :token, :item, CAST(:answer AS json), :flagged, "
            ":revision, :current_item)",
            item=item,
            answer=json.dumps(answer, ensure_ascii=False),
            flagged=flagged,
            revision=revision,
            current_item=current_item,
        )
        state, reason, deadline, _items, now, accepted, stored = rows[0]
        if accepted:
            return SaveAck(item=item, revision=stored, saved_at=_utc(now), deadline_at=_utc(deadline))
        if state != IN_PROGRESS:
            raise AttemptClosed(reason or state)
        if now > deadline + LATE_WRITE_GRACE:
            raise AttemptClosed("time_up")
        raise ValueError(f"item {item} is not on this paper")

    def heartbeat(self, *, current_item: int | None = None) -> Tick:
        rows = self._call(
            "SELECT * FROM exam_tui_heartbeat(:attempt, :token, :current_item)", current_item=current_item
        )
        now, deadline, state, _current = rows[0]
        return Tick(server_now=_utc(now), deadline_at=_utc(deadline), state=state)

    def incident(self, kind: str, details: dict[str, Any] | None = None) -> None:
        self._call(
            "SELECT exam_tui_incident(:attempt, :token, :kind, CAST(:details AS json))",
            kind=kind,
            details=None if details is None else json.dumps(details, ensure_ascii=False),
        )


def call_function(db: Database, sql: str, values: dict[str, Any]) -> list[Any]:
    """The rows of one call of the candidate role's functions, in a transaction of its own; the
    database's refusals as this module's: a token refused (TokenRefused), an attempt handed in
    (AttemptClosed)."""
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return list(conn.execute(text(sql), values).all())
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        if state == "42501":
            raise TokenRefused(_first_line(exc)) from exc
        if state == "55000":
            raise AttemptClosed("handed_in") from exc
        raise


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)
