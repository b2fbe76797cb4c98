"""What the candidate's terminal does, whichever rights it runs with.

A terminal with the proctor's rights (SQLite, or a PostgreSQL user in the proctor group) calls the
services directly: :class:`DirectFront` and :class:`DirectLink`. A lab machine signed in as the
candidate-terminal role (``init --roles``) reaches its own attempt only through the exam_tui_*
functions, and asks the sign-in desk (services.desk) for what those cannot do: :class:`DeskFront` and
:class:`DeskLink`. :func:`front_for` picks one by what the database lets this connection do, so the
same ``exam-tui sit`` runs on both.

The front covers signing in, waiting for the start and beginning; the link is one attempt: saves,
incidents, heartbeats, the hand-in and the result as the candidate may see it.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from exam_tui.services import admission, answers, attempts
from exam_tui.services.admission import Admission
from exam_tui.services.answers import SaveAck, Tick
from exam_tui.services.attempts import AttemptClosed, AttemptResult, AttemptState, TerminalReplaced
from exam_tui.services.desk import admission_from, result_from
from exam_tui.services.roles import CandidateGateway, TokenRefused, call_function
from exam_tui.services.runtime import Database, MaybeClock, is_terminal_role
from exam_tui.services.sessions import SessionError

# How long a terminal waits for the desk before telling the candidate to call the proctor.
DESK_WAIT_SECONDS = 20.0
_POLL = (0.05, 0.1, 0.2, 0.3, 0.5)


class DeskUnavailable(Exception):
    """No desk answered in time (none running on the proctor's machine, or the network is away)."""


class Link(Protocol):
    """One attempt as a terminal reaches it. Each call raises AttemptClosed once the attempt takes no
    more answers, and TerminalReplaced once another terminal has begun it since this one did."""

    attempt_id: int

    def save(
        self, *, item: int, answer: Any, flagged: bool, revision: int, current_item: int | None
    ) -> SaveAck: ...

    def incident(self, kind: str, details: dict[str, Any] | None) -> None: ...

    def heartbeat(self, *, current_item: int | None) -> Tick: ...

    def hand_in(self, reason: str) -> AttemptResult: ...

    def result(self) -> AttemptResult: ...


class Front(Protocol):
    def admit(
        self, *, login: str, access_code: str, name: str | None, session_id: int | None
    ) -> Admission: ...

    def session_state(self, session_id: int) -> str: ...

    def begin(self, admitted: Admission, *, hostname: str | None) -> tuple[AttemptState, Link]: ...


# ---- with the proctor's rights ---------------------------------------------------------------------


@dataclass
class DirectLink:
    """The attempt through the services. With the token its begin issued, a save, an incident or a
    heartbeat after a later begin on another terminal raises TerminalReplaced and writes nothing."""

    db: Database
    attempt_id: int
    clock: MaybeClock = None
    token: str | None = None

    def save(
        self, *, item: int, answer: Any, flagged: bool, revision: int, current_item: int | None
    ) -> SaveAck:
        return answers.save_answer(
            self.db,
            self.attempt_id,
            item=item,
            answer=answer,
            flagged=flagged,
            revision=revision,
            current_item=current_item,
            clock=self.clock,
            token=self.token,
        )

    def incident(self, kind: str, details: dict[str, Any] | None) -> None:
        answers.record_incident(
            self.db, self.attempt_id, kind, details or {}, clock=self.clock, token=self.token
        )

    def heartbeat(self, *, current_item: int | None) -> Tick:
        return answers.heartbeat(
            self.db, self.attempt_id, current_item=current_item, clock=self.clock, token=self.token
        )

    def hand_in(self, reason: str) -> AttemptResult:
        return attempts.as_candidate_sees(
            attempts.hand_in(self.db, self.attempt_id, reason=reason, clock=self.clock)
        )

    def result(self) -> AttemptResult:
        return attempts.as_candidate_sees(attempts.result(self.db, self.attempt_id))


@dataclass
class DirectFront:
    db: Database
    clock: MaybeClock = None

    def admit(self, *, login: str, access_code: str, name: str | None, session_id: int | None) -> Admission:
        return admission.admit(
            self.db, login=login, access_code=access_code, name=name, session_id=session_id, clock=self.clock
        )

    def session_state(self, session_id: int) -> str:
        return admission.session_state(self.db, session_id)

    def begin(self, admitted: Admission, *, hostname: str | None) -> tuple[AttemptState, Link]:
        state = attempts.begin_sitting(
            self.db,
            session_id=admitted.session.id,
            cadre_id=admitted.candidate.cadre_id,
            hostname=hostname,
            clock=self.clock,
        )
        return state, DirectLink(self.db, state.attempt_id, self.clock, state.token)


# ---- as the candidate-terminal role, through the desk ------------------------------------------------


class _Desk:
    """Requests to the desk under one terminal secret, and the wait for their outcomes."""

    def __init__(self, db: Database, secret: str, wait_seconds: float) -> None:
        self.db, self.secret, self.wait_seconds = db, secret, wait_seconds

    def _one(self, sql: str, **values: Any) -> Any:
        (row,) = call_function(self.db, sql, {"token": self.secret, **values})
        return row[0]

    def ask(
        self, kind: str, *, attempt_id: int | None = None, params: dict[str, Any], hostname: str | None = None
    ) -> int:
        return int(
            self._one(
                "SELECT exam_tui_desk_ask(:kind, :token, :attempt, CAST(:params AS json), :hostname)",
                kind=kind,
                attempt=attempt_id,
                params=json.dumps(params, ensure_ascii=False),
                hostname=hostname,
            )
        )

    def outcome(self, request_id: int) -> dict[str, Any]:
        """The request's outcome once a desk has served it: its ``ok`` part; a refusal raised as the
        SessionError (or AttemptClosed) the desk met; DeskUnavailable after ``wait_seconds``."""
        deadline = time.monotonic() + self.wait_seconds
        for n in range(1_000_000):
            data = self._one("SELECT exam_tui_desk_outcome(:request, :token)", request=request_id)
            if data is not None:
                if "ok" in data:
                    return dict(data["ok"])
                if "closed" in data:
                    raise AttemptClosed(str(data["closed"]))
                error = data.get("error") or {}
                raise SessionError(str(error.get("key") or "desk.failed"), **(error.get("params") or {}))
            if time.monotonic() >= deadline:
                break
            time.sleep(_POLL[min(n, len(_POLL) - 1)])
        raise DeskUnavailable(f"request {request_id}")


class DeskLink:
    """One attempt as the candidate-terminal role holds it: the gateway's functions for answers, and
    the desk for the hand-in and the result. A hand-in asked once is waited for again on a retry (the
    saver retries until it lands), never asked twice."""

    def __init__(self, db: Database, attempt_id: int, secret: str, wait_seconds: float) -> None:
        self.attempt_id = attempt_id
        self.gateway = CandidateGateway(db, attempt_id, secret)
        self.desk = _Desk(db, secret, wait_seconds)
        self._hand_in_request: int | None = None

    def save(
        self, *, item: int, answer: Any, flagged: bool, revision: int, current_item: int | None
    ) -> SaveAck:
        with _replaced_when_refused(self.attempt_id):
            return self.gateway.save(
                item=item, answer=answer, flagged=flagged, revision=revision, current_item=current_item
            )

    def incident(self, kind: str, details: dict[str, Any] | None) -> None:
        with _replaced_when_refused(self.attempt_id):
            self.gateway.incident(kind, details)

    def heartbeat(self, *, current_item: int | None) -> Tick:
        with _replaced_when_refused(self.attempt_id):
            return self.gateway.heartbeat(current_item=current_item)

    def hand_in(self, reason: str) -> AttemptResult:
        with _replaced_when_refused(self.attempt_id):
            if self._hand_in_request is None:
                self._hand_in_request = self.desk.ask(
                    "hand_in", attempt_id=self.attempt_id, params={"reason": reason}
                )
            return result_from(self.desk.outcome(self._hand_in_request))

    def result(self) -> AttemptResult:
        with _replaced_when_refused(self.attempt_id):
            return result_from(
                self.desk.outcome(self.desk.ask("result", attempt_id=self.attempt_id, params={}))
            )


@contextmanager
def _replaced_when_refused(attempt_id: int) -> Iterator[None]:
    """The token this terminal began with is the only thing the database checks; refused, it was
    replaced by a later begin on another terminal (the link holds no other attempt's id)."""
    try:
        yield
    except TokenRefused as exc:
        raise TerminalReplaced(f"attempt {attempt_id}") from exc


class DeskFront:
    """Signing in through the desk. Each sign-in draws a new terminal secret; the admission it gives
    is the only one this terminal may begin, and the secret becomes the attempt's token."""

    def __init__(self, db: Database, *, wait_seconds: float = DESK_WAIT_SECONDS) -> None:
        self.db, self.wait_seconds = db, wait_seconds
        self._desk: _Desk | None = None
        self._admit_request: int | None = None

    def admit(self, *, login: str, access_code: str, name: str | None, session_id: int | None) -> Admission:
        desk = _Desk(self.db, secrets.token_urlsafe(32), self.wait_seconds)
        request = desk.ask(
            "admit", params={"login": login, "access_code": access_code, "name": name, "session": session_id}
        )
        admitted = admission_from(desk.outcome(request))
        self._desk, self._admit_request = desk, request
        return admitted

    def session_state(self, session_id: int) -> str:
        desk, request = self._signed_in()
        return str(desk._one("SELECT exam_tui_session_state(:admit, :token)", admit=request))

    def begin(self, admitted: Admission, *, hostname: str | None) -> tuple[AttemptState, Link]:
        desk, request = self._signed_in()
        began = desk.outcome(desk.ask("begin", params={"admit": request}, hostname=hostname))
        link = DeskLink(self.db, int(began["attempt_id"]), desk.secret, self.wait_seconds)
        own = link.gateway.answers()
        state = AttemptState(
            attempt_id=link.attempt_id,
            paper=link.gateway.paper(),
            answers=own.answers,
            flagged=own.flagged,
            revisions=own.revisions,
            current_item=int(began["current_item"]),
            deadline_at=datetime.fromisoformat(began["deadline_at"]),
            server_now=datetime.fromisoformat(began["server_now"]),
            resumed=bool(began["resumed"]),
        )
        return state, link

    def _signed_in(self) -> tuple[_Desk, int]:
        if self._desk is None or self._admit_request is None:
            raise SessionError("desk.no_admission")
        return self._desk, self._admit_request


def front_for(db: Database, *, clock: MaybeClock = None) -> Front:
    """The desk's way for a lab machine signed in as the candidate-terminal role, else the direct one."""
    return DeskFront(db) if is_terminal_role(db) else DirectFront(db, clock)
