"""Question banks: validate files, import them as versions, list and browse what is stored."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from exam_tui.domain.bank import Bank, FillBlank, MultipleChoice, ShortAnswer, SingleChoice, TrueFalse
from exam_tui.formats.yaml_bank import BankFile, Located, read_bank_file
from exam_tui.i18n import t
from exam_tui.services.runtime import Clock, Database, system_clock
from exam_tui.store.models import AuditEventRow, BankRow, BankVersionRow, CategoryRow, ExamRow, QuestionRow


class BankNotFound(LookupError):
    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug


class BankImportError(Exception):
    """Nothing was imported; ``lines`` says why, one ``FILE:LINE:COL: message`` per problem."""

    def __init__(self, lines: list[str], failed_files: int) -> None:
        super().__init__("\n".join(lines))
        self.lines, self.failed_files = lines, failed_files


# ---- validation -------------------------------------------------------------------------------


def check_files(paths: Sequence[Path]) -> list[BankFile]:
    return [read_bank_file(Path(p)) for p in paths]


def problem_lines(bank_file: BankFile) -> list[str]:
    return [f"{bank_file.path}:{loc.line}:{loc.column}: {describe(loc)}" for loc in bank_file.problems]


def describe(located: Located) -> str:
    """A problem in words of the current UI language, naming the question or exam it sits in."""
    problem = located.problem
    key = problem.code if "." in problem.code else f"bank.{problem.code}"
    text = t(key, **problem.params)
    if located.context:
        context_key, params = located.context
        text = f"{t(context_key, **params)}: {text}"
    if located.see_also_line is not None:
        text += t("bank.see_also", line=located.see_also_line)
    return text


# ---- import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    path: Path
    bank: str
    version: int
    changed: bool
    questions: int


def import_files(
    db: Database, paths: Sequence[Path], *, clock: Clock = system_clock, actor: str | None = None
) -> list[ImportOutcome]:
    """Validate every file, then import them all in one transaction, or nothing at all."""
    files = check_files(paths)
    lines: list[str] = []
    failed = 0
    for bank_file in files:
        if not bank_file.ok:
            failed += 1
            lines.extend(problem_lines(bank_file))
    seen: dict[str, Path] = {}
    for bank_file in files:
        if bank_file.bank is None:
            continue
        slug = bank_file.bank.slug
        if slug in seen:
            failed += 1
            lines.append(
                f"{bank_file.path}:1:1: " + t("cli.bank.same_bank_twice", bank=slug, other=seen[slug])
            )
        seen.setdefault(slug, bank_file.path)
    if lines:
        raise BankImportError(lines, failed)
    now = clock()
    with db.write() as session:
        return [_import_one(session, f.path, f.bank, now, actor) for f in files if f.bank is not None]


def _import_one(session: Any, path: Path, bank: Bank, now: datetime, actor: str | None) -> ImportOutcome:
    row = session.execute(select(BankRow).where(BankRow.slug == bank.slug)).scalars().first()
    if row is None:
        row = BankRow(slug=bank.slug, title=bank.title, created_at=now)
        session.add(row)
        session.flush()
    latest = _latest_version(session, row.id)
    digest = bank.content_hash()
    if latest is not None and latest.content_hash == digest:
        return ImportOutcome(path, bank.slug, latest.number, False, latest.question_count)
    row.title = bank.title
    version = BankVersionRow(
        bank_id=row.id,
        number=(latest.number + 1) if latest else 1,
        content_hash=digest,
        label=bank.version,
        title=bank.title,
        language=bank.language,
        source_file=str(path),
        question_count=len(bank.questions),
        imported_at=now,
    )
    session.add(version)
    session.flush()
    vid = version.id
    session.execute(
        insert(CategoryRow),
        [
            {"bank_version_id": vid, "slug": c.id, "title": c.title, "position": i}
            for i, c in enumerate(bank.categories)
        ],
    )
    session.execute(insert(QuestionRow), [_question_values(vid, i, q) for i, q in enumerate(bank.questions)])
    if bank.exams:
        session.execute(insert(ExamRow), [_exam_values(vid, e) for e in bank.exams])
    session.add(
        AuditEventRow(
            at=now,
            actor=actor,
            action="bank.import",
            entity="bank",
            entity_id=bank.slug,
            details={
                "version": version.number,
                "content_hash": digest,
                "questions": len(bank.questions),
                "exams": len(bank.exams),
                "file": path.name,
            },
        )
    )
    return ImportOutcome(path, bank.slug, version.number, True, len(bank.questions))


def _question_values(version_id: int | None, position: int, q: Any) -> dict[str, Any]:
    answer: Any
    if isinstance(q, SingleChoice | TrueFalse):
        answer = q.answer
    elif isinstance(q, MultipleChoice):
        answer = sorted(q.answer)
    elif isinstance(q, FillBlank):
        answer = q.accepted()
    else:
        answer = None
    return {
        "bank_version_id": version_id,
        "slug": q.id,
        "position": position,
        "type": q.type,
        "category_slug": q.category,
        "stem": q.stem,
        "options": dict(q.options) if isinstance(q, SingleChoice | MultipleChoice) else None,
        "answer": answer,
        "points": q.points,
        "difficulty": q.difficulty,
        "explanation": q.explanation,
        "source": q.source,
        "tags": list(q.tags) or None,
        "rubric": q.rubric if isinstance(q, ShortAnswer) else None,
        "shuffle_options": q.shuffle_options,
        "reviewed": q.reviewed,
    }


def _exam_values(version_id: int | None, exam: Any) -> dict[str, Any]:
    return {
        "bank_version_id": version_id,
        "slug": exam.id,
        "title": exam.title,
        "kind": exam.kind,
        "duration_minutes": exam.duration_minutes,
        "pass_score": exam.pass_score,
        "total_points": exam.total_points,
        "shuffle_questions": exam.shuffle_questions,
        "review": exam.review,
        "max_attempts": exam.max_attempts,
        "double_marking": exam.double_marking,
        "marking_margin": exam.marking_margin,
        "retake_gap_days": exam.retake_gap_days,
        "grades": [g.model_dump() for g in exam.grades] if exam.grades else None,
        "sections": [s.model_dump(by_alias=True, exclude_none=True) for s in exam.sections],
    }


def _latest_version(session: Any, bank_id: int | None) -> BankVersionRow | None:
    stmt = (
        select(BankVersionRow)
        .where(BankVersionRow.bank_id == bank_id)
        .order_by(BankVersionRow.number.desc())  # type: ignore[attr-defined]
        .limit(1)
    )
    return session.execute(stmt).scalars().first()


# ---- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExamSummary:
    bank: str
    slug: str
    title: str
    kind: str
    duration_minutes: int
    total_points: float
    pass_score: float
    max_attempts: int
    sections: list[dict[str, Any]]


@dataclass(frozen=True)
class CategorySummary:
    slug: str
    title: str
    by_type: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


@dataclass(frozen=True)
class BankSummary:
    slug: str
    title: str
    version: int
    label: str | None
    questions: int
    categories: int
    exams: int
    imported_at: datetime
    source_file: str | None


@dataclass(frozen=True)
class BankDetail:
    summary: BankSummary
    categories: list[CategorySummary] = field(default_factory=list)
    exams: list[ExamSummary] = field(default_factory=list)


@dataclass(frozen=True)
class QuestionView:
    slug: str
    type: str
    category: str
    stem: str
    options: dict[str, str] | None
    answer: Any
    points: float | None
    difficulty: int
    explanation: str | None
    source: str | None
    tags: list[str]
    rubric: str | None
    shuffle_options: bool


def _current_versions(session: Any) -> list[tuple[BankRow, BankVersionRow]]:
    newest = (
        select(BankVersionRow.bank_id, func.max(BankVersionRow.number).label("number"))
        .group_by(BankVersionRow.bank_id)
        .subquery()
    )
    stmt = (
        select(BankRow, BankVersionRow)
        .join(BankVersionRow, BankVersionRow.bank_id == BankRow.id)  # type: ignore[arg-type]
        .join(
            newest, (newest.c.bank_id == BankVersionRow.bank_id) & (newest.c.number == BankVersionRow.number)
        )
        .order_by(BankRow.slug)
    )
    return [(b, v) for b, v in session.execute(stmt).all()]


def _summaries(session: Any, pairs: list[tuple[BankRow, BankVersionRow]]) -> list[BankSummary]:
    ids = [v.id for _, v in pairs]
    categories = dict(
        session.execute(
            select(CategoryRow.bank_version_id, func.count())
            .where(CategoryRow.bank_version_id.in_(ids))  # type: ignore[attr-defined]
            .group_by(CategoryRow.bank_version_id)
        ).all()
    )
    exams = dict(
        session.execute(
            select(ExamRow.bank_version_id, func.count())
            .where(ExamRow.bank_version_id.in_(ids))  # type: ignore[attr-defined]
            .group_by(ExamRow.bank_version_id)
        ).all()
    )
    return [
        BankSummary(
            slug=b.slug,
            title=v.title,
            version=v.number,
            label=v.label,
            questions=v.question_count,
            categories=categories.get(v.id, 0),
            exams=exams.get(v.id, 0),
            imported_at=v.imported_at,
            source_file=v.source_file,
        )
        for b, v in pairs
    ]


def list_banks(db: Database) -> list[BankSummary]:
    with db.read() as session:
        return _summaries(session, _current_versions(session))


def current_version(session: Any, slug: str) -> tuple[BankRow, BankVersionRow]:
    for bank, version in _current_versions(session):
        if bank.slug == slug:
            return bank, version
    raise BankNotFound(slug)


def show_bank(db: Database, slug: str) -> BankDetail:
    with db.read() as session:
        bank, version = current_version(session, slug)
        summary = _summaries(session, [(bank, version)])[0]
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for category, qtype, n in session.execute(
            select(QuestionRow.category_slug, QuestionRow.type, func.count())
            .where(QuestionRow.bank_version_id == version.id)
            .group_by(QuestionRow.category_slug, QuestionRow.type)
        ).all():
            counts[category][qtype] = n
        categories = [
            CategorySummary(c.slug, c.title, dict(counts[c.slug]))
            for c in session.execute(
                select(CategoryRow)
                .where(CategoryRow.bank_version_id == version.id)
                .order_by(CategoryRow.position)
            ).scalars()
        ]
        exams = [
            ExamSummary(
                bank=slug,
                slug=e.slug,
                title=e.title,
                kind=e.kind,
                duration_minutes=e.duration_minutes,
                total_points=e.total_points,
                pass_score=e.pass_score,
                max_attempts=e.max_attempts,
                sections=e.sections,
            )
            for e in session.execute(
                select(ExamRow).where(ExamRow.bank_version_id == version.id).order_by(ExamRow.id)
            ).scalars()
        ]
        return BankDetail(summary, categories, exams)


def list_questions(db: Database, slug: str, category: str | None = None) -> list[QuestionView]:
    """The questions of a bank's current version, in file order, optionally of one category."""
    with db.read() as session:
        _, version = current_version(session, slug)
        stmt = select(QuestionRow).where(QuestionRow.bank_version_id == version.id)
        if category is not None:
            stmt = stmt.where(QuestionRow.category_slug == category)
        rows = session.execute(stmt.order_by(QuestionRow.position)).scalars().all()
        return [
            QuestionView(
                slug=q.slug,
                type=q.type,
                category=q.category_slug,
                stem=q.stem,
                options=q.options,
                answer=q.answer,
                points=q.points,
                difficulty=q.difficulty,
                explanation=q.explanation,
                source=q.source,
                tags=q.tags or [],
                rubric=q.rubric,
                shuffle_options=q.shuffle_options,
            )
            for q in rows
        ]


def summary_to_json(summary: BankSummary) -> dict[str, Any]:
    return {
        "bank": summary.slug,
        "title": summary.title,
        "version": summary.version,
        "label": summary.label,
        "questions": summary.questions,
        "categories": summary.categories,
        "exams": summary.exams,
        "imported_at": summary.imported_at.isoformat(),
        "source_file": summary.source_file,
    }


def detail_to_json(detail: BankDetail) -> dict[str, Any]:
    return {
        **summary_to_json(detail.summary),
        "categories": [
            {"id": c.slug, "title": c.title, "questions": c.total, "by_type": c.by_type}
            for c in detail.categories
        ],
        "exams": [
            {
                "id": e.slug,
                "ref": f"{e.bank}/{e.slug}",
                "title": e.title,
                "kind": e.kind,
                "duration_minutes": e.duration_minutes,
                "total_points": e.total_points,
                "pass_score": e.pass_score,
                "max_attempts": e.max_attempts,
                "sections": e.sections,
            }
            for e in detail.exams
        ],
    }
