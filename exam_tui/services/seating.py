"""Which of a session's seated cadres will be turned away at sign-in: a retake too early, no attempts left.

Sign-in refuses them in any case (``appointments.retake_refusal``); saying so when the session is opened
lets the admin fix the plan before exam day instead of the proctor finding out at the door.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from exam_tui.domain.idnumber import mask
from exam_tui.i18n import t
from exam_tui.services.appointments import policy_applies, retake_refusal
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import CadreRow, ExamRow, ExamSessionRow, SessionCandidateRow


@dataclass(frozen=True)
class SeatingProblem:
    id_number: str  # masked
    name: str
    key: str  # seating.<why>
    params: dict[str, Any]

    def message(self) -> str:
        return t(self.key, id_number=self.id_number, name=self.name, **self.params)


def seating_problems(db: Database, session_id: int, *, clock: MaybeClock = None) -> list[SeatingProblem]:
    """The seated cadres sign-in would refuse at the session's planned start (or now, if that is later)."""
    with db.read() as session:
        row = session.get(ExamSessionRow, session_id)
        if row is None:
            raise SessionError("session.not_found", id=session_id)
        exam = session.get(ExamRow, row.exam_id)
        assert exam is not None
        if not policy_applies(exam):
            return []
        at = max(row.starts_at, now_in(session, clock))
        seated = session.execute(
            select(CadreRow)
            .join(SessionCandidateRow, SessionCandidateRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
            .where(SessionCandidateRow.session_id == session_id)
            .order_by(CadreRow.id_number)
        ).scalars()
        problems = []
        for cadre in seated:
            refusal = retake_refusal(session, cadre, exam, at)
            if refusal is not None:
                key = "seating." + refusal.key.removeprefix("login.")
                problems.append(SeatingProblem(mask(cadre.id_number), cadre.name, key, refusal.params))
        return problems
