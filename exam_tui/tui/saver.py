"""The candidate terminal's one writer: answers, marks, incidents, heartbeats and hand-in, in order.

It runs in a worker thread and only posts messages back to the screen. Everything goes through one
FIFO queue, so a hand-in is written after every answer given before it. Queued saves of the same item
collapse to the newest revision; a failed write is retried with backoff (the screen shows it) and is
never dropped: the service ignores a revision older than the stored one, so a retry is always safe.

Every answer is first written and fsynced to this machine's journal (tui/journal.py) by a second thread,
which then hands the job on to the writer. It is a thread of its own because a database that stopped
answering (a cut cable, a dead switch) hangs the writer inside a write for minutes: the candidate keeps
answering meanwhile, and each answer must still reach the disk. That thread also notices such a stall.
When the database cannot be reached the screen is told once (ConnectionLost); the writer retries with
backoff and, on the first write that lands, says so (ConnectionRestored) and goes on through the queue,
which holds every journaled answer in order. A terminal started on an attempt whose journal holds
unacknowledged answers (it was killed while offline) replays them before anything else.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual.message import Message
from textual.worker import NoActiveWorker, Worker, get_current_worker

from exam_tui.services import attempts
from exam_tui.services.attempts import AttemptClosed, AttemptResult, TerminalReplaced
from exam_tui.services.runtime import Database, MaybeClock
from exam_tui.services.terminal import DirectLink, Link
from exam_tui.tui.journal import AnswerJournal, JournalEntry, newest_per_item

HEARTBEAT_SECONDS = 5.0
# Exponential, capped at 10 s: a server that comes back is noticed within seconds, and a whole lab of
# terminals retrying does not hammer a server that is still starting.
BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 10.0)
# A write still unanswered after this long means the server or the network has stopped answering: a
# TCP connection whose cable was pulled hangs for minutes before it fails.
STALL_SECONDS = 5.0


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


class Kept(Message):
    """The answer is fsynced in this machine's journal: it survives a crash while the database is away."""

    def __init__(self, item: int, revision: int) -> None:
        super().__init__()
        self.item, self.revision = item, revision


class ConnectionLost(Message):
    """The database cannot be reached or stopped answering; posted once per outage."""

    def __init__(self, detail: str) -> None:
        super().__init__()
        self.detail = detail


class ConnectionRestored(Message):
    """A write landed after ConnectionLost; the answers kept meanwhile follow, in order."""


class Ticked(Message):
    def __init__(self, server_now: datetime, deadline_at: datetime) -> None:
        super().__init__()
        self.server_now, self.deadline_at = server_now, deadline_at


class TerminalMoved(Message):
    """The candidate began this attempt on another terminal: this one writes nothing more (answers given
    here since stay in its journal, for the proctor)."""


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


def _detail(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


class AnswerSaver:
    def __init__(
        self,
        db: Database,
        attempt_id: int,
        post: Callable[[Message], Any],
        *,
        clock: MaybeClock = None,
        link: Link | None = None,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        journal: AnswerJournal | None = None,
        backoff: Sequence[float] = BACKOFF_SECONDS,
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        self.db, self.attempt_id, self.post, self.clock = db, attempt_id, post, clock
        # The attempt as this terminal reaches it: the services, or the functions and the sign-in desk
        # of a lab machine signed in as the candidate-terminal role (services.terminal).
        self.link: Link = link if link is not None else DirectLink(db, attempt_id, clock)
        self.heartbeat_seconds, self.backoff, self.stall_seconds = heartbeat_seconds, backoff, stall_seconds
        self.journal = journal if journal is not None else AnswerJournal.for_attempt(db.url, attempt_id)
        self._inbox: queue.Queue[Job | None] = queue.Queue()  # from the screen, not yet journaled
        self._queue: queue.Queue[Job | None] = queue.Queue()  # journaled, for the writer
        self._stop = threading.Event()
        self._lock = threading.Lock()  # the connection state, seen by both threads
        self._writing_since: float | None = None
        self.offline = False
        self.current_item = 1
        self.ended = False
        self._busy = False
        try:
            kept = self.journal.pending()
        except OSError:
            kept = []
        # What a previous terminal on this machine journaled and never got acknowledged (the database
        # may hold some of it: a replay of an older revision is ignored). The screen shows these too.
        self.unsent = [
            SaveJob(e.item, e.answer, e.flagged, e.revision, e.current_item) for e in newest_per_item(kept)
        ]
        # Jobs given and not yet done; the queues alone cannot say, a job is out of them while written.
        self._outstanding = len(self.unsent)

    def submit(self, job: Job) -> None:
        with self._lock:
            self._outstanding += 1
        self._inbox.put(job)

    def stop(self) -> None:
        self._stop.set()
        self._inbox.put(None)
        self._queue.put(None)

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing being written: every answer given so far is acknowledged."""
        return self._outstanding == 0 and not self._busy

    def _done(self, count: int) -> None:
        with self._lock:
            self._outstanding -= count

    # ---- the journal keeper's thread ---------------------------------------------------------------

    def _keep_journal(self) -> None:
        """Journal each answer as it comes from the screen, then hand every job on in order."""
        while True:
            try:
                job = self._inbox.get(timeout=max(0.05, min(1.0, self.stall_seconds / 2)))
            except queue.Empty:
                self._notice_stall()
                continue
            if job is None:
                return
            if isinstance(job, SaveJob) and not self.ended:  # after the end an answer is refused anyway
                self._keep(job)
            self._queue.put(job)
            self._notice_stall()

    def _keep(self, job: SaveJob) -> None:
        entry = JournalEntry(job.item, job.answer, job.flagged, job.revision, job.current_item)
        try:
            self.journal.append(entry)
        except (OSError, TypeError, ValueError):
            # No journal (a full disk, a read-only home): the answer still goes to the database, and
            # the screen goes on showing it as not saved instead of kept.
            return
        self.post(Kept(job.item, job.revision))

    def _notice_stall(self) -> None:
        with self._lock:
            since = self._writing_since
            if since is None or self.offline or time.monotonic() - since < self.stall_seconds:
                return
            self.offline = True
            self.post(ConnectionLost(f"no answer from the database for {self.stall_seconds:g} s"))

    # ---- the writer's thread -----------------------------------------------------------------------

    def run(self) -> None:
        worker = _current_worker()
        for job in self.unsent:  # before the keeper hands on anything new
            self._queue.put(job)
        keeper = threading.Thread(target=self._keep_journal, name=f"journal-{self.attempt_id}", daemon=True)
        keeper.start()
        last_contact = time.monotonic()
        try:
            while not self._stop.is_set() and not self.ended:
                if worker is not None and worker.is_cancelled:
                    break
                timeout = max(0.05, self.heartbeat_seconds - (time.monotonic() - last_contact))
                given = 1
                try:
                    job = self._queue.get(timeout=timeout)
                except queue.Empty:
                    job, given = TickJob(self.current_item), 0
                if job is None:
                    break
                self._busy = True
                try:
                    job, merged = self._newest(job)
                    self._perform(job)
                finally:
                    self._busy = False
                    self._done(given + merged)
                last_contact = time.monotonic()
        finally:
            self._stop.set()
            self._inbox.put(None)
            keeper.join(timeout=5)
            self._close_journal()

    def _close_journal(self) -> None:
        """Remove the journal once nothing in it waits for the database (the attempt ended, or the
        terminal was left with everything saved); otherwise it stays for the next start here, or as the
        record of answers that never arrived."""
        with contextlib.suppress(OSError):
            self.journal.discard_if_settled()
        self.journal.close()

    def _newest(self, job: Job) -> tuple[Job, int]:
        """Collapse queued saves of the same item, or queued ticks (only up to the next other job, to keep
        order); returns the job to write and how many queued jobs it stands for."""
        merged = 0
        with self._queue.mutex:
            pending = self._queue.queue
            while pending:
                newer = pending[0]
                if isinstance(job, SaveJob) and isinstance(newer, SaveJob) and newer.item == job.item:
                    job = newer if newer.revision > job.revision else job
                elif isinstance(job, TickJob) and isinstance(newer, TickJob):
                    job = newer  # only where the candidate is now matters
                else:
                    break
                pending.popleft()
                merged += 1
        return job, merged

    def _perform(self, job: Job) -> None:
        """Run the job until it lands; once the attempt is closed, fetch what the candidate may see."""
        step: Callable[[], None] = lambda: self._write(job)  # noqa: E731
        tries = 0
        while not self._stop.is_set():
            with self._lock:
                self._writing_since = time.monotonic()
            try:
                step()
            except AttemptClosed:
                self._answered()
                self.ended = True
                step = self._post_result
                continue
            except TerminalReplaced:
                self._answered()
                self.ended = True
                self.post(TerminalMoved())
                return
            except Exception as exc:  # unreachable, busy, or a bad job: keep the job, retry
                tries += 1
                self._unanswered(exc)
                self.post(SaveRetrying(tries, _detail(exc)))
                self._stop.wait(self.backoff[min(tries - 1, len(self.backoff) - 1)])
                continue
            self._answered()
            return

    def _answered(self) -> None:
        with self._lock:
            self._writing_since = None
            if self.offline:
                self.offline = False
                self.post(ConnectionRestored())

    def _unanswered(self, exc: Exception) -> None:
        with self._lock:
            self._writing_since = None
            # A job the service refuses as such (not on the paper, not JSON) is not a lost connection.
            if not self.offline and not isinstance(exc, ValueError | TypeError):
                self.offline = True
                self.post(ConnectionLost(_detail(exc)))

    def _post_result(self) -> None:
        self.post(AttemptEnded(self.link.result()))

    def _write(self, job: Job) -> None:
        if isinstance(job, SaveJob):
            ack = self.link.save(
                item=job.item,
                answer=job.answer,
                flagged=job.flagged,
                revision=job.revision,
                current_item=job.current_item,
            )
            self.post(Saved(ack.item, ack.revision, ack.saved_at, ack.deadline_at))
            # Should the ack line not be written, the journal replays this answer once more: harmless.
            with contextlib.suppress(OSError):
                self.journal.acknowledge(ack.item, ack.revision)
        elif isinstance(job, IncidentJob):
            self.link.incident(job.kind, job.details)
        elif isinstance(job, HandInJob):
            self.post(AttemptEnded(self.link.hand_in(job.reason)))
            self.ended = True
        else:
            tick = self.link.heartbeat(current_item=job.current_item)
            if tick.state != attempts.IN_PROGRESS:
                raise AttemptClosed(tick.state)  # handed in by the clock or the proctor
            self.post(Ticked(tick.server_now, tick.deadline_at))
