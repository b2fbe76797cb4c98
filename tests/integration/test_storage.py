"""The store on both backends: schema at head equals the models, time zones, constraints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from exam_tui.services.runtime import Database
from exam_tui.store.migrate import SCHEMA_HEAD, current_revision, head_revision
from exam_tui.store.models import AuditEventRow, CadreRow, UnitRow


def test_database_is_at_head_and_matches_the_models(db: Database) -> None:
    assert current_revision(db) == head_revision() == SCHEMA_HEAD  # the constant that skips Alembic
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    assert diff == []


def test_timestamps_come_back_in_utc(db: Database) -> None:
    beijing = timezone(timedelta(hours=8))
    with db.write() as s:
        s.add(AuditEventRow(at=datetime(2026, 11, 23, 9, 30, tzinfo=beijing), action="t", entity="x"))
    with db.read() as s:
        row = s.execute(select(AuditEventRow)).scalar_one()
    assert row.at == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    assert row.at.tzinfo is not None


def test_naive_timestamps_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive"), db.write() as s:
        s.add(AuditEventRow(at=datetime(2026, 11, 23, 9, 30), action="t", entity="x"))
        s.flush()


def test_foreign_keys_are_enforced(db: Database) -> None:
    now = datetime.now(UTC)
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(
            CadreRow(id_number="110105198407157691", name="张三", unit_id=999, created_at=now, updated_at=now)
        )
        s.flush()


def test_write_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as s:
        s.add(UnitRow(name="市财政局"))
        s.flush()
        raise RuntimeError
    with db.read() as s:
        assert s.execute(select(UnitRow)).first() is None


def test_sqlite_pragmas(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        values = {
            p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert values == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10000}
