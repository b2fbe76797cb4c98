"""The candidate's attempt: admission, the drawn paper, answer saves, heartbeats, hand-in and resume.

Every answer save is its own transaction and carries the client's revision number for that item: a
write older than the stored one is ignored, so a retried save can never overwrite a newer answer.
The deadline lives in the attempt and is compared with the database clock; killing the terminal
does not stop it, and logging in again anywhere resumes the same paper.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from exam_tui.domain.idnumber import InvalidIdNumber, mask, normalise_id_number
from exam_tui.domain.paper import BlueprintSection, Paper, PoolQuestion, assemble_paper, derive_seed
from exam_tui.domain.sittings import SessionState, normalise_access_code
from exam_tui.services.grading import grade_attempt
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError, SessionView, session_views
from exam_tui.store.models import (
    AttemptRow,
    AuditEventRow,
    BankVersionRow,
    CadreRow,
    ExamRow,
    ExamSessionRow,
    IncidentRow,
    QuestionRow,
    ResponseRow,
    SessionCandidateRow,
    UnitRow,
)

# A save that left the terminal just before the deadline may arrive a little after it.
LATE_WRITE_GRACE = timedelta(seconds=5)
IN_PROGRESS = "in_progress"
INCIDENT_KINDS = ("focus_lost", "focus_back", "resize", "resume", "quit", "late_write", "time_up")


class AttemptClosed(Exception):
    """The attempt no longer takes answers (handed in, timed out, closed by the proctor)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Candidate:
    cadre_id: int
    name: str
    unit: str
    masked_id: str


@dataclass(frozen=True)
class ExamBrief:
    title: str
    kind: str
    duration_minutes: int
    questions: int
    total_points: float
    pass_score: float
    review: str


@dataclass(frozen=True)
class Admission:
    session: SessionView
    candidate: Candidate
    exam: ExamBrief
    resuming: bool  # an attempt is already under way


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


@dataclass(frozen=True)
class SaveAck:
    item: int
    revision: int
    saved_at: datetime
    deadline_at: datetime


@dataclass(frozen=True)
class Tick:
    server_now: datetime
    deadline_at: datetime
    state: str


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


# ---- admission ------------------------------------------------------------------------------------


def admit(
    db: Database,
    *,
    login: str,
    access_code: str,
    name: str | None = None,
    session_id: int | None = None,
    clock: MaybeClock = None,
) -> Admission:
    """Check a candidate in: ``login`` is the ID number, or its last 6 characters with ``name``.

    ``session_id`` limits sign-in to one session (a terminal started with ``sit --session``).
    """
    code = normalise_access_code(access_code)
    with db.write() as session:
        stmt = select(ExamSessionRow).where(ExamSessionRow.access_code == code)
        if session_id is not None:
            stmt = stmt.where(ExamSessionRow.id == session_id)
        exam_sessions = session.execute(stmt).scalars().all()
        live = [s for s in exam_sessions if s.state != SessionState.CLOSED]
        if not live:
            raise SessionError("login.closed" if exam_sessions else "login.bad_code")
        cadre = _find_cadre(session, login, name, [s.id for s in live])  # type: ignore[misc]
        entry, exam_session = None, None
        for s in live:
            entry = session.execute(
                select(SessionCandidateRow).where(
                    SessionCandidateRow.session_id == s.id, SessionCandidateRow.cadre_id == cadre.id
                )
            ).scalar_one_or_none()
            if entry is not None:
                exam_session = s
                break
        if entry is None or exam_session is None:
            raise SessionError("login.not_on_roster")
        if exam_session.state == SessionState.SCHEDULED:
            raise SessionError("login.not_open")
        exam = session.get(ExamRow, exam_session.exam_id)
        assert exam is not None
        attempt = _attempt_of(session, exam_session.id, cadre.id)  # type: ignore[arg-type]
        if attempt is not None and attempt.state != IN_PROGRESS:
            raise SessionError("login.submitted")
        if attempt is None:
            if entry.absent:
                raise SessionError("login.absent")
            used = _attempts_used(session, cadre.id, exam)  # type: ignore[arg-type]
            if used >= exam.max_attempts:
                raise SessionError("login.attempts_exhausted", used=used)
            now = now_in(session, clock)
            if _too_late(exam_session, now):
                raise SessionError("login.too_late", minutes=exam_session.allow_late_minutes)
        if entry.checked_in_at is None:
            entry.checked_in_at = now_in(session, clock)
            session.add(entry)
        unit = session.get(UnitRow, cadre.unit_id)
        count = sum(int(s["draw"]) for s in exam.sections)
        return Admission(
            session=session_views(session, [exam_session])[0],
            candidate=Candidate(cadre.id, cadre.name, unit.name if unit else "", mask(cadre.id_number)),  # type: ignore[arg-type]
            exam=ExamBrief(
                exam.title,
                exam.kind,
                exam.duration_minutes,
                count,
                exam.total_points,
                exam.pass_score,
                exam.review,
            ),
            resuming=attempt is not None,
        )


def _find_cadre(session: Session, login: str, name: str | None, session_ids: list[int]) -> CadreRow:
    typed = "".join(login.split()).upper()
    if len(typed) == 6:
        # Last six characters plus the name, accepted only when the rosters make it unambiguous.
        if not name or not name.strip():
            raise SessionError("login.need_name")
        matches = (
            session.execute(
                select(CadreRow)
                .join(SessionCandidateRow, SessionCandidateRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
                .where(
                    SessionCandidateRow.session_id.in_(session_ids),  # type: ignore[attr-defined]
                    CadreRow.id_number.endswith(typed),  # type: ignore[attr-defined]
                    CadreRow.name == name.strip(),
                )
            )
            .scalars()
            .unique()
            .all()
        )
        if len(matches) > 1:
            raise SessionError("login.ambiguous")
        if not matches:
            raise SessionError("login.not_on_roster")
        return matches[0]
    try:
        number = normalise_id_number(typed)
    except InvalidIdNumber as exc:
        raise SessionError("login.bad_id", reason=exc.reason) from exc
    cadre = session.execute(select(CadreRow).where(CadreRow.id_number == number)).scalar_one_or_none()
    if cadre is None:
        raise SessionError("login.unknown_candidate")
    return cadre


def _attempt_of(session: Session, session_id: int, cadre_id: int) -> AttemptRow | None:
    return session.execute(
        select(AttemptRow).where(AttemptRow.session_id == session_id, AttemptRow.cadre_id == cadre_id)
    ).scalar_one_or_none()


def _attempts_used(session: Session, cadre_id: int, exam: ExamRow) -> int:
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


def _too_late(exam_session: ExamSessionRow, now: datetime) -> bool:
    if exam_session.state != SessionState.STARTED or exam_session.started_at is None:
        return False
    return now > exam_session.started_at + timedelta(minutes=exam_session.allow_late_minutes)


def session_state(db: Database, session_id: int) -> str:
    """Polled by a waiting candidate until the proctor starts the session."""
    with db.read() as session:
        row = session.get(ExamSessionRow, session_id)
        if row is None:
            raise SessionError("session.not_found", id=session_id)
        return row.state


# ---- the attempt -----------------------------------------------------------------------------------


def begin(
    db: Database, *, session_id: int, cadre_id: int, hostname: str | None = None, clock: MaybeClock = None
) -> AttemptState:
    """Start the attempt (drawing the paper), or resume the one under way."""
    with db.write() as session:
        exam_session = session.get(ExamSessionRow, session_id, with_for_update=True)
        if exam_session is None:
            raise SessionError("session.not_found", id=session_id)
        now = now_in(session, clock)
        attempt = _attempt_of(session, session_id, cadre_id)
        if attempt is not None:
            if attempt.state != IN_PROGRESS:
                raise SessionError("login.submitted")
            if now >= attempt.deadline_at:
                # The clock ran out while nobody was at the terminal: hand in what was saved.
                submit(session, attempt, "time_up", now)
                raise SessionError("login.submitted")
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
            return _state(session, attempt, now, resumed=True)
        if exam_session.state == SessionState.CLOSED:
            raise SessionError("login.closed")
        if exam_session.state != SessionState.STARTED:
            raise SessionError("begin.not_started")
        if _too_late(exam_session, now):
            raise SessionError("login.too_late", minutes=exam_session.allow_late_minutes)
        exam = session.get(ExamRow, exam_session.exam_id)
        cadre = session.get(CadreRow, cadre_id)
        assert exam is not None and cadre is not None
        version = session.get(BankVersionRow, exam.bank_version_id)
        assert version is not None
        seed = derive_seed(exam_session.secret, exam.id, cadre.id_number, version.number)  # type: ignore[arg-type]
        paper = assemble_paper(
            seed,
            [BlueprintSection.from_json(s) for s in exam.sections],
            _pool(session, exam.bank_version_id),
            shuffle_questions=exam.shuffle_questions,
        )
        minutes = exam.duration_minutes + exam_session.extra_minutes
        attempt = AttemptRow(
            session_id=session_id,
            cadre_id=cadre_id,
            exam_id=exam.id,  # type: ignore[arg-type]
            number=_attempts_used(session, cadre_id, exam) + 1,
            state=IN_PROGRESS,
            seed=seed,
            paper=paper.to_json(),
            started_at=now,
            deadline_at=now + timedelta(minutes=minutes),
            extra_minutes=exam_session.extra_minutes,
            hostname=hostname,
            last_heartbeat_at=now,
        )
        session.add(attempt)
        session.flush()
        session.add(
            AuditEventRow(
                at=now,
                actor=cadre.id_number,
                action="attempt.begin",
                entity="attempt",
                entity_id=str(attempt.id),
                details={"session": session_id, "seed": seed, "hostname": hostname},
            )
        )
        return _state(session, attempt, now, resumed=False)


def _pool(session: Session, bank_version_id: int) -> list[PoolQuestion]:
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


def _state(session: Session, attempt: AttemptRow, now: datetime, *, resumed: bool) -> AttemptState:
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
    )


def _open_attempt(session: Session, attempt_id: int, now: datetime) -> AttemptRow:
    """The attempt, locked against a concurrent hand-in, if it still takes writes."""
    attempt = session.get(AttemptRow, attempt_id, with_for_update=True)
    if attempt is None:
        raise AttemptClosed("missing")
    if attempt.state != IN_PROGRESS:
        raise AttemptClosed(attempt.submit_reason or attempt.state)
    return attempt


def save_answer(
    db: Database,
    attempt_id: int,
    *,
    item: int,
    answer: Any,
    flagged: bool,
    revision: int,
    current_item: int | None = None,
    clock: MaybeClock = None,
) -> SaveAck:
    """Store one item's answer and mark; acknowledged only once committed.

    Raises AttemptClosed when the attempt takes no more answers; a write arriving more than
    LATE_WRITE_GRACE after the deadline is refused, logged, and the attempt handed in.
    """
    json.dumps(answer)  # refuse anything that would not survive the JSON column, before writing
    late = False
    with db.write() as session:
        now = now_in(session, clock)
        attempt = _open_attempt(session, attempt_id, now)
        if now > attempt.deadline_at + LATE_WRITE_GRACE:
            session.add(
                IncidentRow(
                    session_id=attempt.session_id,
                    attempt_id=attempt.id,
                    kind="late_write",
                    created_at=now,
                    details={
                        "item": item,
                        "revision": revision,
                        "late_by_s": (now - attempt.deadline_at).total_seconds(),
                    },
                )
            )
            submit(session, attempt, "time_up", now)
            late = True
        else:
            if not 1 <= item <= len(attempt.paper["items"]):
                raise ValueError(f"item {item} is not on this paper")
            row = session.execute(
                select(ResponseRow).where(ResponseRow.attempt_id == attempt_id, ResponseRow.item == item)
            ).scalar_one_or_none()
            if row is None:
                row = ResponseRow(
                    attempt_id=attempt_id,
                    item=item,
                    answer=answer,
                    flagged=flagged,
                    revision=revision,
                    saved_at=now,
                )
                session.add(row)
            elif revision > row.revision:
                row.answer, row.flagged, row.revision, row.saved_at = answer, flagged, revision, now
                session.add(row)
            # else: an older write retried after a newer one landed; the newer answer stands
            if current_item is not None and current_item != attempt.current_item:
                attempt.current_item = current_item
            attempt.last_heartbeat_at = now
            session.add(attempt)
            stored = row.revision
    if late:
        raise AttemptClosed("time_up")
    return SaveAck(item=item, revision=stored, saved_at=now, deadline_at=attempt.deadline_at)


def heartbeat(
    db: Database, attempt_id: int, *, current_item: int | None = None, clock: MaybeClock = None
) -> Tick:
    """The terminal is alive; hands the attempt in once its deadline has passed."""
    with db.write() as session:
        now = now_in(session, clock)
        attempt = session.get(AttemptRow, attempt_id, with_for_update=True)
        if attempt is None:
            raise AttemptClosed("missing")
        if attempt.state == IN_PROGRESS:
            if now >= attempt.deadline_at:
                submit(session, attempt, "time_up", now)
            else:
                attempt.last_heartbeat_at = now
                if current_item is not None:
                    attempt.current_item = current_item
                session.add(attempt)
        return Tick(server_now=now, deadline_at=attempt.deadline_at, state=attempt.state)


def record_incident(
    db: Database,
    attempt_id: int,
    kind: str,
    details: dict[str, Any] | None = None,
    *,
    clock: MaybeClock = None,
) -> None:
    """A closed-book signal (focus lost, resize, …) with time and machine, for the proctor."""
    if kind not in INCIDENT_KINDS:
        raise ValueError(f"unknown incident kind {kind}")
    with db.write() as session:
        now = now_in(session, clock)
        attempt = session.get(AttemptRow, attempt_id)
        if attempt is None:
            raise AttemptClosed("missing")
        if kind == "focus_lost" and attempt.state == IN_PROGRESS:
            attempt.focus_losses += 1
            session.add(attempt)
        session.add(
            IncidentRow(
                session_id=attempt.session_id,
                attempt_id=attempt_id,
                kind=kind,
                created_at=now,
                details={"hostname": attempt.hostname, **(details or {})},
            )
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


def submit(session: Session, attempt: AttemptRow, reason: str, now: datetime) -> None:
    """Hand in and grade inside the caller's transaction (closing a session hands in many at once)."""
    attempt.submitted_at = min(now, attempt.deadline_at) if reason == "time_up" else now
    attempt.submit_reason = reason
    grade_attempt(session, attempt, now)
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


def new_session_secret() -> str:
    return secrets.token_hex(32)
