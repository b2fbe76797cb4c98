"""The points ledger (廉政教育积分): rules in force, posting from the records, manual postings, reports.

The ledger is append-only. Points from records are never typed in: :func:`sync_course` turns a
course's records (attendance, roles, its closing test) into facts, asks domain.points what is due, and
posts the difference from what the ledger holds per key (cadre, year, rule, source) — reversing a
posting no longer due, posting one newly due. Running it twice posts nothing the second time. A manual
posting needs a reason; a correction of any posting is a reversing entry, never an edit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select
from sqlmodel import Session

from exam_tui.domain.idnumber import InvalidIdNumber, mask, normalise_id_number
from exam_tui.domain.points import (
    CATEGORY_IDS,
    Attendance,
    CategoryTotal,
    Fact,
    LectureGiven,
    Organised,
    PointsRules,
    TestPassed,
    due,
    grand_total,
    totals,
)
from exam_tui.domain.training import ATTENDED
from exam_tui.formats.points_rules import RulesFile, check_rules_text, read_rules, rules_lines
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AttemptRow, AuditEventRow, CadreRow, UnitRow
from exam_tui.store.models_training import (
    AttendanceRow,
    CourseRoleRow,
    CourseRow,
    PointsEntryRow,
    PointsRulesRow,
)

T = TypeVar("T")
DEFAULT_RULES = Path(__file__).resolve().parent.parent / "data" / "points-rules.yaml"


class RulesError(Exception):
    """The rules file has problems; nothing was imported. ``lines`` says where, ``FILE:LINE:COL: …``."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


# ---- the rules in force ------------------------------------------------------------------------------


def _parse(name: str, text: str) -> RulesFile:
    return check_rules_text(Path(name), text.encode("utf-8"))


def rules_in_force(session: Session) -> PointsRules:
    """The newest imported rules, else the shipped defaults (data/points-rules.yaml)."""
    row = session.execute(
        select(PointsRulesRow).order_by(PointsRulesRow.id.desc()).limit(1)
    ).scalar_one_or_none()  # type: ignore[union-attr]
    parsed = _parse(row.file_name, row.text) if row is not None else read_rules(DEFAULT_RULES)
    if parsed.rules is None:  # stored rules were checked on import; the shipped ones by the tests
        raise RulesError(rules_lines(parsed))
    return parsed.rules


def rules_text(db: Database) -> tuple[str, str]:
    """(where they came from, the YAML text) of the rules in force, for an admin to edit a copy."""
    with db.read() as session:
        row = session.execute(
            select(PointsRulesRow).order_by(PointsRulesRow.id.desc()).limit(1)
        ).scalar_one_or_none()  # type: ignore[union-attr]
    if row is None:
        return str(DEFAULT_RULES), DEFAULT_RULES.read_text(encoding="utf-8")
    return row.file_name, row.text


def import_rules(db: Database, path: Path, *, actor: str | None, clock: MaybeClock = None) -> int:
    """Check a rules file and make it the rules in force, then re-post every course's points under it.

    Returns how many ledger entries the re-posting wrote. Nothing is imported if the file has a problem.
    """
    parsed = read_rules(path)
    if parsed.rules is None or parsed.problems:
        raise RulesError(rules_lines(parsed))
    text = path.read_text(encoding="utf-8")
    with db.write() as session:
        now = now_in(session, clock)
        session.add(PointsRulesRow(text=text, file_name=str(path), imported_at=now, imported_by=actor))
        session.add(
            AuditEventRow(
                at=now,
                actor=actor,
                action="points.rules",
                entity="points_rules",
                entity_id=str(path),
                details={},
            )
        )
        session.flush()
        return sum(
            sync_course(session, cid, now, actor=actor)
            for cid in session.execute(select(CourseRow.id)).scalars()
        )  # type: ignore[arg-type]


# ---- posting from the records -----------------------------------------------------------------------


def course_facts(session: Session, course: CourseRow) -> list[Fact]:
    """What the course's records say, as domain.points facts (the year is the one the course began in).

    Nothing before the course is closed (结业): a course under way posts no points yet.
    """
    if course.closed_at is None:
        return []
    year = course.starts_on.year
    facts: list[Fact] = []
    attended: dict[int, int] = defaultdict(int)
    for cadre_id, status in session.execute(
        select(AttendanceRow.cadre_id, AttendanceRow.status).where(AttendanceRow.course_id == course.id)
    ).all():
        if status in ATTENDED:
            attended[cadre_id] += 1
    facts += [Attendance(c, course.id, course.kind, year, n) for c, n in attended.items()]  # type: ignore[arg-type]
    for cadre_id, role in session.execute(
        select(CourseRoleRow.cadre_id, CourseRoleRow.role).where(CourseRoleRow.course_id == course.id)
    ).all():
        if role == "lecturer" and course.kind == "party_lecture":
            facts.append(LectureGiven(cadre_id, course.id, year))  # type: ignore[arg-type]
        elif role == "organiser":
            facts.append(Organised(cadre_id, course.id, course.kind, year))  # type: ignore[arg-type]
    if course.closing_session_id is not None:
        for attempt_id, cadre_id in session.execute(
            select(AttemptRow.id, AttemptRow.cadre_id).where(
                AttemptRow.session_id == course.closing_session_id,
                AttemptRow.state == "graded",
                AttemptRow.passed.is_(True),  # type: ignore[union-attr]
            )
        ).all():
            facts.append(TestPassed(cadre_id, course.id, course.kind, year, attempt_id))  # type: ignore[arg-type]
    return facts


def _sources(session: Session, course: CourseRow) -> set[str]:
    """Every ledger source a course's postings can have: the course, each attempt of its closing test."""
    found = {f"course:{course.id}"}
    if course.closing_session_id is not None:
        found |= {
            f"attempt:{a}"
            for a in session.execute(
                select(AttemptRow.id).where(AttemptRow.session_id == course.closing_session_id)
            ).scalars()
        }
    return found


def sync_course(session: Session, course_id: int, now: datetime, *, actor: str | None) -> int:
    """Post what the course's records call for and is not in the ledger; reverse what no longer is.

    Inside the caller's transaction. Returns how many entries it wrote (0 when the ledger already agrees).
    """
    course = session.get(CourseRow, course_id)
    if course is None:
        return 0
    wanted = {p.key: p for p in due(course_facts(session, course), rules_in_force(session))}
    sources = _sources(session, course)
    held: dict[tuple[int, int, str, str], list[PointsEntryRow]] = defaultdict(list)
    for entry in session.execute(
        select(PointsEntryRow).where(
            PointsEntryRow.source.in_(sources),  # type: ignore[attr-defined]
            PointsEntryRow.kind.in_(("auto", "reversal")),  # type: ignore[attr-defined]
        )
    ).scalars():
        held[(entry.cadre_id, entry.year, entry.rule_id or "", entry.source)].append(entry)
    written = 0
    for key in sorted(set(wanted) | set(held)):
        live = _live(held.get(key, []))
        posting = wanted.get(key)
        if (
            posting is not None
            and live is not None
            and (live.points, live.category) == (posting.points, posting.category)
        ):
            continue  # the ledger already holds what is due
        if live is not None:
            session.add(_reversal(live, now, actor, "records_changed"))
            written += 1
        if posting is not None:
            session.add(
                PointsEntryRow(
                    cadre_id=posting.cadre_id,
                    year=posting.year,
                    category=posting.category,
                    points=posting.points,
                    kind="auto",
                    rule_id=posting.rule_id,
                    source=posting.source,
                    detail=posting.detail,
                    posted_at=now,
                    posted_by=actor,
                )
            )
            written += 1
    session.flush()
    return written


def _live(entries: list[PointsEntryRow]) -> PointsEntryRow | None:
    """The posting of a key that no reversal has cancelled yet (at most one at any time)."""
    reversed_ids = {e.reverses_id for e in entries if e.kind == "reversal"}
    live = [e for e in entries if e.kind != "reversal" and e.id not in reversed_ids]
    return live[-1] if live else None


def _reversal(entry: PointsEntryRow, now: datetime, actor: str | None, reason: str) -> PointsEntryRow:
    return PointsEntryRow(
        cadre_id=entry.cadre_id,
        year=entry.year,
        category=entry.category,
        points=-entry.points,
        kind="reversal",
        rule_id=entry.rule_id,
        source=entry.source,
        reverses_id=entry.id,
        reason=reason,
        detail=entry.detail,
        posted_at=now,
        posted_by=actor,
    )


def sync_for_session(session: Session, exam_session_id: int, now: datetime) -> int:
    """After an attempt of ``exam_session_id`` is graded: the course it closes, if any, posts anew."""
    return sum(
        sync_course(session, cid, now, actor=None)  # type: ignore[arg-type]
        for cid in session.execute(
            select(CourseRow.id).where(CourseRow.closing_session_id == exam_session_id)
        ).scalars()
    )


def sync_all(db: Database, *, actor: str | None, clock: MaybeClock = None) -> int:
    """Every course posted anew (what ``exam-tui points post`` does; normally nothing to write)."""
    with db.write() as session:
        now = now_in(session, clock)
        return sum(
            sync_course(session, cid, now, actor=actor)
            for cid in session.execute(select(CourseRow.id)).scalars()
        )  # type: ignore[arg-type]


# ---- manual postings and corrections ----------------------------------------------------------------


def _cadre(session: Session, id_number: str) -> CadreRow:
    try:
        number = normalise_id_number(id_number)
    except InvalidIdNumber as exc:
        raise SessionError("course.bad_id", value=id_number, reason=exc.reason) from exc
    cadre = session.execute(select(CadreRow).where(CadreRow.id_number == number)).scalar_one_or_none()
    if cadre is None:
        raise SessionError("cadre.not_found", id_number=mask(number))
    return cadre


def post_manual(
    db: Database,
    id_number: str,
    *,
    year: int,
    category: str,
    points: float,
    reason: str,
    actor: str,
    clock: MaybeClock = None,
) -> int:
    """Points no record carries (self-study reported, an education activity elsewhere): a reason is a must."""
    reason = reason.strip()
    if not reason:
        raise SessionError("points.reason_required")
    if category not in CATEGORY_IDS:
        raise SessionError("points.bad_category", category=category, categories=", ".join(CATEGORY_IDS))
    if not -100 <= points <= 100 or points == 0:
        raise SessionError("points.bad_amount", points=points)
    if not 2000 <= year <= 2100:
        raise SessionError("points.bad_year", year=year)
    with db.write() as session:
        now = now_in(session, clock)
        cadre = _cadre(session, id_number)
        row = PointsEntryRow(
            cadre_id=cadre.id,  # type: ignore[arg-type]
            year=year,
            category=category,
            points=round(points, 2),
            kind="manual",
            source="manual",
            reason=reason,
            posted_at=now,
            posted_by=actor,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add(
            AuditEventRow(
                at=now,
                actor=actor,
                action="points.manual",
                entity="points_entry",
                entity_id=str(row.id),
                details={"cadre": cadre.id_number, "year": year, "category": category, "points": row.points},
            )
        )
        return row.id


def reverse(db: Database, entry_id: int, *, reason: str, actor: str, clock: MaybeClock = None) -> int:
    """Cancel a manual posting with a reversing entry (a posting from records follows its records)."""
    reason = reason.strip()
    if not reason:
        raise SessionError("points.reason_required")
    with db.write() as session:
        now = now_in(session, clock)
        entry = session.get(PointsEntryRow, entry_id, with_for_update=True)
        if entry is None:
            raise SessionError("points.no_entry", id=entry_id)
        if entry.kind != "manual":
            raise SessionError("points.not_manual", id=entry_id)
        if session.execute(select(PointsEntryRow.id).where(PointsEntryRow.reverses_id == entry_id)).first():
            raise SessionError("points.already_reversed", id=entry_id)
        row = _reversal(entry, now, actor, reason)
        session.add(row)
        session.flush()
        session.add(
            AuditEventRow(
                at=now,
                actor=actor,
                action="points.reverse",
                entity="points_entry",
                entity_id=str(entry_id),
                details={"reversal": row.id, "reason": reason},
            )
        )
        return row.id  # type: ignore[return-value]


# ---- reading the ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryView:
    id: int
    year: int
    category: str
    points: float
    kind: str
    rule_id: str | None
    source: str
    reverses_id: int | None
    reason: str | None
    detail: str | None
    posted_at: datetime
    posted_by: str | None
    course: str | None  # the title of the course the source leads to


@dataclass(frozen=True)
class CadrePoints:
    id_number_masked: str
    name: str
    unit: str
    year: int
    entries: list[EntryView]
    totals: dict[str, CategoryTotal]
    total: float


def _course_titles(session: Session, entries: list[PointsEntryRow]) -> dict[str, str]:
    """source → course title for entries that come from a course or from a closing test's attempt."""
    titles: dict[str, str] = {}
    course_ids = {int(e.source.split(":")[1]) for e in entries if e.source.startswith("course:")}
    attempt_ids = {int(e.source.split(":")[1]) for e in entries if e.source.startswith("attempt:")}
    for cid, title in session.execute(
        select(CourseRow.id, CourseRow.title).where(CourseRow.id.in_(course_ids))
    ).all():  # type: ignore[union-attr]
        titles[f"course:{cid}"] = title
    if attempt_ids:
        for aid, title in session.execute(
            select(AttemptRow.id, CourseRow.title)
            .join(CourseRow, CourseRow.closing_session_id == AttemptRow.session_id)  # type: ignore[arg-type]
            .where(AttemptRow.id.in_(attempt_ids))  # type: ignore[union-attr]
        ).all():
            titles[f"attempt:{aid}"] = title
    return titles


def cadre_points(db: Database, id_number: str, *, year: int) -> CadrePoints:
    """One cadre's ledger for a year, every entry with where it came from, and the capped totals."""
    with db.read() as session:
        cadre = _cadre(session, id_number)
        unit = session.get(UnitRow, cadre.unit_id)
        rows = list(
            session.execute(
                select(PointsEntryRow)
                .where(PointsEntryRow.cadre_id == cadre.id, PointsEntryRow.year == year)
                .order_by(PointsEntryRow.id)  # type: ignore[arg-type]
            ).scalars()
        )
        rules = rules_in_force(session)
        titles = _course_titles(session, rows)
        category_totals = totals(((r.category, r.points) for r in rows), rules)
        return CadrePoints(
            mask(cadre.id_number),
            cadre.name,
            unit.name if unit else "",
            year,
            [
                EntryView(
                    r.id,
                    r.year,
                    r.category,
                    r.points,
                    r.kind,
                    r.rule_id,
                    r.source,
                    r.reverses_id,  # type: ignore[arg-type]
                    r.reason,
                    _worded(r.detail, rules),
                    r.posted_at,
                    r.posted_by,
                    titles.get(r.source),
                )
                for r in rows
            ],
            category_totals,
            grand_total(category_totals),
        )


def _worded(detail: str | None, rules: PointsRules) -> str | None:
    """``rule-id: 6 ÷ 2 × 2 = 6`` with the rule's title for its id, as the admin's file names it."""
    if not detail:
        return detail
    rule_id, sep, sums = detail.partition(": ")
    title = next((r.title for r in rules.rules if r.id == rule_id), None)
    return f"{title}{sep}{sums}" if title and sep else detail


@dataclass(frozen=True)
class YearPoints:
    year: int
    totals: dict[str, CategoryTotal]
    total: float


def years_of(session: Session, cadre_id: int) -> list[YearPoints]:
    """The cadre's capped totals for every year the ledger has entries, the latest first."""
    rules = rules_in_force(session)
    by_year: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for year, category, amount in session.execute(
        select(PointsEntryRow.year, PointsEntryRow.category, func.sum(PointsEntryRow.points))
        .where(PointsEntryRow.cadre_id == cadre_id)
        .group_by(PointsEntryRow.year, PointsEntryRow.category)
    ).all():
        by_year[year].append((category, float(amount)))
    result = []
    for year in sorted(by_year, reverse=True):
        t = totals(by_year[year], rules)
        result.append(YearPoints(year, t, grand_total(t)))
    return result


@dataclass(frozen=True)
class NoticeRow:
    id_number_masked: str
    name: str
    rank: str | None
    unit: str
    totals: dict[str, CategoryTotal]
    total: float


def _rows_for(session: Session, year: int, unit_id: int | None) -> list[NoticeRow]:
    """Every cadre (of the unit) with their capped totals for the year; those with no points too."""
    rules = rules_in_force(session)
    stmt = select(CadreRow, UnitRow.name).join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
    if unit_id is not None:
        stmt = stmt.where(CadreRow.unit_id == unit_id)
    cadres = session.execute(stmt.order_by(UnitRow.id, CadreRow.id)).all()
    sums: dict[int, list[tuple[str, float]]] = defaultdict(list)
    query = (
        select(PointsEntryRow.cadre_id, PointsEntryRow.category, func.sum(PointsEntryRow.points))
        .where(PointsEntryRow.year == year)
        .group_by(PointsEntryRow.cadre_id, PointsEntryRow.category)
    )
    for cadre_id, category, points in session.execute(query).all():
        sums[cadre_id].append((category, float(points)))
    rows = []
    for cadre, unit in cadres:
        t = totals(sums.get(cadre.id, []), rules)  # type: ignore[arg-type]
        rows.append(NoticeRow(mask(cadre.id_number), cadre.name, cadre.rank, unit, t, grand_total(t)))
    return rows


def notice(db: Database, *, unit: str, year: int) -> list[NoticeRow]:
    """登记公示: one unit's cadres and their points by category for the year, in roster order."""
    with db.read() as session:
        unit_id = session.execute(select(UnitRow.id).where(UnitRow.name == unit)).scalar_one_or_none()
        if unit_id is None:
            raise SessionError("cadre.unit_not_found", unit=unit)
        return _rows_for(session, year, unit_id)


@dataclass(frozen=True)
class UnitStanding:
    unit: str
    cadres: int
    total: float
    mean: float
    place: int


def ranking(db: Database, *, year: int) -> tuple[list[tuple[int, NoticeRow]], list[UnitStanding]]:
    """Everyone by their year's total (shared places for equal totals), and units by their mean total."""
    with db.read() as session:
        rows = _rows_for(session, year, None)
    people = sorted(rows, key=lambda r: (-r.total, r.unit, r.name))
    placed = _places(people, lambda r: r.total)
    by_unit: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_unit[r.unit].append(r.total)
    units = sorted(
        ((u, len(v), round(sum(v), 2), round(sum(v) / len(v), 2)) for u, v in by_unit.items()),
        key=lambda u: (-u[3], u[0]),
    )
    unit_places = _places(units, lambda u: u[3])
    return placed, [UnitStanding(u, n, total, mean, place) for place, (u, n, total, mean) in unit_places]


def _places(items: list[T], value: Callable[[T], float]) -> list[tuple[int, T]]:
    """(place, item) with standard competition ranking: equal values share a place (1, 2, 2, 4)."""
    placed: list[tuple[int, T]] = []
    for i, item in enumerate(items):
        place = placed[-1][0] if placed and value(placed[-1][1]) == value(item) else i + 1
        placed.append((place, item))
    return placed
