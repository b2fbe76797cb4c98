"""``bank stats``: whether a bank's current version can feed its exams, as numbers, text and JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from exam_tui.domain.bank_stats import (
    DIFFICULTY_LEVELS,
    Counts,
    ExamSections,
    QuestionKey,
    QuestionStats,
    question_stats,
)
from exam_tui.formats.results_export import Cell, table_text
from exam_tui.i18n import t
from exam_tui.services.banks import BankNotFound, current_version
from exam_tui.services.runtime import Database
from exam_tui.store.models import CategoryRow, ExamRow, QuestionRow

__all__ = ["BankNotFound", "BankStats", "bank_stats", "render_stats", "stats_to_json"]


@dataclass(frozen=True)
class BankStats:
    slug: str
    title: str
    version: int
    label: str | None
    imported_at: datetime
    category_titles: dict[str, str]  # id → title, in the bank's order
    stats: QuestionStats


def bank_stats(db: Database, slug: str) -> BankStats:
    """The counts of the bank's newest version; BankNotFound when there is no such bank."""
    with db.read() as session:
        _, version = current_version(session, slug)
        counts: Counter[QuestionKey] = Counter()
        for category, qtype, difficulty, n in session.execute(
            select(QuestionRow.category_slug, QuestionRow.type, QuestionRow.difficulty, func.count())
            .where(QuestionRow.bank_version_id == version.id)
            .group_by(QuestionRow.category_slug, QuestionRow.type, QuestionRow.difficulty)
        ).all():
            counts[(category, qtype, difficulty)] = n
        titles = dict(
            session.execute(
                select(CategoryRow.slug, CategoryRow.title)
                .where(CategoryRow.bank_version_id == version.id)
                .order_by(CategoryRow.position)
            ).all()
        )
        exams = [
            ExamSections(e_slug, e_title, sections or [])
            for e_slug, e_title, sections in session.execute(
                select(ExamRow.slug, ExamRow.title, ExamRow.sections)
                .where(ExamRow.bank_version_id == version.id)
                .order_by(ExamRow.id)
            ).all()
        ]
        return BankStats(
            slug=slug,
            title=version.title,
            version=version.number,
            label=version.label,
            imported_at=version.imported_at,
            category_titles=titles,
            stats=question_stats(counts, list(titles), exams),
        )


# ---- text -------------------------------------------------------------------------------------


def render_stats(stats: BankStats) -> str:
    """The aligned tables of ``exam-tui bank stats`` in the UI language (wide characters count double)."""
    label = f"{stats.version}({stats.label})" if stats.label else str(stats.version)
    imported = stats.imported_at.astimezone().strftime("%Y-%m-%d %H:%M")
    parts = [
        t("cli.bank.show_title", bank=stats.slug, title=stats.title, version=label, imported_at=imported)
        + "\n",
        _count_table(stats.stats),
    ]
    for exam in stats.stats.exams:
        headers = [
            t("cli.bank.stats.section"),
            t("cli.bank.stats.type"),
            t("cli.bank.stats.scope"),
            t("cli.bank.stats.pool"),
            t("cli.bank.stats.draw"),
        ]
        rows: list[list[Cell]] = [
            [
                s.title,
                t("word." + s.type),
                _scope(s.categories, s.min_difficulty, s.max_difficulty, s.has_band),
                s.pool,
                s.draw,
            ]
            for s in exam.sections
        ]
        if not exam.enough:  # a column for the mark, only where there is something to mark
            headers.append("")
            for row, s in zip(rows, exam.sections, strict=True):
                row.append("" if s.enough else t("cli.bank.stats.short"))
        table = "".join(f"  {line}".rstrip() + "\n" for line in table_text(headers, rows).splitlines())
        parts.append("\n" + t("cli.bank.stats.exam", bank=stats.slug, id=exam.id, title=exam.title) + "\n")
        parts.append(table)
    return "".join(parts)


def _count_table(stats: QuestionStats) -> str:
    headers = [
        t("cli.bank.stats.category"),
        t("cli.bank.stats.type"),
        *(t("cli.bank.stats.difficulty", level=d) for d in DIFFICULTY_LEVELS),
        t("cli.bank.stats.total"),
    ]
    total = t("cli.bank.stats.total")
    rows: list[list[Cell]] = [
        [r.category, t("word." + r.type) if r.type else None, *_cells(r.counts)] for r in stats.rows
    ]
    rows += [[total, t("word." + qtype), *_cells(c)] for qtype, c in stats.by_type.items()]
    rows.append([total, t("cli.bank.stats.all_types"), *_cells(stats.total)])
    return table_text(headers, rows)


def _cells(counts: Counts) -> list[Cell]:
    return [*counts.by_difficulty, counts.total]


def _scope(categories: tuple[str, ...] | None, low: int, high: int, has_band: bool) -> str:
    scope = ", ".join(categories) if categories else t("cli.bank.stats.all_categories")
    if has_band:
        scope += "; " + t("cli.bank.stats.band", min=low, max=high)
    return scope


# ---- JSON -------------------------------------------------------------------------------------


def stats_to_json(stats: BankStats) -> dict[str, Any]:
    """The document of ``bank stats --json`` (fields in docs/cli.md)."""
    s = stats.stats
    by_category: dict[str, dict[str, Any]] = {}
    for row in s.rows:
        entry = by_category.setdefault(
            row.category,
            {
                "id": row.category,
                "title": stats.category_titles.get(row.category),
                "questions": 0,
                "by_type": {},
            },
        )
        if row.type is not None:
            entry["questions"] += row.counts.total
            entry["by_type"][row.type] = _counts_json(row.counts)
    return {
        "bank": stats.slug,
        "title": stats.title,
        "version": stats.version,
        "label": stats.label,
        "imported_at": stats.imported_at.isoformat(),
        "difficulties": list(DIFFICULTY_LEVELS),
        **_counts_json(s.total),
        "by_type": {qtype: _counts_json(c) for qtype, c in s.by_type.items()},
        "categories": list(by_category.values()),
        "exams": [
            {
                "id": e.id,
                "ref": f"{stats.slug}/{e.id}",
                "title": e.title,
                "enough": e.enough,
                "sections": [
                    {
                        "title": sec.title,
                        "type": sec.type,
                        "from": list(sec.categories) if sec.categories else None,
                        "difficulty": {"min": sec.min_difficulty, "max": sec.max_difficulty},
                        "pool": sec.pool,
                        "draw": sec.draw,
                        "enough": sec.enough,
                    }
                    for sec in e.sections
                ],
            }
            for e in s.exams
        ],
    }


def _counts_json(counts: Counts) -> dict[str, Any]:
    return {"questions": counts.total, "by_difficulty": list(counts.by_difficulty)}
