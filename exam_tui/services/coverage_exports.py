"""Coverage by unit (``report coverage``) and the annual assessment (``report annual``) as reports."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from exam_tui.domain.assessment import Indicator
from exam_tui.formats.results_export import Cell
from exam_tui.i18n import t
from exam_tui.services.coverage import Assessment, CoverageReport, UnitCoverage
from exam_tui.services.report_document import ReportChart, ReportDocument, ReportTable

COVERAGE_COLUMNS = (
    "unit",
    "on_roll",
    "covered",
    "coverage_rate",
    "sat",
    "passed",
    "pass_rate",
    "pre_appointment_sat",
    "appointments",
    "deferred",
    "trained",
    "warning_times",
    "lecture_times",
    "person_times",
    "mean_points",
)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _coverage_row(u: UnitCoverage, name: str | None = None) -> list[Cell]:
    return [
        name or u.unit,
        u.on_roll,
        u.covered,
        _percent(u.covered, u.on_roll),
        u.sat,
        u.passed,
        _percent(u.passed, u.sat),
        u.pre_appointment_sat,
        u.appointments,
        u.deferred,
        u.trained,
        u.warning_times,
        u.lecture_times,
        u.person_times,
        u.mean_points,
    ]


def _filters(report: CoverageReport) -> list[tuple[str, Cell]]:
    return [
        (t("coverage.fact.period"), f"{report.start.isoformat()} — {report.end.isoformat()}"),
        (t("coverage.fact.rank"), report.rank or t("coverage.all")),
        (t("coverage.fact.category"), report.category or t("coverage.all")),
    ]


def _subtitle(report: CoverageReport) -> str:
    return t("coverage.subtitle", units=len(report.units), person_times=f"{report.total.person_times:,}")


def coverage_document(report: CoverageReport, *, generated_at: datetime | None = None) -> ReportDocument:
    total = report.total
    table = t("coverage.table.units")
    rows = [_coverage_row(u) for u in report.units]
    if report.units:
        rows.append(_coverage_row(total, t("coverage.total_row", units=len(report.units))))
    rate = _percent(total.covered, total.on_roll)
    facts = [
        *_filters(report),
        (t("coverage.fact.units"), len(report.units)),
        (t("coverage.fact.on_roll"), total.on_roll),
        (t("coverage.fact.covered"), total.covered),
        (t("coverage.fact.coverage_rate"), None if rate is None else f"{rate:g}%"),
        (t("coverage.fact.person_times"), total.person_times),
        (t("coverage.fact.warning_times"), total.warning_times),
    ]
    return ReportDocument(
        title=t("coverage.title"),
        subtitle=_subtitle(report),
        facts=facts,
        tables=[
            ReportTable(
                table,
                [t(f"coverage.col.{c}") for c in COVERAGE_COLUMNS],
                rows,
                column_widths=(10, *([4] * (len(COVERAGE_COLUMNS) - 1))),
            )
        ],
        charts=[ReportChart(table, t("coverage.chart"), 0, 3, kind="bar", rows=len(report.units))],
        data=coverage_json(report),
        generated_at=generated_at,
        landscape=True,
    )


def coverage_json(report: CoverageReport) -> dict[str, Any]:
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "rank": report.rank,
        "category": report.category,
        "units": [{**asdict(u), **u.measures()} for u in report.units],
        "total": {**asdict(report.total), **report.total.measures()},
    }


def annual_document(
    assessment: Assessment, year: int, *, generated_at: datetime | None = None
) -> ReportDocument:
    rules = assessment.rules
    table = t("annual.table.units")
    headers = [t("annual.col.place"), t("annual.col.unit"), t("annual.col.index")]
    for indicator in rules.indicators:
        headers += [
            t("annual.col.measure", title=indicator.title),
            t("annual.col.score", title=indicator.title),
            t("annual.col.weighted", title=indicator.title, weight=f"{indicator.weight:g}"),
        ]
    rows: list[list[Cell]] = []
    for unit in assessment.scores:
        row: list[Cell] = [unit.place, unit.unit, unit.index]
        for indicator, part in zip(rules.indicators, unit.parts, strict=True):  # assess keeps their order
            row += [_measure(indicator, part.measure), part.score, part.weighted]
        rows.append(row)
    facts: list[tuple[str, Cell]] = [
        (t("annual.fact.year"), year),
        (t("annual.fact.rules"), rules.title),
        *_filters(assessment.report)[1:],
        (t("annual.fact.units"), len(assessment.scores)),
    ]
    facts += [
        (
            t("annual.fact.indicator", title=i.title),
            t("annual.weight", weight=f"{i.weight:g}", measure=t(f"annual.measure.{i.measure}")),
        )
        for i in rules.indicators
    ]
    return ReportDocument(
        title=t("annual.title", year=year),
        subtitle=rules.title,
        facts=facts,
        notes=[t("annual.note")],
        tables=[ReportTable(table, headers, rows)],
        charts=[ReportChart(table, t("annual.chart"), 1, 2, kind="bar")],
        data=annual_json(assessment, year),
        generated_at=generated_at,
        landscape=len(rules.indicators) > 2,
    )


def _measure(indicator: Indicator, value: float | None) -> Cell:
    """A rate as a percentage; a count measure as it is."""
    if value is None:
        return None
    if indicator.full_at is None:
        return round(100 * value, 1)
    return round(value, 2)


def annual_json(assessment: Assessment, year: int) -> dict[str, Any]:
    return {
        "year": year,
        "rules": {
            "title": assessment.rules.title,
            "indicators": [asdict(i) for i in assessment.rules.indicators],
        },
        "rank": assessment.report.rank,
        "category": assessment.report.category,
        "units": [asdict(u) for u in assessment.scores],
        "coverage": coverage_json(assessment.report),
    }
