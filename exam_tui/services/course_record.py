"""A course's full record (培训记录): who, when, attendance, the closing test, speakers, points, notes.

``exam-tui training show`` prints it; as a workbook it is the course record sheet an office files: one
sheet of facts, then attendance (cadres × half-days), the closing test, the draws, the points posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from exam_tui.formats.results_export import Cell, Sheet, json_text, pii_document, table_text, write_xlsx
from exam_tui.i18n import t
from exam_tui.services.pii import notice
from exam_tui.services.points import rules_in_force
from exam_tui.services.results_export import ExportError, write_atomically
from exam_tui.services.runtime import Database
from exam_tui.services.speakers import DrawView, draws
from exam_tui.services.training import AttendanceGrid, CourseView, attendance_grid, closing_session
from exam_tui.store.models import AttemptRow, CadreRow, UnitRow
from exam_tui.store.models_training import CourseRoleRow, PointsEntryRow


@dataclass(frozen=True)
class TestResult:
    name: str
    unit: str
    score: float | None
    passed: bool | None
    state: str  # graded, pending_grading, in_progress, absent, not_sat


@dataclass(frozen=True)
class PostedPoints:
    name: str
    unit: str
    category: str
    points: float
    kind: str
    rule: str | None  # the rule's title in the rules in force
    posted_at: datetime


@dataclass(frozen=True)
class CourseRecord:
    course: CourseView
    roles: list[tuple[str, str, str]]  # (role, name, unit)
    grid: AttendanceGrid
    test_title: str | None
    test: list[TestResult]
    draws: list[DrawView]
    points: list[PostedPoints]


def course_record(db: Database, course_id: int) -> CourseRecord:
    grid = attendance_grid(db, course_id)  # raises for an unknown course
    made = draws(db, course_id)
    with db.read() as session:
        roles = [
            (role, name, unit)
            for role, name, unit in session.execute(
                select(CourseRoleRow.role, CadreRow.name, UnitRow.name)
                .join(CadreRow, CadreRow.id == CourseRoleRow.cadre_id)  # type: ignore[arg-type]
                .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
                .where(CourseRoleRow.course_id == course_id)
                .order_by(CourseRoleRow.role, CourseRoleRow.id)
            ).all()
        ]
        closing = closing_session(session, course_id)
        results: list[TestResult] = []
        sources = {f"course:{course_id}"}
        if closing is not None:
            attempts = {
                a.cadre_id: a
                for a in session.execute(
                    select(AttemptRow).where(AttemptRow.session_id == closing.id)
                ).scalars()
            }
            sources |= {f"attempt:{a.id}" for a in attempts.values()}
            for p in grid.participants:
                a = attempts.get(p.cadre_id)
                state = a.state if a is not None else ("absent" if closing.state == "closed" else "not_sat")
                results.append(
                    TestResult(p.name, p.unit, a.score if a else None, a.passed if a else None, state)
                )
        titles = {r.id: r.title for r in rules_in_force(session).rules}
        posted = [
            PostedPoints(
                name, unit, e.category, e.points, e.kind, titles.get(e.rule_id or "", e.rule_id), e.posted_at
            )
            for e, name, unit in session.execute(
                select(PointsEntryRow, CadreRow.name, UnitRow.name)
                .join(CadreRow, CadreRow.id == PointsEntryRow.cadre_id)  # type: ignore[arg-type]
                .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
                .where(PointsEntryRow.source.in_(sources))  # type: ignore[attr-defined]
                .order_by(PointsEntryRow.id)  # type: ignore[arg-type]
            ).all()
        ]
    return CourseRecord(grid.course, roles, grid, closing.title if closing else None, results, made, posted)


# ---- in words ---------------------------------------------------------------------------------------


def period_label(day: date, half: str) -> str:
    return t("course.period", month=day.month, day=day.day, half=t(f"course.half.{half}"))


def presence_word(status: str | None, reason: str | None = None) -> str:
    if status is None:
        return ""
    word = t(f"course.presence.{status}")
    return f"{word}({reason})" if reason else word


def _info(r: CourseRecord) -> list[list[Cell]]:
    c = r.course
    rows: list[list[Cell]] = [
        [t("course.field.id"), str(c.id)],
        [t("course.field.title"), c.title],
        [t("course.field.kind"), t(f"points.kind.{c.kind}")],
        [t("course.field.dates"), f"{c.starts_on.isoformat()} — {c.ends_on.isoformat()}"],
        [t("course.field.place"), c.place],
        [t("course.field.organiser"), c.organiser],
        [t("course.field.target"), c.target],
        [t("course.field.enrolled"), str(c.enrolled)],
        [
            t("course.field.created"),
            f"{c.created_at.astimezone():%Y-%m-%d %H:%M} {c.created_by or ''}".strip(),
        ],
        [
            t("course.field.closed"),
            f"{c.closed_at.astimezone():%Y-%m-%d %H:%M} {c.closed_by or ''}".strip()
            if c.closed_at
            else t("course.open"),
        ],
        [t("course.field.test"), r.test_title],
        [t("course.field.notes"), c.notes],
    ]
    rows += [[t(f"course.role.{role}"), f"{name}({unit})"] for role, name, unit in r.roles]
    return rows


def _attendance(r: CourseRecord) -> tuple[list[str], list[list[Cell]]]:
    headers = [t("course.col.name"), t("course.col.unit")] + [period_label(d, h) for d, h in r.grid.periods]
    headers.append(t("course.col.attended"))
    rows: list[list[Cell]] = []
    for p in r.grid.participants:
        cells = [r.grid.cells.get((p.cadre_id, d, h)) for d, h in r.grid.periods]
        attended = sum(1 for c in cells if c is not None and c[0] in ("present", "late"))
        rows.append(
            [p.name, p.unit, *(presence_word(*c) if c else "" for c in cells), f"{attended}/{len(cells)}"]
        )
    return headers, rows


def _test(r: CourseRecord) -> tuple[list[str], list[list[Cell]]]:
    headers = [t("course.col.name"), t("course.col.unit"), t("course.col.score"), t("course.col.result")]
    rows: list[list[Cell]] = []
    for x in r.test:
        verdict = (
            t(f"course.test.{x.state}")
            if x.state != "graded"
            else t("course.test.passed" if x.passed else "course.test.failed")
        )
        rows.append([x.name, x.unit, x.score, verdict])
    return headers, rows


def _draws(r: CourseRecord) -> tuple[list[str], list[list[Cell]]]:
    headers = [
        t(f"course.col.{c}") for c in ("draw", "at", "period", "present", "speakers", "seed", "verified")
    ]
    rows: list[list[Cell]] = [
        [
            d.id,
            d.at,
            period_label(d.day, d.half),
            d.present,
            t("course.sep").join(f"{s.name}({s.unit})" for s in d.speakers),
            d.seed,
            t("course.verified") if d.verified else t("course.not_verified"),
        ]
        for d in r.draws
    ]
    return headers, rows


def _points(r: CourseRecord) -> tuple[list[str], list[list[Cell]]]:
    headers = [
        t(f"course.col.{c}") for c in ("name", "unit", "category", "points", "entry", "rule", "posted")
    ]
    rows: list[list[Cell]] = [
        [
            p.name,
            p.unit,
            t(f"points.category.{p.category}"),
            p.points,
            t(f"points.entry.{p.kind}"),
            p.rule,
            p.posted_at,
        ]
        for p in r.points
    ]
    return headers, rows


def sheets(r: CourseRecord) -> list[Sheet]:
    """Every sheet names people (the roles on the first), so every sheet carries the notice."""
    parts = [
        Sheet(t("course.sheet.info"), [t("course.col.field"), t("course.col.value")], _info(r), notice())
    ]
    for key, (headers, rows) in (
        ("attendance", _attendance(r)),
        ("test", _test(r)),
        ("draws", _draws(r)),
        ("points", _points(r)),
    ):
        parts.append(Sheet(t(f"course.sheet.{key}"), headers, rows, notice()))
    return parts


def record_text(r: CourseRecord) -> str:
    """The record for the terminal: each part under its heading, as aligned tables."""
    out = [notice() + "\n"]
    for sheet in sheets(r):
        out.append(
            f"{sheet.title}\n{table_text(sheet.headers, sheet.rows) if sheet.rows else t('course.none') + chr(10)}"
        )
    return "\n".join(out)


def record_json(r: CourseRecord) -> str:
    c = r.course
    document: dict[str, Any] = {
        "id": c.id,
        "title": c.title,
        "kind": c.kind,
        "starts_on": c.starts_on.isoformat(),
        "ends_on": c.ends_on.isoformat(),
        "place": c.place,
        "organiser": c.organiser,
        "target": c.target,
        "notes": c.notes,
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
        "closed_by": c.closed_by,
        "roles": [{"role": role, "name": name, "unit": unit} for role, name, unit in r.roles],
        "participants": [
            {
                "id_number": p.id_number_masked,
                "name": p.name,
                "unit": p.unit,
                "attendance": {
                    f"{d.isoformat()} {h}": (r.grid.cells.get((p.cadre_id, d, h)) or (None, None))[0]
                    for d, h in r.grid.periods
                },
            }
            for p in r.grid.participants
        ],
        "test": [
            {"name": x.name, "unit": x.unit, "score": x.score, "passed": x.passed, "state": x.state}
            for x in r.test
        ],
        "draws": [
            {
                "id": d.id,
                "at": d.at.isoformat(),
                "day": d.day.isoformat(),
                "half": d.half,
                "k": d.k,
                "seed": d.seed,
                "speakers": [s.name for s in d.speakers],
                "verified": d.verified,
            }
            for d in r.draws
        ],
        "points": [
            {
                "name": p.name,
                "unit": p.unit,
                "category": p.category,
                "points": p.points,
                "kind": p.kind,
                "rule": p.rule,
            }
            for p in r.points
        ],
    }
    return json_text(pii_document(notice(), document))


def export_record(r: CourseRecord, path: Path, *, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise ExportError("cli.results.exists", path=path)
    if path.suffix.lower() != ".xlsx":
        raise ExportError("cli.results.unknown_extension", path=path)
    write_atomically(path, lambda partial: write_xlsx(partial, sheets(r)))
