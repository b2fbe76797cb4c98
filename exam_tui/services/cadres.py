"""Cadres: importing a roster file (CSV or Excel) into units and cadres, and listing who is there."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from exam_tui.domain.idnumber import mask
from exam_tui.formats.roster import RosterFile, RosterProblem, RosterRow, read_roster
from exam_tui.i18n import t
from exam_tui.services.runtime import Clock, Database, system_clock
from exam_tui.store.models import AuditEventRow, CadreRow, UnitRow

# The fields a roster may set on a cadre besides its ID number and unit.
_OPTIONAL = ("rank", "position", "proposed_post", "category")
# Stays well under the bound-parameter limits of SQLite (32766) and PostgreSQL (65535).
_CHUNK = 500


class RosterImportError(Exception):
    """Nothing was imported; ``lines`` says why, one ``FILE:ROW: message`` per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class UnitNotFound(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class RosterImport:
    """What an import did. ``id_numbers`` are the file's cadres in file order (normalised), for a
    session plan that imports a roster and then seats exactly those people."""

    path: Path
    total: int
    added: int
    updated: int
    unchanged: int
    units_created: int
    id_numbers: list[str]


@dataclass(frozen=True)
class CadreView:
    id_number_masked: str
    name: str
    unit: str
    rank: str | None
    position: str | None
    proposed_post: str | None
    category: str | None = None


# ---- problems in words ------------------------------------------------------------------------


def problem_lines(roster: RosterFile) -> list[str]:
    """``FILE:ROW: message`` for each problem; ``FILE: message`` when it concerns the whole file."""
    return [
        f"{roster.path}:{p.row}: {describe(p)}" if p.row else f"{roster.path}: {describe(p)}"
        for p in roster.problems
    ]


def describe(problem: RosterProblem) -> str:
    """A problem in the current UI language; field names and ID reasons become words too."""
    sep = t("roster.separator")
    params: dict[str, Any] = {}
    for name, value in problem.params.items():
        if name == "column":
            params[name] = t(f"roster.column.{value}")
        elif name == "fields":
            params[name] = sep.join(t(f"roster.column.{f}") for f in value)
        elif name == "headers":
            params[name] = sep.join(t("roster.quoted", text=h) for h in value)
        elif name == "reason":
            params[name] = t(value)
        else:
            params[name] = value
    return t(problem.key, **params)


# ---- import -----------------------------------------------------------------------------------


def import_roster(
    db: Database, path: Path, *, clock: Clock = system_clock, actor: str | None = None
) -> RosterImport:
    """Check the whole file, then add or update every cadre in one transaction, or nothing at all.

    A cadre already in the database (same ID number) takes the file's name, unit and the optional
    fields the file has columns for; a column the file lacks leaves that field as it was, while an
    empty cell in a present column clears it. Units are matched by exact name and created when new.
    """
    path = Path(path)
    roster = read_roster(path)
    if not roster.ok:
        raise RosterImportError(problem_lines(roster))
    now = clock()
    with db.write() as session:
        units, units_created = _units(session, [r.unit for r in roster.rows])
        existing = _cadres_by_id_number(session, [r.id_number for r in roster.rows])
        added = updated = unchanged = 0
        for row in roster.rows:
            unit_id = units[row.unit]
            cadre = existing.get(row.id_number)
            if cadre is None:
                session.add(_new_cadre(row, unit_id, now))
                added += 1
            elif _update(cadre, row, unit_id, roster.columns, now):
                updated += 1
            else:
                unchanged += 1
        result = RosterImport(
            path=path,
            total=len(roster.rows),
            added=added,
            updated=updated,
            unchanged=unchanged,
            units_created=units_created,
            id_numbers=[r.id_number for r in roster.rows],
        )
        session.add(
            AuditEventRow(
                at=now,
                actor=actor,
                action="cadre.import",
                entity="cadre",
                details={"file": path.name, **_counts(result)},
            )
        )
    return result


def _units(session: Any, names: Sequence[str]) -> tuple[dict[str, int], int]:
    """Unit id by name for every name, creating the missing units; and how many were created."""
    wanted = list(dict.fromkeys(names))
    ids: dict[str, int] = {}
    for chunk in _chunks(wanted):
        for unit in session.execute(select(UnitRow).where(UnitRow.name.in_(chunk))).scalars():  # type: ignore[attr-defined]
            ids[unit.name] = unit.id
    new = [UnitRow(name=name) for name in wanted if name not in ids]
    if new:
        session.add_all(new)
        session.flush()
        ids.update({unit.name: unit.id for unit in new})
    return ids, len(new)


def _cadres_by_id_number(session: Any, numbers: Sequence[str]) -> dict[str, CadreRow]:
    found: dict[str, CadreRow] = {}
    for chunk in _chunks(list(numbers)):
        stmt = select(CadreRow).where(CadreRow.id_number.in_(chunk))  # type: ignore[attr-defined]
        found.update({c.id_number: c for c in session.execute(stmt).scalars()})
    return found


def _new_cadre(row: RosterRow, unit_id: int, now: datetime) -> CadreRow:
    return CadreRow(
        id_number=row.id_number,
        name=row.name,
        unit_id=unit_id,
        rank=row.rank,
        position=row.position,
        proposed_post=row.proposed_post,
        category=row.category,
        created_at=now,
        updated_at=now,
    )


def _update(cadre: CadreRow, row: RosterRow, unit_id: int, columns: frozenset[str], now: datetime) -> bool:
    """Bring ``cadre`` in line with ``row``; True when anything changed (only then is it touched)."""
    wanted: dict[str, Any] = {"name": row.name, "unit_id": unit_id}
    wanted.update({name: getattr(row, name) for name in _OPTIONAL if name in columns})
    changed = {name: value for name, value in wanted.items() if getattr(cadre, name) != value}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(cadre, name, value)
    cadre.updated_at = now
    return True


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _counts(result: RosterImport) -> dict[str, int]:
    return {
        "total": result.total,
        "added": result.added,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "units_created": result.units_created,
    }


def import_to_json(result: RosterImport) -> dict[str, Any]:
    return {"file": str(result.path), **_counts(result)}


# ---- listing ----------------------------------------------------------------------------------


def list_cadres(db: Database, unit: str | None = None) -> list[CadreView]:
    """Cadres unit by unit, each in the order added; ``unit`` limits the list to one unit by name.

    Ordered by ids rather than names: how Chinese names sort depends on the database's collation, and
    the order units and cadres were added follows the roster as the admin wrote it.
    """
    with db.read() as session:
        stmt = select(CadreRow, UnitRow.name).join(UnitRow, CadreRow.unit_id == UnitRow.id)  # type: ignore[arg-type]
        if unit is not None:
            name = unit.strip()
            if session.execute(select(UnitRow.id).where(UnitRow.name == name)).first() is None:
                raise UnitNotFound(name)
            stmt = stmt.where(UnitRow.name == name)
        rows = session.execute(stmt.order_by(UnitRow.id, CadreRow.id)).all()
        return [
            CadreView(
                id_number_masked=mask(cadre.id_number),
                name=cadre.name,
                unit=unit_name,
                rank=cadre.rank,
                position=cadre.position,
                proposed_post=cadre.proposed_post,
                category=cadre.category,
            )
            for cadre, unit_name in rows
        ]


def cadre_to_json(view: CadreView) -> dict[str, Any]:
    return {
        "id_number_masked": view.id_number_masked,
        "name": view.name,
        "unit": view.unit,
        "rank": view.rank,
        "position": view.position,
        "proposed_post": view.proposed_post,
        "category": view.category,
    }
