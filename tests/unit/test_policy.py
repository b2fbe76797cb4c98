"""The appointment decision (domain.policy) as one table, plus when a new sitting may begin."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from exam_tui.domain.policy import (
    DEFAULT_RETAKE_GAP_DAYS,
    Decision,
    Outcome,
    Reason,
    RetakeRule,
    Sitting,
    Status,
    decide,
    may_begin,
    retake_date,
)

BEIJING = timezone(timedelta(hours=8))
DAY0 = date(2026, 11, 23)  # a Monday: the first sitting


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment ``day`` days after DAY0, Beijing time."""
    return datetime.combine(DAY0 + timedelta(days=day), datetime.min.time(), tzinfo=BEIJING).replace(
        hour=hour, minute=minute
    )


def sat(
    outcome: Outcome,
    day: int,
    hour: int = 9,
    *,
    ended: datetime | None = None,
    score: float = 0,
    permitted: bool | None = None,
) -> Sitting:
    """A sitting begun on ``day`` at ``hour``, ended an hour later unless ``ended`` says otherwise."""
    began = at(day, hour)
    if outcome is Outcome.IN_PROGRESS:
        return Sitting(at=began, outcome=outcome, permitted=permitted)
    return Sitting(
        at=began,
        outcome=outcome,
        ended_at=ended or began + timedelta(hours=1),
        score=score,
        permitted=permitted,
    )


FAIL, PASS, ABSENT, TERMINATED = Outcome.FAILED, Outcome.PASSED, Outcome.ABSENT, Outcome.TERMINATED
TWO = RetakeRule(max_attempts=2)  # the pre-appointment exam: one retake, 7 days after
THREE = RetakeRule(max_attempts=3)
ONE = RetakeRule(max_attempts=1)
SAME_DAY = RetakeRule(max_attempts=2, gap_days=0)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


# (sittings, rule) → (status, reason, attempts_used, retake_from, attempts_exhausted, ignored reasons)
CASES = [
    pytest.param([], TWO, Status.PENDING_EXAM, Reason.NOT_SAT, 0, None, False, [], id="no-sitting"),
    pytest.param(
        [sat(Outcome.IN_PROGRESS, 0)],
        TWO,
        Status.PENDING_EXAM,
        Reason.IN_PROGRESS,
        1,
        None,
        False,
        [],
        id="in-progress",
    ),
    pytest.param(
        [sat(Outcome.PENDING_GRADING, 0)],
        TWO,
        Status.PENDING_EXAM,
        Reason.PENDING_GRADING,
        1,
        None,
        False,
        [],
        id="first-sitting-pending-grading",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(Outcome.PENDING_GRADING, 7)],
        THREE,
        Status.DEFERRED,
        Reason.PENDING_GRADING,
        2,
        None,
        False,
        [],
        id="retake-pending-grading-stays-deferred",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(Outcome.IN_PROGRESS, 7)],
        TWO,
        Status.DEFERRED,
        Reason.IN_PROGRESS,
        2,
        None,
        True,
        [],
        id="retake-in-progress-stays-deferred",
    ),
    pytest.param([sat(PASS, 0, score=92)], TWO, Status.CLEARED, Reason.PASSED, 1, None, False, [], id="pass"),
    pytest.param([sat(FAIL, 0)], TWO, Status.DEFERRED, Reason.FAILED, 1, day(7), False, [], id="fail"),
    pytest.param([sat(ABSENT, 0)], TWO, Status.DEFERRED, Reason.ABSENT, 1, day(7), False, [], id="absent"),
    pytest.param(
        [sat(TERMINATED, 0)], TWO, Status.DEFERRED, Reason.TERMINATED, 1, day(7), False, [], id="terminated"
    ),
    pytest.param(
        [sat(FAIL, 0), sat(PASS, 8)],
        TWO,
        Status.CLEARED,
        Reason.PASSED,
        2,
        None,
        True,
        [],
        id="fail-then-pass-after-the-gap",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(PASS, 3)],
        TWO,
        Status.DEFERRED,
        Reason.FAILED,
        1,
        day(7),
        False,
        ["retake_too_early"],
        id="fail-then-retake-too-early-is-ignored",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(PASS, 6, 23)],
        TWO,
        Status.DEFERRED,
        Reason.FAILED,
        1,
        day(7),
        False,
        ["retake_too_early"],
        id="retake-the-evening-before-the-permitted-day",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(FAIL, 7)],
        TWO,
        Status.DEFERRED,
        Reason.FAILED,
        2,
        None,
        True,
        [],
        id="fail-fail-max-2-exhausted",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(FAIL, 7), sat(PASS, 14)],
        TWO,
        Status.DEFERRED,
        Reason.FAILED,
        2,
        None,
        True,
        ["attempts_exhausted"],
        id="a-third-sitting-beyond-max-2-is-ignored",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(FAIL, 7)],
        THREE,
        Status.DEFERRED,
        Reason.FAILED,
        2,
        day(14),
        False,
        [],
        id="fail-fail-max-3-retake-from-the-second",
    ),
    pytest.param(
        [sat(ABSENT, 0), sat(PASS, 7)],
        TWO,
        Status.CLEARED,
        Reason.PASSED,
        2,
        None,
        True,
        [],
        id="absent-then-pass",
    ),
    pytest.param(
        [sat(TERMINATED, 0), sat(FAIL, 9)],
        THREE,
        Status.DEFERRED,
        Reason.FAILED,
        2,
        day(16),
        False,
        [],
        id="terminated-then-fail",
    ),
    pytest.param(
        [sat(TERMINATED, 0), sat(FAIL, 9)],
        TWO,
        Status.DEFERRED,
        Reason.FAILED,
        2,
        None,
        True,
        [],
        id="terminated-then-fail-max-2",
    ),
    pytest.param(
        [sat(PASS, 0), sat(FAIL, 10)],
        TWO,
        Status.CLEARED,
        Reason.PASSED,
        1,
        None,
        False,
        ["after_cleared"],
        id="pass-then-another-sitting-is-ignored",
    ),
    pytest.param(
        [sat(FAIL, 0, 9), sat(PASS, 0, 15)],
        SAME_DAY,
        Status.CLEARED,
        Reason.PASSED,
        2,
        None,
        True,
        [],
        id="gap-0-same-day-retake",
    ),
    pytest.param(
        [sat(FAIL, 0, 9)],
        SAME_DAY,
        Status.DEFERRED,
        Reason.FAILED,
        1,
        day(0),
        False,
        [],
        id="gap-0-retake-from-today",
    ),
    pytest.param(
        [sat(FAIL, 0, 9), sat(PASS, 7, 0)],
        TWO,
        Status.CLEARED,
        Reason.PASSED,
        2,
        None,
        True,
        [],
        id="retake-at-midnight-of-the-permitted-day",
    ),
    pytest.param(
        [sat(FAIL, 0, 23, ended=at(1, 0, 20)), sat(PASS, 7, 10)],
        TWO,
        Status.DEFERRED,
        Reason.FAILED,
        1,
        day(8),
        False,
        ["retake_too_early"],
        id="gap-counts-from-the-day-the-sitting-ended",
    ),
    pytest.param([sat(FAIL, 0)], ONE, Status.DEFERRED, Reason.FAILED, 1, None, True, [], id="max-1-fail"),
    pytest.param(
        [sat(FAIL, 0), sat(PASS, 30)],
        ONE,
        Status.DEFERRED,
        Reason.FAILED,
        1,
        None,
        True,
        ["attempts_exhausted"],
        id="max-1-no-retake-counts",
    ),
    pytest.param([sat(PASS, 0)], ONE, Status.CLEARED, Reason.PASSED, 1, None, True, [], id="max-1-pass"),
    pytest.param(
        [sat(Outcome.IN_PROGRESS, 0, 9), sat(PASS, 0, 10)],
        TWO,
        Status.PENDING_EXAM,
        Reason.IN_PROGRESS,
        1,
        None,
        False,
        ["overlapping"],
        id="a-second-sitting-while-one-is-under-way-is-ignored",
    ),
    pytest.param(
        [sat(PASS, 8), sat(FAIL, 0)],
        TWO,
        Status.CLEARED,
        Reason.PASSED,
        2,
        None,
        True,
        [],
        id="sittings-are-taken-in-time-order",
    ),
    # Judged when it happened: a sitting sign-in let begin counts under a rule that would refuse it
    # today (the gap was 0 that day and is 7 now; the limit was lowered), and an absence from a session
    # the cadre could not have sat never counts, whatever the rule has become.
    pytest.param(
        [sat(FAIL, 0), sat(PASS, 0, 14, permitted=True)],
        TWO,
        Status.CLEARED,
        Reason.PASSED,
        2,
        None,
        True,
        [],
        id="a-retake-permitted-that-day-counts-after-the-gap-grew",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(PASS, 8, permitted=True)],
        ONE,
        Status.CLEARED,
        Reason.PASSED,
        2,
        None,
        True,
        [],
        id="a-retake-permitted-that-day-counts-after-the-limit-fell",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(ABSENT, 2, permitted=False)],
        SAME_DAY,
        Status.DEFERRED,
        Reason.FAILED,
        1,
        day(0),
        False,
        ["not_permitted"],
        id="an-absence-from-a-session-too-early-to-sit-never-counts",
    ),
    pytest.param(
        [sat(FAIL, 0), sat(ABSENT, 8, permitted=True)],
        TWO,
        Status.DEFERRED,
        Reason.ABSENT,
        2,
        None,
        True,
        [],
        id="an-absence-from-a-permitted-retake-uses-the-last-attempt",
    ),
]


@pytest.mark.parametrize(
    ("sittings", "rule", "status", "reason", "used", "retake_from", "exhausted", "ignored"), CASES
)
def test_decide(
    sittings: list[Sitting],
    rule: RetakeRule,
    status: Status,
    reason: Reason,
    used: int,
    retake_from: date | None,
    exhausted: bool,
    ignored: list[str],
) -> None:
    decision = decide(sittings, rule)
    assert (
        decision.status,
        decision.reason,
        decision.attempts_used,
        decision.retake_from,
        decision.attempts_exhausted,
    ) == (status, reason, used, retake_from, exhausted)
    assert [why for _, why in decision.ignored] == ignored
    assert decision.retake_permitted == (status is Status.DEFERRED and retake_from is not None)


def test_the_deciding_sitting_carries_the_score_and_attempt() -> None:
    first = Sitting(at(0), FAIL, at(0, 10), score=62, attempt_id=11, session_id=1)
    second = Sitting(at(7), PASS, at(7, 10), score=88, attempt_id=12, session_id=2)
    too_early = Sitting(at(2), PASS, at(2, 10), score=95, attempt_id=13, session_id=3)
    failed = decide([first], TWO)
    assert failed.deciding == first
    cleared = decide([too_early, second, first], TWO)
    assert cleared.deciding == second and cleared.ignored == ((too_early, "retake_too_early"),)
    assert decide([], TWO).deciding is None


def test_default_gap_is_seven_days() -> None:
    assert RetakeRule(max_attempts=2).gap_days == DEFAULT_RETAKE_GAP_DAYS == 7


@pytest.mark.parametrize(
    ("ended", "gap", "expected"),
    [
        pytest.param(at(0, 9), 7, day(7), id="seven-days"),
        pytest.param(at(0, 23, 59), 7, day(7), id="late-evening-same-day"),
        pytest.param(at(0, 9), 0, day(0), id="gap-0"),
        pytest.param(at(0, 9), 3, day(3), id="gap-3"),
        pytest.param(datetime(2026, 12, 29, 10, tzinfo=BEIJING), 7, date(2027, 1, 5), id="over-new-year"),
    ],
)
def test_retake_date(ended: datetime, gap: int, expected: date) -> None:
    assert retake_date(ended, gap) == expected


def _deferred(
    retake_from: date | None, *, exhausted: bool = False, reason: Reason = Reason.FAILED
) -> Decision:
    return Decision(Status.DEFERRED, reason, 1, None, retake_from, exhausted)


@pytest.mark.parametrize(
    ("decision", "today", "allowed"),
    [
        pytest.param(decide([], TWO), day(0), True, id="not-sat-yet"),
        pytest.param(decide([sat(PASS, 0)], TWO), day(30), False, id="cleared"),
        pytest.param(decide([sat(Outcome.IN_PROGRESS, 0)], TWO), day(0), False, id="under-way"),
        pytest.param(decide([sat(Outcome.PENDING_GRADING, 0)], TWO), day(9), False, id="awaiting-a-grader"),
        pytest.param(
            decide([sat(FAIL, 0), sat(Outcome.PENDING_GRADING, 7)], THREE),
            day(20),
            False,
            id="retake-awaiting-a-grader",
        ),
        pytest.param(decide([sat(FAIL, 0)], TWO), day(1), False, id="day-after-a-fail"),
        pytest.param(decide([sat(FAIL, 0)], TWO), day(6), False, id="day-before-the-permitted-day"),
        pytest.param(decide([sat(FAIL, 0)], TWO), day(7), True, id="on-the-permitted-day"),
        pytest.param(decide([sat(FAIL, 0)], TWO), day(40), True, id="long-after"),
        pytest.param(decide([sat(ABSENT, 0)], TWO), day(7), True, id="after-an-absence"),
        pytest.param(decide([sat(TERMINATED, 0)], TWO), day(6), False, id="too-soon-after-termination"),
        pytest.param(decide([sat(FAIL, 0), sat(FAIL, 7)], TWO), day(30), False, id="exhausted"),
        pytest.param(decide([sat(FAIL, 0)], ONE), day(30), False, id="max-1-exhausted"),
        pytest.param(decide([sat(FAIL, 0)], SAME_DAY), day(0), True, id="gap-0-same-day"),
        pytest.param(_deferred(None), day(0), True, id="deferred-without-a-date"),
        pytest.param(_deferred(day(5), exhausted=True), day(9), False, id="exhausted-wins-over-the-date"),
    ],
)
def test_may_begin(decision: Decision, today: date, allowed: bool) -> None:
    assert may_begin(decision, today) is allowed
