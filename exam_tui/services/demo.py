"""A demo organisation for trying the system: units, cadres with valid ID numbers, one session.

Deterministic for a given seed, so screenshots and tests see the same people.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from faker import Faker
from sqlalchemy import func, select

from exam_tui.domain.idnumber import normalise_id_number, with_check_digit
from exam_tui.services.accounts import seed_demo_accounts
from exam_tui.services.runtime import Clock, Database, system_clock
from exam_tui.services.sessions import SessionError, SessionView, exam_versions, schedule_session
from exam_tui.store.models import CadreRow, UnitRow

DEMO_EXAM = "integrity-regulations/pre-appointment"
QUALIFICATION_EXAM = "discipline-inspection-qualification/qualification"
UNITS = (
    "市发展和改革委员会",
    "市财政局",
    "市教育局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市卫生健康委员会",
    "市市场监督管理局",
    "市自然资源和规划局",
)
# Beijing district codes, valid for every birth year used here.
REGION_CODES = ("110101", "110102", "110105", "110106", "110107", "110108")
RANKS = ("一级主任科员", "二级主任科员", "正科级", "副处级")
POSITIONS = ("办公室副主任", "综合科科长", "财务科科长", "规划科副科长", "法规科科长", "监督科副科长")
PROPOSED_POSTS = ("副局长", "办公室主任", "党组成员、副主任", "总工程师", "副县级领导职务")


class DemoExists(Exception):
    pass


@dataclass(frozen=True)
class DemoResult:
    units: int
    cadres: int
    session: SessionView


def seed_demo(
    db: Database,
    *,
    seed: int = 2026,
    cadres_per_unit: int = 8,
    tz: tzinfo,
    clock: Clock = system_clock,
) -> DemoResult:
    """Create the demo organisation and its staff accounts (services.accounts.DEMO_ACCOUNTS); raises
    DemoExists when cadres are already there."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    now = clock()
    with db.write() as session:
        if session.execute(select(func.count()).select_from(CadreRow)).scalar_one():
            raise DemoExists
        # Before anything is written: without the bank the session below cannot be scheduled, and cadres
        # left behind would make the next run, after the bank's import, refuse as "already there".
        exam_versions(session, DEMO_EXAM)
        numbers: list[str] = []
        for unit_name in UNITS:
            unit = UnitRow(name=unit_name)
            session.add(unit)
            session.flush()
            for _ in range(cadres_per_unit - rng.randint(0, 1)):
                number = new_id_number(rng, numbers)
                numbers.append(number)
                session.add(
                    CadreRow(
                        id_number=number,
                        name=fake.name(),
                        unit_id=unit.id,  # type: ignore[arg-type]
                        rank=rng.choice(RANKS),
                        position=rng.choice(POSITIONS),
                        created_at=now,
                        updated_at=now,
                    )
                )
        session.flush()
        candidates = rng.sample(numbers, 10)
        for cadre in session.execute(select(CadreRow).where(CadreRow.id_number.in_(candidates))).scalars():  # type: ignore[attr-defined]
            cadre.proposed_post = rng.choice(PROPOSED_POSTS)
        _categories(session, seed, candidates)
    today: date = now.astimezone(tz).date()
    starts_at = datetime.combine(today, time(14, 30), tzinfo=tz)
    view = schedule_session(
        db,
        exam_ref=DEMO_EXAM,
        title=f"{today.year}年新任领导干部任前廉政法规考试(第{today.month}批)",
        room="第一机房",
        starts_at=starts_at,
        id_numbers=candidates,
        open_now=True,
        rng=rng,
        clock=clock,
        actor="demo",
    )
    with db.write() as session:
        seed_demo_accounts(session, now, session_id=view.id, exam_refs=_graded_exams(session))
    return DemoResult(units=len(UNITS), cadres=len(numbers), session=view)


def _graded_exams(session: Any) -> list[str]:
    """What the demo's grader is assigned: the demo exam, and the qualification exam (short answers)
    when its bank is imported."""
    refs = [DEMO_EXAM]
    try:
        exam_versions(session, QUALIFICATION_EXAM)
    except SessionError:
        return refs
    return [*refs, QUALIFICATION_EXAM]


def _categories(session: Any, seed: int, proposed: list[str]) -> None:
    """干部类别 for the coverage reports: the proposed are 新提拔; a unit's first cadre its 一把手; the
    finance and supervision posts 关键岗位; a few others 新录用公务员. Its own random stream, so the
    people the demo has always had stay who they were."""
    rng = random.Random(seed * 31 + 7)
    first_of_unit: set[int] = set()
    for cadre in session.execute(select(CadreRow).order_by(CadreRow.id)).scalars():
        tags = []
        if cadre.unit_id not in first_of_unit:
            first_of_unit.add(cadre.unit_id)
            tags.append("一把手")
        if cadre.id_number in proposed:
            tags.append("新提拔")
        if cadre.position in ("财务科科长", "监督科副科长"):
            tags.append("关键岗位")
        if not tags and rng.random() < 0.15:
            tags.append("新录用公务员")
        cadre.category = "、".join(tags) or None


def new_id_number(rng: random.Random, taken: Collection[str]) -> str:
    """A valid ID number (region, birth date, sequence, check digit) not in ``taken``."""
    while True:
        born = date(1968, 1, 1) + timedelta(days=rng.randrange(365 * 24))
        first17 = f"{rng.choice(REGION_CODES)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = normalise_id_number(with_check_digit(first17))
        if number not in taken:
            return number
