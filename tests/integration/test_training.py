"""Training courses through the services, on SQLite and PostgreSQL: a closed course of 20 cadres, its
attendance, its closing test, speakers drawn, and the points the records post to the ledger."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from exam_tui.domain.training import Half, Presence
from exam_tui.services import answers, attempts, banks, points, speakers, training
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, start_session
from exam_tui.services.sessions import SessionError
from exam_tui.services.training import AttendanceMark
from exam_tui.store.models import CadreRow, UnitRow
from exam_tui.store.models_training import PointsEntryRow
from tests.conftest import ROOT, STARTER_BANK, SteppingClock
from tests.integration.conftest import sign_in_and_begin

BEIJING = timezone(timedelta(hours=8))
TRAINING_BANK = ROOT / "tests" / "fixtures" / "training-bank.yaml"
MONDAY = date(2026, 11, 23)
FRIDAY = MONDAY + timedelta(days=4)
ADMIN = "纪委办公室"


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def people(db: Database, clock: SteppingClock) -> list[str]:
    return seed_people(db, clock)


def seed_people(db: Database, clock: SteppingClock) -> list[str]:
    """The banks and the demo organisation; 21 cadres' ID numbers (the first of the demo)."""
    banks.import_files(db, [STARTER_BANK, TRAINING_BANK], clock=clock)
    seed_demo(db, seed=2026, tz=BEIJING, clock=clock)
    with db.read() as s:
        return list(s.execute(select(CadreRow.id_number).order_by(CadreRow.id).limit(21)).scalars())


def _course(db: Database, clock: SteppingClock, numbers: list[str]) -> training.CourseView:
    return training.create_course(
        db,
        title="2026年度新任科级干部廉政教育封闭式培训班",
        kind="closed_training",
        starts_on=MONDAY,
        ends_on=FRIDAY,
        place="市委党校",
        organiser="市纪委监委",
        target="新任科级干部",
        id_numbers=numbers[:20],
        organisers=[numbers[20]],
        actor=ADMIN,
        clock=clock,
    )


def _ledger(db: Database) -> list[tuple[int, str, float, str, str | None]]:
    with db.read() as s:
        return [
            (e.cadre_id, e.kind, e.points, e.source, e.rule_id)
            for e in s.execute(select(PointsEntryRow).order_by(PointsEntryRow.id)).scalars()  # type: ignore[arg-type]
        ]


def test_a_course_of_twenty_takes_attendance_and_posts_attendance_points_once(
    db: Database, clock: SteppingClock, people: list[str]
) -> None:
    course = _course(db, clock, people)
    assert (course.enrolled, course.kind, course.starts_on, course.ends_on) == (
        20,
        "closed_training",
        MONDAY,
        FRIDAY,
    )
    grid = training.attendance_grid(db, course.id)
    assert len(grid.participants) == 20 and len(grid.periods) == 10  # five days, morning and afternoon
    assert _ledger(db) == []  # a course under way posts nothing yet

    # Everyone present every half-day, except: one cadre away on Friday with a reason, one late once.
    away, late = grid.participants[0], grid.participants[1]
    for day, half in grid.periods:
        if day != FRIDAY:
            training.all_present(db, course.id, day, half, actor=ADMIN, clock=clock)
    training.record_attendance(
        db,
        course.id,
        [
            AttendanceMark(away.cadre_id, FRIDAY, Half.AM, Presence.ABSENT, "公务"),
            AttendanceMark(away.cadre_id, FRIDAY, Half.PM, Presence.ABSENT, "公务"),
            AttendanceMark(late.cadre_id, MONDAY, Half.AM, Presence.LATE),
        ],
        actor=ADMIN,
        clock=clock,
    )
    training.all_present(db, course.id, FRIDAY, Half.AM, actor=ADMIN, clock=clock)
    training.all_present(db, course.id, FRIDAY, Half.PM, actor=ADMIN, clock=clock)
    grid = training.attendance_grid(db, course.id)
    assert len(grid.cells) == 200
    assert grid.cells[(away.cadre_id, FRIDAY, "am")] == ("absent", "公务")
    assert grid.cells[(late.cadre_id, MONDAY, "am")] == ("late", None)
    assert _ledger(db) == []
    written = training.close_course(db, course.id, actor=ADMIN, clock=clock)  # 结业: now the points
    assert written == 21
    assert [(k, p) for _, k, p, _, r in _ledger(db) if r == "closed-training-organised"] == [("auto", 3.0)]

    # 2 points a day (half a day = 1): 10 for the full course, 8 for the one away on Friday; late counts.
    by_cadre = {p.cadre_id: p for p in grid.participants}
    posted = {c: pts for c, k, pts, src, rule in _ledger(db) if rule == "closed-training-day"}
    assert len(posted) == 20 and posted[away.cadre_id] == 8.0 and posted[late.cadre_id] == 10.0
    assert set(posted) == set(by_cadre)
    # Posting again changes nothing: the ledger already holds what the records call for.
    before = _ledger(db)
    assert points.sync_all(db, actor=ADMIN, clock=clock) == 0
    assert _ledger(db) == before


def test_a_corrected_attendance_reverses_and_reposts_never_edits(
    db: Database, clock: SteppingClock, people: list[str]
) -> None:
    course = _course(db, clock, people)
    grid = training.attendance_grid(db, course.id)
    for day, half in grid.periods:
        training.all_present(db, course.id, day, half, actor=ADMIN, clock=clock)
    training.close_course(db, course.id, actor=ADMIN, clock=clock)
    someone = grid.participants[3]
    training.record_attendance(
        db,
        course.id,
        [AttendanceMark(someone.cadre_id, MONDAY, Half.PM, Presence.ABSENT, "病假")],
        actor=ADMIN,
        clock=clock,
    )
    mine = [(k, p) for c, k, p, _, r in _ledger(db) if c == someone.cadre_id and r == "closed-training-day"]
    assert mine == [("auto", 10.0), ("reversal", -10.0), ("auto", 9.0)]
    totals = points.cadre_points(db, people[3], year=2026).totals
    assert totals["higher_education"].raw == 9.0
    with pytest.raises(SessionError) as no_reason:
        training.record_attendance(
            db,
            course.id,
            [AttendanceMark(someone.cadre_id, MONDAY, Half.AM, Presence.ABSENT, " ")],
            actor=ADMIN,
        )
    assert no_reason.value.key == "course.absence_reason"


def _sit(db: Database, clock: SteppingClock, code: str, number: str, *, right: int) -> int:
    """Answer the first ``right`` items right (key A / 正确) and the rest wrong, then hand in."""
    state = sign_in_and_begin(db, clock, code, number)
    for n, item in enumerate(state.paper.items):
        answer = item.key if n < right else ("B" if item.key != "B" else "A")
        answers.save_answer(
            db, state.attempt_id, item=item.number, answer=answer, flagged=False, revision=1, clock=clock
        )
    attempts.hand_in(db, state.attempt_id, clock=clock)
    return state.attempt_id


def test_the_closing_test_posts_points_to_those_who_pass_and_speakers_are_drawn_fairly(
    db: Database, clock: SteppingClock, people: list[str]
) -> None:
    course = _course(db, clock, people)
    grid = training.attendance_grid(db, course.id)
    for day, half in grid.periods:
        training.all_present(db, course.id, day, half, actor=ADMIN, clock=clock)
    test = training.open_closing_test(
        db,
        course.id,
        exam_ref="training-test/closing",
        starts_at=clock(),
        room="党校机房",
        actor=ADMIN,
        clock=clock,
    )
    assert test.candidates == 20 and training.course(db, course.id).closing_session_id == test.id
    training.close_course(db, course.id, actor=ADMIN, clock=clock)  # the test's results post as they come
    start_session(db, test.id, clock=clock)
    passed = _sit(db, clock, test.access_code, people[0], right=10)  # 100
    failed = _sit(db, clock, test.access_code, people[1], right=5)  # 50, below 60
    clock.advance(minutes=40)
    close_session(db, test.id, clock=clock, actor="监考员")
    tests = [(c, p, src) for c, k, p, src, r in _ledger(db) if r == "training-test-passed"]
    with db.read() as s:
        first = s.execute(select(CadreRow.id).where(CadreRow.id_number == people[0])).scalar_one()
    assert tests == [(first, 3.0, f"attempt:{passed}")]
    assert failed != passed

    # Speakers: 3 each half-day from those present, nobody twice before everyone has spoken once.
    drawn: list[int] = []
    for day, half in grid.periods[:7]:
        d = speakers.draw(db, course.id, day=day, half=half, k=3, actor=ADMIN, clock=clock)
        assert len(d.speakers) == 3 and d.verified
        drawn += [s.cadre_id for s in d.speakers]
    assert Counter(drawn[:20]).most_common(1)[0][1] == 1  # the first 20 draws: 20 different people
    assert all(d.verified for d in speakers.draws(db, course.id))
    with pytest.raises(SessionError) as too_many:
        speakers.draw(db, course.id, day=MONDAY, half="am", k=21, actor=ADMIN, clock=clock)
    assert too_many.value.key == "draw.bad_k"


def test_manual_points_need_a_reason_and_are_corrected_by_reversal(
    db: Database, clock: SteppingClock, people: list[str]
) -> None:
    with pytest.raises(SessionError) as no_reason:
        points.post_manual(
            db, people[5], year=2026, category="self_education", points=2, reason="", actor=ADMIN
        )
    assert no_reason.value.key == "points.reason_required"
    entry = points.post_manual(
        db,
        people[5],
        year=2026,
        category="self_education",
        points=25,
        reason="自学《条例》并撰写心得",
        actor=ADMIN,
        clock=clock,
    )
    shown = points.cadre_points(db, people[5], year=2026)
    assert shown.totals["self_education"].raw == 25 and shown.totals["self_education"].counted == 20  # cap 20
    assert shown.totals["self_education"].capped and shown.total == 20
    points.reverse(db, entry, reason="重复登记", actor=ADMIN, clock=clock)
    with pytest.raises(SessionError):
        points.reverse(db, entry, reason="再次撤销", actor=ADMIN, clock=clock)
    shown = points.cadre_points(db, people[5], year=2026)
    assert [e.kind for e in shown.entries] == ["manual", "reversal"] and shown.total == 0


def test_the_public_notice_and_ranking_list_every_cadre_of_the_unit(
    db: Database, clock: SteppingClock, people: list[str], tmp_path: Path
) -> None:
    course = _course(db, clock, people)
    grid = training.attendance_grid(db, course.id)
    for day, half in grid.periods:
        training.all_present(db, course.id, day, half, actor=ADMIN, clock=clock)
    training.close_course(db, course.id, actor=ADMIN, clock=clock)
    unit = grid.participants[0].unit
    rows = points.notice(db, unit=unit, year=2026)
    with db.read() as s:
        in_unit = s.execute(
            select(CadreRow.id).join(UnitRow, UnitRow.id == CadreRow.unit_id).where(UnitRow.name == unit)  # type: ignore[arg-type]
        ).all()
    assert len(rows) == len(in_unit) and all(r.unit == unit for r in rows)  # everyone, points or not
    assert any(r.total == 10 for r in rows)
    people_ranked, units = points.ranking(db, year=2026)
    # The twenty who attended share first place with 10; the organiser (not enrolled) has 3, then 0s.
    assert [(place, row.total) for place, row in people_ranked[:22]] == [(1, 10.0)] * 20 + [
        (21, 3.0),
        (22, 0.0),
    ]
    assert [u.place for u in units] == sorted(u.place for u in units)
    with pytest.raises(SessionError):
        points.notice(db, unit="不存在的单位", year=2026)
