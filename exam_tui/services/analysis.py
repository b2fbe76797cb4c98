"""Item analysis of stored exams: a session, an exam over its sessions, or one question over its exams.

The attempts analysed are those graded (handed in, or closed by the proctor, and every item scored);
attempts still waiting for a grader are counted and left out, since their totals are not known yet.
Each attempt is read from its frozen paper with the corrected keys applied (an appeal may have corrected
a key: the analysis then sees the key the results were scored by). Questions are identified by the
bank's question id across bank versions; options and chosen letters are in the bank's letters, since
every paper shuffled the options its own way.

The numbers themselves are :func:`exam_tui.domain.analysis.analyse`; this module only gathers them, in
one read that sees one moment (REPEATABLE READ on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlmodel import Session

from exam_tui.domain.analysis import Analysis, ItemInfo, ItemStats, Responses, analyse, choice_code
from exam_tui.domain.paper import (
    TRUE_FALSE_LETTERS,
    Paper,
    PaperItem,
    bank_key,
    bank_letter,
    bank_options,
    with_corrected_keys,
)
from exam_tui.services.grading import GRADED, PENDING_GRADING, corrections_for
from exam_tui.services.runtime import Database
from exam_tui.services.sessions import SessionError, bank_slug_of, exam_versions
from exam_tui.store.models import (
    AttemptRow,
    BankRow,
    BankVersionRow,
    CategoryRow,
    ExamRow,
    ExamSessionRow,
    QuestionRow,
    ResponseRow,
)

# Exams whose result decides an appointment or a level: reliability is held to the high-stakes bar.
HIGH_STAKES_KINDS = frozenset({"pre_appointment", "qualification"})


@dataclass(frozen=True)
class QuestionText:
    """A question as its candidates saw it, for the drill-down: options and key in the bank's letters."""

    slug: str
    type: str
    category: str | None  # the category's title
    stem: str
    options: tuple[tuple[str, str], ...]  # (bank letter, text), in the bank's order
    key: Any  # single "B"; multiple ["A", "C"]; true_false True/False; fill_blank accepted answers
    points: float
    explanation: str | None
    source: str | None


@dataclass(frozen=True)
class ItemAnalysisReport:
    scope: str  # "session" or "exam"
    title: str  # the session's title, or the exam's
    exam_ref: str  # BANK/EXAM
    exam_title: str
    exam_kind: str
    high_stakes: bool
    session_ids: tuple[int, ...]
    first_start: datetime | None
    last_start: datetime | None
    pending_grading: int  # handed in, not yet fully graded: left out
    analysis: Analysis
    questions: dict[str, QuestionText]

    def question(self, slug: str) -> QuestionText:
        return self.questions[slug]


@dataclass(frozen=True)
class QuestionInExam:
    """One question's row in the analysis of one exam it appeared in."""

    exam_ref: str
    exam_title: str
    sessions: int
    stats: ItemStats


@dataclass(frozen=True)
class AnalysableSession:
    """A session with handed-in papers: what the analysis screen lists."""

    session_id: int
    title: str
    starts_at: datetime
    state: str
    exam_ref: str
    exam_title: str
    exam_kind: str
    graded: int
    pending_grading: int


def analysable_sessions(db: Database) -> list[AnalysableSession]:
    """Sessions with at least one graded or handed-in paper, newest first."""
    with db.read() as session:
        counts = session.execute(
            select(
                AttemptRow.session_id,
                func.count().filter(AttemptRow.state == GRADED),
                func.count().filter(AttemptRow.state == PENDING_GRADING),
            )
            .where(AttemptRow.state.in_((GRADED, PENDING_GRADING)))  # type: ignore[attr-defined]
            .group_by(AttemptRow.session_id)
        ).all()
        found = {session_id: (graded, pending) for session_id, graded, pending in counts}
        if not found:
            return []
        rows = session.execute(
            select(ExamSessionRow, ExamRow, BankRow.slug)
            .join(ExamRow, ExamRow.id == ExamSessionRow.exam_id)  # type: ignore[arg-type]
            .join(BankVersionRow, BankVersionRow.id == ExamRow.bank_version_id)  # type: ignore[arg-type]
            .join(BankRow, BankRow.id == BankVersionRow.bank_id)  # type: ignore[arg-type]
            .where(ExamSessionRow.id.in_(list(found)))  # type: ignore[union-attr]
            .order_by(ExamSessionRow.starts_at.desc(), ExamSessionRow.id.desc())  # type: ignore[attr-defined]
        ).all()
        return [
            AnalysableSession(
                session_id=row.id,  # type: ignore[arg-type]
                title=row.title,
                starts_at=row.starts_at,
                state=row.state,
                exam_ref=f"{bank}/{exam.slug}",
                exam_title=exam.title,
                exam_kind=exam.kind,
                graded=found[row.id][0],  # type: ignore[index]
                pending_grading=found[row.id][1],  # type: ignore[index]
            )
            for row, exam, bank in rows
        ]


def analyse_session(db: Database, session_id: int) -> ItemAnalysisReport:
    """The item analysis of one session's graded attempts."""
    with db.snapshot() as session:
        row = session.get(ExamSessionRow, session_id)
        if row is None:
            raise SessionError("session.not_found", id=session_id)
        exam = session.get(ExamRow, row.exam_id)
        assert exam is not None
        return _report(session, "session", row.title, exam, [row])


def analyse_exam(db: Database, exam_ref: str) -> ItemAnalysisReport:
    """The item analysis of an exam (``BANK/EXAM``) over every session of it, in every bank version."""
    with db.snapshot() as session:
        exams = exam_versions(session, exam_ref)
        newest = exams[-1]
        sessions = list(
            session.execute(
                select(ExamSessionRow)
                .where(ExamSessionRow.exam_id.in_([e.id for e in exams]))  # type: ignore[union-attr]
                .order_by(ExamSessionRow.starts_at, ExamSessionRow.id)  # type: ignore[arg-type]
            ).scalars()
        )
        return _report(session, "exam", newest.title, newest, sessions)


def analyse_question(db: Database, bank_slug: str, question_slug: str) -> list[QuestionInExam]:
    """The question's row in the analysis of every exam of its bank that put it on a graded paper."""
    with db.snapshot() as session:
        exam_slugs = list(
            session.execute(
                select(ExamRow.slug)
                .join(BankVersionRow, ExamRow.bank_version_id == BankVersionRow.id)  # type: ignore[arg-type]
                .join(BankRow, BankVersionRow.bank_id == BankRow.id)  # type: ignore[arg-type]
                .where(BankRow.slug == bank_slug)
                .distinct()
                .order_by(ExamRow.slug)
            ).scalars()
        )
        if not exam_slugs and not _bank_exists(session, bank_slug):
            raise SessionError("session.no_exam", exam=bank_slug)
        found = []
        for slug in exam_slugs:
            ref = f"{bank_slug}/{slug}"
            exams = exam_versions(session, ref)
            sessions = list(
                session.execute(
                    select(ExamSessionRow).where(
                        ExamSessionRow.exam_id.in_([e.id for e in exams])  # type: ignore[union-attr]
                    )
                ).scalars()
            )
            report = _report(session, "exam", exams[-1].title, exams[-1], sessions)
            for stats in report.analysis.items:
                if stats.key == question_slug:
                    found.append(QuestionInExam(ref, exams[-1].title, len(sessions), stats))
        return found


# ---------------------------------------------------------------------------------------------- reading


def _bank_exists(session: Session, bank_slug: str) -> bool:
    return session.execute(select(BankRow.id).where(BankRow.slug == bank_slug)).first() is not None


def _report(
    session: Session, scope: str, title: str, exam: ExamRow, sessions: Sequence[ExamSessionRow]
) -> ItemAnalysisReport:
    session_ids = [s.id for s in sessions]
    attempts = list(
        session.execute(
            select(AttemptRow)
            .where(
                AttemptRow.session_id.in_(session_ids),  # type: ignore[attr-defined]
                AttemptRow.state.in_((GRADED, PENDING_GRADING)),  # type: ignore[attr-defined]
            )
            .order_by(AttemptRow.id)  # type: ignore[arg-type]
        ).scalars()
    )
    graded = [a for a in attempts if a.state == GRADED and a.score is not None]
    papers = _scoring_papers(session, graded)
    given = _responses(session, [a.id for a in graded])  # type: ignore[misc]
    responses = [given[a.id] for a in graded]  # type: ignore[index]
    categories = _categories(session, {exam_id for exam_id in (a.exam_id for a in graded)})
    data, questions = _gather(papers, responses, categories, float(exam.pass_score), float(exam.total_points))
    high_stakes = exam.kind in HIGH_STAKES_KINDS
    starts = [s.starts_at for s in sessions]
    return ItemAnalysisReport(
        scope=scope,
        title=title,
        exam_ref=f"{bank_slug_of(session, exam)}/{exam.slug}",
        exam_title=exam.title,
        exam_kind=exam.kind,
        high_stakes=high_stakes,
        session_ids=tuple(session_ids),  # type: ignore[arg-type]
        first_start=min(starts) if starts else None,
        last_start=max(starts) if starts else None,
        pending_grading=len(attempts) - len(graded),
        analysis=analyse(data, high_stakes=high_stakes),
        questions=questions,
    )


def _scoring_papers(session: Session, attempts: Sequence[AttemptRow]) -> list[Paper]:
    """Each attempt's frozen paper with its bank version's corrected keys applied."""
    versions: dict[int, int] = {}  # exam id → bank version id
    corrections: dict[int, dict[str, Any]] = {}
    papers = []
    for attempt in attempts:
        if attempt.exam_id not in versions:
            exam = session.get(ExamRow, attempt.exam_id)
            assert exam is not None
            versions[attempt.exam_id] = exam.bank_version_id
        version = versions[attempt.exam_id]
        if version not in corrections:
            corrections[version] = corrections_for(session, version)
        papers.append(with_corrected_keys(Paper.from_json(attempt.paper), corrections[version]))
    return papers


def _responses(
    session: Session, attempt_ids: Sequence[int]
) -> dict[int, dict[int, tuple[Any, float | None]]]:
    """Attempt id → item number → (answer, points), read in batches (a long IN list is slow on both)."""
    found: dict[int, dict[int, tuple[Any, float | None]]] = {a: {} for a in attempt_ids}
    for start in range(0, len(attempt_ids), 500):
        batch = attempt_ids[start : start + 500]
        rows = session.execute(
            select(ResponseRow.attempt_id, ResponseRow.item, ResponseRow.answer, ResponseRow.score).where(
                ResponseRow.attempt_id.in_(batch)  # type: ignore[attr-defined]
            )
        )
        for attempt_id, item, answer, score in rows:
            found[attempt_id][item] = (answer, score)
    return found


def _categories(session: Session, exam_ids: Iterable[int]) -> dict[str, str]:
    """Question id → its category's title, over the bank versions of these exams (the newest wins)."""
    version_ids = list(
        session.execute(
            select(ExamRow.bank_version_id).where(ExamRow.id.in_(list(exam_ids)))  # type: ignore[union-attr]
        ).scalars()
    )
    rows = session.execute(
        select(QuestionRow.slug, CategoryRow.title)
        .join(
            CategoryRow,
            (CategoryRow.bank_version_id == QuestionRow.bank_version_id)  # type: ignore[arg-type]
            & (CategoryRow.slug == QuestionRow.category_slug),
        )
        .where(QuestionRow.bank_version_id.in_(version_ids))  # type: ignore[attr-defined]
        .order_by(QuestionRow.bank_version_id)  # type: ignore[arg-type]
    )
    return {slug: title for slug, title in rows}


def _chosen(item: PaperItem, answer: Any) -> str | None:
    """The bank letter a single-choice or true/false answer chose: what the distractor table counts."""
    if answer is None or answer == "" or answer == []:
        return None
    if item.type == "true_false":
        if isinstance(answer, bool):
            return TRUE_FALSE_LETTERS[0] if answer else TRUE_FALSE_LETTERS[1]
        return str(answer)
    if isinstance(answer, str):
        return bank_letter(item, answer)
    return None


def _key_letters(item: PaperItem) -> frozenset[str]:
    if item.type == "true_false":
        return frozenset({TRUE_FALSE_LETTERS[0] if bank_key(item, item.key) else TRUE_FALSE_LETTERS[1]})
    if item.type == "single":
        return frozenset({bank_key(item, item.key)})
    if item.type == "multiple":
        return frozenset(bank_key(item, item.key))
    return frozenset()


def _gather(
    papers: Sequence[Paper],
    responses: Sequence[dict[int, tuple[Any, float | None]]],
    categories: dict[str, str],
    pass_score: float,
    total_points: float,
) -> tuple[Responses, dict[str, QuestionText]]:
    """The attempts × questions matrix (NaN where a paper did not have the question) and the texts.

    ``responses``: per paper, item number → (answer, points); an item with no row was left unanswered.
    """
    order: dict[str, tuple[int, int]] = {}  # question → (section, first position): the table's order
    infos: dict[str, ItemInfo] = {}
    texts: dict[str, QuestionText] = {}
    for paper in papers:
        for item in paper.items:
            if item.question in infos:
                order[item.question] = min(order[item.question], (item.section, item.number))
                continue
            order[item.question] = (item.section, item.number)
            options = 2 if item.type == "true_false" else len(item.options)
            infos[item.question] = ItemInfo(
                key=item.question,
                max_points=float(item.points),
                type=item.type,
                options=options,
                label=item.question,
                key_options=_key_letters(item),
                partial_credit=item.partial_credit,
            )
            texts[item.question] = QuestionText(
                slug=item.question,
                type=item.type,
                category=categories.get(item.question),
                stem=item.stem,
                options=tuple(bank_options(item)) if item.type in ("single", "multiple") else (),
                key=bank_key(item, item.key),
                points=float(item.points),
                explanation=item.explanation,
                source=item.source,
            )
    slugs = sorted(infos, key=order.__getitem__)
    column = {slug: j for j, slug in enumerate(slugs)}
    scores = np.full((len(papers), len(slugs)), np.nan)
    codes = np.zeros((len(papers), len(slugs)), dtype=np.uint8)
    for row, (paper, given) in enumerate(zip(papers, responses, strict=True)):
        for item in paper.items:
            j = column[item.question]
            answer, points = given.get(item.number, (None, 0.0))
            scores[row, j] = points if points is not None else 0.0
            if item.type in ("single", "true_false"):
                codes[row, j] = choice_code(_chosen(item, answer))
    data = Responses(
        items=tuple(infos[slug] for slug in slugs),
        scores=scores,
        choices=codes,
        pass_score=pass_score,
        total_points=total_points,
    )
    return data, {slug: texts[slug] for slug in slugs}
