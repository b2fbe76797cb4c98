"""The TUI on a real SQLite file: the starter bank imported and the demo organisation seeded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from exam_tui.i18n import set_language
from exam_tui.services.banks import import_files
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database, connect
from exam_tui.tui.app import ExamApp, make_app

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "question_banks" / "integrity-regulations.yaml"
BEIJING = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in the exam room


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "exam.db"


@pytest.fixture
def demo_db(db_path: Path) -> Iterator[Database]:
    set_language("zh")
    db = connect(f"sqlite:///{db_path}")
    import_files(db, [BANK], clock=fixed_clock)
    seed_demo(db, seed=2026, tz=BEIJING, clock=fixed_clock)
    yield db
    db.dispose()


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    set_language("zh")
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
