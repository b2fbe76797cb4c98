"""Practice outside any session, with feedback at once, and the wrong-answer book it feeds.

Practice lives in its own tables (practice_run, practice_answer, wrong_book) and never touches an
attempt: nothing practised can appear in an exam's results. A finished exam adds its wrong answers to
the book only when the exam's review policy shows the candidate the keys (``review: full``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.idnumber import InvalidIdNumber, mask, normalise_id_number
from exam_tui.domain.paper import Paper, PaperItem, PoolQuestion
from exam_tui.domain.practice import BookEntry, Mode, after_answer, check, order, practice_item, requeue
from exam_tui.domain.scoring import score_item
from exam_tui.services.attempts import pool_of
from exam_tui.services.banks import BankNotFound, current_version
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AttemptRow, BankRow, BankVersionRow, CadreRow, ExamRow, ResponseRow
from exam_tui.store.models_training import PracticeAnswerRow, PracticeRunRow, WrongBookRow


@dataclass(frozen=True)
class Practiser:
    cadre_id: int
    name: str
    id_number_masked: str


@dataclass(frozen=True)
class Run:
    """A practice run: its questions in the order they come, as shown (no key is sent to the screen
    before the answer is checked: ``item`` carries it, ``feedback`` reveals it)."""

    run_id: int
    practiser: Practiser
    bank: str
    bank_title: str
    mode: str
    queue: list[str]  # question slugs still to come, head first
    seed: str


@dataclass(frozen=True)
class Feedback:
    correct: bool | None  # None: a short answer, shown with its rubric, not checked
    key: Any  # in the letters shown
    explanation: str | None
    source: str | None
    rubric: str | None
    in_book: bool  # after this answer
    streak: int
    queue: list[str]  # what is left of the run


@dataclass(frozen=True)
class BookView:
    bank: str
    question: str
    stem: str
    times_wrong: int
    streak: int
    source: str
    last_wrong_at: datetime


def practiser(db: Database, id_number: str) -> Practiser:
    """Who is practising, by ID number (a practice terminal asks nothing more: it decides nothing)."""
    try:
        number = normalise_id_number(id_number)
    except InvalidIdNumber as exc:
        raise SessionError("practice.bad_id", value=id_number, reason=exc.reason) from exc
    with db.read() as session:
        cadre = session.execute(select(CadreRow).where(CadreRow.id_number == number)).scalar_one_or_none()
        if cadre is None:
            raise SessionError("practice.unknown_cadre")
        return Practiser(cadre.id, cadre.name, mask(cadre.id_number))  # type: ignore[arg-type]


def _questions(session: Session, bank: str) -> tuple[BankRow, BankVersionRow, dict[str, PoolQuestion]]:
    try:
        bank_row, version = current_version(session, bank)
    except BankNotFound as exc:
        raise SessionError("practice.no_bank", bank=bank) from exc
    return bank_row, version, {q.slug: q for q in pool_of(session, version.id)}  # type: ignore[arg-type]


def start(
    db: Database,
    *,
    cadre_id: int,
    bank: str,
    mode: str,
    category: str | None = None,
    seed: str | None = None,
    clock: MaybeClock = None,
) -> Run:
    """A run over the bank (or one category of it), in order, shuffled, or from the cadre's book."""
    if mode not in set(Mode):
        raise SessionError("practice.bad_mode", mode=mode)
    seed = seed or secrets.token_hex(16)
    with db.write() as session:
        now = now_in(session, clock)
        bank_row, _, questions = _questions(session, bank)
        if mode == Mode.WRONG_BOOK:
            slugs = [
                e.question_slug
                for e in session.execute(
                    select(WrongBookRow)
                    .where(
                        WrongBookRow.cadre_id == cadre_id,
                        WrongBookRow.bank_slug == bank,
                        WrongBookRow.cleared_at.is_(None),  # type: ignore[union-attr]
                    )
                    .order_by(WrongBookRow.last_wrong_at, WrongBookRow.id)
                ).scalars()
                if e.question_slug in questions  # a question dropped from the bank cannot be practised
            ]
            if not slugs:
                raise SessionError("practice.book_empty", bank=bank)
        else:
            slugs = [s for s, q in questions.items() if category is None or q.category == category]
            if not slugs:
                raise SessionError("practice.no_questions", bank=bank, category=category or "")
        run = PracticeRunRow(cadre_id=cadre_id, bank_slug=bank, mode=mode, category=category, started_at=now)
        session.add(run)
        session.flush()
        cadre = session.get(CadreRow, cadre_id)
        assert cadre is not None and run.id is not None
        who = Practiser(cadre_id, cadre.name, mask(cadre.id_number))
        return Run(run.id, who, bank, bank_row.title, mode, order(slugs, Mode(mode), seed), seed)


def item(db: Database, run: Run, slug: str, number: int) -> PaperItem:
    """The question as this run shows it (its options shuffled by the run's seed)."""
    with db.read() as session:
        _, _, questions = _questions(session, run.bank)
    if slug not in questions:
        raise SessionError("practice.question_gone", question=slug)
    return practice_item(questions[slug], number, run.seed)


def answer(
    db: Database,
    run: Run,
    shown: PaperItem,
    given: Any,
    *,
    queue: list[str],
    clock: MaybeClock = None,
) -> Feedback:
    """Check an answer at once, record it, and move the question in or out of the book."""
    result = check(shown, given)
    with db.write() as session:
        now = now_in(session, clock)
        session.add(
            PracticeAnswerRow(
                run_id=run.run_id,
                question_slug=shown.question,
                answer=given,
                correct=bool(result.correct),
                at=now,
            )
        )
        entry = BookEntry()
        if result.correct is not None:
            entry = _book(
                session,
                run.practiser.cadre_id,
                run.bank,
                shown.question,
                result.correct,
                f"practice:{run.run_id}",
                now,
            )
    left = queue[1:] if queue and queue[0] == shown.question else [q for q in queue if q != shown.question]
    if run.mode == Mode.WRONG_BOOK:
        left = requeue(queue, shown.question, entry.in_book)
    return Feedback(
        correct=result.correct,
        key=shown.key,
        explanation=shown.explanation,
        source=shown.source,
        rubric=shown.rubric,
        in_book=entry.in_book,
        streak=entry.streak,
        queue=left,
    )


def _book(
    session: Session, cadre_id: int, bank: str, question: str, correct: bool, source: str, now: datetime
) -> BookEntry:
    """The book's row for this question after an answer (added when first got wrong)."""
    row = session.execute(
        select(WrongBookRow).where(
            WrongBookRow.cadre_id == cadre_id,
            WrongBookRow.bank_slug == bank,
            WrongBookRow.question_slug == question,
        )
    ).scalar_one_or_none()
    before = BookEntry(row.times_wrong, row.streak, row.cleared_at is not None) if row is not None else None
    after = after_answer(before, correct)
    if row is None:
        if not after.in_book:
            return after
        row = WrongBookRow(
            cadre_id=cadre_id,
            bank_slug=bank,
            question_slug=question,
            source=source,
            added_at=now,
            last_wrong_at=now,
        )
    row.times_wrong, row.streak = after.times_wrong, after.streak
    if not correct:
        row.source, row.last_wrong_at = source, now
    row.cleared_at = None if after.in_book else (row.cleared_at or now)
    session.add(row)
    return after


def add_attempt_to_book(session: Session, attempt: AttemptRow, now: datetime) -> int:
    """A graded attempt's wrong objective answers go into the cadre's book, if its review shows keys.

    Called once an attempt is graded (and again after a regrade or a corrected key: an answer now
    right is not added, one already in the book stays until practised right twice).
    """
    exam = session.get(ExamRow, attempt.exam_id)
    if exam is None or exam.review != "full" or attempt.state != "graded":
        return 0
    version = session.get(BankVersionRow, exam.bank_version_id)
    bank = session.get(BankRow, version.bank_id) if version is not None else None
    if bank is None:
        return 0
    from exam_tui.services.grading import scoring_paper  # grading calls this module when it grades

    paper: Paper = scoring_paper(session, attempt, exam)
    given = {
        r.item: r.answer
        for r in session.execute(select(ResponseRow).where(ResponseRow.attempt_id == attempt.id)).scalars()
    }
    added = 0
    for it in paper.items:
        if it.type == "short_answer":
            continue
        if score_item(it, given.get(it.number)) != it.points:
            existing = session.execute(
                select(WrongBookRow.source).where(
                    WrongBookRow.cadre_id == attempt.cadre_id,
                    WrongBookRow.bank_slug == bank.slug,
                    WrongBookRow.question_slug == it.question,
                )
            ).scalar_one_or_none()
            if existing != f"attempt:{attempt.id}":  # once per attempt, however often it is regraded
                _book(session, attempt.cadre_id, bank.slug, it.question, False, f"attempt:{attempt.id}", now)
                added += 1
    return added


def wrong_book(db: Database, cadre_id: int, *, bank: str | None = None) -> list[BookView]:
    """The questions still in the cadre's book, the longest there first."""
    with db.read() as session:
        stmt = select(WrongBookRow).where(
            WrongBookRow.cadre_id == cadre_id,
            WrongBookRow.cleared_at.is_(None),  # type: ignore[union-attr]
        )
        if bank is not None:
            stmt = stmt.where(WrongBookRow.bank_slug == bank)
        rows = list(session.execute(stmt.order_by(WrongBookRow.last_wrong_at, WrongBookRow.id)).scalars())
        stems: dict[tuple[str, str], str] = {}
        for slug in {r.bank_slug for r in rows}:
            try:
                _, _, questions = _questions(session, slug)
            except SessionError:
                continue
            stems.update({(slug, q): v.stem for q, v in questions.items()})
        return [
            BookView(
                r.bank_slug,
                r.question_slug,
                stems.get((r.bank_slug, r.question_slug), ""),
                r.times_wrong,
                r.streak,
                r.source,
                r.last_wrong_at,
            )
            for r in rows
        ]
