"""A session's results for export: every candidate on the roster with their outcome and, for those who
began, every item of their frozen paper with the stored response, the key and the points earned.

Everything is read in one transaction that sees one moment (REPEATABLE READ on PostgreSQL; a read
transaction on SQLite is a snapshot already), so an export taken while papers are being handed in never
pairs a candidate's total with item points from another moment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from exam_tui.domain.idnumber import mask
from exam_tui.domain.paper import Paper
from exam_tui.services.attempts import IN_PROGRESS
from exam_tui.services.pii import notice
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import candidate_state, roster_rows
from exam_tui.services.sessions import SessionError, SessionView, session_views
from exam_tui.store.models import (
    AttemptRow,
    ExamRow,
    ExamSessionRow,
    IncidentRow,
    ResponseRow,
)


@dataclass(frozen=True)
class ItemResult:
    """One question as it stood on this candidate's paper."""

    number: int  # position on this candidate's paper, from 1
    question: str  # the bank's question id
    type: str
    points: float
    partial_credit: bool  # multiple choice: a strict subset of the key earns half
    response: Any  # as stored, in this paper's shown letters; None when nothing was answered
    key: Any  # in this paper's shown letters; fill_blank: accepted answers per blank; short answer: None
    score: float | None  # None while the paper is being answered or the item awaits a grader


@dataclass(frozen=True)
class CandidateResult:
    id_number: str
    name: str
    unit: str
    rank: str | None
    state: str  # as session_control.CandidateRecord.state
    attempt_id: int | None
    grading: str | None  # graded / pending_grading; None until handed in
    score: float | None
    passed: bool | None
    level: str | None
    started_at: datetime | None
    submitted_at: datetime | None
    submit_reason: str | None
    incidents: int
    items: tuple[ItemResult, ...] = ()


@dataclass(frozen=True)
class SessionResults:
    session: SessionView
    pass_score: float
    total_points: float
    started_at: datetime | None
    closed_at: datetime | None
    candidates: tuple[CandidateResult, ...]

    @property
    def max_items(self) -> int:
        """The longest paper among those drawn (papers of one exam normally all have the same length)."""
        return max((len(c.items) for c in self.candidates), default=0)


def session_results(db: Database, session_id: int) -> SessionResults:
    """The results of every candidate on the session's roster, ordered by unit, then name."""
    with db.snapshot() as session:
        row = session.get(ExamSessionRow, session_id)
        if row is None:
            raise SessionError("session.not_found", id=session_id)
        exam = session.get(ExamRow, row.exam_id)
        assert exam is not None
        attempts = {
            a.cadre_id: a
            for a in session.execute(select(AttemptRow).where(AttemptRow.session_id == session_id)).scalars()
        }
        responses: dict[int, dict[int, ResponseRow]] = defaultdict(dict)
        for response in session.execute(
            select(ResponseRow)
            .join(AttemptRow, AttemptRow.id == ResponseRow.attempt_id)  # type: ignore[arg-type]
            .where(AttemptRow.session_id == session_id)
        ).scalars():
            responses[response.attempt_id][response.item] = response
        incidents = dict(
            session.execute(
                select(IncidentRow.attempt_id, func.count())
                .where(IncidentRow.session_id == session_id, IncidentRow.attempt_id.is_not(None))  # type: ignore[union-attr]
                .group_by(IncidentRow.attempt_id)
            ).all()
        )
        candidates = []
        for entry, cadre, unit in roster_rows(session, session_id):
            a = attempts.get(cadre.id)
            candidates.append(
                CandidateResult(
                    id_number=cadre.id_number,
                    name=cadre.name,
                    unit=unit,
                    rank=cadre.rank,
                    state=candidate_state(entry, a),
                    attempt_id=a.id if a else None,
                    grading=a.state if a and a.state != IN_PROGRESS else None,
                    score=a.score if a else None,
                    passed=a.passed if a else None,
                    level=a.level if a else None,
                    started_at=a.started_at if a else None,
                    submitted_at=a.submitted_at if a else None,
                    submit_reason=a.submit_reason if a else None,
                    incidents=incidents.get(a.id, 0) if a else 0,
                    items=_items(a, responses.get(a.id, {})) if a else (),  # type: ignore[arg-type]
                )
            )
        return SessionResults(
            session=session_views(session, [row])[0],
            pass_score=exam.pass_score,
            total_points=exam.total_points,
            started_at=row.started_at,
            closed_at=row.closed_at,
            candidates=tuple(candidates),
        )


def _items(attempt: AttemptRow, responses: dict[int, ResponseRow]) -> tuple[ItemResult, ...]:
    paper = Paper.from_json(attempt.paper)
    handed_in = attempt.state != IN_PROGRESS
    items = []
    for item in paper.items:
        response = responses.get(item.number)
        if not handed_in:
            score = None
        elif response is None:
            score = 0.0  # grading writes no row for an item never touched: it earned nothing
        else:
            score = response.score
        items.append(
            ItemResult(
                number=item.number,
                question=item.question,
                type=item.type,
                points=item.points,
                partial_credit=item.partial_credit,
                response=response.answer if response is not None else None,
                key=item.key,
                score=score,
            )
        )
    return tuple(items)


# ---- JSON (the contract documented in docs/cli.md: fields may be added, never renamed or removed) -----


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def results_to_json(results: SessionResults, *, unmasked: bool = False) -> dict[str, Any]:
    """The export as a JSON document; ID numbers masked unless ``unmasked``."""
    v = results.session
    return {
        "personal_information": True,
        "notice": notice(),
        "session": {
            "id": v.id,
            "title": v.title,
            "room": v.room,
            "state": v.state,
            "exam": v.exam_ref,
            "exam_title": v.exam_title,
            "starts_at": _iso(v.starts_at),
            "started_at": _iso(results.started_at),
            "closed_at": _iso(results.closed_at),
        },
        "pass_score": results.pass_score,
        "total_points": results.total_points,
        "id_numbers_masked": not unmasked,
        "candidates": [
            {
                "id_number": c.id_number if unmasked else mask(c.id_number),
                "name": c.name,
                "unit": c.unit,
                "rank": c.rank,
                "state": c.state,
                "attempt_id": c.attempt_id,
                "grading": c.grading,
                "score": c.score,
                "passed": c.passed,
                "level": c.level,
                "started_at": _iso(c.started_at),
                "submitted_at": _iso(c.submitted_at),
                "submit_reason": c.submit_reason,
                "incidents": c.incidents,
                "items": [
                    {
                        "number": i.number,
                        "question": i.question,
                        "type": i.type,
                        "points": i.points,
                        "partial_credit": i.partial_credit,
                        "response": i.response,
                        "key": i.key,
                        "score": i.score,
                    }
                    for i in c.items
                ],
            }
            for c in results.candidates
        ],
    }
