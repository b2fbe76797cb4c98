"""Choosing whom to seat: the units, and the full ID numbers of every cadre in chosen units. Read-only.

Unlike ``cadres.list_cadres`` (masked numbers, for screens) these hand out full ID numbers, which
``sessions.schedule_session`` takes; callers pass them on and never show them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from exam_tui.services.cadres import UnitNotFound
from exam_tui.services.runtime import Database
from exam_tui.store.models import CadreRow, UnitRow


def unit_names(db: Database) -> list[str]:
    """Every unit, in the order added (as ``list_cadres`` orders them)."""
    with db.read() as session:
        return list(session.execute(select(UnitRow.name).order_by(UnitRow.id)).scalars())


def cadres_for_units(db: Database, units: Sequence[str]) -> list[str]:
    """The ID numbers of the cadres in ``units`` (names), unit by unit in the order added, each cadre in
    the order added; raises ``UnitNotFound`` for a name that is no unit."""
    names = list(dict.fromkeys(name.strip() for name in units))
    if not names:
        return []
    with db.read() as session:
        known = dict(
            session.execute(
                select(UnitRow.name, UnitRow.id).where(UnitRow.name.in_(names))  # type: ignore[attr-defined]
            ).all()
        )
        for name in names:
            if name not in known:
                raise UnitNotFound(name)
        stmt = (
            select(CadreRow.id_number)
            .where(CadreRow.unit_id.in_(known.values()))  # type: ignore[attr-defined]
            .order_by(CadreRow.unit_id, CadreRow.id)
        )
        return list(session.execute(stmt).scalars())
