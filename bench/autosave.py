"""Answer autosave under load: N candidate processes saving an answer every 0.5 s, against a bare
transaction baseline measured in the same run.

    python bench/autosave.py [--clients 50,200] [--seconds 30] [--db URL] [--pg URL] [--no-token]

For each N, on a fresh SQLite file in a temporary directory (or the database ``--db`` names) and, when
``--pg URL`` or ``EXAM_TUI_BENCH_PG_URL`` is given, on a fresh PostgreSQL database created on that server
and dropped afterwards:

  setup     the starter bank, N cadres (a generated roster through ``cadres.import_roster``), one session
            with all of them, scheduled, opened and started
  autosave  N processes (start method "spawn"), each one candidate: ``connect(url, migrate=False)``,
            ``admit``, ``begin`` and one untimed warm-up save, one process at a time (N interpreters
            starting together on 2 cores is a login storm, not the load measured here); then, all
            together, a ``save_answer`` every ``--interval`` seconds for ``--seconds`` (the first at a
            random moment within the first interval), cycling through its paper's items with increasing
            revisions, with the terminal's token as a terminal saves (``--no-token``: without it, to
            see what the check costs). Each call is timed whole with ``time.perf_counter``: the commit
            latency as the candidate's terminal sees it. Processes keep their connection until all have
            reported.
  console   with --console (the default), one more process during the autosave phase: the proctor's
            console, calling ``proctoring.console_view`` (every candidate's row) once a second; its
            baseline is the median of 21 refreshes on the same database before the load starts.
  baseline  as many processes on the same schedule doing a bare transaction: on SQLite
            ``BEGIN IMMEDIATE; INSERT INTO <one-column table>; COMMIT`` with the same pragmas on a
            separate file beside the database; on PostgreSQL an INSERT and a commit through psycopg.

It prints saves, errors (any exception, and any worker that died without reporting), p50, p99 and max
latency in ms, saves per second, and the ratio of the autosave p50/p99 to the baseline's. Targets
(SQLite, 2 cores): 0 errors; p99 <= 50 ms at N = 50 and <= 150 ms at N = 200; console refresh p99 <=
200 ms (any backend); PASS/MISS is printed,
and the exit status is 0 either way (this is a report), unless ``--fail-on-errors`` is given and a save
or refresh failed (CI runs it so: a lost save is a defect, a slow one is a figure).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import queue
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STARTER_BANK = ROOT / "question_banks" / "integrity-regulations.yaml"
EXAM = "integrity-regulations/pre-appointment"
TARGET_P99_MS = {50: 50.0, 200: 150.0}  # SQLite only
CONSOLE_TARGET_P99_MS = 200.0  # one console refreshing every second beside the candidates
READY_TIMEOUT_S = 900.0  # spawning 200 interpreters on 2 cores takes a while
REPORT_GRACE_S = 120.0  # after the timed phase, how long a worker may take to hand its figures back
# The same pragmas exam_tui.store.db applies to every SQLite connection.
SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000")
BARE_TABLE = "autosave_bench_bare"  # the baseline's one-column table


# ---- what a worker is given and what it hands back --------------------------------------------


@dataclass(frozen=True)
class Job:
    index: int
    kind: str  # "autosave", "console", "bare-sqlite" or "bare-pg"
    target: str  # a database URL (autosave), a file path (bare-sqlite) or a libpq conninfo (bare-pg)
    interval: float
    seconds: float
    seed: int
    session_id: int = 0
    access_code: str = ""
    id_number: str = ""
    with_token: bool = True  # save as a terminal does (its token checked), or as a service caller


@dataclass
class Report:
    index: int
    kind: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful calls only
    errors: int = 0
    messages: list[str] = field(default_factory=list)  # the first few errors, for the summary


@dataclass(frozen=True)
class Phase:
    """One timed run of N processes."""

    label: str
    clients: int
    seconds: float
    latencies: list[float]
    errors: int
    crashed: int
    messages: list[str]

    @property
    def saves(self) -> int:
        return len(self.latencies)

    def quantile_ms(self, q: int) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000

    @property
    def max_ms(self) -> float:
        return max(self.latencies) * 1000 if self.latencies else float("nan")


# ---- the workers (run in spawned processes; they import only what they use) ----------------------


def _answer(item: Any, revision: int) -> Any:
    """Something a candidate could have entered for ``item``, changing with the revision."""
    letters = [letter for letter, _ in item.options] or ["A", "B", "C", "D"]
    if item.type == "single":
        return letters[revision % len(letters)]
    if item.type == "multiple":
        return sorted({letters[revision % len(letters)], letters[(revision + 1) % len(letters)]})
    if item.type == "true_false":
        return revision % 2 == 0
    if item.type == "fill_blank":
        return [f"答案{revision}"] * max(item.blanks, 1)
    return f"作答第{revision}稿"


def _timed_loop(
    job: Job, start_at: float, call: Callable[[int], None], report: Report, rng: random.Random
) -> None:
    """``call(k)`` every ``job.interval`` s from a random offset in the first interval, until the end."""
    end = start_at + job.seconds
    due = start_at + rng.uniform(0, job.interval)
    k = 0
    while due < end:
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        began = time.perf_counter()
        try:
            call(k)
        except Exception as exc:
            report.errors += 1
            if len(report.messages) < 3:
                report.messages.append(
                    f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                )
        else:
            report.latencies.append(time.perf_counter() - began)
        k += 1
        # A save that overran its slot is followed at once by the next, without a burst to catch up.
        due = max(due + job.interval, time.time())


def _worker(
    job: Job, ready: Any, results: Any, setup_lock: Any, go: Any, start_at: Any, release: Any
) -> None:
    report = Report(job.index, job.kind)
    rng = random.Random(job.seed * 100_003 + job.index)
    announced = False
    close: Callable[[], None] | None = None
    try:
        # One at a time: N interpreters starting at once on 2 cores, each admitting and drawing a paper,
        # is a login storm (measured apart), not the autosave load this bench is about.
        with setup_lock:
            call, close = _prepare_worker(job, rng)
            call(-1)  # untimed warm-up: statements compiled and cached, as after a terminal's first save
        ready.put((job.index, None))
        announced = True
        go.wait()
        _timed_loop(job, start_at.value, call, report, rng)
    except BaseException as exc:  # setup failed (or worse): an error, never a silent absence
        report.errors += 1
        report.messages.append(f"worker {job.index}: {type(exc).__name__}: {exc}".splitlines()[0])
        if not announced:
            ready.put((job.index, traceback.format_exc().strip().splitlines()[-1]))
    finally:
        results.put(report)
    # Closing and exiting cost CPU and touch the database file: not while others are still saving.
    release.wait(timeout=REPORT_GRACE_S + job.seconds)
    if close is not None:
        close()


def _prepare_worker(job: Job, rng: random.Random) -> tuple[Callable[[int], None], Callable[[], None]]:
    if job.kind == "autosave":
        return _prepare_candidate(job, rng)
    if job.kind == "console":
        return _prepare_console(job)
    if job.kind == "bare-sqlite":
        conn = sqlite3.connect(job.target, isolation_level=None, timeout=10.0)
        for pragma in SQLITE_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")

        def bare_sqlite(k: int) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(f"INSERT INTO {BARE_TABLE} (x) VALUES (?)", (job.index * 1_000_000 + k,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        return bare_sqlite, conn.close
    import psycopg

    pg = psycopg.connect(job.target)

    def bare_pg(k: int) -> None:
        try:
            pg.execute(f"INSERT INTO {BARE_TABLE} (x) VALUES (%s)", (job.index * 1_000_000 + k,))
            pg.commit()
        except BaseException:
            pg.rollback()
            raise

    return bare_pg, pg.close


def _prepare_candidate(job: Job, rng: random.Random) -> tuple[Callable[[int], None], Callable[[], None]]:
    from exam_tui.services import admission, answers, attempts
    from exam_tui.services.runtime import connect

    db = connect(job.target, migrate=False)
    admitted = admission.admit(db, login=job.id_number, access_code=job.access_code)
    state = attempts.begin(
        db,
        session_id=job.session_id,
        cadre_id=admitted.candidate.cadre_id,
        hostname=f"bench-{job.index:03d}",
    )
    items = state.paper.items
    revisions = dict(state.revisions)
    offset = rng.randrange(len(items))

    def save(k: int) -> None:
        item = items[(offset + k) % len(items)]
        revision = revisions.get(item.number, 0) + 1
        answers.save_answer(
            db,
            state.attempt_id,
            item=item.number,
            answer=_answer(item, revision),
            flagged=revision % 7 == 0,
            revision=revision,
            current_item=item.number,
            token=state.token if job.with_token else None,  # as the terminal saves
        )
        revisions[item.number] = revision

    return save, db.dispose


def _prepare_console(job: Job) -> tuple[Callable[[int], None], Callable[[], None]]:
    """The proctor's console: what one refresh of its table reads (every candidate's row)."""
    from exam_tui.services import proctoring
    from exam_tui.services.runtime import connect

    db = connect(job.target, migrate=False)

    def refresh(_k: int) -> None:
        view = proctoring.console_view(db, job.session_id)
        assert len(view.detail.candidates) > 0

    return refresh, db.dispose


def idle_console_ms(url: str, session_id: int, samples: int = 21) -> float:
    """Median console refresh with nobody else on the database: the console's baseline."""
    refresh, close = _prepare_console(Job(0, "console", url, 1.0, 0.0, 0, session_id=session_id))
    try:
        refresh(-1)
        times = []
        for k in range(samples):
            began = time.perf_counter()
            refresh(k)
            times.append(time.perf_counter() - began)
        return statistics.median(times) * 1000
    finally:
        close()


# ---- running N processes ----------------------------------------------------------------------


def run_phase(label: str, jobs: list[Job], seconds: float) -> tuple[Phase, Phase | None]:
    """The jobs together; the console's job (if any) is reported as a phase of its own."""
    ctx = mp.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    setup_lock, go, release, start_at = ctx.Lock(), ctx.Event(), ctx.Event(), ctx.Value("d", 0.0)
    procs = [
        ctx.Process(target=_worker, args=(job, ready, results, setup_lock, go, start_at, release))
        for job in jobs
    ]
    for proc in procs:
        proc.start()
    announced: set[int] = set()
    deadline = time.time() + READY_TIMEOUT_S
    while len(announced) < len(jobs) and time.time() < deadline:
        try:
            index, _problem = ready.get(timeout=1.0)  # a failed setup is in that worker's report
        except queue.Empty:
            if not any(p.is_alive() for i, p in enumerate(procs) if i not in announced):
                break  # the ones still missing are dead: reported below as crashed
            continue
        announced.add(index)
    start_at.value = time.time() + 1.0
    go.set()
    reports: dict[int, Report] = {}
    deadline = start_at.value + seconds + REPORT_GRACE_S
    while len(reports) < len(jobs) and time.time() < deadline:
        try:
            report = results.get(timeout=1.0)
        except queue.Empty:
            if not any(p.is_alive() for i, p in enumerate(procs) if i not in reports):
                break
            continue
        reports[report.index] = report
    release.set()
    for proc in procs:
        proc.join(timeout=10.0)
        if proc.is_alive():  # our own child, stuck: stop it and count it as crashed
            proc.kill()
            proc.join()

    def phase(phase_label: str, kinds: set[str]) -> Phase:
        mine = [(i, job) for i, job in enumerate(jobs) if job.kind in kinds]
        got = [reports[i] for i, _ in mine if i in reports]
        crashed = len(mine) - len(got)
        crashed_messages = [
            f"worker {i}: exit code {procs[i].exitcode}, no report" for i, _ in mine if i not in reports
        ]
        messages = [m for r in sorted(got, key=lambda r: r.index) for m in r.messages]
        return Phase(
            label=phase_label,
            clients=len(mine),
            seconds=seconds,
            latencies=[x for r in got for x in r.latencies],
            errors=sum(r.errors for r in got) + crashed,
            crashed=crashed,
            messages=(crashed_messages + messages)[:5],
        )

    others = {job.kind for job in jobs} - {"console"}
    console = phase("console", {"console"}) if any(job.kind == "console" for job in jobs) else None
    return phase(label, others), console


# saves, the bare baseline, the console's refreshes during the saves (if run), its idle median (ms)
Outcome = tuple[Phase, Phase, "Phase | None", "float | None"]


# ---- setting up a database --------------------------------------------------------------------


def id_numbers(count: int) -> list[str]:
    """``count`` distinct valid resident ID numbers, the same every run."""
    from exam_tui.domain.idnumber import with_check_digit

    numbers = []
    for i in range(count):
        born = f"19{70 + i // 1000 % 30:02d}{1 + i // 28 % 12:02d}{1 + i % 28:02d}"
        numbers.append(with_check_digit(f"110105{born}{i % 1000:03d}"))
    return numbers


def prepare(url: str, clients: int, workdir: Path) -> tuple[int, str, list[str]]:
    """Bank, cadres and a started session of ``clients`` candidates; (session id, access code, IDs)."""
    from exam_tui.services import banks, cadres
    from exam_tui.services.runtime import connect
    from exam_tui.services.session_control import start_session
    from exam_tui.services.sessions import schedule_session

    db = connect(url)
    try:
        banks.import_files(db, [STARTER_BANK])
        numbers = id_numbers(clients)
        roster = workdir / f"roster-{clients}.csv"
        rows = ["id_number,name,unit,rank,position,proposed_post"]
        rows += [
            f"{n},考生{i:03d},基准测试单位{i % 8},一级主任科员,科长,副局长" for i, n in enumerate(numbers)
        ]
        roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
        cadres.import_roster(db, roster, actor="bench")
        view = schedule_session(
            db,
            exam_ref=EXAM,
            title=f"autosave bench, {clients} candidates",
            room="bench",
            starts_at=datetime.now(UTC),
            id_numbers=numbers,
            allow_late_minutes=60,  # spawning the candidates may take a minute or two
            open_now=True,
            actor="bench",
        )
        start_session(db, view.id, actor="bench")
        return view.id, view.access_code, numbers
    finally:
        db.dispose()


@contextmanager
def pg_database(server_url: str, purpose: str) -> Iterator[str]:
    """A fresh database on the server at ``server_url``, dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"exam_tui_bench_{purpose}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def libpq_conninfo(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# ---- one backend, one N ------------------------------------------------------------------------


def bench_sqlite(url: str | None, clients: int, args: argparse.Namespace, workdir: Path) -> Outcome:
    from sqlalchemy.engine import make_url

    db_url = url or f"sqlite:///{workdir / f'autosave-{clients}.db'}"
    session_id, code, numbers = prepare(db_url, clients, workdir)
    # The baseline file sits beside the database, on the same file system.
    db_path = Path(make_url(db_url).database or workdir / "x.db")
    bare_path = db_path.parent / f".autosave-bare-{uuid.uuid4().hex[:8]}.db"
    conn = sqlite3.connect(bare_path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        conn.execute(f"PRAGMA {pragma}")
    conn.execute(f"CREATE TABLE {BARE_TABLE} (x INTEGER)")
    conn.close()
    try:
        return _both(args, clients, db_url, str(bare_path), "bare-sqlite", session_id, code, numbers)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{bare_path}{suffix}").unlink(missing_ok=True)


def bench_pg(server_url: str, clients: int, args: argparse.Namespace, workdir: Path) -> Outcome:
    from sqlalchemy import create_engine, text

    with pg_database(server_url, f"n{clients}") as db_url:
        session_id, code, numbers = prepare(db_url, clients, workdir)
        engine = create_engine(db_url)
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE {BARE_TABLE} (x integer)"))
        engine.dispose()
        return _both(args, clients, db_url, libpq_conninfo(db_url), "bare-pg", session_id, code, numbers)


def _both(
    args: argparse.Namespace,
    clients: int,
    db_url: str,
    bare_target: str,
    bare_kind: str,
    session_id: int,
    code: str,
    numbers: list[str],
) -> Outcome:
    common = {"interval": args.interval, "seconds": args.seconds, "seed": args.seed}
    ours = [
        Job(
            i,
            "autosave",
            db_url,
            session_id=session_id,
            access_code=code,
            id_number=n,
            with_token=args.token,
            **common,
        )
        for i, n in enumerate(numbers)
    ]
    console_jobs = []
    if args.console:
        console_jobs = [Job(clients, "console", db_url, 1.0, args.seconds, args.seed, session_id=session_id)]
    bare = [Job(i, bare_kind, bare_target, **common) for i in range(clients)]
    idle = idle_console_ms(db_url, session_id) if args.console else None
    saves, console = run_phase("save_answer", ours + console_jobs, args.seconds)
    bare_phase, _ = run_phase("bare insert", bare, args.seconds)
    return saves, bare_phase, console, idle


# ---- output -------------------------------------------------------------------------------------

HEADER = (
    f"{'backend':10s} {'N':>4s}  {'run':12s} {'saves':>6s} {'errors':>6s} "
    f"{'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} {'saves/s':>8s}"
)


def print_result(backend: str, ours: Phase, bare: Phase) -> None:
    for phase in (ours, bare):
        print(
            f"{backend:10s} {phase.clients:4d}  {phase.label:12s} {phase.saves:6d} {phase.errors:6d} "
            f"{phase.quantile_ms(50):8.1f} {phase.quantile_ms(99):8.1f} {phase.max_ms:8.1f} "
            f"{phase.saves / phase.seconds:8.1f}"
        )
        if phase.crashed:
            print(f"{'':17s}{phase.crashed} worker(s) died without reporting (counted as errors)")
        for message in phase.messages:
            print(f"{'':17s}error: {message}")
    r50 = ours.quantile_ms(50) / bare.quantile_ms(50)
    r99 = ours.quantile_ms(99) / bare.quantile_ms(99)
    print(f"{backend:10s} {ours.clients:4d}  {'ratio':12s} {'':6s} {'':6s} {r50:7.2f}x {r99:7.2f}x")
    target = TARGET_P99_MS.get(ours.clients) if backend == "sqlite" else None
    if target is None:
        print(f"{backend:10s} {ours.clients:4d}  target: none set for this backend and N")
    else:
        verdict = "PASS" if ours.errors == 0 and ours.quantile_ms(99) <= target else "MISS"
        print(f"{backend:10s} {ours.clients:4d}  target: 0 errors, p99 <= {target:.0f} ms: {verdict}")
    sys.stdout.flush()


def print_console(backend: str, console: Phase, idle_ms: float) -> None:
    p99 = console.quantile_ms(99)
    print(
        f"{backend:10s} {console.clients:4d}  {'console':12s} {console.saves:6d} {console.errors:6d} "
        f"{console.quantile_ms(50):8.1f} {p99:8.1f} {console.max_ms:8.1f} {console.saves / console.seconds:8.1f}"
    )
    for message in console.messages:
        print(f"{'':17s}error: {message}")
    print(
        f"{backend:10s} {'':4s}  {'console idle':12s} {'':6s} {'':6s} {idle_ms:8.1f}   p99 / idle median {p99 / idle_ms:.2f}x"
    )
    verdict = "PASS" if console.errors == 0 and p99 <= CONSOLE_TARGET_P99_MS else "MISS"
    print(f"{backend:10s} {'':4s}  target: console refresh p99 <= {CONSOLE_TARGET_P99_MS:.0f} ms: {verdict}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", default="50,200", help="comma-separated numbers of candidates")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each timed phase")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between one candidate's saves")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--console",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run one proctor console refreshing every second during the saves (default on)",
    )
    parser.add_argument(
        "--token",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="save with the terminal's token, as a terminal does (default on; --no-token: without the check)",
    )
    parser.add_argument("--db", help="run against this database instead of a fresh SQLite file")
    parser.add_argument(
        "--pg",
        default=os.environ.get("EXAM_TUI_BENCH_PG_URL"),
        help="also run on a fresh database created on this PostgreSQL server (default $EXAM_TUI_BENCH_PG_URL)",
    )
    parser.add_argument(
        "--sqlite",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run on SQLite (default on; --no-sqlite with --pg runs PostgreSQL only)",
    )
    parser.add_argument(
        "--fail-on-errors",
        action="store_true",
        help="exit 1 if any save or console refresh failed (CI: lost saves are a defect; latency is reported)",
    )
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",") if c.strip()]

    backends: list[tuple[str, Callable[[int, Path], Outcome]]] = []
    if args.db and not args.db.startswith("sqlite"):
        backends.append(("postgresql", lambda n, w: _on_given_pg(args.db, n, args, w)))
    elif args.sqlite:
        backends.append(("sqlite", lambda n, w: bench_sqlite(args.db, n, args, w)))
    if args.pg:
        backends.append(("postgresql", lambda n, w: bench_pg(args.pg, n, args, w)))

    print(
        f"autosave: each candidate saves every {args.interval:g} s for {args.seconds:g} s; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    print(HEADER)
    sys.stdout.flush()
    errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        for backend, run in backends:
            for n in clients:
                workdir = Path(tmp) / f"{backend}-{n}"
                workdir.mkdir()
                ours, bare, console, idle = run(n, workdir)
                errors += ours.errors + (console.errors if console is not None else 0)
                print_result(backend, ours, bare)
                if console is not None and idle is not None:
                    print_console(backend, console, idle)
    if args.fail_on_errors and errors:
        print(f"{errors} failed call(s): see the errors above")
        sys.exit(1)


def _on_given_pg(url: str, clients: int, args: argparse.Namespace, workdir: Path) -> Outcome:
    """``--db postgresql://…``: the named database (not dropped); the baseline table is made and dropped."""
    from sqlalchemy import create_engine, text

    session_id, code, numbers = prepare(url, clients, workdir)
    engine = create_engine(url)
    table = BARE_TABLE
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        conn.execute(text(f"CREATE TABLE {table} (x integer)"))
    try:
        return _both(args, clients, url, libpq_conninfo(url), "bare-pg", session_id, code, numbers)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


if __name__ == "__main__":
    main()
