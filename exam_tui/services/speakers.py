"""抽签发言: drawing who speaks at a half-day of a course, recorded so anyone can redo the draw.

The seed comes from the operating system and is stored with the time, who drew, who was present and
who had spoken before; ``verify_draws`` recomputes every recorded draw of a course from those.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.idnumber import mask
from exam_tui.domain.lots import Draw, current_round, draw_speakers, verify
from exam_tui.domain.training import ATTENDED, Half
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.services.training import course_row
from exam_tui.store.models import AuditEventRow, CadreRow, UnitRow
from exam_tui.store.models_training import AttendanceRow, SpeakerDrawRow


@dataclass(frozen=True)
class Speaker:
    cadre_id: int
    id_number_masked: str
    name: str
    unit: str


@dataclass(frozen=True)
class DrawView:
    id: int
    at: datetime
    actor: str | None
    day: date
    half: str
    k: int
    seed: str
    present: int  # how many were present to draw from
    speakers: list[Speaker]  # in speaking order
    new_round: bool
    verified: bool  # the stored draw is what its seed gives


def _present(session: Session, course_id: int, day: date, half: str) -> list[int]:
    return list(
        session.execute(
            select(AttendanceRow.cadre_id).where(
                AttendanceRow.course_id == course_id,
                AttendanceRow.day == day,
                AttendanceRow.half == half,
                AttendanceRow.status.in_(ATTENDED),  # type: ignore[attr-defined]
            )
        ).scalars()
    )


def _spoken(session: Session, course_id: int, before_id: int | None = None) -> list[int]:
    """Everyone drawn in the course so far, in draw order (before the draw ``before_id``, if given)."""
    stmt = select(SpeakerDrawRow).where(SpeakerDrawRow.course_id == course_id).order_by(SpeakerDrawRow.id)  # type: ignore[arg-type]
    if before_id is not None:
        stmt = stmt.where(SpeakerDrawRow.id < before_id)  # type: ignore[operator]
    return [cadre for row in session.execute(stmt).scalars() for cadre in row.drawn]


def draw(
    db: Database,
    course_id: int,
    *,
    day: date,
    half: str,
    k: int,
    actor: str | None,
    seed: str | None = None,
    clock: MaybeClock = None,
) -> DrawView:
    """Draw ``k`` speakers among those present (or late) at this half-day, and record the draw.

    ``seed`` is for tests and for redoing a draw in a demonstration; otherwise 16 random bytes.
    """
    if half not in set(Half):
        raise SessionError("course.no_such_half_day", day=day.isoformat(), half=half)
    with db.write() as session:
        now = now_in(session, clock)
        row = course_row(session, course_id, lock=True)
        if not row.starts_on <= day <= row.ends_on:
            raise SessionError("course.no_such_half_day", day=day.isoformat(), half=half)
        present = _present(session, course_id, day, half)
        if not present:
            raise SessionError("draw.nobody_present", day=day.isoformat(), half=half)
        if not 1 <= k <= len(present):
            raise SessionError("draw.bad_k", k=k, present=len(present))
        spoken = _spoken(session, course_id)
        made = draw_speakers(present, spoken, k, seed or secrets.token_hex(16))
        record = SpeakerDrawRow(
            course_id=course_id,
            at=now,
            actor=actor,
            day=day,
            half=half,
            k=k,
            seed=made.seed,
            present=sorted(present),
            spoken_before=spoken,
            pool=[list(part) for part in made.pool],
            drawn=list(made.drawn),
            new_round=made.new_round,
        )
        session.add(record)
        session.flush()
        session.add(
            AuditEventRow(
                at=now,
                actor=actor,
                action="course.draw",
                entity="course",
                entity_id=str(course_id),
                details={"draw": record.id, "seed": made.seed, "k": k, "drawn": list(made.drawn)},
            )
        )
        return _view(session, record)


def _speakers(session: Session, ids: list[int]) -> list[Speaker]:
    rows = {
        c.id: (c, unit)
        for c, unit in session.execute(
            select(CadreRow, UnitRow.name)
            .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
            .where(CadreRow.id.in_(ids))  # type: ignore[union-attr]
        ).all()
    }
    return [Speaker(i, mask(rows[i][0].id_number), rows[i][0].name, rows[i][1]) for i in ids if i in rows]


def _stored(row: SpeakerDrawRow) -> Draw:
    return Draw(row.seed, row.k, tuple(tuple(p) for p in row.pool), tuple(row.drawn), row.new_round)


def _view(session: Session, row: SpeakerDrawRow) -> DrawView:
    # Verified against what the draw itself recorded (present, spoken before) and against the course's
    # own history: a draw edited, removed or inserted behind the app's back fails one or the other.
    ok = verify(_stored(row), row.present, row.spoken_before) and row.spoken_before == _spoken(
        session, row.course_id, before_id=row.id
    )
    return DrawView(
        id=row.id,  # type: ignore[arg-type]
        at=row.at,
        actor=row.actor,
        day=row.day,
        half=row.half,
        k=row.k,
        seed=row.seed,
        present=len(row.present),
        speakers=_speakers(session, list(row.drawn)),
        new_round=row.new_round,
        verified=ok,
    )


def draws(db: Database, course_id: int) -> list[DrawView]:
    """Every draw of the course in order, each checked against its seed."""
    with db.read() as session:
        course_row(session, course_id)
        rows = session.execute(
            select(SpeakerDrawRow).where(SpeakerDrawRow.course_id == course_id).order_by(SpeakerDrawRow.id)  # type: ignore[arg-type]
        ).scalars()
        return [_view(session, row) for row in rows]


def still_to_speak(db: Database, course_id: int, *, day: date, half: str) -> list[Speaker]:
    """Those present at this half-day who have not spoken in the current round."""
    with db.read() as session:
        course_row(session, course_id)
        present = _present(session, course_id, day, half)
        done = current_round(present, _spoken(session, course_id))
        return _speakers(session, sorted(set(present) - done))
