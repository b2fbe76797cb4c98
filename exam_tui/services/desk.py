"""The sign-in desk: what a lab terminal running as the candidate-terminal role cannot do itself — sign
in, draw and begin its paper, hand in (which grades) and read its result — done for it by a process
with the proctor's rights (``exam-tui desk``, or any proctor console open on the database).

Terminals ask through store.desk_functions; each request waits in ``terminal_request`` until a desk
claims it (a claim older than ``CLAIM_SECONDS`` is taken over, so a desk killed mid-request loses
nothing: every request is safe to serve twice). The desk runs the very services a terminal with the
proctor's rights would run (admission.admit, attempts.begin, attempts.hand_in, attempts.result), so
the rules are the same ones, and writes the outcome: what the candidate may see (the result cut to the
exam's review policy), or the refusal's message key. Several desks may serve one database at once.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from exam_tui.domain.paper import Paper
from exam_tui.services import admission, attempts
from exam_tui.services.admission import Admission, Candidate, ExamBrief
from exam_tui.services.answers import LATE_WRITE_GRACE
from exam_tui.services.attempts import IN_PROGRESS, AttemptClosed, AttemptResult, ItemReview
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError, SessionView
from exam_tui.store.desk_functions import CHANNEL
from exam_tui.store.models import AttemptRow
from exam_tui.store.models_desk import TerminalRequestRow

log = logging.getLogger(__name__)

CLAIM_SECONDS = 30.0


# ---- what travels in an outcome ------------------------------------------------------------------------


def admission_json(a: Admission) -> dict[str, Any]:
    data = asdict(a)
    data["session"]["starts_at"] = a.session.starts_at.isoformat()
    return data


def admission_from(data: dict[str, Any]) -> Admission:
    session = dict(data["session"])
    session["starts_at"] = datetime.fromisoformat(session["starts_at"])
    return Admission(
        session=SessionView(**session),
        candidate=Candidate(**data["candidate"]),
        exam=ExamBrief(**data["exam"]),
        resuming=bool(data["resuming"]),
    )


def result_json(r: AttemptResult) -> dict[str, Any]:
    data = asdict(r)
    data["paper"] = r.paper.to_json()
    return data


def result_from(data: dict[str, Any]) -> AttemptResult:
    fields = dict(data)
    fields["paper"] = Paper.from_json(data["paper"])
    fields["items"] = [ItemReview(**item) for item in data["items"]]
    return AttemptResult(**fields)


# ---- serving ---------------------------------------------------------------------------------------------


def claim(db: Database, *, clock: MaybeClock = None) -> TerminalRequestRow | None:
    """The oldest request nobody serves (or whose desk has been silent for CLAIM_SECONDS), claimed."""
    with db.write() as session:
        now = now_in(session, clock)
        row = session.execute(
            select(TerminalRequestRow)
            .where(
                TerminalRequestRow.done_at.is_(None),  # type: ignore[union-attr]
                or_(
                    TerminalRequestRow.claimed_at.is_(None),  # type: ignore[union-attr]
                    TerminalRequestRow.claimed_at < now - timedelta(seconds=CLAIM_SECONDS),  # type: ignore[operator]
                ),
            )
            .order_by(TerminalRequestRow.id)  # type: ignore[arg-type]
            .limit(1)
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if row is not None:
            row.claimed_at = now
            session.add(row)
    return row


def serve_pending(db: Database, *, clock: MaybeClock = None) -> int:
    """Serve every request waiting now; how many were served."""
    served = 0
    while (row := claim(db, clock=clock)) is not None:
        serve(db, row, clock=clock)
        served += 1
    return served


def serve(db: Database, row: TerminalRequestRow, *, clock: MaybeClock = None) -> None:
    params: dict[str, Any] = dict(row.params)
    attempt_id = row.attempt_id
    try:
        if row.kind == "admit":
            ok, params = _admit(db, params, clock)
        elif row.kind == "begin":
            ok, attempt_id = _begin(db, row, params, clock)
        elif row.kind == "hand_in":
            assert attempt_id is not None
            reason = "time_up" if params.get("reason") == "time_up" else "candidate"
            ok = result_json(
                attempts.as_candidate_sees(attempts.hand_in(db, attempt_id, reason=reason, clock=clock))
            )
        elif row.kind == "result":
            assert attempt_id is not None
            ok = _result(db, attempt_id)
        else:
            raise SessionError("desk.unknown_request", kind=row.kind)
        outcome: dict[str, Any] = {"ok": ok}
    except SessionError as exc:
        outcome = {"error": {"key": exc.key, "params": _plain(exc.params)}}
        if row.kind == "admit":
            params = {}
    except AttemptClosed as exc:
        outcome = {"closed": exc.reason}
    except Exception as exc:  # a fault of the desk's own: the terminal is told, the desk goes on
        log.exception("terminal request %s (%s) failed", row.id, row.kind)
        outcome = {"error": {"key": "desk.failed", "params": {"detail": str(exc).splitlines()[0][:200]}}}
        if row.kind == "admit":
            params = {}
    with db.write() as session:
        stored = session.get(TerminalRequestRow, row.id, with_for_update=True)
        if stored is None or stored.done_at is not None:
            return  # another desk took it over and finished first: its outcome stands
        stored.params, stored.outcome, stored.attempt_id = params, outcome, attempt_id
        stored.done_at = now_in(session, clock)
        session.add(stored)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, str | int | float | bool) or v is None else str(v) for k, v in params.items()
    }


def _admit(db: Database, params: dict[str, Any], clock: MaybeClock) -> tuple[dict[str, Any], dict[str, Any]]:
    admitted = admission.admit(
        db,
        login=str(params.get("login") or ""),
        access_code=str(params.get("access_code") or ""),
        name=params.get("name"),
        session_id=params.get("session"),
        clock=clock,
    )
    # The ID number and the code are not kept: what a later begin needs is who and where.
    kept = {"session": admitted.session.id, "cadre": admitted.candidate.cadre_id}
    return admission_json(admitted), kept


def _begin(
    db: Database, row: TerminalRequestRow, params: dict[str, Any], clock: MaybeClock
) -> tuple[dict[str, Any], int]:
    with db.read() as session:
        admit = session.get(TerminalRequestRow, params.get("admit"))
    if (
        admit is None
        or admit.kind != "admit"
        or admit.token_hash != row.token_hash
        or not (admit.outcome or {}).get("ok")
    ):
        raise SessionError("desk.no_admission")
    state = attempts.begin(
        db,
        session_id=int(admit.params["session"]),
        cadre_id=int(admit.params["cadre"]),
        hostname=row.hostname,
        clock=clock,
        token_hash=row.token_hash,
    )
    ok = {
        "attempt_id": state.attempt_id,
        "current_item": state.current_item,
        "deadline_at": state.deadline_at.isoformat(),
        "server_now": state.server_now.isoformat(),
        "resumed": state.resumed,
    }
    return ok, state.attempt_id


def _result(db: Database, attempt_id: int) -> dict[str, Any]:
    result = attempts.result(db, attempt_id)
    if result.state == IN_PROGRESS:
        raise SessionError("desk.not_handed_in")  # the keys stay with the desk until hand-in
    return result_json(attempts.as_candidate_sees(result))


def hand_in_overdue(db: Database, *, clock: MaybeClock = None) -> int:
    """Hand in every attempt still open past its deadline and the late-write grace: a terminal that went
    dark (killed, unplugged) would have done it at its next heartbeat, a lab terminal cannot at all.
    Graded like any hand-in; how many were handed in."""
    with db.read() as session:
        now = now_in(session, clock)
        overdue = (
            session.execute(
                select(AttemptRow.id).where(
                    AttemptRow.state == IN_PROGRESS,
                    AttemptRow.deadline_at < now - LATE_WRITE_GRACE,  # type: ignore[operator]
                )
            )
            .scalars()
            .all()
        )
    for attempt_id in overdue:
        attempts.hand_in(db, attempt_id, reason="time_up", clock=clock)
    return len(overdue)


# ---- the desk as a process ---------------------------------------------------------------------------


def run(
    db: Database,
    stop: threading.Event,
    *,
    on_served: Callable[[int], None] | None = None,
    idle_seconds: float = 1.0,
    sweep_seconds: float = 5.0,
    clock: MaybeClock = None,
) -> None:
    """Serve requests until ``stop`` is set: at once when a terminal's request is announced (LISTEN on
    PostgreSQL), else every ``idle_seconds`` (a notice missed while reconnecting is picked up then);
    every ``sweep_seconds``, hand in the attempts whose time ran out with nobody at the terminal."""
    listener = _Listener(db) if db.backend == "postgresql" else None
    swept = 0.0
    try:
        while not stop.is_set():
            try:
                served = serve_pending(db, clock=clock)
                if time.monotonic() - swept >= sweep_seconds:
                    served += hand_in_overdue(db, clock=clock)
                    swept = time.monotonic()
            except Exception as exc:  # the database away: try again after the pause
                log.warning("desk: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                served = 0
                if listener is not None:
                    listener.close()
            if served and on_served is not None:
                on_served(served)
            if listener is not None:
                listener.wait(idle_seconds)
            else:
                stop.wait(idle_seconds)
    finally:
        if listener is not None:
            listener.close()


class _Listener:
    """A connection of its own that LISTENs on the desk's channel; reopened after a failure."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._raw: Any = None

    def wait(self, seconds: float) -> None:
        try:
            if self._raw is None:
                self._raw = self.db.engine.raw_connection()
                conn = self._raw.driver_connection
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
            for _ in self._raw.driver_connection.notifies(timeout=seconds, stop_after=1):
                break
        except Exception:
            self.close()
            threading.Event().wait(seconds)

    def close(self) -> None:
        if self._raw is not None:
            with contextlib.suppress(Exception):
                self._raw.invalidate()
            self._raw = None
