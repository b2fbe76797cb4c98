"""Personal information in exports: the notice at their top, and the audit event of every unmasking.

ID numbers are masked (``domain.idnumber.mask``) wherever they are shown or written. Asking for them
whole (``--unmasked``) is a use case of its own: it is recorded, with who asked, what was exported, how
many people it named and the file it went to, before a single whole number leaves the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from exam_tui.i18n import t
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.store.models import AuditEventRow

UNMASK_ACTION = "pii.unmask"


def notice() -> str:
    """What an export about people says at its top, in the UI language."""
    return t("export.pii_notice")


@dataclass(frozen=True)
class Unmasking:
    """Who asks for whole ID numbers; the export records it (``record_unmask``) before it writes."""

    db: Database
    actor: str
    clock: MaybeClock = None


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
    ``file`` the file written (its name only), None when the text went to the screen."""
    if not unmasking.actor:
        raise ValueError("unmasking ID numbers needs the person who asks for it")
    with unmasking.db.write() as session:
        session.add(
            AuditEventRow(
                at=now_in(session, unmasking.clock),
                actor=unmasking.actor,
                action=UNMASK_ACTION,
                entity=entity,
                entity_id=entity_id,
                details={"export": export, "rows": rows, "file": file.name if file is not None else None},
            )
        )
