"""A demo session to sit, shared by the attempt, proctoring and results tests (both backends)."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from sqlalchemy import text

from exam_tui.services import admission, attempts, banks
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from tests.conftest import STARTER_BANK, SteppingClock

BEIJING = timezone(timedelta(hours=8))


def roster_numbers(db: Database, session_id: int) -> list[str]:
    """The ID numbers on a session's roster, in order."""
    with db.read() as s:
        return [
            r[0]
            for r in s.execute(
                text(
                    "SELECT c.id_number FROM cadre c JOIN session_candidate sc ON sc.cadre_id = c.id "
                    "WHERE sc.session_id = :s ORDER BY c.id_number"
                ),
                {"s": session_id},
            )
        ]


@pytest.fixture
def demo(db: Database, clock: SteppingClock) -> tuple[int, str, list[str]]:
    banks.import_files(db, [STARTER_BANK])
    result = seed_demo(db, tz=BEIJING, clock=clock)
    return result.session.id, result.session.access_code, roster_numbers(db, result.session.id)


def sign_in_and_begin(db: Database, clock: SteppingClock, code: str, number: str) -> attempts.AttemptState:
    admitted = admission.admit(db, login=number, access_code=code, clock=clock)
    return attempts.begin(
        db,
        session_id=admitted.session.id,
        cadre_id=admitted.candidate.cadre_id,
        hostname="lab-01",
        clock=clock,
    )


from tests.integration.pg_lab import lab  # noqa: E402, F401 (the least-privilege tests' fixture)
