"""The services' own check that a signed-in staff account may act on a session.

The staff screens list only what an account is assigned (a proctor's sessions, a grader's queues), but a
list is not a guard: the proctoring, session-control and grading use cases take ``by`` and ask here,
inside their own transaction, with the account's roles and assignments read again from the database. An
assignment removed, or an account disabled, while a console is open takes effect at its next action.

``by=None`` means the call does not come through the staff sign-in: the CLI run with the database owner's
credentials (who can change any row anyway), the demo and scripts. Such calls are allowed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.services.accounts import SignedIn, signed_in_now
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import BankRow, BankVersionRow, ExamRow, ExamSessionRow


def check_proctor(session: Session, by: SignedIn | None, session_id: int) -> None:
    """Refuse (``access.not_assigned``) unless ``by`` is None, an admin, or a proctor assigned the session."""
    if by is None:
        return
    if not _current(session, by).may_proctor(session_id):
        raise SessionError("access.not_assigned", login=by.login, session=session_id)


def check_grader(session: Session, by: SignedIn | None, session_id: int) -> None:
    """Refuse (``access.not_grader``) unless ``by`` is None or a grader assigned the session or its exam."""
    if by is None:
        return
    current = _current(session, by)
    if not current.may_grade(session_id, _exam_ref(session, session_id)):
        raise SessionError("access.not_grader", login=by.login, session=session_id)


def _current(session: Session, by: SignedIn) -> SignedIn:
    current = signed_in_now(session, by.login)
    if current is None:
        raise SessionError("access.account_gone", login=by.login)
    return current


def _exam_ref(session: Session, session_id: int) -> str:
    """``BANK/EXAM`` of the session's exam, as grading assignments name it."""
    found = session.execute(
        select(BankRow.slug, ExamRow.slug)
        .join(BankVersionRow, BankVersionRow.bank_id == BankRow.id)  # type: ignore[arg-type]
        .join(ExamRow, ExamRow.bank_version_id == BankVersionRow.id)  # type: ignore[arg-type]
        .join(ExamSessionRow, ExamSessionRow.exam_id == ExamRow.id)  # type: ignore[arg-type]
        .where(ExamSessionRow.id == session_id)
    ).first()
    if found is None:
        raise SessionError("session.not_found", id=session_id)
    return f"{found[0]}/{found[1]}"
