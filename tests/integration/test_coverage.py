"""Coverage by unit (全覆盖) and the annual assessment from it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from exam_tui.services import coverage, training
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, start_session
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import CadreRow, UnitRow
from tests.conftest import SteppingClock
from tests.integration.test_training import MONDAY, _sit, seed_people

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def people(db: Database, clock: SteppingClock) -> list[str]:
    return seed_people(db, clock)


def _unit_of(db: Database, number: str) -> str:
    with db.read() as s:
        return s.execute(
            select(UnitRow.name)
            .join(CadreRow, CadreRow.unit_id == UnitRow.id)
            .where(CadreRow.id_number == number)  # type: ignore[arg-type]
        ).scalar_one()


def test_coverage_counts_the_trained_the_sat_and_the_person_times(
    db: Database, clock: SteppingClock, people: list[str]
) -> None:
    course = training.create_course(
        db, title="警示教育", kind="warning_education", starts_on=MONDAY, ends_on=MONDAY,
        id_numbers=people[:3], actor="纪委", clock=clock,
    )  # fmt: skip
    training.all_present(db, course.id, MONDAY, "am", actor="纪委", clock=clock)
    closed = training.create_course(
        db, title="封闭式培训", kind="closed_training", starts_on=MONDAY, ends_on=MONDAY,
        id_numbers=people[:2], actor="纪委", clock=clock,
    )  # fmt: skip
    training.all_present(db, closed.id, MONDAY, "am", actor="纪委", clock=clock)
    test = training.open_closing_test(
        db, closed.id, exam_ref="training-test/closing", starts_at=clock(), actor="纪委", clock=clock
    )
    start_session(db, test.id, clock=clock)
    _sit(db, clock, test.access_code, people[0], right=10)
    _sit(db, clock, test.access_code, people[1], right=2)
    clock.advance(minutes=40)
    close_session(db, test.id, clock=clock)
    training.close_course(db, closed.id, actor="纪委", clock=clock)

    report = coverage.coverage(db, start=YEAR[0], end=YEAR[1])
    unit = _unit_of(db, people[0])
    assert all(_unit_of(db, n) == unit for n in people[:3])  # the first cadres share a unit
    row = next(u for u in report.units if u.unit == unit)
    assert (row.sat, row.passed, row.trained, row.warning_times, row.covered) == (2, 1, 2, 3, 3)
    assert row.person_times == 3 + 2 + 2  # three at the visit, two at the course, two sat its test
    assert row.mean_points is not None and row.mean_points > 0
    assert report.total.on_roll == sum(u.on_roll for u in report.units)
    assert report.total.person_times == sum(u.person_times for u in report.units)
    measures = row.measures()
    assert measures["pass_rate"] == 0.5 and measures["coverage_rate"] == 3 / row.on_roll

    assessed = coverage.annual(db, year=2026)
    assert assessed.scores[0].unit == unit and assessed.scores[0].index > 0
    assert [s.place for s in assessed.scores] == sorted(s.place for s in assessed.scores)

    # Outside the period, nothing; filters narrow who counts.
    assert coverage.coverage(db, start=date(2025, 1, 1), end=date(2025, 12, 31)).total.person_times == 0
    leaders = coverage.coverage(db, start=YEAR[0], end=YEAR[1], category="一把手")
    assert leaders.total.on_roll == len(report.units)  # the demo makes each unit's first cadre 一把手
    with pytest.raises(SessionError):
        coverage.coverage(db, start=YEAR[1], end=YEAR[0])


def test_has_category() -> None:
    assert coverage.has_category("一把手、关键岗位", "关键岗位")
    assert coverage.has_category("新提拔,一把手", "一把手")
    assert not coverage.has_category("新录用公务员", "一把手")
    assert not coverage.has_category(None, "一把手")
