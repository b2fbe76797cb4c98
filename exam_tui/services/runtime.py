"""Opening the database for a command or the app: engine, then schema upgrade to head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from exam_tui.services.clock import Clock, MaybeClock, system_clock
from exam_tui.store.db import Database, DatabaseError, NetworkFilesystemError, database_now, make_engine
from exam_tui.store.migrate import SCHEMA_HEAD, current_revision, upgrade
from exam_tui.store.roles import terminal_role, terminal_schema_revision

__all__ = [
    "Clock",
    "Database",
    "DatabaseError",
    "MaybeClock",
    "NetworkFilesystemError",
    "connect",
    "is_terminal_role",
    "now_in",
    "system_clock",
]


def now_in(session: Session, clock: MaybeClock) -> datetime:
    """The current time for a transaction: the injected clock, else the database's."""
    return clock() if clock is not None else database_now(session)


def connect(url: str, *, migrate: bool = True) -> Database:
    """Open the database at ``url`` and bring its schema up to date (an empty one is created).

    A lab machine signed in as the candidate-terminal role may neither read nor change the schema: it
    only checks, through a function of its own, that the schema is the one this program speaks."""
    db = Database(url=url, engine=make_engine(url))
    if migrate:
        try:
            if is_terminal_role(db):
                found = terminal_schema_revision(db.engine)
                if found != SCHEMA_HEAD:
                    raise DatabaseError(
                        f"the schema is at revision {found}, this program needs {SCHEMA_HEAD}: "
                        "upgrade exam-tui here or the database from an admin machine"
                    )
            else:
                upgrade(db)
        except SQLAlchemyError as exc:
            db.dispose()
            raise DatabaseError(str(exc.orig) if getattr(exc, "orig", None) else str(exc)) from exc
        except DatabaseError:
            db.dispose()
            raise
    return db


def is_terminal_role(db: Database) -> bool:
    """A lab machine signed in as the candidate-terminal role (PostgreSQL, ``init --roles``): it may not
    read the attempts itself and goes through the functions and the sign-in desk."""
    return db.backend == "postgresql" and terminal_role(db.engine)


def schema_revision(db: Database) -> str | None:
    return current_revision(db)
