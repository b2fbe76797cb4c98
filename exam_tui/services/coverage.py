"""Coverage (全覆盖) per unit over a period, and the annual assessment (年终考核) computed from it.

The figures an annual report quotes: per unit the cadres on roll, how many sat an exam and passed,
sat the pre-appointment exam, are deferred, attended training, the warning-education and all
education person-times, and the mean points — filterable by rank and by category of cadre (一把手,
新提拔, 关键岗位, 新录用公务员). A person-time (人次) is one cadre at one course or one exam.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from exam_tui.domain.assessment import AssessmentRules, UnitScore, assess
from exam_tui.domain.points import grand_total, totals
from exam_tui.domain.training import ATTENDED
from exam_tui.formats.assessment_rules import problem_lines, read_assessment_rules
from exam_tui.services.points import rules_in_force
from exam_tui.services.runtime import Database
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AppointmentRow, AttemptRow, CadreRow, ExamRow, UnitRow
from exam_tui.store.models_training import AttendanceRow, CourseRow, PointsEntryRow

DEFAULT_ASSESSMENT = Path(__file__).resolve().parent.parent / "data" / "assessment-rules.yaml"
TRAINING_KINDS = ("closed_training", "new_cadre_training")
CATEGORY_SEPARATORS = "、,，;；/ "


class AssessmentRulesError(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class UnitCoverage:
    unit: str
    on_roll: int
    sat: int  # cadres who sat an exam (not practice) in the period
    passed: int  # of those, who passed one
    pre_appointment_sat: int
    deferred: int  # appointments in effect deferred, of cadres on roll
    appointments: int
    trained: int  # cadres who attended a closed or new-cadre course
    warning_times: int  # person-times at warning-education courses
    lecture_times: int  # person-times at Party lectures
    person_times: int  # every course attended and every exam sat
    mean_points: float | None  # the counted points of the period's years, per cadre on roll
    covered: int  # cadres who sat an exam or attended a course

    def measures(self) -> dict[str, float | None]:
        """What the assessment's indicators read (domain.assessment.MEASURES)."""

        def rate(part: int, whole: int) -> float | None:
            return part / whole if whole else None

        return {
            "coverage_rate": rate(self.covered, self.on_roll),
            "exam_rate": rate(self.sat, self.on_roll),
            "pass_rate": rate(self.passed, self.sat),
            "training_rate": rate(self.trained, self.on_roll),
            "deferral_free_rate": rate(self.appointments - self.deferred, self.appointments),
            "mean_points": self.mean_points,
            "warning_per_cadre": rate(self.warning_times, self.on_roll),
            "person_times_per_cadre": rate(self.person_times, self.on_roll),
        }


@dataclass(frozen=True)
class CoverageReport:
    start: date
    end: date
    rank: str | None
    category: str | None
    units: list[UnitCoverage]
    total: UnitCoverage  # every unit together (the annual report's "123 units, 5,144 person-times")


def has_category(value: str | None, wanted: str) -> bool:
    """Whether a cadre's category text (一把手、关键岗位) names ``wanted``."""
    if not value:
        return False
    tags = {value}
    for sep in CATEGORY_SEPARATORS:
        tags = {part.strip() for tag in tags for part in tag.split(sep)}
    return wanted.strip() in tags


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's days in this machine's zone (where the exams and courses were held) as UTC times."""
    zone = datetime.now().astimezone().tzinfo
    first = datetime.combine(start, time.min, tzinfo=zone).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return first, after


def coverage(
    db: Database, *, start: date, end: date, rank: str | None = None, category: str | None = None
) -> CoverageReport:
    if end < start:
        raise SessionError("course.ends_before_start", starts=start.isoformat(), ends=end.isoformat())
    with db.read() as session:
        return _coverage(session, start, end, rank, category)


def _coverage(
    session: Session, start: date, end: date, rank: str | None, category: str | None
) -> CoverageReport:
    units = dict(session.execute(select(UnitRow.id, UnitRow.name).order_by(UnitRow.id)).all())
    cadres = [
        c
        for c in session.execute(select(CadreRow)).scalars()
        if (rank is None or c.rank == rank) and (category is None or has_category(c.category, category))
    ]
    unit_of = {c.id: c.unit_id for c in cadres}
    first, after = _bounds(start, end)
    sat: dict[int, set[int]] = defaultdict(set)
    passed: dict[int, set[int]] = defaultdict(set)
    pre_sat: dict[int, set[int]] = defaultdict(set)
    times: dict[int, int] = defaultdict(int)
    for cadre_id, kind, ok in session.execute(
        select(AttemptRow.cadre_id, ExamRow.kind, AttemptRow.passed)
        .join(ExamRow, ExamRow.id == AttemptRow.exam_id)  # type: ignore[arg-type]
        .where(
            AttemptRow.started_at >= first,
            AttemptRow.started_at < after,
            AttemptRow.state == "graded",
            ExamRow.kind != "practice",
        )
    ).all():
        if cadre_id not in unit_of:
            continue
        u = unit_of[cadre_id]
        sat[u].add(cadre_id)
        times[u] += 1
        if ok:
            passed[u].add(cadre_id)
        if kind == "pre_appointment":
            pre_sat[u].add(cadre_id)
    trained: dict[int, set[int]] = defaultdict(set)
    warning: dict[int, int] = defaultdict(int)
    lecture: dict[int, int] = defaultdict(int)
    attended_any: dict[int, set[int]] = defaultdict(set)
    for cadre_id, _course, kind in session.execute(
        select(AttendanceRow.cadre_id, AttendanceRow.course_id, CourseRow.kind)
        .join(CourseRow, CourseRow.id == AttendanceRow.course_id)  # type: ignore[arg-type]
        .where(
            CourseRow.starts_on >= start,
            CourseRow.starts_on <= end,
            AttendanceRow.status.in_(ATTENDED),  # type: ignore[attr-defined]
        )
        .distinct()
    ).all():
        if cadre_id not in unit_of:
            continue
        u = unit_of[cadre_id]
        attended_any[u].add(cadre_id)
        times[u] += 1
        if kind in TRAINING_KINDS:
            trained[u].add(cadre_id)
        elif kind == "warning_education":
            warning[u] += 1
        elif kind == "party_lecture":
            lecture[u] += 1
    appointments: dict[int, int] = defaultdict(int)
    deferred: dict[int, int] = defaultdict(int)
    for cadre_id, status in session.execute(
        select(AppointmentRow.cadre_id, AppointmentRow.effective_status)
    ).all():
        if cadre_id in unit_of:
            appointments[unit_of[cadre_id]] += 1
            deferred[unit_of[cadre_id]] += status == "deferred"
    points = _points(session, start.year, end.year, set(unit_of))
    on_roll: dict[int, list[int]] = defaultdict(list)
    for c in cadres:
        on_roll[c.unit_id].append(c.id)  # type: ignore[arg-type]

    def row(name: str, ids: list[int], us: list[int]) -> UnitCoverage:
        def union(d: dict[int, set[int]]) -> int:
            return len(set().union(*(d[u] for u in us))) if us else 0

        def add(d: dict[int, int]) -> int:
            return sum(d[u] for u in us)

        covered = len(set().union(*(sat[u] | attended_any[u] for u in us))) if us else 0
        return UnitCoverage(
            unit=name,
            on_roll=len(ids),
            sat=union(sat),
            passed=union(passed),
            pre_appointment_sat=union(pre_sat),
            deferred=add(deferred),
            appointments=add(appointments),
            trained=union(trained),
            warning_times=add(warning),
            lecture_times=add(lecture),
            person_times=add(times),
            mean_points=round(sum(points.get(i, 0.0) for i in ids) / len(ids), 2) if ids else None,
            covered=covered,
        )

    rows = [row(name, on_roll[uid], [uid]) for uid, name in units.items() if on_roll[uid]]
    everyone = [c.id for c in cadres]
    total = row(str(len(rows)), everyone, [uid for uid in units if on_roll[uid]])  # type: ignore[arg-type]
    return CoverageReport(start, end, rank, category, rows, total)


def _points(session: Session, first_year: int, last_year: int, cadre_ids: set[int]) -> dict[int, float]:
    """Each cadre's counted points over the years the period touches (capped year by year)."""
    rules = rules_in_force(session)
    by_cadre_year: dict[tuple[int, int], list[tuple[str, float]]] = defaultdict(list)
    for cadre_id, year, category, amount in session.execute(
        select(
            PointsEntryRow.cadre_id,
            PointsEntryRow.year,
            PointsEntryRow.category,
            func.sum(PointsEntryRow.points),
        )
        .where(PointsEntryRow.year >= first_year, PointsEntryRow.year <= last_year)
        .group_by(PointsEntryRow.cadre_id, PointsEntryRow.year, PointsEntryRow.category)
    ).all():
        if cadre_id in cadre_ids:
            by_cadre_year[(cadre_id, year)].append((category, float(amount)))
    result: dict[int, float] = defaultdict(float)
    for (cadre_id, _), entries in by_cadre_year.items():
        result[cadre_id] += grand_total(totals(entries, rules))
    return result


def load_assessment_rules(path: Path | None) -> AssessmentRules:
    found = read_assessment_rules(path or DEFAULT_ASSESSMENT)
    if found.rules is None:
        raise AssessmentRulesError(problem_lines(found))
    return found.rules


@dataclass(frozen=True)
class Assessment:
    rules: AssessmentRules
    report: CoverageReport
    scores: list[UnitScore]


def annual(
    db: Database,
    *,
    year: int,
    rules_path: Path | None = None,
    rank: str | None = None,
    category: str | None = None,
) -> Assessment:
    """The year's assessment of every unit from its coverage, under the rules (default: the shipped ones)."""
    rules = load_assessment_rules(rules_path)
    report = coverage(db, start=date(year, 1, 1), end=date(year, 12, 31), rank=rank, category=category)
    scores = assess(rules, {u.unit: u.measures() for u in report.units})
    return Assessment(rules, report, scores)
