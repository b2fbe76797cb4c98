"""Exam sessions: scheduling, listing, rosters and the candidate's check-in."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select

from exam_tui.domain.idnumber import mask, normalise_id_number
from exam_tui.domain.sittings import SessionState, new_access_code
from exam_tui.i18n import t
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.store.models import (
    AuditEventRow,
    BankRow,
    BankVersionRow,
    CadreRow,
    ExamRow,
    ExamSessionRow,
    SessionCandidateRow,
    UnitRow,
)


class SessionError(Exception):
    """A use of sessions that cannot go ahead; ``key`` is the message, ``params`` fill it in."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params

    def message(self) -> str:
        """The message in the current UI language."""
        return t(self.key, **self.params)


@dataclass(frozen=True)
class SessionView:
    id: int
    title: str
    room: str | None
    starts_at: datetime
    state: str
    access_code: str
    exam_ref: str
    exam_title: str
    duration_minutes: int
    candidates: int


@dataclass(frozen=True)
class RosterEntry:
    id_number_masked: str
    name: str
    unit: str
    rank: str | None
    proposed_post: str | None
    checked_in: bool


def exam_versions(session: Any, ref: str) -> list[ExamRow]:
    """The exam ``BANK/EXAM`` in every version of its bank, oldest first."""
    bank_slug, _, exam_slug = ref.partition("/")
    stmt = (
        select(ExamRow)
        .join(BankVersionRow, ExamRow.bank_version_id == BankVersionRow.id)  # type: ignore[arg-type]
        .join(BankRow, BankVersionRow.bank_id == BankRow.id)  # type: ignore[arg-type]
        .where(BankRow.slug == bank_slug, ExamRow.slug == exam_slug)
        .order_by(BankVersionRow.number)  # type: ignore[arg-type]
    )
    exams = list(session.execute(stmt).scalars())
    if not exams:
        raise SessionError("session.no_exam", exam=ref)
    return exams


def find_exam(session: Any, ref: str) -> ExamRow:
    """The exam ``BANK/EXAM`` in the bank's newest version."""
    return exam_versions(session, ref)[-1]


def bank_slug_of(session: Any, exam: ExamRow) -> str:
    """The id of the bank an exam belongs to."""
    return session.execute(
        select(BankRow.slug)
        .join(BankVersionRow, BankVersionRow.bank_id == BankRow.id)  # type: ignore[arg-type]
        .where(BankVersionRow.id == exam.bank_version_id)
    ).scalar_one()


def schedule_session(
    db: Database,
    *,
    exam_ref: str,
    title: str,
    room: str | None,
    starts_at: datetime,
    id_numbers: Sequence[str],
    allow_late_minutes: int = 15,
    open_now: bool = False,
    rng: random.Random | None = None,
    clock: MaybeClock = None,
    actor: str | None = None,
) -> SessionView:
    """Create a session; ``open_now`` lets candidates sign in at once (``session open``)."""
    rng = rng or random.SystemRandom()  # type: ignore[assignment]
    with db.write() as session:
        now = now_in(session, clock)
        exam = find_exam(session, exam_ref)
        wanted = [normalise_id_number(n) for n in id_numbers]
        cadres = session.execute(select(CadreRow).where(CadreRow.id_number.in_(wanted))).scalars().all()  # type: ignore[attr-defined]
        missing = sorted(set(wanted) - {c.id_number for c in cadres})
        if missing:
            raise SessionError("session.unknown_cadres", numbers=", ".join(mask(n) for n in missing))
        row = ExamSessionRow(
            exam_id=exam.id,  # type: ignore[arg-type]
            title=title,
            room=room,
            starts_at=starts_at,
            allow_late_minutes=allow_late_minutes,
            access_code=_unused_code(session, rng),
            # Per-session key for candidates' paper seeds; drawn from the OS, never from ``rng``, so a
            # seeded demo does not make papers predictable.
            secret=secrets.token_hex(32),
            state=SessionState.OPEN if open_now else SessionState.SCHEDULED,
            created_at=now,
            opened_at=now if open_now else None,
        )
        session.add(row)
        session.flush()
        for cadre in cadres:
            session.add(SessionCandidateRow(session_id=row.id, cadre_id=cadre.id))  # type: ignore[arg-type]
        from exam_tui.services.appointments import open_for_seated  # appointments builds on this module

        open_for_seated(session, exam, cadres, now, actor)
        session.add(
            AuditEventRow(
                at=now,
                actor=actor,
                action="session.open" if open_now else "session.schedule",
                entity="exam_session",
                entity_id=str(row.id),
                details={"exam": exam_ref, "candidates": len(cadres)},
            )
        )
        session.flush()
        return session_views(session, [row])[0]


def _unused_code(session: Any, rng: random.Random) -> str:
    # Codes only need to be unique among sessions that are not closed.
    for _ in range(100):
        code = new_access_code(rng)
        taken = session.execute(
            select(ExamSessionRow.id).where(
                ExamSessionRow.access_code == code, ExamSessionRow.state != SessionState.CLOSED
            )
        ).first()
        if taken is None:
            return code
    raise RuntimeError("no free access code after 100 draws")  # 31^6 codes: practically unreachable


def session_views(session: Any, rows: Sequence[ExamSessionRow]) -> list[SessionView]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    counts = dict(
        session.execute(
            select(SessionCandidateRow.session_id, func.count())
            .where(SessionCandidateRow.session_id.in_(ids))  # type: ignore[attr-defined]
            .group_by(SessionCandidateRow.session_id)
        ).all()
    )
    exams = {
        e.id: (e, slug)
        for e, slug in session.execute(
            select(ExamRow, BankRow.slug)
            .join(BankVersionRow, ExamRow.bank_version_id == BankVersionRow.id)  # type: ignore[arg-type]
            .join(BankRow, BankVersionRow.bank_id == BankRow.id)  # type: ignore[arg-type]
            .where(ExamRow.id.in_({r.exam_id for r in rows}))  # type: ignore[union-attr]
        ).all()
    }
    return [session_view(r, *exams[r.exam_id], candidates=counts.get(r.id, 0)) for r in rows]


def session_view(row: ExamSessionRow, exam: ExamRow, bank_slug: str, *, candidates: int) -> SessionView:
    """The view of one session from its row, its exam and the exam's bank."""
    return SessionView(
        id=row.id,  # type: ignore[arg-type]
        title=row.title,
        room=row.room,
        starts_at=row.starts_at,
        state=row.state,
        access_code=row.access_code,
        exam_ref=f"{bank_slug}/{exam.slug}",
        exam_title=exam.title,
        duration_minutes=exam.duration_minutes,
        candidates=candidates,
    )


def list_sessions(
    db: Database, *, since: datetime | None = None, until: datetime | None = None
) -> list[SessionView]:
    """Sessions by start time; ``since``/``until`` bound the start time (UTC-aware datetimes)."""
    with db.read() as session:
        stmt = select(ExamSessionRow).order_by(ExamSessionRow.starts_at, ExamSessionRow.id)
        if since is not None:
            stmt = stmt.where(ExamSessionRow.starts_at >= since)
        if until is not None:
            stmt = stmt.where(ExamSessionRow.starts_at < until)
        return session_views(session, session.execute(stmt).scalars().all())


def sessions_on(db: Database, day: date, tz: tzinfo) -> list[SessionView]:
    """Sessions starting on ``day`` in the time zone of the exam room."""
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    return list_sessions(db, since=start, until=start + timedelta(days=1))


def roster(db: Database, session_id: int) -> list[RosterEntry]:
    with db.read() as session:
        rows = session.execute(
            select(CadreRow, UnitRow.name, SessionCandidateRow.checked_in_at)
            .join(SessionCandidateRow, SessionCandidateRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
            .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
            .where(SessionCandidateRow.session_id == session_id)
            .order_by(UnitRow.name, CadreRow.name)
        ).all()
        return [
            RosterEntry(mask(c.id_number), c.name, unit, c.rank, c.proposed_post, checked_in is not None)
            for c, unit, checked_in in rows
        ]
