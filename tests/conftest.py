"""Shared fixtures: a migrated database on every backend, a fixed clock, the language.

``db`` runs each test on SQLite, and again on PostgreSQL when ``EXAM_TUI_TEST_PG_URL`` is set: a fresh
database is created for the test run, migrated once, emptied between tests and dropped at the end. After
the test, its audit trail must verify (tests marked ``tampers`` excepted).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from exam_tui.i18n import set_language
from exam_tui.services.runtime import Database, connect

ROOT = Path(__file__).resolve().parent.parent


def shared_samples() -> Path:
    """The public sample files of other formats (../shared/samples beside the checkout), or the folder
    EXAM_TUI_SAMPLES names (.ci/run sets it when the checkout is elsewhere); tests skip when absent."""
    named = os.environ.get("EXAM_TUI_SAMPLES")
    return Path(named) if named else ROOT.parent / "shared" / "samples"


# The tests run on a frozen copy of the first shipped bank (54 questions): papers drawn in tests, the
# snapshots and the e2e scripts depend on its content, while the shipped banks keep growing and being
# corrected (tests/unit/test_shipped_banks.py checks those).
STARTER_BANK = ROOT / "tests" / "fixtures" / "integrity-regulations-starter.yaml"
# A small bank with a written answer (简答题), which the shipped exams do not draw.
WRITTEN_BANK = ROOT / "tests" / "fixtures" / "written-answer-bank.yaml"
PG_URL = os.environ.get("EXAM_TUI_TEST_PG_URL")
FIXED_NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def pytest_report_header(config: pytest.Config) -> str:
    if PG_URL:
        return f"exam-tui: PostgreSQL leg ON ({make_url(PG_URL).render_as_string(hide_password=True)})"
    return "exam-tui: PostgreSQL leg off (set EXAM_TUI_TEST_PG_URL to run it)"


@pytest.fixture(autouse=True)
def _chinese_ui() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("zh")


@pytest.fixture(autouse=True)
def _journal_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Candidate terminals journal answers under the user's data directory; tests keep theirs apart."""
    monkeypatch.setenv("EXAM_TUI_JOURNAL_DIR", str(tmp_path_factory.mktemp("journal")))


class SteppingClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime = FIXED_NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return lambda: FIXED_NOW


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run; each test gets a copy (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "exam.db"
    connect(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("EXAM_TUI_TEST_PG_URL is not set")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"exam_tui_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    connect(url).dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_pg(db: Database) -> None:
    with db.engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "exam.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        database = connect(f"sqlite:///{path}")
    else:
        database = connect(request.getfixturevalue("_pg_database"))
        _empty_pg(database)
    yield database
    if "tampers" not in request.keywords:
        # Whatever a test did through the application, the audit trail must still verify: a service
        # that wrote a result around the ORM (unsealed) or broke a chain fails the test that used it.
        from exam_tui.services import audit

        report = audit.verify(database)
        assert report.intact, report.problems[:5]
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = connect(f"sqlite:///{tmp_path / 'exam.db'}")
    yield database
    database.dispose()


def cadres_by_unit(db: Database, units: int, each: int) -> dict[str, list[str]]:
    """The ID numbers of the first ``each`` cadres of each of the first ``units`` units: unit → numbers."""
    from exam_tui.store.models import CadreRow, UnitRow

    found: dict[str, list[str]] = {}
    with db.read() as s:
        for number, unit in s.execute(
            select(CadreRow.id_number, UnitRow.name)
            .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
            .order_by(CadreRow.id)  # type: ignore[arg-type]
        ).all():
            if len(found.get(unit, [])) < each and (unit in found or len(found) < units):
                found.setdefault(unit, []).append(number)
    return found
