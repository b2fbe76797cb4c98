"""Settings every machine must agree on, kept in the database: the retake gap for exams without their own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from exam_tui.domain.policy import DEFAULT_RETAKE_GAP_DAYS
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AuditEventRow, SettingRow


@dataclass(frozen=True)
class SettingSpec:
    default: int
    low: int
    high: int


SETTINGS = {"retake_gap_days": SettingSpec(DEFAULT_RETAKE_GAP_DAYS, 0, 365)}


def get_int(session: Session, key: str) -> int:
    row = session.get(SettingRow, key)
    return int(row.value) if row is not None else SETTINGS[key].default


def retake_gap_days(session: Session) -> int:
    return get_int(session, "retake_gap_days")


def read_settings(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {key: get_int(session, key) for key in SETTINGS}


def set_setting(db: Database, key: str, value: str, *, actor: str, clock: MaybeClock = None) -> int:
    spec = SETTINGS.get(key)
    if spec is None:
        raise SessionError("setting.unknown", name=key, known=", ".join(SETTINGS))
    try:
        number = int(value)
    except ValueError:
        raise SessionError("setting.not_a_number", name=key, value=value) from None
    if not spec.low <= number <= spec.high:
        raise SessionError("setting.range", name=key, low=spec.low, high=spec.high)
    with db.write() as session:
        now = now_in(session, clock)
        # Two admins setting it for the first time at once: the row is made if missing, then locked, so
        # the second waits for the first instead of failing on the key (PostgreSQL; SQLite writes in turn).
        dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            dialect_insert(SettingRow).values(key=key, value="", updated_at=now).on_conflict_do_nothing()
        )
        row = session.get(SettingRow, key, with_for_update=True)
        assert row is not None
        before = row.value or None
        row.value, row.updated_at, row.updated_by = str(number), now, actor
        session.add(row)
        session.add(
            AuditEventRow(
                at=now,
                actor=actor,
                action="setting.set",
                entity="setting",
                entity_id=key,
                details={"before": before, "after": number},
            )
        )
        if key == "retake_gap_days":
            # Stored retake dates (the deferred list) follow the new gap at once, as admission does.
            from exam_tui.services import appointments  # appointments reads settings

            appointments.refresh_all(
                session, now, actor=actor, why=f"setting:retake_gap_days:{before or '-'}:{number}"
            )
    return number
