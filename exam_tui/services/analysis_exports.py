"""The item analysis as reports: the item table (``report items``) and the paper (``report paper``).

Rows are rounded for reading (percentages to 0.1, D and α to 0.01 / 0.001); the JSON keeps every
number as computed, with the flag and band identifiers beside their words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from exam_tui.domain.analysis import HIGH_STAKES_MINIMUM, LOW_STAKES_MINIMUM, RELIABILITY_LOW, ItemStats
from exam_tui.formats.results_export import Cell
from exam_tui.i18n import t
from exam_tui.services.analysis import ItemAnalysisReport, QuestionInExam
from exam_tui.services.report_document import ReportChart, ReportDocument, ReportTable

ITEM_COLUMNS = (
    "number",
    "question",
    "type",
    "category",
    "n",
    "facility",
    "sd",
    "random_guess",
    "intended_weight",
    "effective_weight",
    "discrimination_index",
    "discriminative_efficiency",
    "upper_lower_d",
    "ebel_band",
    "flags",
)
DISTRACTOR_COLUMNS = (
    "question",
    "option",
    "is_key",
    "count",
    "share",
    "upper_share",
    "lower_share",
    "working",
)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def flag_text(flag: str) -> str:
    return t(flag)


def band_text(band: str | None) -> str | None:
    return None if band is None else t(f"analysis.band.{band}")


def reliability_text(report: ItemAnalysisReport) -> str | None:
    """The reliability warning in words, with the figure and the bar it was held to; None when none."""
    paper = report.analysis.paper
    if paper.reliability_warning is None:
        return None
    minimum = HIGH_STAKES_MINIMUM if report.high_stakes else LOW_STAKES_MINIMUM
    alpha = "-" if paper.alpha is None else f"{paper.alpha:.3f}"
    if paper.reliability_warning == RELIABILITY_LOW and report.high_stakes:
        return t("analysis.reliability_low_high_stakes", alpha=alpha, minimum=f"{minimum:.2f}")
    return t(paper.reliability_warning, alpha=alpha, minimum=f"{minimum:.2f}")


def item_headers() -> list[str]:
    return [t(f"analysis.col.{c}") for c in ITEM_COLUMNS]


def item_row(number: int, row: ItemStats, report: ItemAnalysisReport) -> list[Cell]:
    text = report.questions.get(row.key)
    return [
        number,
        row.key,
        t(f"word.{row.type}"),
        text.category if text is not None else None,
        row.n,
        _round(row.facility, 1),
        _round(row.sd, 1),
        _round(row.random_guess, 1),
        _round(row.intended_weight, 2),
        _round(row.effective_weight, 2),
        _round(row.discrimination_index, 1),
        _round(row.discriminative_efficiency, 1),
        _round(row.upper_lower_d, 2),
        band_text(row.ebel_band),
        "；".join(flag_text(f) for f in row.flags) or None,
    ]


def distractor_rows(report: ItemAnalysisReport) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for item in report.analysis.items:
        for d in item.distractors:
            rows.append(
                [
                    item.key,
                    d.option,
                    t("word.true") if d.is_key else None,
                    d.count,
                    _round(100 * d.share, 1),
                    None if d.upper_share is None else _round(100 * d.upper_share, 1),
                    None if d.lower_share is None else _round(100 * d.lower_share, 1),
                    t("word.true") if d.working else None,
                ]
            )
    return rows


def _scope_facts(report: ItemAnalysisReport) -> list[tuple[str, Cell]]:
    paper = report.analysis.paper
    facts: list[tuple[str, Cell]] = [
        (t("analysis.fact.exam"), f"{report.exam_ref}《{report.exam_title}》"),
        (t("analysis.fact.kind"), t(f"word.{report.exam_kind}")),
        (t("analysis.fact.sessions"), "、".join(str(i) for i in report.session_ids) or None),
        (t("analysis.fact.attempts"), paper.n),
    ]
    if report.pending_grading:
        facts.append((t("analysis.fact.pending"), report.pending_grading))
    return facts


def paper_facts(report: ItemAnalysisReport) -> list[tuple[str, Cell]]:
    paper = report.analysis.paper
    return [
        (t("analysis.fact.mean"), _round(paper.mean, 2)),
        (t("analysis.fact.median"), _round(paper.median, 2)),
        (t("analysis.fact.sd"), _round(paper.sd, 2)),
        (t("analysis.fact.min"), paper.minimum),
        (t("analysis.fact.max"), paper.maximum),
        (t("analysis.fact.pass_rate"), None if paper.pass_rate is None else f"{100 * paper.pass_rate:.1f}%"),
        (t("analysis.fact.skewness"), _round(paper.skewness, 3)),
        (t("analysis.fact.kurtosis"), _round(paper.kurtosis, 3)),
        (t("analysis.fact.alpha"), _round(paper.alpha, 3)),
        (t("analysis.fact.kr20"), _round(paper.kr20, 3)),
        (t("analysis.fact.alpha_n"), paper.alpha_n),
        (t("analysis.fact.error_ratio"), _round(paper.error_ratio, 2)),
        (t("analysis.fact.standard_error"), _round(paper.standard_error, 2)),
    ]


def histogram_rows(report: ItemAnalysisReport) -> list[list[Cell]]:
    last = len(report.analysis.paper.histogram) - 1
    return [
        [
            t(
                "analysis.band_range" if i < last else "analysis.band_range_last",
                low=f"{low:g}",
                high=f"{high:g}",
            ),
            n,
        ]
        for i, (low, high, n) in enumerate(report.analysis.paper.histogram)
    ]


def _subtitle(report: ItemAnalysisReport) -> str:
    if report.scope == "session":
        return t("analysis.subtitle.session", id=report.session_ids[0], title=report.title)
    return t("analysis.subtitle.exam", sessions=len(report.session_ids))


def _notes(report: ItemAnalysisReport) -> list[str]:
    notes = []
    warning = reliability_text(report)
    if warning:
        notes.append(warning)
    if report.pending_grading:
        notes.append(t("analysis.note.pending", count=report.pending_grading))
    if report.analysis.paper.n and report.analysis.paper.alpha_n < report.analysis.paper.n:
        notes.append(t("analysis.note.alpha_subset", n=report.analysis.paper.alpha_n))
    return notes


def items_document(report: ItemAnalysisReport, *, generated_at: datetime | None = None) -> ReportDocument:
    items = report.analysis.items
    alpha = report.analysis.paper.alpha
    facts = [*_scope_facts(report), (t("analysis.fact.alpha"), _round(alpha, 3))]
    flagged = sum(1 for row in items if row.flags)
    facts.append((t("analysis.fact.flagged"), flagged))
    return ReportDocument(
        title=t("analysis.title.items"),
        subtitle=_subtitle(report),
        facts=facts,
        notes=_notes(report),
        tables=[
            ReportTable(
                t("analysis.table.items"),
                item_headers(),
                [item_row(n, row, report) for n, row in enumerate(items, 1)],
                column_widths=(3.5, 7, 5, 9, 4, 5, 5, 5, 5, 5, 5, 5, 4.5, 6, 14),
            ),
            ReportTable(
                t("analysis.table.distractors"),
                [t(f"analysis.dcol.{c}") for c in DISTRACTOR_COLUMNS],
                distractor_rows(report),
            ),
        ],
        data=report_json(report),
        generated_at=generated_at,
        landscape=True,
    )


def paper_document(report: ItemAnalysisReport, *, generated_at: datetime | None = None) -> ReportDocument:
    histogram = t("analysis.table.histogram")
    return ReportDocument(
        title=t("analysis.title.paper"),
        subtitle=_subtitle(report),
        facts=[*_scope_facts(report), *paper_facts(report)],
        notes=_notes(report),
        tables=[
            ReportTable(
                histogram, [t("analysis.hcol.band"), t("analysis.hcol.count")], histogram_rows(report)
            )
        ],
        charts=[ReportChart(histogram, t("analysis.chart.histogram"), 0, 1)],
        data=report_json(report),
        generated_at=generated_at,
    )


def report_json(report: ItemAnalysisReport) -> dict[str, Any]:
    """Everything the analysis computed, numbers unrounded (fields in docs/cli.md)."""
    paper = asdict(report.analysis.paper)
    paper["histogram"] = [
        {"low": lo, "high": hi, "count": n} for lo, hi, n in report.analysis.paper.histogram
    ]
    items = []
    for row in report.analysis.items:
        entry = asdict(row)
        entry["flag_texts"] = [flag_text(f) for f in row.flags]
        text = report.questions.get(row.key)
        entry["category"] = text.category if text is not None else None
        entry["stem"] = text.stem if text is not None else None
        entry["bank_key"] = text.key if text is not None else None
        items.append(entry)
    return {
        "scope": report.scope,
        "title": report.title,
        "exam": report.exam_ref,
        "exam_title": report.exam_title,
        "exam_kind": report.exam_kind,
        "high_stakes": report.high_stakes,
        "sessions": list(report.session_ids),
        "pending_grading": report.pending_grading,
        "reliability_text": reliability_text(report),
        "paper": paper,
        "items": items,
    }


QUESTION_COLUMNS = (
    "exam",
    "sessions",
    "n",
    "facility",
    "discrimination_index",
    "discriminative_efficiency",
    "upper_lower_d",
    "ebel_band",
    "flags",
)


def question_document(
    bank: str, question: str, found: Sequence[QuestionInExam], *, generated_at: datetime | None = None
) -> ReportDocument:
    """One question in every exam that had it: how it behaved in each."""
    rows: list[list[Cell]] = [
        [
            f"{q.exam_ref}《{q.exam_title}》",
            q.sessions,
            q.stats.n,
            _round(q.stats.facility, 1),
            _round(q.stats.discrimination_index, 1),
            _round(q.stats.discriminative_efficiency, 1),
            _round(q.stats.upper_lower_d, 2),
            band_text(q.stats.ebel_band),
            "；".join(flag_text(f) for f in q.stats.flags) or None,
        ]
        for q in found
    ]
    return ReportDocument(
        title=t("analysis.title.question", question=question),
        subtitle=t("analysis.subtitle.question", bank=bank),
        facts=[
            (t("analysis.fact.bank"), bank),
            (t("analysis.fact.question"), question),
            (t("analysis.fact.exams"), len(found)),
        ],
        notes=[] if found else [t("analysis.note.question_unused")],
        tables=[
            ReportTable(
                t("analysis.table.question"), [t(f"analysis.qcol.{c}") for c in QUESTION_COLUMNS], rows
            )
        ],
        data={
            "bank": bank,
            "question": question,
            "exams": [
                {"exam": q.exam_ref, "exam_title": q.exam_title, "sessions": q.sessions, **asdict(q.stats)}
                for q in found
            ],
        },
        generated_at=generated_at,
        landscape=True,
    )
