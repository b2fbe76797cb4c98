"""Finding cadres by what an admin remembers of them: part of a name, of an ID number, or of a unit.

Read-only. The screens show the masked number; the full one travels with each hit so that opening a
cadre's record (``decision_reports.cadre_record``) never asks the admin to type it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from exam_tui.domain.idnumber import mask
from exam_tui.services.runtime import Database
from exam_tui.store.models import CadreRow, UnitRow

# Enough for a screenful many times over; a search that matches more is too broad to read anyway.
DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class CadreHit:
    id_number: str  # full: for opening the record, never for showing
    id_number_masked: str
    name: str
    unit: str
    rank: str | None
    position: str | None
    proposed_post: str | None


def _like(fragment: str) -> str:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_cadres(db: Database, text: str = "", *, limit: int = DEFAULT_LIMIT) -> list[CadreHit]:
    """Cadres matching every word of ``text`` (in the name, the ID number or the unit's name).

    An empty ``text`` lists everyone. Words are separated by spaces, so "财政 王" finds the Wangs of
    the finance bureau. The order is that of ``cadres.list_cadres``: unit by unit, as imported.
    """
    stmt = select(CadreRow, UnitRow.name).join(UnitRow, CadreRow.unit_id == UnitRow.id)  # type: ignore[arg-type]
    for word in text.split():
        pattern = _like(word)
        stmt = stmt.where(
            or_(
                CadreRow.name.like(pattern, escape="\\"),  # type: ignore[attr-defined]
                # ID numbers are stored with an upper-case X.
                CadreRow.id_number.like(_like(word.upper()), escape="\\"),  # type: ignore[attr-defined]
                UnitRow.name.like(pattern, escape="\\"),  # type: ignore[attr-defined]
            )
        )
    with db.read() as session:
        rows = session.execute(stmt.order_by(UnitRow.id, CadreRow.id).limit(limit)).all()
        return [
            CadreHit(
                id_number=cadre.id_number,
                id_number_masked=mask(cadre.id_number),
                name=cadre.name,
                unit=unit,
                rank=cadre.rank,
                position=cadre.position,
                proposed_post=cadre.proposed_post,
            )
            for cadre, unit in rows
        ]
