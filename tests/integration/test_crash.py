"""kill -9 and power loss, the short version of bench/crash.py (its own code, fewer rounds).

Kills: 10 candidate processes, each signing in again and resuming the attempt, answering, then killed
at a random moment; no acknowledged answer may be lost, every resume (process start to the resumed
paper and remaining time) must take under 1 s, and the remaining time must be the deadline minus the
database clock. On SQLite, and on PostgreSQL too when EXAM_TUI_TEST_PG_URL is set. The resume's own share
(the slowest resume minus a fresh interpreter's import of SQLAlchemy, SQLModel and the driver, measured
in the test) must stay under 0.5 s on any machine. A resume over 1 s is reported as an expected failure
(xfail, with the figures), not passed, on a machine whose load average exceeds its cores, or where those
libraries alone take over 0.5 s to import: the resume is CPU-bound start-up.

Power loss (SQLite): copies of the live database file and its WAL, taken while a candidate answers, must
open, pass ``integrity_check`` and hold every answer acknowledged before the copy; a copy without its
WAL must be caught losing answers (the check is not blind).
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from exam_tui.services.runtime import Database
from tests.conftest import ROOT

KILLS = 10
COPIES = 5
# The resume's own share (imports of exam-tui, connect, sign-in, begin) over the libraries' import time:
# ~0.35 s measured on 2026-12-04 and 12-05 (README, Faults); a regression of our code shows here.
OWN_SHARE_S = 0.5
SLOW_FLOOR_S = 0.5


def _bench() -> ModuleType:
    name = "exam_tui_bench_crash"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "crash.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_kill_9_loses_no_acknowledged_answer_and_resumes_within_a_second(
    db: Database, tmp_path: Path
) -> None:
    bench = _bench()
    sitting = bench.prepare(db.url, tmp_path)
    figures = bench.run_kills(sitting, KILLS, 20261204, tmp_path / "stderr.txt")
    print(
        f"{db.backend}: {figures.kills} kills, {figures.acknowledged} acknowledged, {len(figures.lost)} lost, "
        f"resume max {figures.max_ms:.0f} ms"
    )
    assert figures.kills == KILLS and figures.acknowledged > KILLS, figures
    assert not figures.problems, figures.problems
    assert not figures.lost, sorted(figures.lost)
    assert not figures.remaining_wrong, figures.remaining_wrong
    assert len(figures.resume_s) == KILLS
    slowest = max(figures.resume_s)
    # What no resume can beat here: a fresh interpreter importing the libraries it stands on (SQLAlchemy's
    # ORM, SQLModel, the driver), not our code. Our own share is held to a budget.
    floor = _library_floor(db.backend)
    own = slowest - floor
    load = os.getloadavg()[0]
    figures_text = f"slowest resume {slowest:.2f} s, libraries alone {floor:.2f} s, own share {own:.2f} s"
    if slowest >= bench.RESUME_TARGET_S or own >= OWN_SHARE_S:
        if load > (os.cpu_count() or 1):
            # A resume is CPU-bound start-up (README, Faults): on a machine busier than its cores it is
            # slow for reasons not ours. Nothing was lost (asserted above); the timing is reported.
            pytest.xfail(f"{figures_text}, with load average {load:.1f} on {os.cpu_count()} cores")
        if own < OWN_SHARE_S and floor > SLOW_FLOOR_S:
            # The libraries alone take more than half the target to import on this machine; the
            # resume's own share stayed within its budget. Reported, not passed.
            pytest.xfail(figures_text)
    assert own < OWN_SHARE_S, (figures_text, figures.resume_s)
    assert slowest < bench.RESUME_TARGET_S, (figures_text, figures.resume_s)


def _library_floor(backend: str) -> float:
    """Median of three fresh interpreters importing SQLAlchemy's ORM, SQLModel and the backend's driver."""
    driver = "psycopg" if backend == "postgresql" else "sqlite3"
    code = f"import sqlalchemy.orm, sqlmodel, {driver}"
    times = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


@pytest.fixture
def sqlite_sitting(sqlite_db: Database, tmp_path: Path) -> object:
    return _bench().prepare(sqlite_db.url, tmp_path)


def test_copies_of_the_live_file_open_whole_with_every_acknowledged_answer(
    sqlite_sitting: object, tmp_path: Path
) -> None:
    figures = _bench().run_copies(sqlite_sitting, COPIES, 20261204, tmp_path, tmp_path / "stderr.txt")
    assert figures.copies == COPIES and figures.checked > 0, figures
    assert not figures.not_ok, figures.not_ok
    assert figures.lost == 0


def test_a_copy_without_its_wal_is_caught_losing_answers(sqlite_sitting: object, tmp_path: Path) -> None:
    figures = _bench().run_copies(
        sqlite_sitting, 1, 20261204, tmp_path, tmp_path / "stderr.txt", with_wal=False
    )
    assert figures.lost > 0 or figures.not_ok, figures
