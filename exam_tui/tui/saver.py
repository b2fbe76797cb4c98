"""The candidate terminal's one writer: answers, marks, incidents, heartbeats and hand-in, in order.

It runs in a worker thread and only posts messages back to the screen. Everything goes through one
FIFO queue, so a hand-in is written after every answer given before it. Queued saves of the same item
collapse to the newest revision; a failed write is retried with backoff (the screen shows it) and is
never dropped: the service ignores a revision older than the stored one, so a retry is always safe.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.message import Message
from textual.worker import NoActiveWorker, Worker, get_current_worker

from exam_tui.services import answers, attempts
from exam_tui.services.attempts import AttemptClosed, AttemptResult
from exam_tui.services.runtime import Database, MaybeClock

HEARTBEAT_SECONDS = 5.0
BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True)
class SaveJob:
    item: int
    answer: Any
    flagged: bool
    revision: int
    current_item: int


@dataclass(frozen=True)
class IncidentJob:
    kind: str
    details: dict[str, Any]


@dataclass(frozen=True)
class HandInJob:
    reason: str = "candidate"


@dataclass(frozen=True)
class TickJob:
    current_item: int


class Saved(Message):
    def __init__(self, item: int, revision: int, saved_at: datetime, deadline_at: datetime) -> None:
        super().__init__()
        self.item, self.revision, self.saved_at, self.deadline_at = item, revision, saved_at, deadline_at


class SaveRetrying(Message):
    def __init__(self, attempt: int, detail: str) -> None:
        super().__init__()
        self.attempt, self.detail = attempt, detail


class Ticked(Message):
    def __init__(self, server_now: datetime, deadline_at: datetime) -> None:
        super().__init__()
        self.server_now, self.deadline_at = server_now, deadline_at


class AttemptEnded(Message):
    """Handed in (by the candidate, the clock or the proctor); ``result`` is what the candidate may see."""

    def __init__(self, result: AttemptResult) -> None:
        super().__init__()
        self.result = result


Job = SaveJob | IncidentJob | HandInJob | TickJob


def _current_worker() -> Worker[None] | None:
    try:
        return get_current_worker()
    except NoActiveWorker:  # run outside a Textual worker (tests, benches)
        return None


class AnswerSaver:
    def __init__(
        self,
        db: Database,
        attempt_id: int,
        post: Callable[[Message], Any],
        *,
        clock: MaybeClock = None,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.db, self.attempt_id, self.post, self.clock = db, attempt_id, post, clock
        self.heartbeat_seconds = heartbeat_seconds
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._stop = threading.Event()
        self.current_item = 1
        self.ended = False
        self._busy = False

    def submit(self, job: Job) -> None:
        self._queue.put(job)

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing being written: every answer given so far is acknowledged."""
        return not self._busy and self._queue.empty()

    def run(self) -> None:
        worker = _current_worker()
        last_contact = time.monotonic()
        while not self._stop.is_set() and not self.ended:
            if worker is not None and worker.is_cancelled:
                break
            timeout = max(0.05, self.heartbeat_seconds - (time.monotonic() - last_contact))
            try:
                job = self._queue.get(timeout=timeout)
            except queue.Empty:
                job = TickJob(self.current_item)
            if job is None:
                break
            self._busy = True
            try:
                if isinstance(job, SaveJob):
                    job = self._newest(job)
                self._perform(job)
            finally:
                self._busy = False
            last_contact = time.monotonic()

    def _newest(self, job: SaveJob) -> SaveJob:
        """Collapse queued saves of the same item (only up to the next non-save job, to keep order)."""
        with self._queue.mutex:
            pending = self._queue.queue
            while pending and isinstance(pending[0], SaveJob) and pending[0].item == job.item:
                newer = pending.popleft()
                assert isinstance(newer, SaveJob)
                if newer.revision > job.revision:
                    job = newer
        return job

    def _perform(self, job: Job) -> None:
        """Run the job until it lands; once the attempt is closed, fetch what the candidate may see."""
        step: Callable[[], None] = lambda: self._write(job)  # noqa: E731
        tries = 0
        while not self._stop.is_set():
            try:
                step()
                return
            except AttemptClosed:
                self.ended = True
                step = self._post_result
            except Exception as exc:  # the database is unreachable or busy: keep the job, retry
                tries += 1
                self.post(SaveRetrying(tries, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
                time.sleep(BACKOFF_SECONDS[min(tries - 1, len(BACKOFF_SECONDS) - 1)])

    def _post_result(self) -> None:
        self.post(AttemptEnded(attempts.result(self.db, self.attempt_id)))

    def _write(self, job: Job) -> None:
        if isinstance(job, SaveJob):
            ack = answers.save_answer(
                self.db,
                self.attempt_id,
                item=job.item,
                answer=job.answer,
                flagged=job.flagged,
                revision=job.revision,
                current_item=job.current_item,
                clock=self.clock,
            )
            self.post(Saved(ack.item, ack.revision, ack.saved_at, ack.deadline_at))
        elif isinstance(job, IncidentJob):
            answers.record_incident(self.db, self.attempt_id, job.kind, job.details, clock=self.clock)
        elif isinstance(job, HandInJob):
            self.post(
                AttemptEnded(attempts.hand_in(self.db, self.attempt_id, reason=job.reason, clock=self.clock))
            )
            self.ended = True
        else:
            tick = answers.heartbeat(
                self.db, self.attempt_id, current_item=job.current_item, clock=self.clock
            )
            if tick.state != attempts.IN_PROGRESS:
                raise AttemptClosed(tick.state)  # handed in by the clock or the proctor
            self.post(Ticked(tick.server_now, tick.deadline_at))
