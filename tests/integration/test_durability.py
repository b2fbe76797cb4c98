"""Acknowledged answers survive kill -9: 50 kills at random moments while a scripted candidate answers.

Each round starts ``_scripted_candidate.py`` (a separate process, the real clock, the database's own
clock), lets it answer for a random 0.05-0.6 s once it has resumed (fixed seed), sends it SIGKILL and reads the ACK lines it
printed: every save it acknowledged must be in the database, at that revision with that answer or at
a newer revision. The next round resumes the same attempt and must go on from the stored revisions.
Runs on SQLite, and on PostgreSQL too when EXAM_TUI_TEST_PG_URL is set (the ``db`` fixture).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select, text

from exam_tui.services import admission, attempts, banks
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import start_session
from exam_tui.store.models import ResponseRow
from tests.conftest import STARTER_BANK
from tests.integration.conftest import roster_numbers

SCRIPT = Path(__file__).with_name("_scripted_candidate.py")
ROUNDS = 50
# Candidates started ahead of their round: importing the program takes longer than a round lasts.
AHEAD = 2
BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Ack:
    item: int
    revision: int
    answer: Any


def _start(url: str, code: str, number: str, seed: int, stderr: IO[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), url, code, number, str(seed)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        encoding="ascii",
    )


def _acks(output: str) -> list[Ack]:
    """The complete ACK lines; a line cut short by the kill was never fully printed, so it does not count."""
    found = []
    for line in output.splitlines(keepends=True):
        if line.startswith("ACK ") and line.endswith("\n"):
            _, item, revision, answer = line.rstrip("\n").split(" ", 3)
            found.append(Ack(int(item), int(revision), json.loads(answer)))
    return found


def _stored(db: Database, attempt_id: int) -> dict[int, tuple[int, Any]]:
    with db.read() as s:
        rows = s.execute(select(ResponseRow).where(ResponseRow.attempt_id == attempt_id)).scalars()
        return {r.item: (r.revision, r.answer) for r in rows}


def test_acknowledged_answers_survive_kill_9(db: Database, tmp_path: Path) -> None:
    banks.import_files(db, [STARTER_BANK])
    demo = seed_demo(db, tz=BEIJING)  # the real clock: the attempt's deadline is an hour from now
    session_id, code = demo.session.id, demo.session.access_code
    start_session(db, session_id)
    number = roster_numbers(db, session_id)[0]
    admitted = admission.admit(db, login=number, access_code=code)
    attempt_id = attempts.begin(db, session_id=session_id, cadre_id=admitted.candidate.cadre_id).attempt_id

    rng = random.Random(20261123)
    newest: dict[int, Ack] = {}  # the newest acknowledged save of each item, over all rounds
    acknowledged = rounds_with_acks = 0
    stderr_path = tmp_path / "candidate-stderr.txt"
    started = time.monotonic()
    with stderr_path.open("w") as stderr:
        queue: deque[subprocess.Popen[str]] = deque()
        proc: subprocess.Popen[str] | None = None
        try:
            for round_no in range(ROUNDS):
                while len(queue) < min(AHEAD, ROUNDS - round_no):
                    queue.append(_start(db.url, code, number, round_no + len(queue), stderr))
                proc = queue.popleft()
                assert proc.stdout is not None and proc.stdin is not None
                ready = proc.stdout.readline()
                assert ready == "READY\n", f"round {round_no}: {ready!r}\n{stderr_path.read_text()}"
                proc.stdin.write("go\n")
                proc.stdin.flush()
                answering = proc.stdout.readline()
                assert answering == "ANSWERING\n", (
                    f"round {round_no}: {answering!r}\n{stderr_path.read_text()}"
                )
                time.sleep(rng.uniform(0.05, 0.6))
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                assert proc.returncode == -signal.SIGKILL, (
                    f"round {round_no}: the candidate ended by itself ({proc.returncode}) before the kill:\n"
                    + stderr_path.read_text()
                )
                acks = _acks(proc.stdout.read())
                for ack in acks:
                    before = newest.get(ack.item)
                    # Resuming goes on from the stored revision: never a revision acknowledged before.
                    assert before is None or ack.revision > before.revision, (round_no, ack, before)
                    newest[ack.item] = ack
                acknowledged += len(acks)
                rounds_with_acks += bool(acks)
                stored = _stored(db, attempt_id)
                for item, ack in newest.items():
                    assert item in stored, f"round {round_no}: acknowledged {ack} is not in the database"
                    revision, answer = stored[item]
                    assert revision >= ack.revision, f"round {round_no}: {ack} but stored revision {revision}"
                    if revision == ack.revision:
                        assert answer == ack.answer, f"round {round_no}: {ack} but stored answer {answer!r}"
        finally:
            for left in [proc, *queue] if proc is not None else queue:
                left.kill()
                left.wait()
    elapsed = time.monotonic() - started

    # Every round answers for at least 50 ms; most kills must have landed among acknowledged saves.
    assert acknowledged > 0 and rounds_with_acks > ROUNDS // 2, (acknowledged, rounds_with_acks)
    print(f"{acknowledged} acknowledged saves over {rounds_with_acks}/{ROUNDS} rounds in {elapsed:.1f} s")
    # A normal sign-in resumes the same attempt, and what it hands the terminal has every acknowledged answer.
    resumed = attempts.begin(db, session_id=session_id, cadre_id=admitted.candidate.cadre_id)
    assert resumed.resumed and resumed.attempt_id == attempt_id
    for item, ack in newest.items():
        assert resumed.revisions[item] >= ack.revision
        assert resumed.revisions[item] > ack.revision or resumed.answers[item] == ack.answer
    if db.backend == "sqlite":
        with db.read() as s:
            assert s.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
