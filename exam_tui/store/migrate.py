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

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from exam_tui.store.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")
# An arbitrary constant: the key of the PostgreSQL advisory lock that serialises migrations.
_PG_LOCK_KEY = 7_305_512_041


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return config


def head_revision() -> str:
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    return heads[0]


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database) -> str:
    """Upgrade to head if needed; returns the revision the database is at."""
    head = head_revision()
    if current_revision(db) == head:
        return head
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
