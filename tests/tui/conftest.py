"""The TUI on a real database: the starter bank imported and the demo organisation seeded.

``demo_db`` is a SQLite file; ``demo_db_each_backend`` is the same data on SQLite and, when
``EXAM_TUI_TEST_PG_URL`` is set, on PostgreSQL, for screens whose reads and writes differ by backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from exam_tui.domain.accounts import STAFF_ROLES
from exam_tui.services.accounts import SignedIn
from exam_tui.services.banks import import_files
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database, connect
from exam_tui.store.models_accounts import UserAccountRow
from exam_tui.tui.app import ExamApp, make_app
from tests.conftest import FIXED_NOW, STARTER_BANK

BEIJING = timezone(timedelta(hours=8))  # FIXED_NOW is 09:00 in the exam room


def fixed_clock() -> datetime:
    return FIXED_NOW


def staff(login: str = "王管理") -> SignedIn:
    """Signed in with every staff role (an admin who also grades and reviews), for the screens' tests;
    the staff sign-in itself is tested in test_staff_login.py."""
    return SignedIn(login=login, display_name=login, roles=frozenset(STAFF_ROLES))


def enrol(db: Database, user: SignedIn) -> SignedIn:
    """``user`` stored as an account, as the services read its roles and assignments again at each
    action (services.access); written directly, so that test logins such as 李阅卷 may stand."""
    with db.write() as s:
        if s.execute(select(UserAccountRow).where(UserAccountRow.login == user.login)).first() is None:
            s.add(
                UserAccountRow(
                    login=user.login,
                    display_name=user.display_name,
                    password_hash="-",  # never signs in: the tests start the app signed in
                    roles=sorted(r.value for r in user.roles),
                    created_at=FIXED_NOW,
                    updated_at=FIXED_NOW,
                )
            )
    return user


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "exam.db"


def _seeded(db: Database) -> Database:
    import_files(db, [STARTER_BANK], clock=fixed_clock)
    seed_demo(db, seed=2026, tz=BEIJING, clock=fixed_clock)
    return db


@pytest.fixture
def demo_db(db_path: Path) -> Iterator[Database]:
    db = _seeded(connect(f"sqlite:///{db_path}"))
    yield db
    db.dispose()


@pytest.fixture
def demo_db_each_backend(db: Database) -> Database:
    """The demo data on every backend ``db`` runs on (it disposes of the database itself)."""
    return _seeded(db)


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    db = connect(f"sqlite:///{tmp_path / 'empty.db'}")
    yield db
    db.dispose()


@pytest.fixture
def app(demo_db: Database) -> ExamApp:
    return make_app(demo_db, clock=fixed_clock, tz=BEIJING)


@pytest.fixture
def app_on() -> Callable[[Database], ExamApp]:
    return lambda db: make_app(db, clock=fixed_clock, tz=BEIJING)


@pytest.fixture
def settle() -> Callable[..., object]:
    """Wait until the app's workers are done and their messages handled."""

    async def wait(pilot: object) -> None:
        app = pilot.app  # type: ignore[attr-defined]
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()  # type: ignore[attr-defined]

    return wait
