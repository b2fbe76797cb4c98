"""Opening the database for a command or the app: engine, then schema upgrade to head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from exam_tui.services.clock import Clock, MaybeClock, system_clock
from exam_tui.store.db import Database, DatabaseError, NetworkFilesystemError, database_now, make_engine
from exam_tui.store.migrate import current_revision, upgrade

__all__ = [
    "Clock",
    "Database",
    "DatabaseError",
    "MaybeClock",
    "NetworkFilesystemError",
    "connect",
    "now_in",
    "system_clock",
]


def now_in(session: Session, clock: MaybeClock) -> datetime:
    """The current time for a transaction: the injected clock, else the database's."""
    return clock() if clock is not None else database_now(session)


def connect(url: str, *, migrate: bool = True) -> Database:
    """Open the database at ``url`` and bring its schema up to date (an empty one is created)."""
    db = Database(url=url, engine=make_engine(url))
    if migrate:
        try:
            upgrade(db)
        except SQLAlchemyError as exc:
            db.dispose()
            raise DatabaseError(str(exc.orig) if getattr(exc, "orig", None) else str(exc)) from exc
    return db


def schema_revision(db: Database) -> str | None:
    return current_revision(db)
