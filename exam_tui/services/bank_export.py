"""A bank out to a workbook: ``bank export`` (an imported bank, every field, its exams on a sheet of their
own) and ``bank template`` (the empty layout with one example per question type)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from exam_tui.formats.convert import excel_template, excel_writer
from exam_tui.i18n import t
from exam_tui.services.bank_convert import ConvertError, write_atomically
from exam_tui.services.banks import BankNotFound, current_version
from exam_tui.services.runtime import Database
from exam_tui.store.models import CategoryRow, ExamRow, QuestionRow

__all__ = ["BankNotFound", "ExportOutcome", "bank_document", "export_workbook", "write_template"]

HELP_LINES = 13  # cli.convert.help.1 … 13: the instruction sheet


@dataclass(frozen=True)
class ExportOutcome:
    bank: str
    version: int
    questions: int
    categories: int
    exams: int
    # Fill-in questions whose answers contain | ; or /: the workbook cannot say them unambiguously.
    unreadable: list[str]


def _question(row: QuestionRow) -> dict[str, Any]:
    q: dict[str, Any] = {"id": row.slug, "type": row.type, "category": row.category_slug}
    q["difficulty"] = row.difficulty
    if row.points is not None:
        q["points"] = row.points
    q["stem"] = row.stem
    if row.options:
        q["options"] = dict(row.options)
    if row.type != "short_answer":
        q["answer"] = row.answer
    for key in ("explanation", "source", "rubric"):
        if getattr(row, key):
            q[key] = getattr(row, key)
    if row.tags:
        q["tags"] = list(row.tags)
    q["shuffle_options"] = row.shuffle_options
    q["reviewed"] = row.reviewed
    return q


def _exam(row: ExamRow) -> dict[str, Any]:
    exam = {
        "id": row.slug,
        "title": row.title,
        "kind": row.kind,
        "duration_minutes": row.duration_minutes,
        "pass_score": row.pass_score,
        "shuffle_questions": row.shuffle_questions,
        "review": row.review,
        "max_attempts": row.max_attempts,
        "grades": row.grades,
        "double_marking": row.double_marking,
        "marking_margin": row.marking_margin,
        "retake_gap_days": row.retake_gap_days,
        "sections": row.sections,
    }
    return {k: v for k, v in exam.items() if v is not None}


def bank_document(db: Database, slug: str) -> tuple[int, dict[str, Any]]:
    """The newest imported version of a bank as a document in the YAML format's shape."""
    with db.read() as session:
        bank, version = current_version(session, slug)
        categories = session.execute(
            select(CategoryRow)
            .where(CategoryRow.bank_version_id == version.id)
            .order_by(CategoryRow.position)
        ).scalars()
        questions = session.execute(
            select(QuestionRow)
            .where(QuestionRow.bank_version_id == version.id)
            .order_by(QuestionRow.position)
        ).scalars()
        exams = session.execute(
            select(ExamRow).where(ExamRow.bank_version_id == version.id).order_by(ExamRow.id)
        ).scalars()
        document: dict[str, Any] = {
            "bank": bank.slug,
            "title": version.title,
            "version": version.label,
            "language": version.language,
            "categories": [{"id": c.slug, "title": c.title} for c in categories],
            "questions": [_question(q) for q in questions],
            "exams": [_exam(e) for e in exams],
        }
        return version.number, document


def _help_lines() -> list[str]:
    return [t(f"cli.convert.help.{n}") for n in range(1, HELP_LINES + 1)]


def _validation_texts() -> tuple[str, str]:
    return t("cli.convert.dropdown_title"), t("cli.convert.dropdown_text")


def export_workbook(db: Database, slug: str, out: Path) -> ExportOutcome:
    """Write the newest version of bank ``slug`` to ``out`` (atomically). Raises BankNotFound."""
    number, document = bank_document(db, slug)

    def write(path: Path) -> None:
        excel_writer.write_workbook(
            path, document, help_lines=_help_lines(), validation_texts=_validation_texts(), full=True
        )

    _write(out, write)
    return ExportOutcome(
        bank=slug,
        version=number,
        questions=len(document["questions"]),
        categories=len(document["categories"]),
        exams=len(document["exams"]),
        unreadable=excel_writer.unreadable_answers(document),
    )


def write_template(out: Path) -> None:
    """The template: the question sheet with one example per type, and the instructions."""
    bank = copy.deepcopy(excel_template.EXAMPLE_BANK)

    def write(path: Path) -> None:
        excel_writer.write_workbook(
            path, bank, help_lines=_help_lines(), validation_texts=_validation_texts(), full=False
        )

    _write(out, write)


def _write(out: Path, write: Callable[[Path], None]) -> None:
    if out.suffix.lower() != ".xlsx":
        raise ConvertError(t("cli.convert.not_xlsx_out", file=out))
    write_atomically(out, write)
