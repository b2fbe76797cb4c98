"""Personal information in exports: the notice at their top, and the audit event of every unmasking.

ID numbers are masked (``domain.idnumber.mask``) wherever they are shown or written. Asking for them
whole (``--unmasked``) is a use case of its own, open to admins only: :func:`admin_unmasking` signs the
admin in (the password checked like any sign-in: failures counted towards the lockout and recorded), and
:func:`record_unmask` writes who asked, what was exported, how many people it named and the file it went
to, before a single whole number leaves the database, refusing anyone who is not (or no longer) an
enabled admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from exam_tui.domain.accounts import Role, normalise_login
from exam_tui.i18n import t
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AuditEventRow
from exam_tui.store.models_accounts import UserAccountRow

if TYPE_CHECKING:
    from exam_tui.services.accounts import SignedIn

UNMASK_ACTION = "pii.unmask"
REFUSED_ACTION = "pii.unmask_refused"


def notice() -> str:
    """What an export about people says at its top, in the UI language."""
    return t("export.pii_notice")


class UnmaskRefused(SessionError):
    """Whole ID numbers refused: the account is unknown, or not an enabled admin."""


@dataclass(frozen=True)
class Unmasking:
    """The verified admin who asks for whole ID numbers (from :func:`admin_unmasking`, or the TUI's
    signed-in admin); the export records it (``record_unmask``) before it writes."""

    db: Database
    account: SignedIn
    clock: MaybeClock = None

    @property
    def actor(self) -> str:
        return self.account.login


def admin_unmasking(db: Database, login: str, password: str, *, clock: MaybeClock = None) -> Unmasking:
    """Sign ``login`` in with ``password`` and check that it is an admin: the Unmasking to export with.

    Raises AccountError as a sign-in does (wrong password with the tries left, locked, disabled; each
    recorded and counted by ``accounts.authenticate``), UnmaskRefused for an unknown account or one that
    is not an admin (recorded as ``pii.unmask_refused``).
    """
    from exam_tui.services.accounts import AccountError, authenticate

    try:
        account = authenticate(db, login, password, clock=clock)
    except AccountError as exc:
        if exc.key == "account.bad_credentials_unknown":
            # The sign-in screen does not tell an unknown name from a wrong password; whoever runs the
            # command can list the accounts (`exam-tui user list`), so here the plain answer helps more.
            raise UnmaskRefused("pii.unknown_account", login=login) from None
        raise
    if Role.ADMIN not in account.roles:
        with db.write() as session:
            session.add(
                AuditEventRow(
                    at=now_in(session, clock),
                    actor=account.login,
                    action=REFUSED_ACTION,
                    entity="user",
                    entity_id=account.login,
                    details={"reason": "not_admin"},
                )
            )
        raise UnmaskRefused("pii.not_admin", login=account.login)
    return Unmasking(db, account, clock)


def record_unmask(
    unmasking: Unmasking,
    *,
    entity: str,
    entity_id: str,
    export: str,
    rows: int,
    file: Path | None,
) -> None:
    """Append the ``pii.unmask`` audit event: ``export`` names the export and its format (``results.csv``),
    ``file`` the file written (its name only), None when the text went to the screen.

    UnmaskRefused (and nothing written) unless the account is, in the same transaction, an enabled admin:
    an Unmasking made by hand, or kept while the account was disabled or lost the role, unmasks nothing.
    """
    account = unmasking.account
    with unmasking.db.write() as session:
        row = session.execute(
            select(UserAccountRow).where(UserAccountRow.login == normalise_login(account.login))
        ).scalar_one_or_none()
        if (
            row is None
            or row.disabled
            or Role.ADMIN.value not in row.roles
            or Role.ADMIN not in account.roles
        ):
            raise UnmaskRefused("pii.not_admin", login=account.login)
        session.add(
            AuditEventRow(
                at=now_in(session, unmasking.clock),
                actor=row.login,
                action=UNMASK_ACTION,
                entity=entity,
                entity_id=entity_id,
                details={"export": export, "rows": rows, "file": file.name if file is not None else None},
            )
        )
