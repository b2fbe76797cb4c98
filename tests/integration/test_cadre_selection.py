"""Choosing whom to seat by unit: on SQLite, and on PostgreSQL when EXAM_TUI_TEST_PG_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from exam_tui.domain.idnumber import mask
from exam_tui.services.cadre_selection import cadres_for_units, unit_names
from exam_tui.services.cadres import UnitNotFound, import_roster, list_cadres
from exam_tui.services.runtime import Database

FIRST, SECOND, THIRD = "110105194912310003", "11010519491231002X", "110105194912310046"
ROSTER = f"""身份证号,姓名,单位
{FIRST},张三,测试一处
{SECOND},李四,测试二处
{THIRD},王五,测试一处
"""


def test_units_and_their_cadres(db: Database, tmp_path: Path, clock) -> None:
    assert unit_names(db) == [] and cadres_for_units(db, []) == []
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    import_roster(db, roster, clock=clock)
    assert unit_names(db) == ["测试一处", "测试二处"]
    assert cadres_for_units(db, ["测试一处"]) == [FIRST, THIRD]
    # Unit by unit in the order added, whatever order they are asked in; a name twice counts once.
    assert cadres_for_units(db, ["测试二处", " 测试一处 ", "测试二处"]) == [FIRST, THIRD, SECOND]
    # The same people list_cadres shows, with the numbers in full.
    everyone = cadres_for_units(db, unit_names(db))
    assert [mask(n) for n in everyone] == [c.id_number_masked for c in list_cadres(db)]


def test_unknown_unit_is_named(db: Database, tmp_path: Path, clock) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    import_roster(db, roster, clock=clock)
    with pytest.raises(UnitNotFound) as exc:
        cadres_for_units(db, ["测试一处", "测试三处"])
    assert exc.value.name == "测试三处"
