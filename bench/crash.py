"""Faults: kill -9 of a candidate process, and the power-loss analogue on SQLite.

    python bench/crash.py [--kills 100] [--copies 20] [--seed N] [--pg URL] [--no-sqlite]

Setup, on a fresh SQLite file in a temporary directory (and, with ``--pg URL`` or
``EXAM_TUI_BENCH_PG_URL``, on a fresh database created on that server and dropped afterwards): the shipped
bank, one cadre, one session of the pre-appointment exam (60 minutes) opened and started, the candidate
admitted and the attempt begun on the database clock. Its deadline is read back once.

kills   ``--kills`` rounds. Each round starts a new candidate process (``python bench/crash.py --candidate
        …``) that does what a terminal does on signing in again: ``connect`` (no migration), ``admit``,
        ``begin``, which resumes the attempt. It prints ``RESUMED`` with the deadline, the database time
        and the revisions that ``begin`` handed back, then answers as fast as it can: a random item, an
        answer, the next revision after the stored one, ``save_answer``; only after the save returns does
        it print ``ACK ITEM REVISION ANSWER`` (the acknowledgement is the contract). After a random
        0.02-0.5 s of answering it gets SIGKILL. Then:
          lost      every acknowledged (item, revision) of every round must be stored at that revision
                    (with that answer) or a newer one, and the next resume must hand it back;
          resume    from just before the process is started to its ``RESUMED`` line: interpreter start,
                    imports, connect, sign-in, resume (target: every one within 1 s);
          remaining the deadline must be the one set at the start, and the remaining time the resume
                    computed (deadline - its database time) must lie between deadline - the database
                    clock read just after the line arrived and deadline - the one read just before the
                    process was started: the resume happened in that window, so no looser tolerance is
                    needed, and a terminal or resume that took its time from anywhere else would miss it
                    by far more than the window (at most the resume time) as soon as the clocks differ.
          baseline  after each round, one process started and timed the same way that does the least a
                    resume must: the interpreter, the database driver alone (sqlite3 or psycopg), one
                    query for the attempt's deadline and answers, one line; the ratio is of the medians.
copies  SQLite only. One candidate process answers for the whole phase while the bench copies the
        database file and its -wal file ``--copies`` times at random moments, as a machine that lost
        power would leave them: no checkpoint, no connection closed, the writer still writing (the
        -shm file is not copied: it is shared memory that SQLite rebuilds from the WAL when it is
        missing). Each copy must open, pass ``PRAGMA integrity_check``, and hold every answer
        acknowledged before its copy started. While copying, the bench holds a read transaction on the
        live database: a disk holds one instant, but a copy takes time, and SQLite may restart the WAL
        once a checkpoint has caught up, which would pair a database file and a WAL from different
        moments that no disk could hold. A reader's snapshot keeps the WAL from restarting (and the
        checkpoint from copying pages newer than the snapshot into the file); the writer goes on
        appending, so a copy may still end in a torn frame, which recovery must discard. What a file copy
        cannot show is the disk's own write cache: that acknowledged means on disk is what
        ``synchronous=FULL`` buys (store/db.py).

It prints the figures and PASS/MISS (0 lost, every resume within 1 s, every remaining time right, every
copy intact); the exit status is 1 when anything was lost or wrong, 0 otherwise (a slow resume is a
figure, not a failure). The candidate process goes through the services only, and the checks read only
the ``response`` and ``attempt`` tables: whatever else a save or a resume writes (incidents, audit
events) may change without touching this bench.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve()
BANK = ROOT / "question_banks" / "integrity-regulations.yaml"
EXAM = "integrity-regulations/pre-appointment"
RESUME_TARGET_S = 1.0
KILL_AFTER_S = (0.02, 0.5)  # how long a candidate answers before its SIGKILL
COPY_GAP_S = (0.05, 0.4)  # between two copies of the live database
PHASES = ("import", "connect", "admit", "begin")
LINE_TIMEOUT_S = 30.0  # a candidate that prints nothing for this long has hung: the round fails


# ---- the candidate process -----------------------------------------------------------------------


def candidate_main(url: str, access_code: str, id_number: str, seed: int) -> None:
    """Sign in again and resume, report, then answer until killed (``--candidate``)."""
    marks = [time.perf_counter()]
    from exam_tui.services import admission, answers, attempts
    from exam_tui.services.runtime import connect

    marks.append(time.perf_counter())
    rng = random.Random(seed)
    db = connect(url, migrate=False)
    marks.append(time.perf_counter())
    admitted = admission.admit(db, login=id_number, access_code=access_code)
    marks.append(time.perf_counter())
    state = attempts.begin(
        db, session_id=admitted.session.id, cadre_id=admitted.candidate.cadre_id, hostname="crash-bench"
    )
    marks.append(time.perf_counter())
    # What the terminal's countdown starts from (tui/screens/candidate/exam.py: ExamScreen.remaining).
    remaining = (state.deadline_at - state.server_now).total_seconds()
    report = {
        "attempt": state.attempt_id,
        "resumed": state.resumed,
        "deadline": state.deadline_at.isoformat(),
        "now": state.server_now.isoformat(),
        "remaining": remaining,
        "revisions": state.revisions,
        "answers": state.answers,
        # Seconds spent importing, connecting, signing in and resuming (the rest is the interpreter).
        "phases": dict(zip(PHASES, (b - a for a, b in itertools.pairwise(marks)), strict=True)),
    }
    sys.stdout.write(f"RESUMED {json.dumps(report)}\n")
    sys.stdout.flush()
    revisions = dict(state.revisions)
    items = state.paper.items
    while True:
        item = rng.choice(items)
        revision = revisions.get(item.number, 0) + 1
        answer = random_answer(item, rng)
        answers.save_answer(
            db,
            state.attempt_id,
            item=item.number,
            answer=answer,
            flagged=rng.random() < 0.1,
            revision=revision,
            current_item=item.number,
        )
        revisions[item.number] = revision
        # ASCII JSON: the pipe's encoding depends on the locale.
        sys.stdout.write(f"ACK {item.number} {revision} {json.dumps(answer)}\n")
        sys.stdout.flush()


def baseline_main(kind: str, target: str, attempt_id: int) -> None:
    """The least a resume must do, for the ratio (``--baseline``): start an interpreter, open the database
    with its driver alone, read the attempt's deadline and its answers, print a line."""
    query = "SELECT deadline_at, (SELECT count(*) FROM response WHERE attempt_id = {p}) FROM attempt WHERE id = {p}"
    if kind == "sqlite":
        conn: Any = sqlite3.connect(target)
        row = conn.execute(query.format(p="?"), (attempt_id, attempt_id)).fetchone()
    else:
        import psycopg

        conn = psycopg.connect(target)
        row = conn.execute(query.format(p="%s"), (attempt_id, attempt_id)).fetchone()
    sys.stdout.write(f"BASELINE {json.dumps([str(row[0]), row[1]])}\n")
    sys.stdout.flush()
    conn.close()


def random_answer(item: Any, rng: random.Random) -> Any:
    """A random answer of the item's type (tests/integration/_scripted_candidate.py uses it too)."""
    letters = [letter for letter, _ in item.options] or ["A", "B", "C", "D"]
    if item.type == "single":
        return rng.choice(letters)
    if item.type == "multiple":
        return sorted(rng.sample(letters, rng.randint(1, len(letters))))
    if item.type == "true_false":
        return rng.random() < 0.5
    if item.type == "fill_blank":
        return [f"答{rng.randrange(1000)}" for _ in range(max(item.blanks, 1))]
    return f"作答{rng.randrange(10**6)}"


# ---- the bench's side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sitting:
    """One candidate's attempt under way."""

    url: str
    access_code: str
    id_number: str
    attempt_id: int
    deadline: datetime


@dataclass(frozen=True)
class Ack:
    item: int
    revision: int
    answer: Any


@dataclass
class KillFigures:
    kills: int = 0
    acknowledged: int = 0
    lost: set[tuple[int, int]] = field(default_factory=set)  # (item, revision) acknowledged, then missing
    resume_s: list[float] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=dict)  # the candidate's own timings
    slowest: dict[str, float] = field(default_factory=dict)  # the phases of the slowest resume
    baseline_s: list[float] = field(default_factory=list)  # driver-only processes, one per round
    remaining_wrong: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # anything else that went wrong, in words

    def quantile_ms(self, q: int) -> float:
        if not self.resume_s:
            return float("nan")
        if len(self.resume_s) == 1:
            return self.resume_s[0] * 1000
        return statistics.quantiles(self.resume_s, n=100, method="inclusive")[q - 1] * 1000

    @property
    def max_ms(self) -> float:
        return max(self.resume_s) * 1000 if self.resume_s else float("nan")

    @property
    def ok(self) -> bool:
        return not self.lost and not self.remaining_wrong and not self.problems and self.kills > 0


@dataclass
class CopyFigures:
    copies: int = 0
    acknowledged: int = 0  # acknowledged before the last copy started
    checked: int = 0  # (copy, acknowledged answer) pairs checked
    lost: int = 0
    not_ok: list[str] = field(default_factory=list)  # copies that failed to open or to check
    copy_ms: list[float] = field(default_factory=list)
    wal_bytes: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and not self.not_ok and self.copies > 0


def id_number() -> str:
    from exam_tui.domain.idnumber import with_check_digit

    return with_check_digit("11010519800101123")


def prepare(url: str, workdir: Path) -> Sitting:
    """Bank, one cadre, a started session and the attempt begun on the database clock."""
    from exam_tui.services import admission, attempts, banks, cadres
    from exam_tui.services.runtime import connect
    from exam_tui.services.session_control import start_session
    from exam_tui.services.sessions import schedule_session

    db = connect(url)
    try:
        banks.import_files(db, [BANK])
        number = id_number()
        roster = workdir / "roster.csv"
        roster.write_text(
            f"id_number,name,unit,rank,position,proposed_post\n{number},考生甲,基准测试单位,一级主任科员,科长,副局长\n",
            encoding="utf-8",
        )
        cadres.import_roster(db, roster, actor="bench")
        with db.read() as s:
            starts = _database_now(s)
        view = schedule_session(
            db,
            exam_ref=EXAM,
            title="crash bench",
            room="bench",
            starts_at=starts,
            id_numbers=[number],
            open_now=True,
            actor="bench",
        )
        start_session(db, view.id, actor="bench")
        admitted = admission.admit(db, login=number, access_code=view.access_code)
        state = attempts.begin(db, session_id=view.id, cadre_id=admitted.candidate.cadre_id)
        return Sitting(url, view.access_code, number, state.attempt_id, state.deadline_at)
    finally:
        db.dispose()


def _database_now(session: Any) -> datetime:
    from exam_tui.services.runtime import now_in

    return now_in(session, None)


def _stored(db: Any, attempt_id: int) -> dict[int, tuple[int, Any]]:
    from sqlalchemy import select

    from exam_tui.store.models import ResponseRow

    with db.read() as s:
        rows = s.execute(select(ResponseRow).where(ResponseRow.attempt_id == attempt_id)).scalars()
        return {r.item: (r.revision, r.answer) for r in rows}


def _deadline_in_row(db: Any, attempt_id: int) -> datetime:
    from exam_tui.store.models import AttemptRow

    with db.read() as s:
        row = s.get(AttemptRow, attempt_id)
        assert row is not None
        return row.deadline_at


def _missing(newest: dict[int, Ack], held: dict[int, tuple[int, Any]]) -> list[Ack]:
    """The acknowledged answers that ``held`` (item → (revision, answer)) does not keep."""
    missing = []
    for item, ack in newest.items():
        revision, answer = held.get(item, (0, None))
        if revision < ack.revision or (revision == ack.revision and answer != ack.answer):
            missing.append(ack)
    return missing


class Candidate:
    """A candidate process and a thread reading its lines as they come."""

    def __init__(self, sitting: Sitting, seed: int, stderr: IO[str], *, baseline: bool = False) -> None:
        if baseline:
            kind = "pg" if sitting.url.startswith("postgresql") else "sqlite"
            target = _libpq_conninfo(sitting.url) if kind == "pg" else _sqlite_path(sitting.url)
            args = ["--baseline", kind, target, str(sitting.attempt_id)]
        else:
            args = ["--candidate", sitting.url, sitting.access_code, sitting.id_number, str(seed)]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), *args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="ascii",
        )
        self.lines: list[str] = []
        self.resumed_at: float | None = None
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                # A line cut short by the kill was never fully printed: it acknowledges nothing.
                if line.endswith("\n"):
                    if self.resumed_at is None:
                        self.resumed_at = time.monotonic()
                    self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_resume(self, word: str = "RESUMED") -> Any:
        """The first line's JSON, once it has come; ``resumed_at`` is when it came."""
        deadline = time.monotonic() + LINE_TIMEOUT_S
        with self._changed:
            while not self.lines and self.proc.poll() is None and time.monotonic() < deadline:
                self._changed.wait(0.05)
            if not self.lines or not self.lines[0].startswith(f"{word} "):
                raise RuntimeError(f"no {word} line (exit status {self.proc.poll()}): {self.lines[:1]!r}")
            return json.loads(self.lines[0].split(" ", 1)[1])

    def acks(self, upto: int | None = None) -> list[Ack]:
        with self._changed:
            lines = self.lines[:upto] if upto is not None else list(self.lines)
        found = []
        for line in lines:
            if line.startswith("ACK "):
                _, item, revision, answer = line.rstrip("\n").split(" ", 3)
                found.append(Ack(int(item), int(revision), json.loads(answer)))
        return found

    def line_count(self) -> int:
        with self._changed:
            return len(self.lines)

    def finish(self) -> None:
        """Wait for a process that ends by itself."""
        try:
            self.proc.wait(LINE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
        self._reader.join(LINE_TIMEOUT_S)

    def kill(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._reader.join(LINE_TIMEOUT_S)
        return self.proc.returncode


def run_kills(sitting: Sitting, kills: int, seed: int, stderr_path: Path) -> KillFigures:
    from exam_tui.services.runtime import connect

    rng = random.Random(seed)
    figures = KillFigures()
    newest: dict[int, Ack] = {}  # the newest acknowledged save of each item, over all rounds
    db = connect(sitting.url, migrate=False)
    try:
        with stderr_path.open("a") as stderr:
            for round_no in range(kills):
                with db.read() as s:
                    before = _database_now(s)
                candidate = Candidate(sitting, seed * 1000 + round_no, stderr)
                try:
                    report = candidate.wait_for_resume()
                    with db.read() as s:
                        after = _database_now(s)
                    assert candidate.resumed_at is not None
                    total = candidate.resumed_at - candidate.started
                    figures.resume_s.append(total)
                    phases = report["phases"]
                    phases["interpreter"] = total - sum(phases.values())
                    for phase, seconds in phases.items():
                        figures.phases.setdefault(phase, []).append(seconds)
                    if total >= max(figures.resume_s):
                        figures.slowest = phases
                    _check_resume(figures, round_no, report, sitting, before, after, newest)
                    time.sleep(rng.uniform(*KILL_AFTER_S))
                finally:
                    status = candidate.kill()
                if status != -signal.SIGKILL:
                    figures.problems.append(f"round {round_no}: the candidate ended by itself ({status})")
                figures.kills += 1
                acks = candidate.acks()
                for ack in acks:
                    before_ack = newest.get(ack.item)
                    if before_ack is not None and ack.revision <= before_ack.revision:
                        # The resume handed back less than was acknowledged: the candidate reused a revision.
                        figures.problems.append(f"round {round_no}: {ack} after {before_ack}")
                    newest[ack.item] = ack
                figures.acknowledged += len(acks)
                figures.lost.update(
                    (a.item, a.revision) for a in _missing(newest, _stored(db, sitting.attempt_id))
                )
                figures.baseline_s.append(_baseline(sitting, stderr))
        if _deadline_in_row(db, sitting.attempt_id) != sitting.deadline:
            figures.remaining_wrong.append("the attempt's deadline changed")
    finally:
        db.dispose()
    if figures.problems:
        figures.problems.append(f"candidate stderr: {stderr_path}")
    return figures


def _baseline(sitting: Sitting, stderr: IO[str]) -> float:
    """One driver-only process, started and timed as a resume is (alternating with them)."""
    process = Candidate(sitting, 0, stderr, baseline=True)
    try:
        process.wait_for_resume("BASELINE")
        assert process.resumed_at is not None
        return process.resumed_at - process.started
    finally:
        process.finish()


def _sqlite_path(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database or ""


def _libpq_conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _check_resume(
    figures: KillFigures,
    round_no: int,
    report: dict[str, Any],
    sitting: Sitting,
    before: datetime,
    after: datetime,
    newest: dict[int, Ack],
) -> None:
    if report["attempt"] != sitting.attempt_id or not report["resumed"]:
        figures.problems.append(f"round {round_no}: resumed {report['attempt']} ({report['resumed']})")
    deadline = datetime.fromisoformat(report["deadline"])
    if deadline != sitting.deadline:
        figures.remaining_wrong.append(f"round {round_no}: deadline {deadline} != {sitting.deadline}")
    remaining = timedelta(seconds=report["remaining"])
    if not sitting.deadline - after <= remaining <= sitting.deadline - before:
        figures.remaining_wrong.append(
            f"round {round_no}: remaining {remaining} outside "
            f"[{sitting.deadline - after}, {sitting.deadline - before}]"
        )
    # What the resumed terminal starts from holds every answer acknowledged before.
    held = {
        int(item): (revision, report["answers"].get(item)) for item, revision in report["revisions"].items()
    }
    figures.lost.update((a.item, a.revision) for a in _missing(newest, held))


@contextmanager
def _reader_snapshot(path: Path) -> Iterator[None]:
    """A read transaction on the live file: the WAL cannot restart under it (see the module notes)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM response").fetchone()
        yield
        conn.execute("COMMIT")
    finally:
        conn.close()


def run_copies(
    sitting: Sitting, copies: int, seed: int, workdir: Path, stderr_path: Path, *, with_wal: bool = True
) -> CopyFigures:
    """The power-loss analogue (SQLite only): copies of the live file must open whole.

    ``with_wal=False`` copies the database file alone, which loses the answers still in the WAL: the
    test runs it once to show that the check notices a loss."""
    from sqlalchemy.engine import make_url

    live = Path(make_url(sitting.url).database or "")
    wal = live.with_name(live.name + "-wal")
    rng = random.Random(seed)
    figures = CopyFigures()
    with stderr_path.open("a") as stderr:
        candidate = Candidate(sitting, seed, stderr)
        try:
            candidate.wait_for_resume()
            for n in range(copies):
                time.sleep(rng.uniform(*COPY_GAP_S))
                target = workdir / f"copy-{n:03d}"
                target.mkdir()
                with _reader_snapshot(live):
                    # Everything printed so far was acknowledged before the copy started.
                    seen = candidate.line_count()
                    began = time.perf_counter()
                    shutil.copyfile(live, target / live.name)
                    if with_wal and wal.exists():
                        shutil.copyfile(wal, target / wal.name)
                    figures.copy_ms.append((time.perf_counter() - began) * 1000)
                figures.wal_bytes.append(
                    (target / wal.name).stat().st_size if (target / wal.name).exists() else 0
                )
                newest = {ack.item: ack for ack in candidate.acks(seen)}
                figures.acknowledged = sum(1 for _ in candidate.acks(seen))
                _check_copy(figures, n, target / live.name, sitting.attempt_id, newest)
                figures.copies += 1
                shutil.rmtree(target)
        finally:
            status = candidate.kill()
    if status != -signal.SIGKILL:
        figures.not_ok.append(f"the candidate ended by itself ({status}); stderr: {stderr_path}")
    return figures


def _check_copy(figures: CopyFigures, n: int, path: Path, attempt_id: int, newest: dict[int, Ack]) -> None:
    """Open the copy as the next boot would (it recovers from the WAL) and check it."""
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                figures.not_ok.append(f"copy {n}: integrity_check {result[:3]}")
            rows = conn.execute(
                "SELECT item, revision, answer FROM response WHERE attempt_id = ?", (attempt_id,)
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        figures.not_ok.append(f"copy {n}: {type(exc).__name__}: {exc}")
        return
    held = {item: (revision, json.loads(answer)) for item, revision, answer in rows}
    figures.checked += len(newest)
    figures.lost += len(_missing(newest, held))


# ---- PostgreSQL ----------------------------------------------------------------------------------


@contextmanager
def pg_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server at ``server_url``, dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"exam_tui_bench_crash_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---- report --------------------------------------------------------------------------------------


def print_kills(backend: str, f: KillFigures) -> bool:
    within = sum(1 for s in f.resume_s if s <= RESUME_TARGET_S)
    print(
        f"{backend:10s} kills {f.kills:4d}  acknowledged {f.acknowledged:6d}  lost {len(f.lost):3d}  "
        f"resume p50 {f.quantile_ms(50):6.0f} ms  p99 {f.quantile_ms(99):6.0f} ms  max {f.max_ms:6.0f} ms  "
        f"within {RESUME_TARGET_S:g} s: {within}/{len(f.resume_s)}  remaining wrong: {len(f.remaining_wrong)}"
    )
    for line in [
        *(f"lost: item {i} revision {r}" for i, r in sorted(f.lost)[:5]),
        *f.remaining_wrong[:5],
        *f.problems[:5],
    ]:
        print(f"{'':11s}{line}")
    if f.baseline_s:
        base = statistics.median(f.baseline_s) * 1000
        print(
            f"{'':11s}baseline (interpreter, the driver alone, read the attempt) p50 {base:.0f} ms; "
            f"resume p50 / baseline p50 {f.quantile_ms(50) / base:.2f}x"
        )
    if f.phases:
        medians = ", ".join(f"{p} {statistics.median(v) * 1000:.0f}" for p, v in f.phases.items())
        print(f"{'':11s}resume medians, ms: {medians}")
        slowest = ", ".join(f"{p} {v * 1000:.0f}" for p, v in f.slowest.items())
        print(f"{'':11s}slowest resume, ms: {slowest}")
    verdict = "PASS" if f.ok and within == len(f.resume_s) else "MISS"
    print(
        f"{backend:10s} target: 0 lost, remaining time right, every resume within {RESUME_TARGET_S:g} s: {verdict}"
    )
    sys.stdout.flush()
    return f.ok


def print_copies(f: CopyFigures) -> bool:
    copy_ms = statistics.median(f.copy_ms) if f.copy_ms else float("nan")
    wal_kb = statistics.median(f.wal_bytes) / 1024 if f.wal_bytes else float("nan")
    print(
        f"{'sqlite':10s} copies {f.copies:3d}  acknowledged before the last copy {f.acknowledged:6d}  "
        f"checked {f.checked:6d}  lost {f.lost:3d}  integrity not ok {len(f.not_ok):3d}  "
        f"copy median {copy_ms:.1f} ms, WAL median {wal_kb:.0f} KiB"
    )
    for line in f.not_ok[:5]:
        print(f"{'':11s}{line}")
    verdict = "PASS" if f.ok else "MISS"
    print(f"{'sqlite':10s} target: every copy opens, integrity_check ok, 0 acknowledged lost: {verdict}")
    sys.stdout.flush()
    return f.ok


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--candidate":
        url, code, number, seed = sys.argv[2:6]
        candidate_main(url, code, number, int(seed))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--baseline":
        kind, target, attempt = sys.argv[2:5]
        baseline_main(kind, target, int(attempt))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--copies", type=int, default=20, help="copies of the live SQLite file (0: none)")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument(
        "--pg",
        default=os.environ.get("EXAM_TUI_BENCH_PG_URL"),
        help="also run on a fresh database created on this PostgreSQL server (default $EXAM_TUI_BENCH_PG_URL)",
    )
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    print(
        f"crash: {args.kills} kills, {args.copies} copies; {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    sys.stdout.flush()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.sqlite:
            url = f"sqlite:///{work / 'exam.db'}"
            sitting = prepare(url, work)
            ok &= print_kills("sqlite", run_kills(sitting, args.kills, args.seed, work / "stderr.txt"))
            if args.copies:
                copies = run_copies(sitting, args.copies, args.seed, work, work / "stderr.txt")
                ok &= print_copies(copies)
        if args.pg:
            with pg_database(args.pg) as url:
                pg_work = work / "pg"
                pg_work.mkdir()
                sitting = prepare(url, pg_work)
                ok &= print_kills(
                    "postgresql", run_kills(sitting, args.kills, args.seed, pg_work / "stderr.txt")
                )
    # Other work on the machine shows in the resume times: say how busy it was.
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
