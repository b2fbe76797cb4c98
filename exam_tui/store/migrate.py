"""Bring a database to the newest schema with Alembic, safely when many machines start at once.

Every command calls :func:`upgrade`; on an up-to-date database it only reads the version row. When
60 lab machines start ``exam-tui sit`` together against one PostgreSQL, an advisory lock lets one of
them migrate while the others wait; on SQLite a lock file next to the database does the same.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from exam_tui.store.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions. Kept here so that starting on an up-to-date database does not
# import Alembic (about 100 ms of a candidate terminal's cold start); a test checks it against Alembic.
SCHEMA_HEAD = "0007"
# An arbitrary constant: the key of the PostgreSQL advisory lock that serialises migrations.
_PG_LOCK_KEY = 7_305_512_041


def alembic_config(db: Database) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    return heads[0]


def current_revision(db: Database) -> str | None:
    """The revision recorded in the database; None for an empty database."""
    with db.engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            return None  # no version table yet


def upgrade(db: Database) -> str:
    """Upgrade to head if needed; returns the revision the database is at."""
    if current_revision(db) == SCHEMA_HEAD:
        return SCHEMA_HEAD
    from alembic import command

    head = head_revision()
    with _migration_lock(db):
        if current_revision(db) != head:
            config = alembic_config(db)
            with db.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
    return head


@contextmanager
def _migration_lock(db: Database) -> Iterator[None]:
    if db.backend == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
        return
    database = db.engine.url.database
    if db.backend == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        lock_path = Path(database).with_name(f".{Path(database).name}.migrate-lock")
        with lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    yield
