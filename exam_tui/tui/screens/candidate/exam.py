"""The exam: header with countdown and save state, the navigator, one question at a time.

Answers live on this screen and go to the database through one saver thread (tui/saver.py). The
countdown is the database's deadline minus the database's time at the last contact, advanced by this
machine's monotonic clock between contacts: changing the lab machine's clock changes nothing.

When the database cannot be reached the candidate goes on answering: each answer is kept in this
machine's journal (the saver says so), a banner says that the answers are safe here, and the saver
uploads them once the database is back. A hand-in waits for the connection too, behind the answers.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea

from exam_tui.domain.scoring import is_answered
from exam_tui.i18n import t
from exam_tui.services.admission import Admission
from exam_tui.services.attempts import AttemptState
from exam_tui.services.terminal import Link
from exam_tui.tui.journal import AnswerJournal
from exam_tui.tui.saver import (
    AnswerSaver,
    AttemptEnded,
    ConnectionLost,
    ConnectionRestored,
    HandInJob,
    IncidentJob,
    Kept,
    Saved,
    SaveJob,
    SaveRetrying,
    TerminalMoved,
    Ticked,
    TickJob,
)
from exam_tui.tui.screens.candidate.dialogs import GoToDialog, MovedDialog, hand_in_dialog, quit_dialog
from exam_tui.tui.text import in_zone, translate_bindings
from exam_tui.tui.widgets.navigator import Navigator
from exam_tui.tui.widgets.question import QuestionView

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

TYPING_PAUSE = 0.5  # seconds of no typing before a blank or written answer is saved
WARN_MINUTES, URGENT_MINUTES = 10, 5


class ExamScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Both cases: the screen prints capitals, and Caps Lock or Shift must not make a key dead.
        *(Binding(f"{letter.lower()},{letter}", f"choose('{letter}')", show=False) for letter in "ABCDEFGH"),
        Binding("right", "move(1)", "key.next", show=False),
        Binding("left", "move(-1)", "key.previous", show=False),
        Binding("pagedown", "move(1)", "key.next", priority=True, show=False),
        Binding("pageup", "move(-1)", "key.previous", priority=True, show=False),
        Binding("f2", "flag", "key.flag", priority=True),
        Binding("f5", "go_to", "key.go_to", priority=True),
        Binding("f10", "hand_in", "key.hand_in", priority=True),
    ]

    app: ExamApp  # type: ignore[assignment]
    # Between contacts with the database the countdown advances by this clock (never the wall clock).
    monotonic = staticmethod(time.monotonic)

    def __init__(
        self,
        admission: Admission,
        state: AttemptState,
        *,
        link: Link | None = None,
        heartbeat_seconds: float | None = None,
    ) -> None:
        super().__init__()
        self.admission, self.paper = admission, state.paper
        self.link = link  # None: the services directly (services.terminal.DirectLink)
        self.attempt_id = state.attempt_id
        self.answers: dict[int, Any] = dict(state.answers)
        self.flagged: set[int] = set(state.flagged)
        self.revisions: dict[int, int] = dict(state.revisions)
        self.acknowledged: dict[int, int] = dict(state.revisions)
        self.kept: dict[int, int] = {}  # revisions fsynced in this machine's journal
        self.current = min(max(state.current_item, 1), len(self.paper.items))
        self.deadline_at = state.deadline_at
        self._synced_server, self._synced_mono = state.server_now, self.monotonic()
        self._heartbeat_seconds = heartbeat_seconds
        self._typing: Timer | None = None
        self._typed: Any = None
        self._last_saved: datetime | None = None
        self._retrying: str | None = None
        self.offline = False
        self.handing_in = False
        self._time_up_sent = 0.0
        self._terminal_size: tuple[int, int] | None = None
        self.ended = False
        translate_bindings(self)

    # ---- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="exam-header"):
            with Horizontal(id="exam-header-top"):
                yield Static(self.admission.exam.title, id="exam-title", markup=False)
                yield Static("", id="countdown", markup=False)
            yield Static("", id="exam-status", markup=False)
        yield Static(t("exam.connection_lost"), id="connection-banner", markup=False)
        with Horizontal(id="exam-body"):
            yield Navigator(self.paper)
            yield Vertical(id="question-pane")
        yield Static(t("exam.keys"), id="keymap", markup=False)

    async def on_mount(self) -> None:
        db = self.app.db
        self.saver = AnswerSaver(
            db,
            self.attempt_id,
            self.post_message,
            clock=self.app.service_clock,
            link=self.link,
            journal=AnswerJournal.for_attempt(db.url, self.attempt_id, paper=self.paper.seed),
            **({"heartbeat_seconds": self._heartbeat_seconds} if self._heartbeat_seconds else {}),
        )
        self._adopt_unsent(self.saver.unsent)
        self.saver.current_item = self.current
        self.run_worker(self.saver.run, thread=True, exit_on_error=False, group="saver", name="saver")
        await self._show_question()
        self._update_clock()
        self.set_interval(1.0, self._update_clock)

    def on_unmount(self) -> None:
        self.saver.stop()

    # The key line says what the keys do where the cursor is: typing in a blank or the written answer,
    # the letters and the arrows are text; the page keys and the F keys still work (priority bindings).

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        self._show_keys()

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        self._show_keys()

    def _show_keys(self) -> None:
        focused = self.focused
        if isinstance(focused, TextArea):
            keys = t("exam.keys_writing")
        elif isinstance(focused, Input):
            keys = t("exam.keys_blanks")
        else:
            keys = t("exam.keys")
        self.query_one("#keymap", Static).update(keys)

    def _adopt_unsent(self, jobs: list[SaveJob]) -> None:
        """Answers this machine kept while the database was away and never delivered (the terminal was
        killed meanwhile): newer than what the database handed us, so they are what the candidate sees,
        and the next revision of each item must follow them, or the database would ignore it."""
        for job in jobs:
            if job.revision <= self.revisions.get(job.item, 0):
                continue
            if job.answer is None:
                self.answers.pop(job.item, None)
            else:
                self.answers[job.item] = job.answer
            if job.flagged:
                self.flagged.add(job.item)
            else:
                self.flagged.discard(job.item)
            self.revisions[job.item] = self.kept[job.item] = job.revision

    # ---- answering ------------------------------------------------------------------------------

    @property
    def item(self) -> Any:
        return self.paper.item(self.current)

    async def _show_question(self) -> None:
        pane = self.query_one("#question-pane", Vertical)
        await pane.remove_children()
        item = self.item
        await pane.mount(
            QuestionView(
                self.paper.sections[item.section],
                item,
                self.answers.get(item.number),
                item.number in self.flagged,
            )
        )
        self._show_keys()  # the text that had the cursor went with the last question, without a blur
        self._refresh_status()

    def _record(self, number: int, answer: Any) -> None:
        """Keep the answer here and queue its save with the item's next revision."""
        if self.ended or self.handing_in:
            return
        self.answers[number] = answer
        self.revisions[number] = self.revisions.get(number, 0) + 1
        self.saver.submit(
            SaveJob(number, answer, number in self.flagged, self.revisions[number], self.current)
        )
        self._refresh_status()

    def action_choose(self, letter: str) -> None:
        if self.handing_in:  # handed in, waiting for the connection: the answers are final
            return
        view = self.query_one(QuestionView)
        item = self.item
        if item.type not in ("single", "multiple", "true_false") or letter not in view.letters:
            return
        if item.type == "multiple":
            chosen = set(self.answers.get(item.number) or [])
            chosen ^= {letter}
            answer: Any = sorted(chosen)
        else:
            answer = letter
        view.set_answer(answer)
        self._record(item.number, answer)

    def on_question_view_chosen(self, message: QuestionView.Chosen) -> None:
        self.action_choose(message.letter)

    def on_question_view_text_changed(self, message: QuestionView.TextChanged) -> None:
        if self.handing_in:
            return
        if message.answer == self.answers.get(self.current) or (
            self.current not in self.answers and not is_answered(self.item, message.answer)
        ):
            return
        self._typed = (self.current, message.answer)
        self.answers[self.current] = message.answer
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE, self._flush_typing)
        self._refresh_status(saving=True)

    def _flush_typing(self) -> None:
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
        if self._typed is not None:
            number, answer = self._typed
            self._typed = None
            self._record(number, answer)

    def action_flag(self) -> None:
        if self.handing_in:
            return
        self._flush_typing()
        number = self.current
        self.flagged ^= {number}
        self.query_one(QuestionView).set_flagged(number in self.flagged)
        self._record(number, self.answers.get(number))

    async def go(self, number: int) -> None:
        if not 1 <= number <= len(self.paper.items) or number == self.current:
            return
        self._flush_typing()
        self.current = number
        self.saver.current_item = number
        self.saver.submit(TickJob(number))  # so a resume, even after kill -9, lands here
        await self._show_question()

    async def action_move(self, step: int) -> None:
        await self.go(self.current + step)

    async def on_navigator_jump(self, message: Navigator.Jump) -> None:
        await self.go(message.number)

    def action_go_to(self) -> None:
        def chosen(number: int | None) -> None:
            if number is not None:
                self.run_worker(self.go(number), group="nav")

        self.app.push_screen(GoToDialog(len(self.paper.items)), chosen)

    def action_hand_in(self) -> None:
        if self.handing_in:
            return
        self._flush_typing()
        unanswered = [i.number for i in self.paper.items if not is_answered(i, self.answers.get(i.number))]

        def confirmed(yes: bool | None) -> None:
            if yes and not self.ended and not self.handing_in:
                self.saver.submit(HandInJob("candidate"))
                self.handing_in = True
                self.query_one("#question-pane").disabled = True
                self._refresh_status()

        self.app.push_screen(
            hand_in_dialog(unanswered, sorted(self.flagged), len(self.paper.items)), confirmed
        )

    def request_quit(self) -> None:
        """Ctrl+Q: confirm; the attempt stays resumable and the clock keeps running."""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._flush_typing()
                self.saver.submit(IncidentJob("quit", {"item": self.current}))
                self._exit_when_saved(time.monotonic() + 5)

        self.app.push_screen(quit_dialog(), confirmed)

    def _exit_when_saved(self, give_up_at: float) -> None:
        if self.saver.idle or time.monotonic() > give_up_at:
            self.app.exit()
        else:
            self.set_timer(0.1, lambda: self._exit_when_saved(give_up_at))

    # ---- what the saver reports -----------------------------------------------------------------

    def on_saved(self, message: Saved) -> None:
        self.acknowledged[message.item] = max(self.acknowledged.get(message.item, 0), message.revision)
        self._last_saved, self._retrying = message.saved_at, None
        self._sync(message.saved_at, message.deadline_at)
        self._refresh_status()

    def on_save_retrying(self, message: SaveRetrying) -> None:
        self._retrying = message.detail
        self._refresh_status()

    def on_kept(self, message: Kept) -> None:
        self.kept[message.item] = max(self.kept.get(message.item, 0), message.revision)
        if self.offline:  # online the database's acknowledgement follows at once: no flicker
            self._refresh_status()

    def on_connection_lost(self, _message: ConnectionLost) -> None:
        self.offline = True
        self.query_one("#connection-banner", Static).display = True
        self._refresh_status()

    def on_connection_restored(self, _message: ConnectionRestored) -> None:
        self.offline = False
        self._retrying = None
        self.query_one("#connection-banner", Static).display = False
        self._refresh_status()

    def on_ticked(self, message: Ticked) -> None:
        self._retrying = None
        self._sync(message.server_now, message.deadline_at)
        self._refresh_status()

    def on_terminal_moved(self, _message: TerminalMoved) -> None:
        self.ended = True
        # Nothing more is written from here: an answer still being typed is named with the unsaved ones.
        if self._typing is not None:
            self._typing.stop()
        unsaved = {n for n, r in self.revisions.items() if self.acknowledged.get(n, 0) < r}
        if self._typed is not None:
            unsaved.add(self._typed[0])
        self.app.push_screen(MovedDialog(sorted(unsaved)), lambda _: self.app.exit())

    def on_attempt_ended(self, message: AttemptEnded) -> None:
        from exam_tui.tui.screens.candidate.result import ResultScreen

        self.ended = True
        self.app.switch_screen(ResultScreen(self.admission, message.result))

    # ---- closed-book signals --------------------------------------------------------------------

    def note_focus(self, lost: bool) -> None:
        if not self.ended:
            self.saver.submit(IncidentJob("focus_lost" if lost else "focus_back", {"item": self.current}))

    def on_resize(self, event: events.Resize) -> None:
        size = (event.size.width, event.size.height)
        if self._terminal_size is not None and size != self._terminal_size and not self.ended:
            self.saver.submit(IncidentJob("resize", {"width": size[0], "height": size[1]}))
        self._terminal_size = size

    # ---- header ---------------------------------------------------------------------------------

    def _sync(self, server_now: datetime, deadline_at: datetime) -> None:
        self._synced_server, self._synced_mono = server_now, self.monotonic()
        self.deadline_at = deadline_at  # an extension by the proctor arrives here
        self._update_clock()

    def remaining(self) -> timedelta:
        now = self._synced_server + timedelta(seconds=self.monotonic() - self._synced_mono)
        return self.deadline_at - now

    def _update_clock(self) -> None:
        left = self.remaining()
        seconds = max(0, math.ceil(left.total_seconds()))
        countdown = self.query_one("#countdown", Static)
        countdown.update(
            t("exam.time_left", clock=f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}")
        )
        countdown.set_class(seconds <= WARN_MINUTES * 60, "warning")
        countdown.set_class(seconds <= URGENT_MINUTES * 60, "urgent")
        if seconds == 0 and not self.ended and self.monotonic() - self._time_up_sent > 2:
            # Time is up by our reckoning: ask the database, which hands the attempt in if it agrees.
            self._time_up_sent = self.monotonic()
            self._flush_typing()
            self.saver.submit(TickJob(self.current))

    def _refresh_status(self, *, saving: bool = False) -> None:
        answered = [i.number for i in self.paper.items if is_answered(i, self.answers.get(i.number))]
        self.query_one(Navigator).show(self.current, answered, self.flagged)
        status = self.query_one("#exam-status", Static)
        status.set_class(self._retrying is not None or self.offline, "save-warning")
        if self.handing_in:
            status.update(t("exam.hand_in_waiting") if self.offline else t("exam.handing_in"))
            return
        pending = saving or any(self.acknowledged.get(n, 0) < r for n, r in self.revisions.items())
        if self.offline:
            unkept = saving or any(
                max(self.acknowledged.get(n, 0), self.kept.get(n, 0)) < r for n, r in self.revisions.items()
            )
            save = t("exam.saving") if unkept else t("exam.kept_locally")
        elif self._retrying is not None:
            save = t("exam.save_retrying")
        elif pending:
            save = t("exam.saving")
        elif self._last_saved is not None:
            save = t("exam.saved_at", time=in_zone(self._last_saved, self.app.tz).strftime("%H:%M:%S"))
        else:
            save = ""
        status.update(
            t(
                "exam.status",
                name=self.admission.candidate.name,
                answered=len(answered),
                total=len(self.paper.items),
            )
            + (f"  {save}" if save else "")
        )
