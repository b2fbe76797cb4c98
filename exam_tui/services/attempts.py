"""The candidate's attempt: the drawn paper, resume, hand-in and the result.

Signing in is in ``admission``, answer saves and heartbeats in ``answers``. The deadline lives in the
attempt and is compared with the database clock; killing the terminal does not stop it, and signing in
again anywhere resumes the same paper.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from exam_tui.domain.paper import BlueprintSection, Paper, PoolQuestion, assemble_paper, derive_seed
from exam_tui.domain.sittings import SessionState
from exam_tui.services import appointments
from exam_tui.services.grading import grade_attempt
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import (
    AttemptRow,
    AttemptTokenRow,
    AuditEventRow,
    BankVersionRow,
    CadreRow,
    ExamRow,
    ExamSessionRow,
    IncidentRow,
    QuestionRow,
    ResponseRow,
)

IN_PROGRESS = "in_progress"


class AttemptClosed(Exception):
    """The attempt no longer takes answers (handed in, timed out, closed by the proctor)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TerminalReplaced(Exception):
    """The attempt was begun again on another terminal (the candidate signed in there): this terminal's
    token no longer opens it, and what it writes from now on would race the other's."""


@dataclass(frozen=True)
class AttemptState:
    attempt_id: int
    paper: Paper
    answers: dict[int, Any]
    flagged: set[int]
    revisions: dict[int, int]
    current_item: int
    deadline_at: datetime
    server_now: datetime
    resumed: bool
    # The attempt's terminal token (see issue_token); None where a state is built without one.
    token: str | None = None


@dataclass(frozen=True)
class ItemReview:
    number: int
    points: float
    score: float | None
    answer: Any
    key: Any


@dataclass(frozen=True)
class AttemptResult:
    attempt_id: int
    state: str
    submit_reason: str | None
    review: str
    kind: str
    score: float | None
    total_points: float
    pass_score: float
    passed: bool | None
    level: str | None
    paper: Paper
    items: list[ItemReview] = field(default_factory=list)


def attempt_of(session: Session, session_id: int, cadre_id: int) -> AttemptRow | None:
    return session.execute(
        select(AttemptRow).where(AttemptRow.session_id == session_id, AttemptRow.cadre_id == cadre_id)
    ).scalar_one_or_none()


def attempts_used(session: Session, cadre_id: int, exam: ExamRow) -> int:
    """Handed-in attempts at this exam (same bank and exam id, any bank version)."""
    bank_id = session.get(BankVersionRow, exam.bank_version_id).bank_id  # type: ignore[union-attr]
    same_exam = (
        select(ExamRow.id)
        .join(BankVersionRow, ExamRow.bank_version_id == BankVersionRow.id)  # type: ignore[arg-type]
        .where(BankVersionRow.bank_id == bank_id, ExamRow.slug == exam.slug)
    )
    return session.execute(
        select(func.count())
        .select_from(AttemptRow)
        .where(
            AttemptRow.cadre_id == cadre_id,
            AttemptRow.exam_id.in_(same_exam),  # type: ignore[attr-defined]
            AttemptRow.state != IN_PROGRESS,
        )
    ).scalar_one()


def too_late(exam_session: ExamSessionRow, now: datetime) -> bool:
    if exam_session.state != SessionState.STARTED or exam_session.started_at is None:
        return False
    return now > exam_session.started_at + timedelta(minutes=exam_session.allow_late_minutes)


# ---- the attempt -----------------------------------------------------------------------------------


def begin(
    db: Database,
    *,
    session_id: int,
    cadre_id: int,
    hostname: str | None = None,
    clock: MaybeClock = None,
    token_hash: str | None = None,
) -> AttemptState:
    """Start the attempt (drawing the paper), or resume the one under way. ``token_hash``: the terminal
    chose its token itself (a lab terminal served by the desk) and sends only its SHA-256."""
    # Draw before the write: reading a bank's pool and shuffling is the slow part, and a write holds
    # the database's one writer slot. The draw is a function of the session secret, exam, ID number
    # and bank version, none of which change, so the paper drawn here is the one the write would draw.
    with db.read() as session:
        exam_session = session.get(ExamSessionRow, session_id)
        started = exam_session is not None and exam_session.state == SessionState.STARTED
        fresh = started and attempt_of(session, session_id, cadre_id) is None
        drawn = _draw(session, exam_session, cadre_id) if fresh else None  # type: ignore[arg-type]
    with db.write() as session:
        exam_session = session.get(ExamSessionRow, session_id, with_for_update=True)
        if exam_session is None:
            raise SessionError("session.not_found", id=session_id)
        now = now_in(session, clock)
        attempt = attempt_of(session, session_id, cadre_id)
        if attempt is None:
            return _new_attempt(
                session,
                exam_session,
                cadre_id=cadre_id,
                now=now,
                drawn=drawn,
                hostname=hostname,
                token_hash=token_hash,
            )
        if attempt.state != IN_PROGRESS:
            raise SessionError("login.submitted")
        if now < attempt.deadline_at:
            attempt.resumes += 1
            attempt.hostname = hostname
            attempt.last_heartbeat_at = now
            session.add(attempt)
            session.add(
                IncidentRow(
                    session_id=session_id,
                    attempt_id=attempt.id,
                    kind="resume",
                    created_at=now,
                    details={"hostname": hostname, "resumes": attempt.resumes},
                )
            )
            token = issue_token(session, attempt.id, now, token_hash=token_hash)  # type: ignore[arg-type]
            return _state(session, attempt, now, resumed=True, token=token)
        # The clock ran out while nobody was at the terminal: hand in what was saved. The candidate is
        # told once the block has committed the hand-in (raising inside it would roll the hand-in back).
        submit(session, attempt, "time_up", now)
    raise SessionError("login.submitted")


def _new_attempt(
    session: Session,
    exam_session: ExamSessionRow,
    *,
    cadre_id: int,
    now: datetime,
    drawn: Paper | None,
    hostname: str | None,
    token_hash: str | None = None,
) -> AttemptState:
    """Draw (unless ``drawn``) and start the attempt, inside ``begin``'s write."""
    session_id: int = exam_session.id  # type: ignore[assignment]
    if exam_session.state == SessionState.CLOSED:
        raise SessionError("login.closed")
    if exam_session.state != SessionState.STARTED:
        raise SessionError("begin.not_started")
    if too_late(exam_session, now):
        raise SessionError("login.too_late", minutes=exam_session.allow_late_minutes)
    exam = session.get(ExamRow, exam_session.exam_id)
    cadre = session.get(CadreRow, cadre_id)
    assert exam is not None and cadre is not None
    paper = drawn if drawn is not None else _draw(session, exam_session, cadre_id)
    minutes = exam.duration_minutes + exam_session.extra_minutes
    attempt = AttemptRow(
        session_id=session_id,
        cadre_id=cadre_id,
        exam_id=exam.id,  # type: ignore[arg-type]
        number=attempts_used(session, cadre_id, exam) + 1,
        state=IN_PROGRESS,
        seed=paper.seed,
        paper=paper.to_json(),
        item_count=len(paper.items),
        started_at=now,
        deadline_at=now + timedelta(minutes=minutes),
        extra_minutes=exam_session.extra_minutes,
        hostname=hostname,
        last_heartbeat_at=now,
    )
    session.add(attempt)
    session.flush()
    token = issue_token(session, attempt.id, now, token_hash=token_hash)  # type: ignore[arg-type]
    session.add(
        AuditEventRow(
            at=now,
            actor=cadre.id_number,
            action="attempt.begin",
            entity="attempt",
            entity_id=str(attempt.id),
            details={"session": session_id, "seed": paper.seed, "hostname": hostname},
        )
    )
    return _state(session, attempt, now, resumed=False, token=token)


def _draw(session: Session, exam_session: ExamSessionRow, cadre_id: int) -> Paper:
    exam = session.get(ExamRow, exam_session.exam_id)
    cadre = session.get(CadreRow, cadre_id)
    assert exam is not None and cadre is not None
    version = session.get(BankVersionRow, exam.bank_version_id)
    assert version is not None
    seed = derive_seed(exam_session.secret, exam.id, cadre.id_number, version.number)  # type: ignore[arg-type]
    return assemble_paper(
        seed,
        [BlueprintSection.from_json(s) for s in exam.sections],
        pool_of(session, exam.bank_version_id),
        shuffle_questions=exam.shuffle_questions,
    )


def pool_of(session: Session, bank_version_id: int) -> list[PoolQuestion]:
    """Every question of a bank version in the bank's order, as papers and practice draw them."""
    rows = session.execute(
        select(QuestionRow)
        .where(QuestionRow.bank_version_id == bank_version_id)
        .order_by(QuestionRow.position)
    ).scalars()
    return [
        PoolQuestion(
            slug=q.slug,
            type=q.type,
            category=q.category_slug,
            difficulty=q.difficulty,
            stem=q.stem,
            options=q.options,
            answer=q.answer,
            shuffle_options=q.shuffle_options,
            explanation=q.explanation,
            source=q.source,
            rubric=q.rubric,
        )
        for q in rows
    ]


def hash_of_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, attempt_id: int, now: datetime, *, token_hash: str | None = None
) -> str | None:
    """A new terminal token for the attempt (256 random bits), replacing the one issued before: the
    terminal that began or resumed the attempt last holds the only one that works. Only its SHA-256 is
    stored, so reading the table gives no one a token. A terminal signed in as the candidate-terminal
    role of PostgreSQL (store.roles) reaches its attempt only with it. Given ``token_hash``, the
    terminal's own token (which it never sent) is adopted instead, and None returned."""
    token = None if token_hash else secrets.token_urlsafe(32)
    digest = token_hash or hash_of_token(token)  # type: ignore[arg-type]
    row = session.get(AttemptTokenRow, attempt_id)
    if row is None:
        row = AttemptTokenRow(attempt_id=attempt_id, token_hash=digest, issued_at=now)
    else:
        row.token_hash, row.issued_at = digest, now
    session.add(row)
    return token


def _state(
    session: Session, attempt: AttemptRow, now: datetime, *, resumed: bool, token: str | None = None
) -> AttemptState:
    responses = (
        session.execute(select(ResponseRow).where(ResponseRow.attempt_id == attempt.id)).scalars().all()
    )
    return AttemptState(
        attempt_id=attempt.id,  # type: ignore[arg-type]
        paper=Paper.from_json(attempt.paper),
        answers={r.item: r.answer for r in responses if r.answer is not None},
        flagged={r.item for r in responses if r.flagged},
        revisions={r.item: r.revision for r in responses},
        current_item=attempt.current_item,
        deadline_at=attempt.deadline_at,
        server_now=now,
        resumed=resumed,
        token=token,
    )


def hand_in(
    db: Database, attempt_id: int, *, reason: str = "candidate", clock: MaybeClock = None
) -> AttemptResult:
    """交卷: submit and grade. Handing in twice is harmless (the second sees the first's result)."""
    with db.write() as session:
        now = now_in(session, clock)
        attempt = session.get(AttemptRow, attempt_id, with_for_update=True)
        if attempt is None:
            raise AttemptClosed("missing")
        if attempt.state == IN_PROGRESS:
            submit(session, attempt, reason if now < attempt.deadline_at else "time_up", now)
    return result(db, attempt_id)


# ---- what the candidate's terminal holds ---------------------------------------------------------------


def begin_sitting(
    db: Database, *, session_id: int, cadre_id: int, hostname: str | None = None, clock: MaybeClock = None
) -> AttemptState:
    """:func:`begin` for the candidate's terminal: the paper without its keys (Paper.without_keys), so
    that nothing a candidate's process holds while sitting could give an answer away."""
    state = begin(db, session_id=session_id, cadre_id=cadre_id, hostname=hostname, clock=clock)
    return replace(state, paper=state.paper.without_keys())


def as_candidate_sees(result: AttemptResult) -> AttemptResult:
    """A result cut to the exam's review policy before it reaches the candidate's terminal.

    ``none``: that the paper was handed in, nothing else (no score, pass mark outcome, level or items);
    ``score``: the score, the outcome and the level, but no item, answer or key; ``full``: everything,
    keys and explanations included. Only the candidate's own attempt is ever asked for.
    """
    if result.review == "full":
        return result
    keyless = result.paper.without_keys()
    if result.review == "score":
        return replace(result, paper=keyless, items=[])
    return replace(result, paper=keyless, items=[], score=None, passed=None, level=None)


def submit(session: Session, attempt: AttemptRow, reason: str, now: datetime) -> None:
    """Hand in and grade inside the caller's transaction (closing a session hands in many at once)."""
    attempt.submitted_at = min(now, attempt.deadline_at) if reason == "time_up" else now
    attempt.submit_reason = reason
    grade_attempt(session, attempt, now)
    session.flush()
    appointments.refresh(session, attempt.cadre_id, now, actor=None, why=f"hand_in:{attempt.id}:{reason}")
    session.add(
        AuditEventRow(
            at=now,
            actor=None,
            action="attempt.hand_in",
            entity="attempt",
            entity_id=str(attempt.id),
            details={"reason": reason, "score": attempt.score, "state": attempt.state},
        )
    )


def result(db: Database, attempt_id: int) -> AttemptResult:
    with db.read() as session:
        attempt = session.get(AttemptRow, attempt_id)
        if attempt is None:
            raise AttemptClosed("missing")
        exam = session.get(ExamRow, attempt.exam_id)
        assert exam is not None
        paper = Paper.from_json(attempt.paper)
        responses = {
            r.item: r
            for r in session.execute(
                select(ResponseRow).where(ResponseRow.attempt_id == attempt_id)
            ).scalars()
        }
        items = [
            ItemReview(
                number=item.number,
                points=item.points,
                score=responses[item.number].score
                if item.number in responses
                else (0.0 if attempt.graded_at else None),
                answer=responses[item.number].answer if item.number in responses else None,
                key=item.key,
            )
            for item in paper.items
        ]
        return AttemptResult(
            attempt_id=attempt_id,
            state=attempt.state,
            submit_reason=attempt.submit_reason,
            review=exam.review,
            kind=exam.kind,
            score=attempt.score,
            total_points=exam.total_points,
            pass_score=exam.pass_score,
            passed=attempt.passed,
            level=attempt.level,
            paper=paper,
            items=items,
        )
