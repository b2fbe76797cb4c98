"""Appointment decisions through the services (任前考试 → 通过 / 暂缓任用), on SQLite and PostgreSQL.

The demo seats ten cadres with proposed posts in a pre-appointment session (pass mark 80 of 100, two
attempts, the global 7-day gap). Retake dates are calendar days in the exam room's zone, which the
services take from the machine; the tests pin it to Beijing so the dates below hold anywhere.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from exam_tui.services import (
    admission,
    answers,
    appeals,
    appointments,
    attempts,
    banks,
    decision_reports,
    proctoring,
    settings,
)
from exam_tui.services.decision_exports import why_text
from exam_tui.services.decision_reports import DecisionEntry
from exam_tui.services.demo import DEMO_EXAM, seed_demo
from exam_tui.services.runtime import Database
from exam_tui.services.seating import seating_problems
from exam_tui.services.session_control import close_session, start_session
from exam_tui.services.sessions import SessionError, schedule_session
from exam_tui.store.models import AppointmentRow, AuditEventRow, CadreRow
from tests.conftest import FIXED_NOW, STARTER_BANK, SteppingClock
from tests.integration.conftest import sign_in_and_begin

BEIJING = timezone(timedelta(hours=8))
DAY0 = FIXED_NOW.astimezone(BEIJING).date()  # 2026-11-23, the first sitting


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture(autouse=True)
def _exam_room_in_beijing() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "CST-8"  # POSIX form: no zoneinfo files needed
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@dataclass(frozen=True)
class Demo:
    session_id: int
    code: str
    numbers: list[str]  # the ten seated cadres, by ID number


@pytest.fixture
def demo(db: Database, clock: SteppingClock) -> Demo:
    banks.import_files(db, [STARTER_BANK], clock=clock)
    result = seed_demo(db, seed=2026, tz=BEIJING, clock=clock)
    with db.read() as s:
        numbers = sorted(
            s.execute(
                select(CadreRow.id_number).where(CadreRow.proposed_post.is_not(None))  # type: ignore[union-attr]
            ).scalars()
        )
    return Demo(result.session.id, result.session.access_code, numbers)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def _moment(n: int, hour: int = 9) -> datetime:
    """``hour`` o'clock Beijing time, ``n`` days after the first sitting."""
    return datetime.combine(day(n), datetime.min.time(), tzinfo=BEIJING).replace(hour=hour)


def _correct(item: Any) -> Any:
    return [a[0] for a in item.key] if item.type == "fill_blank" else item.key


def _wrong(item: Any) -> Any:
    if item.type == "fill_blank":
        return ["不知道"] * len(item.key)
    if item.type == "multiple":
        return [letter for letter, _ in item.options if letter not in item.key][:1]
    letters = [letter for letter, _ in item.options] if item.options else ["A", "B"]
    return next(letter for letter in letters if letter != item.key)


def _answer(db: Database, clock: SteppingClock, state: attempts.AttemptState, choose: Any) -> None:
    """Save ``choose(item)`` for every item; None leaves the item unanswered."""
    for item in state.paper.items:
        answer = choose(item)
        if answer is not None:
            clock.advance(seconds=5)
            answers.save_answer(
                db, state.attempt_id, item=item.number, answer=answer, flagged=False, revision=1, clock=clock
            )


def _sit(db: Database, clock: SteppingClock, code: str, number: str, *, passing: bool) -> int:
    """Sign in, answer everything right (100) or only the single choices (40), hand in."""
    state = sign_in_and_begin(db, clock, code, number)
    _answer(db, clock, state, lambda item: _correct(item) if passing or item.type == "single" else None)
    clock.advance(minutes=1)
    result = attempts.hand_in(db, state.attempt_id, clock=clock)
    assert result.passed is passing and result.score == (100 if passing else 40)
    return state.attempt_id


def _appointment(db: Database, number: str) -> AppointmentRow:
    """The stored row: the report views leave out which attempt the decision rests on."""
    with db.read() as s:
        return s.execute(
            select(AppointmentRow).join(CadreRow).where(CadreRow.id_number == number)  # type: ignore[arg-type]
        ).scalar_one()


def _deferred(db: Database) -> list[str]:
    """ID numbers on the deferred list (暂缓任用), which goes by the decision in effect."""
    return sorted(v.id_number for v in decision_reports.deferred_list(db))


def _history(db: Database, appointment_id: int | None) -> list[DecisionEntry]:
    assert appointment_id is not None
    return decision_reports.appointment_history(db, appointment_id)[1]


def _refused(db: Database, clock: SteppingClock, code: str, number: str) -> SessionError:
    with pytest.raises(SessionError) as refused:
        admission.admit(db, login=number, access_code=code, clock=clock)
    return refused.value


def _retake_session(db: Database, clock: SteppingClock, numbers: list[str], n: int) -> tuple[int, str]:
    view = schedule_session(
        db,
        exam_ref=DEMO_EXAM,
        title=f"补考(第{n}天)",
        room="第一机房",
        starts_at=_moment(n, 14),
        id_numbers=numbers,
        open_now=True,
        clock=clock,
        actor="管理员甲",
    )
    return view.id, view.access_code


def test_seating_opens_one_appointment_per_cadre_and_a_retake_keeps_it(
    db: Database, demo: Demo, clock: SteppingClock
) -> None:
    with db.read() as s:
        rows = list(s.execute(select(AppointmentRow, CadreRow).join(CadreRow)).all())  # type: ignore[arg-type]
    assert sorted(c.id_number for _, c in rows) == demo.numbers
    assert all(
        (a.post, a.bank_slug, a.exam_slug) == (c.proposed_post, *DEMO_EXAM.split("/")) for a, c in rows
    )
    assert {(a.status, a.reason, a.effective_status, a.attempts_used) for a, _ in rows} == {
        ("pending_exam", "not_sat", "pending_exam", 0)
    }
    first = _history(db, rows[0][0].id)
    assert [(h.source, h.status, h.reason, h.actor, h.note) for h in first] == [
        ("policy", "pending_exam", "not_sat", "demo", "opened")
    ]
    _retake_session(db, clock, demo.numbers[:3], 1)
    with db.read() as s:
        assert len(s.execute(select(AppointmentRow.id)).all()) == 10


def test_fail_defers_retake_waits_for_the_gap_and_a_passed_retake_clears(
    db: Database, demo: Demo, clock: SteppingClock
) -> None:
    x, y = demo.numbers[0], demo.numbers[1]
    start_session(db, demo.session_id, clock=clock)
    first = _sit(db, clock, demo.code, x, passing=False)
    first_at = clock()
    y_first = _sit(db, clock, demo.code, y, passing=False)
    row = _appointment(db, x)
    assert (row.status, row.reason, row.effective_status, row.attempts_used, row.attempt_id, row.score) == (
        "deferred",
        "failed",
        "deferred",
        1,
        first,
        40,
    )
    assert row.retake_from == day(7)
    assert _deferred(db) == sorted([x, y])
    listed = next(v for v in decision_reports.deferred_list(db) if v.id_number == x)
    assert (listed.reason, listed.score, listed.attempts_used, listed.max_attempts, listed.retake_from) == (
        "failed",
        40,
        1,
        2,
        day(7),
    )
    assert x in {v.id_number for v in decision_reports.deferred_list(db, unit=listed.unit)}

    # a retake session the next day: seated, but signing in is refused until the gap has passed
    retake_id, retake_code = _retake_session(db, clock, [x, y], 1)
    clock.now = _moment(1)
    refusal = _refused(db, clock, retake_code, x)
    assert (refusal.key, refusal.params) == ("login.retake_too_early", {"date": day(7).isoformat()})
    clock.now = _moment(6, 23)
    assert _refused(db, clock, retake_code, x).params == {"date": day(7).isoformat()}

    # the global gap is a setting; a shorter one lets the retake in sooner
    decided_at = _appointment(db, x).decided_at
    assert settings.set_setting(db, "retake_gap_days", "3", actor="管理员甲", clock=clock) == 3
    # The retake date moved; the decision (deferred, failed) still dates from the failed sitting.
    assert (_appointment(db, x).retake_from, _appointment(db, x).decided_at) == (day(3), decided_at)
    assert settings.read_settings(db) == {"retake_gap_days": 3}
    clock.now = _moment(2, 23)
    assert _refused(db, clock, retake_code, x).params == {"date": day(3).isoformat()}
    clock.now = _moment(3, 0)
    assert admission.admit(db, login=x, access_code=retake_code, clock=clock).candidate.name
    settings.set_setting(db, "retake_gap_days", "7", actor="管理员甲", clock=clock)
    assert _refused(db, clock, retake_code, x).key == "login.retake_too_early"
    with db.read() as s:
        changes = s.execute(
            select(AuditEventRow.actor, AuditEventRow.details)
            .where(AuditEventRow.action == "setting.set")
            .order_by(AuditEventRow.id)  # type: ignore[arg-type]
        ).all()
    assert [(a, d["before"], d["after"]) for a, d in changes] == [("管理员甲", None, 3), ("管理员甲", "3", 7)]

    # day 7: the retake counts; passing clears the appointment
    clock.now = _moment(7, 9)
    start_session(db, retake_id, clock=clock)
    second = _sit(db, clock, retake_code, x, passing=True)
    second_at = clock()
    row = _appointment(db, x)
    assert (row.status, row.reason, row.effective_status, row.attempts_used, row.attempt_id, row.score) == (
        "cleared",
        "passed",
        "cleared",
        2,
        second,
        100,
    )
    assert row.retake_from is None
    entries = _history(db, row.id)
    # Each change of the gap moved the stored retake date, recorded under the admin who changed it.
    moved = [(h.actor, h.retake_from, h.note) for h in entries if (h.note or "").startswith("setting:")]
    assert moved == [
        ("管理员甲", day(3), "setting:retake_gap_days:-:3"),
        ("管理员甲", day(7), "setting:retake_gap_days:3:7"),
    ]
    assert why_text("policy", moved[1][2]) == "补考间隔天数由 3 改为 7"
    history = [
        (h.source, h.status, h.reason, h.actor, h.at, h.score, h.retake_from, h.note)
        for h in entries
        if not (h.note or "").startswith("setting:")
    ]
    assert history == [
        ("policy", "pending_exam", "not_sat", "demo", FIXED_NOW, None, None, "opened"),
        ("policy", "deferred", "failed", None, first_at, 40, day(7), f"hand_in:{first}:candidate"),
        ("policy", "cleared", "passed", None, second_at, 100, None, f"hand_in:{second}:candidate"),
    ]

    # y fails the retake too: two attempts used, none left
    y_second = _sit(db, clock, retake_code, y, passing=False)
    row = _appointment(db, y)
    assert (row.status, row.reason, row.attempts_used, row.attempt_id, row.retake_from) == (
        "deferred",
        "failed",
        2,
        y_second,
        None,
    )
    assert y_first != y_second and _deferred(db) == [y]
    clock.now = _moment(40)
    _, third_code = _retake_session(db, clock, [y], 40)
    assert _refused(db, clock, third_code, y).key == "login.attempts_exhausted"

    # closing the retake session changes nothing for those who sat it
    close_session(db, retake_id, clock=clock, actor="监考甲")
    assert _appointment(db, x).effective_status == "cleared"
    assert len(_history(db, _appointment(db, x).id)) == len(entries)


def test_an_absence_defers(db: Database, demo: Demo, clock: SteppingClock) -> None:
    marked, no_show, sitter = demo.numbers[:3]
    start_session(db, demo.session_id, clock=clock)
    proctoring.mark_absent(db, demo.session_id, marked, reason="病假", actor="监考甲", clock=clock)
    row = _appointment(db, marked)
    assert (row.status, row.reason, row.attempts_used, row.attempt_id, row.retake_from) == (
        "deferred",
        "absent",
        1,
        None,
        day(7),
    )
    last = _history(db, row.id)[-1]
    assert (last.actor, last.status, last.reason, last.note) == (
        "监考甲",
        "deferred",
        "absent",
        f"absent:{demo.session_id}",
    )
    assert _refused(db, clock, demo.code, marked).key == "login.absent"

    _sit(db, clock, demo.code, sitter, passing=True)
    clock.advance(minutes=70)
    close_session(db, demo.session_id, clock=clock, actor="监考乙")
    row = _appointment(db, no_show)
    assert (row.status, row.reason, row.retake_from) == ("deferred", "absent", day(7))
    assert _history(db, row.id)[-1].actor == "监考乙"
    assert _appointment(db, sitter).effective_status == "cleared"
    assert _deferred(db) == sorted(set(demo.numbers) - {sitter})


def test_a_terminated_sitting_defers(db: Database, demo: Demo, clock: SteppingClock) -> None:
    number = demo.numbers[0]
    start_session(db, demo.session_id, clock=clock)
    state = sign_in_and_begin(db, clock, demo.code, number)
    _answer(db, clock, state, _correct)  # every answer right: termination defers all the same
    proctoring.terminate_attempt(db, demo.session_id, number, reason="夹带资料", actor="监考甲", clock=clock)
    row = _appointment(db, number)
    assert (row.status, row.reason, row.attempts_used, row.attempt_id, row.score, row.retake_from) == (
        "deferred",
        "terminated",
        1,
        state.attempt_id,
        100,
        day(7),
    )
    assert _history(db, row.id)[-1].note == f"hand_in:{state.attempt_id}:terminated"


def test_override_needs_a_reason_is_recorded_and_lifting_restores_the_policy(
    db: Database, demo: Demo, clock: SteppingClock
) -> None:
    number = demo.numbers[0]
    start_session(db, demo.session_id, clock=clock)
    _sit(db, clock, demo.code, number, passing=False)
    appointment_id: int = _appointment(db, number).id  # type: ignore[assignment]
    for status, reason, key in (
        ("cleared", "  ", "appointment.reason_required"),
        ("passed", "组织决定", "appointment.bad_status"),
        (None, "撤销", "appointment.no_override"),
    ):
        with pytest.raises(SessionError) as refused:
            appointments.override(db, appointment_id, status, reason, actor="管理员甲", clock=clock)
        assert refused.value.key == key
    with pytest.raises(SessionError) as missing:
        appointments.override(db, 9999, "cleared", "x", actor="管理员甲", clock=clock)
    assert missing.value.key == "appointment.not_found"

    clock.advance(hours=1)
    appointments.override(
        db, appointment_id, "cleared", "经组织研究同意先行任用", actor="管理员甲", clock=clock
    )
    row = _appointment(db, number)
    assert (row.status, row.effective_status, row.override_status, row.override_reason, row.override_by) == (
        "deferred",
        "cleared",
        "cleared",
        "经组织研究同意先行任用",
        "管理员甲",
    )
    assert row.override_at == clock() and number not in _deferred(db)

    with pytest.raises(SessionError) as empty:
        appointments.add_note(db, appointment_id, " ", actor="管理员甲", clock=clock)
    assert empty.value.key == "appointment.note_required"
    appointments.add_note(db, appointment_id, "已报分管领导", actor="管理员乙", clock=clock)
    assert _appointment(db, number).note == "已报分管领导"

    clock.advance(hours=1)
    appointments.override(db, appointment_id, None, "复核后撤销", actor="管理员甲", clock=clock)
    row = _appointment(db, number)
    assert (row.status, row.effective_status, row.override_status, row.override_reason, row.override_by) == (
        "deferred",
        "deferred",
        None,
        None,
        None,
    )
    assert number in _deferred(db)
    recorded = [(h.source, h.status, h.actor, h.note, h.at) for h in _history(db, appointment_id)][2:]
    assert recorded == [
        ("override", "cleared", "管理员甲", "经组织研究同意先行任用", clock() - timedelta(hours=1)),
        ("note", "cleared", "管理员乙", "已报分管领导", clock() - timedelta(hours=1)),
        ("override_lifted", "deferred", "管理员甲", "复核后撤销", clock()),
    ]
    with db.read() as s:
        audit = s.execute(
            select(AuditEventRow.action, AuditEventRow.actor)
            .where(AuditEventRow.entity == "appointment", AuditEventRow.entity_id == str(appointment_id))
            .where(AuditEventRow.action != "appointment.decide")
            .where(AuditEventRow.action.not_like("%.write"))  # type: ignore[attr-defined]  # the row's seals
            .order_by(AuditEventRow.id)  # type: ignore[arg-type]
        ).all()
    assert [tuple(a) for a in audit] == [
        ("appointment.open", "demo"),
        ("appointment.override", "管理员甲"),
        ("appointment.note", "管理员乙"),
        ("appointment.override", "管理员甲"),
    ]


def test_changing_the_gap_moves_the_retake_date_on_the_deferred_list(
    db: Database, demo: Demo, clock: SteppingClock
) -> None:
    number = demo.numbers[0]
    start_session(db, demo.session_id, clock=clock)
    _sit(db, clock, demo.code, number, passing=False)
    settings.set_setting(db, "retake_gap_days", "3", actor="管理员甲", clock=clock)
    _, code = _retake_session(db, clock, [number], 3)
    clock.now = _moment(2)
    assert _refused(db, clock, code, number).params == {"date": day(3).isoformat()}
    listed = next(v for v in decision_reports.deferred_list(db) if v.id_number == number)
    assert listed.retake_from == day(3)


def test_a_sitting_is_judged_by_the_rules_of_its_day_not_by_a_later_change_of_the_gap(
    db: Database, demo: Demo, clock: SteppingClock
) -> None:
    x, y = demo.numbers[0], demo.numbers[1]
    start_session(db, demo.session_id, clock=clock)
    _sit(db, clock, demo.code, x, passing=False)
    _sit(db, clock, demo.code, y, passing=False)

    # x retakes the same day under a gap of 0 and passes; the gap going back to 7 does not undo it
    settings.set_setting(db, "retake_gap_days", "0", actor="管理员甲", clock=clock)
    same_day, code = _retake_session(db, clock, [x], 0)
    clock.now = _moment(0, 14)
    start_session(db, same_day, clock=clock)
    _sit(db, clock, code, x, passing=True)
    settings.set_setting(db, "retake_gap_days", "7", actor="管理员甲", clock=clock)
    row = _appointment(db, x)
    assert (row.effective_status, row.reason, row.attempts_used) == ("cleared", "passed", 2)

    # y is seated in a retake the next day, which sign-in refuses (too early); opening it says so
    next_day, _ = _retake_session(db, clock, [y], 1)
    (problem,) = seating_problems(db, next_day, clock=clock)
    assert (problem.key, problem.params, problem.name) == (
        "seating.retake_too_early",
        {"date": day(7).isoformat()},
        _cadre_name(db, y),
    )
    assert "********" in problem.id_number
    clock.now = _moment(1, 14)
    start_session(db, next_day, clock=clock)
    clock.advance(minutes=70)
    close_session(db, next_day, clock=clock, actor="监考甲")
    # ... so the absence is no sitting of theirs, and a gap of 0 later does not make it one
    row = _appointment(db, y)
    assert (row.effective_status, row.reason, row.attempts_used, row.retake_from) == (
        "deferred",
        "failed",
        1,
        day(7),
    )
    settings.set_setting(db, "retake_gap_days", "0", actor="管理员甲", clock=clock)
    row = _appointment(db, y)
    assert (row.reason, row.attempts_used, row.retake_from) == ("failed", 1, day(0))


def _cadre_name(db: Database, number: str) -> str:
    with db.read() as s:
        return s.execute(select(CadreRow.name).where(CadreRow.id_number == number)).scalar_one()


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [
        pytest.param("retake_gap_days", "abc", "setting.not_a_number", id="not-a-number"),
        pytest.param("retake_gap_days", "366", "setting.range", id="over-a-year"),
        pytest.param("retake_gap_days", "-1", "setting.range", id="negative"),
        pytest.param("max_attempts", "3", "setting.unknown", id="unknown-setting"),
    ],
)
def test_a_bad_setting_is_refused(db: Database, name: str, value: str, key: str) -> None:
    with pytest.raises(SessionError) as refused:
        settings.set_setting(db, name, value, actor="管理员甲")
    assert refused.value.key == key
    assert settings.read_settings(db) == {"retake_gap_days": 7}


def test_a_second_post_later_starts_afresh(db: Database, demo: Demo, clock: SteppingClock) -> None:
    number = demo.numbers[0]
    start_session(db, demo.session_id, clock=clock)
    _sit(db, clock, demo.code, number, passing=False)
    clock.now = _moment(7)
    retake_id, retake_code = _retake_session(db, clock, [number], 7)
    start_session(db, retake_id, clock=clock)
    _sit(db, clock, retake_code, number, passing=True)
    clock.now = _moment(700)
    appointments.open_appointment(
        db, id_number=number, post="县纪委副书记", exam_ref=DEMO_EXAM, actor="管理员甲", clock=clock
    )
    with db.read() as s:
        second = s.execute(select(AppointmentRow).where(AppointmentRow.post == "县纪委副书记")).scalar_one()
    assert (second.status, second.attempts_used) == ("pending_exam", 0)
    _, code = _retake_session(db, clock, [number], 700)
    assert admission.admit(db, login=number, access_code=code, clock=clock).candidate.name


def _questions(state: attempts.AttemptState) -> set[str]:
    return {item.question for item in state.paper.items}


def test_a_corrected_key_rescores_every_paper_with_the_question_and_moves_only_the_decisions_it_should(
    db: Database, demo: Demo, clock: SteppingClock
) -> None:
    start_session(db, demo.session_id, clock=clock)
    states = {n: sign_in_and_begin(db, clock, demo.code, n) for n in demo.numbers}
    # A has question Q; B has it too, C does not (papers draw 20 of the bank's 22 single choices).
    a, q, b, c = next(
        (a, item, b, c)
        for a in demo.numbers
        for item in states[a].paper.items
        if item.type == "single"
        for b in demo.numbers
        if b != a and item.question in _questions(states[b])
        for c in demo.numbers
        if c not in (a, b) and item.question not in _questions(states[c])
    )
    wrong_letter = _wrong(q)
    bank_letter_of = dict(zip([letter for letter, _ in q.options], q.bank_letters, strict=True))
    # A: Q "wrong" by the bank's key and every true/false wrong: 100 - 2 - 10 x 2 = 78, under the pass mark
    _answer(
        db,
        clock,
        states[a],
        lambda item: (
            wrong_letter
            if item.number == q.number
            else (_wrong(item) if item.type == "true_false" else _correct(item))
        ),
    )
    _answer(db, clock, states[b], _correct)  # 100
    _answer(
        db, clock, states[c], lambda item: _correct(item) if item.type in ("single", "multiple") else None
    )
    scores = {n: attempts.hand_in(db, s.attempt_id, clock=clock).score for n, s in states.items()}
    assert (scores[a], scores[b], scores[c]) == (78, 100, 70)
    before = {n: _appointment(db, n) for n in demo.numbers}
    assert [n for n in demo.numbers if before[n].effective_status == "cleared"] == [b]

    clock.advance(days=2)
    appeal = appeals.file_appeal(
        db, states[a].attempt_id, f"第{q.number}题答案有误", filed_by="管理员甲", clock=clock
    )
    unchanged_appeal = appeals.file_appeal(
        db, states[c].attempt_id, "请求复核", filed_by="管理员甲", clock=clock
    )
    not_on_a = next(
        item.question
        for s in states.values()
        for item in s.paper.items
        if item.question not in _questions(states[a])
    )
    for question, key, refusal in (
        (not_on_a, "A", "appeal.question_not_on_paper"),
        (q.question, "Z", "answer_key.no_such_option"),
        (q.question, bank_letter_of[q.key], "answer_key.unchanged"),
    ):
        with pytest.raises(SessionError) as refused:
            appeals.correct_key(
                db, appeal, question=question, key=key, reason="教材已修订", reviewer="复核员", clock=clock
            )
        assert refused.value.key == refusal

    report = appeals.correct_key(
        db,
        appeal,
        question=q.question,
        key=bank_letter_of[wrong_letter].lower(),
        reason="依据新修订条例",
        reviewer="复核员",
        clock=clock,
    )
    having_q = sorted(states[n].attempt_id for n in demo.numbers if q.question in _questions(states[n]))
    assert (report.question, report.previous_key, report.key) == (
        q.question,
        bank_letter_of[q.key],
        bank_letter_of[wrong_letter],
    )
    assert [r.attempt_id for r in report.rescored] == having_q and states[c].attempt_id not in having_q
    assert {(r.attempt_id, r.before, r.after, r.passed_before, r.passed_after) for r in report.changed} == {
        (states[a].attempt_id, 78, 80, False, True),
        (states[b].attempt_id, 100, 98, True, True),
    }
    a_row = before[a]
    assert report.decisions == [
        appointments.DecisionChange(a_row.id, a_row.cadre_id, a_row.post, "deferred", "cleared", "passed")  # type: ignore[arg-type]
    ]

    after = {n: _appointment(db, n) for n in demo.numbers}
    assert (after[a].effective_status, after[a].score, after[a].retake_from) == ("cleared", 80, None)
    assert (after[b].effective_status, after[b].score) == ("cleared", 98)
    for n in set(demo.numbers) - {a, b}:
        assert (after[n].effective_status, after[n].score, after[n].retake_from) == (
            before[n].effective_status,
            before[n].score,
            before[n].retake_from,
        )
        assert attempts.result(db, states[n].attempt_id).score == scores[n]
    last = _history(db, a_row.id)[-1]
    assert (last.status, last.actor, last.at, last.note) == (
        "cleared",
        "复核员",
        clock(),
        f"key_corrected:{appeal}",
    )
    # the others' decisions were not even re-recorded: opened, then deferred at hand-in
    assert all(len(_history(db, after[n].id)) == 2 for n in set(demo.numbers) - {a, b})

    # the review shows A's paper with the corrected key in A's own letters, and the key it was drawn with
    reviewed = next(i for i in appeals.appeal_detail(db, appeal).items if i.item.number == q.number)
    assert (reviewed.item.key, reviewed.original_key, reviewed.answer, reviewed.score) == (
        wrong_letter,
        q.key,
        wrong_letter,
        2,
    )

    decided = appeals.decide_appeal(db, appeal, note="更正答案后重新评分", reviewer="复核员", clock=clock)
    assert (decided.outcome, decided.before_score, decided.after_score) == ("changed", 78, 80)
    detail = appeals.appeal_detail(db, appeal)
    assert (detail.before["passed"], detail.after["passed"]) == (False, True)  # type: ignore[index]
    assert [d["status"] for d in detail.before["decisions"]] == ["deferred"]
    assert [d["status"] for d in detail.after["decisions"]] == ["cleared"]  # type: ignore[index]
    assert [s.action for s in detail.steps] == ["filed", "key_correction", "decided"]
    upheld = appeals.decide_appeal(db, unchanged_appeal, note="评分无误", reviewer="复核员", clock=clock)
    assert (upheld.outcome, upheld.before_score, upheld.after_score) == ("upheld", 70, 70)
    with pytest.raises(SessionError) as closed:
        appeals.decide_appeal(db, appeal, note="再议", reviewer="复核员", clock=clock)
    assert closed.value.key == "appeal.decided"
