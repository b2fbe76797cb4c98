"""CPU spent per answer save on PostgreSQL, client and server, one save at a time.

    python bench/save_cpu.py --pg URL [--saves 3000] [--rounds 3]

On a fresh database created on the server at URL (dropped afterwards): one started session, one candidate
who has begun. Then, alternating, ``rounds`` times each:

  save_answer   ``services.answers.save_answer`` ``saves`` times (items cycling, revisions rising), as a
                service caller without a terminal token calls it;
  with token    the same with the terminal's token, as a candidate's terminal calls it (the save is
                taken only while that token is the attempt's: one more index lookup in the statement);
  bare insert   through psycopg on its own connection: ``INSERT INTO <one-column table>`` and COMMIT, the
                least a durable write costs.

For each it reads the CPU time of this process (``getrusage``) and of the PostgreSQL backend serving the
connection (``/proc/PID/stat``: the server must run on this machine), and prints the median over the
rounds of client, server and total CPU per save in microseconds, the ratio of each save's total to the
bare insert's, and of the save with the token to the save without. Under load (bench/autosave.py) these
are what 200 terminals and the server share.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import autosave  # the bench's own setup helpers: bank, roster, a started session

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime of the backend process


def measure(call: Callable[[int], None], backend_pid: int, saves: int, offset: int) -> tuple[float, float]:
    """(client µs, server µs) per call over ``saves`` calls."""
    before, server_before = resource.getrusage(resource.RUSAGE_SELF), backend_cpu_s(backend_pid)
    for k in range(saves):
        call(offset + k)
    after, server_after = resource.getrusage(resource.RUSAGE_SELF), backend_cpu_s(backend_pid)
    client = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return client / saves * 1e6, (server_after - server_before) / saves * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=os.environ.get("EXAM_TUI_BENCH_PG_URL"), help="PostgreSQL server URL")
    parser.add_argument("--saves", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not args.pg:
        parser.error("give --pg URL (or EXAM_TUI_BENCH_PG_URL): the server must run on this machine")

    import psycopg
    from sqlalchemy import text

    from exam_tui.services import admission, answers, attempts
    from exam_tui.services.runtime import connect

    with autosave.pg_database(args.pg, "cpu") as url:
        session_id, code, numbers = autosave.prepare(url, 1, Path(tempfile.mkdtemp()))
        db = connect(url, migrate=False)
        admitted = admission.admit(db, login=numbers[0], access_code=code)
        state = attempts.begin(db, session_id=session_id, cadre_id=admitted.candidate.cadre_id, hostname="b")
        items = len(state.paper.items)

        def save(k: int, token: str | None = None) -> None:
            answers.save_answer(
                db,
                state.attempt_id,
                item=1 + k % items,
                answer="A" if k % 2 else "B",
                flagged=False,
                revision=1 + k,
                token=token,
            )

        def save_with_token(k: int) -> None:
            save(k, state.token)

        save(0)  # warm-up: statements prepared, the connection pooled
        with db.engine.connect() as conn:
            save_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            conn.commit()

        bare = psycopg.connect(autosave.libpq_conninfo(url))
        bare.execute(f"CREATE TABLE {autosave.BARE_TABLE} (x integer)")
        bare.commit()
        bare_pid = bare.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        bare.commit()

        def insert(k: int) -> None:
            bare.execute(f"INSERT INTO {autosave.BARE_TABLE} (x) VALUES (%s)", (k,))
            bare.commit()

        ours: list[tuple[float, float]] = []
        held: list[tuple[float, float]] = []
        base: list[tuple[float, float]] = []
        revisions = 1  # rising across rounds and variants: every save writes
        for r in range(args.rounds):
            ours.append(measure(save, save_pid, args.saves, revisions))
            held.append(measure(save_with_token, save_pid, args.saves, revisions + args.saves))
            revisions += 2 * args.saves
            base.append(measure(insert, bare_pid, args.saves, r * args.saves))
        bare.close()
        db.dispose()

    def medians(rows: list[tuple[float, float]]) -> tuple[float, float, float]:
        return (
            statistics.median(c for c, _ in rows),
            statistics.median(s for _, s in rows),
            statistics.median(c + s for c, s in rows),
        )

    print(
        f"save CPU on PostgreSQL, one at a time: {args.saves} saves x {args.rounds} rounds; {time.strftime('%Y-%m-%d')}"
    )
    print(f"{'':13} {'client us':>10} {'server us':>10} {'total us':>10}")
    for label, rows in (("save_answer", ours), ("with token", held), ("bare insert", base)):
        client, server, total = medians(rows)
        print(f"{label:13} {client:10.0f} {server:10.0f} {total:10.0f}")
    print(f"{'ratio':13} {'':10} {'':10} {medians(ours)[2] / medians(base)[2]:9.2f}x  save / bare insert")
    print(f"{'':13} {'':10} {'':10} {medians(held)[2] / medians(ours)[2]:9.2f}x  with token / without")


if __name__ == "__main__":
    main()
