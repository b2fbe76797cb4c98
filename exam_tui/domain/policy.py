"""The appointment decision (任前考试 → 通过 or 暂缓任用) and when a retake (补考) is permitted.

A decision is a function of the cadre's sittings of the pre-appointment exam since the appointment was
proposed, the exam's attempt limit and the minimum gap between sittings. Nobody types a decision in:
services call :func:`decide` whenever an attempt, a grade or an appeal changes, and store what it says.
An admin's override sits on top of it (with a reason) and is not this module's business.

Rules, in the order they apply:

- Sittings are taken in time order. A sitting that began before the retake it follows was permitted
  (too early, or beyond the attempt limit) does not count: it can neither clear nor fail anyone.
  Whether a sitting was permitted is judged under the rules in force when it happened: a sitting
  recorded as permitted (``Sitting.permitted``: sign-in let the cadre begin) counts, and one recorded as
  not permitted does not, whatever the gap or the limit is today. Only a sitting with no such record is
  judged by the rule given.
- A graded, passed sitting clears the appointment.
- A sitting under way or awaiting a grader leaves the decision pending on the first sitting, and keeps a
  deferral in place on a retake (the appointment stays deferred until a retake is passed).
- A failed sitting, an absence (缺考) or a sitting terminated for misconduct defers the appointment, with
  that as the reason; a retake is permitted ``gap_days`` after it while attempts remain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

DEFAULT_RETAKE_GAP_DAYS = 7


class Status(StrEnum):
    PENDING_EXAM = "pending_exam"
    CLEARED = "cleared"
    DEFERRED = "deferred"


class Outcome(StrEnum):
    """What one sitting came to."""

    IN_PROGRESS = "in_progress"
    PENDING_GRADING = "pending_grading"
    PASSED = "passed"
    FAILED = "failed"
    ABSENT = "absent"
    TERMINATED = "terminated"


class Reason(StrEnum):
    NOT_SAT = "not_sat"  # no sitting yet
    IN_PROGRESS = "in_progress"
    PENDING_GRADING = "pending_grading"
    PASSED = "passed"
    FAILED = "failed"
    ABSENT = "absent"
    TERMINATED = "terminated"


@dataclass(frozen=True)
class Sitting:
    """One sitting of the exam by the cadre: an attempt, or an absence from a session they were seated in.

    ``at`` is when it began (an absence: when the session started); ``ended_at`` when it was handed in
    (an absence: the same as ``at``). ``attempt_id`` is None for an absence.
    """

    at: datetime
    outcome: Outcome
    ended_at: datetime | None = None
    score: float | None = None
    attempt_id: int | None = None
    session_id: int | None = None
    # Judged when it happened: True, the rules then let it begin; False, they did not (an absence from a
    # session the cadre could not have sat); None, judge it by today's rule.
    permitted: bool | None = None


@dataclass(frozen=True)
class RetakeRule:
    max_attempts: int
    gap_days: int = DEFAULT_RETAKE_GAP_DAYS


@dataclass(frozen=True)
class Decision:
    status: Status
    reason: Reason
    attempts_used: int
    # The sitting the decision rests on (its attempt, its score); None before any sitting.
    deciding: Sitting | None
    # Deferred with attempts left: the first day a retake may begin. None when no retake is possible.
    retake_from: date | None
    attempts_exhausted: bool
    # Sittings that did not count, each with why (too early, beyond the limit).
    ignored: tuple[tuple[Sitting, str], ...] = ()

    @property
    def retake_permitted(self) -> bool:
        return self.status is Status.DEFERRED and self.retake_from is not None


_DEFERRING = {
    Outcome.FAILED: Reason.FAILED,
    Outcome.ABSENT: Reason.ABSENT,
    Outcome.TERMINATED: Reason.TERMINATED,
}


def retake_date(ended: datetime, gap_days: int) -> date:
    """The first day a retake may begin: ``gap_days`` calendar days after the day the sitting ended."""
    return (ended + timedelta(days=gap_days)).date()


def decide(sittings: Sequence[Sitting], rule: RetakeRule) -> Decision:
    """The appointment decision for these sittings under ``rule``; see the module's rules."""
    counted: list[Sitting] = []
    ignored: list[tuple[Sitting, str]] = []
    permitted_from: date | None = None  # None: the next sitting may begin at any time
    for sitting in sorted(sittings, key=lambda s: s.at):
        if counted and counted[-1].outcome is Outcome.PASSED:
            ignored.append((sitting, "after_cleared"))
            continue
        if counted and counted[-1].outcome in (Outcome.IN_PROGRESS, Outcome.PENDING_GRADING):
            # Two sittings at once cannot both count; the first one's result is still to come.
            ignored.append((sitting, "overlapping"))
            continue
        if sitting.permitted is False:
            ignored.append((sitting, "not_permitted"))
            continue
        if sitting.permitted is None and len(counted) >= rule.max_attempts:
            ignored.append((sitting, "attempts_exhausted"))
            continue
        if sitting.permitted is None and permitted_from is not None and sitting.at.date() < permitted_from:
            ignored.append((sitting, "retake_too_early"))
            continue
        counted.append(sitting)
        if sitting.outcome in _DEFERRING:
            permitted_from = retake_date(sitting.ended_at or sitting.at, rule.gap_days)
    used = len(counted)
    exhausted = used >= rule.max_attempts
    if not counted:
        return Decision(Status.PENDING_EXAM, Reason.NOT_SAT, 0, None, None, False, tuple(ignored))
    last = counted[-1]
    if last.outcome is Outcome.PASSED:
        return Decision(Status.CLEARED, Reason.PASSED, used, last, None, exhausted, tuple(ignored))
    if last.outcome in (Outcome.IN_PROGRESS, Outcome.PENDING_GRADING):
        reason = Reason(last.outcome.value)
        status = Status.PENDING_EXAM if used == 1 else Status.DEFERRED
        return Decision(status, reason, used, last, None, exhausted, tuple(ignored))
    return Decision(
        Status.DEFERRED,
        _DEFERRING[last.outcome],
        used,
        last,
        None if exhausted else permitted_from,
        exhausted,
        tuple(ignored),
    )


def may_begin(decision: Decision, today: date) -> bool:
    """Whether a new sitting begun ``today`` would count (a candidate signing in to a retake)."""
    if decision.status is Status.CLEARED or decision.attempts_exhausted:
        return False
    if decision.reason in (Reason.IN_PROGRESS, Reason.PENDING_GRADING):
        return False
    return decision.retake_from is None or today >= decision.retake_from
