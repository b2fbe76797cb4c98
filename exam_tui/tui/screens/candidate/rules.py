"""Identity and exam-room rules; waits, live, until the proctor starts the session, then Enter begins."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from exam_tui.config import terminal_name
from exam_tui.domain.sittings import SessionState
from exam_tui.i18n import t
from exam_tui.services.admission import Admission
from exam_tui.services.attempts import AttemptState
from exam_tui.services.sessions import SessionError
from exam_tui.services.terminal import DeskUnavailable, Link
from exam_tui.tui.text import room_name, translate_bindings

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

POLL_SECONDS = 2.0


class RulesScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "begin", "key.begin"),
        Binding("escape", "app.pop_screen", "key.back"),
    ]

    class StateRead(Message):
        def __init__(self, state: str) -> None:
            super().__init__()
            self.state = state

    class Began(Message):
        def __init__(self, state: AttemptState, link: Link) -> None:
            super().__init__()
            self.state, self.link = state, link

    class Failed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, admission: Admission) -> None:
        super().__init__()
        self.admission = admission
        self.session_state = admission.session.state
        self._beginning = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        a = self.admission
        exam = a.exam
        yield Static(a.session.title, classes="screen-title", markup=False)
        with VerticalScroll(id="rules-body"):
            yield Static(
                t("rules.identity", name=a.candidate.name, unit=a.candidate.unit, id=a.candidate.masked_id),
                id="identity",
                markup=False,
            )
            yield Static(
                t(
                    "rules.exam",
                    title=exam.title,
                    minutes=exam.duration_minutes,
                    questions=exam.questions,
                    points=exam.total_points,
                    pass_score=exam.pass_score,
                    room=room_name(a.session.room),
                ),
                id="exam-facts",
                markup=False,
            )
            yield Static(t("rules.title"), classes="section-title")
            yield Static(t("rules.text"), id="rules-text", markup=False)
            yield Static(t("rules.keys_title"), classes="section-title")
            yield Static(t("rules.keys"), id="rules-keys", markup=False)
        yield Static("", id="wait-status", markup=False)

    def on_mount(self) -> None:
        self._show_status()
        self.set_interval(POLL_SECONDS, self.poll_state)

    def _show_status(self, error: str | None = None) -> None:
        status = self.query_one("#wait-status", Static)
        if error is not None:
            status.update(error)
            status.set_classes("error")
            return
        ready = self.admission.resuming or self.session_state == SessionState.STARTED
        status.set_classes("ready" if ready else "waiting")
        if self.admission.resuming:
            status.update(t("rules.resume"))
        elif ready:
            status.update(t("rules.ready"))
        else:
            status.update(t("rules.waiting"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def poll_state(self) -> None:
        try:
            state = self.app.front.session_state(self.admission.session.id)
        except Exception:
            return  # a missed poll is retried in two seconds; the screen stays as it is
        self.post_message(self.StateRead(state))

    def on_rules_screen_state_read(self, message: StateRead) -> None:
        if message.state != self.session_state:
            self.session_state = message.state
            self._show_status()

    def action_begin(self) -> None:
        if self._beginning:
            return
        if not (self.admission.resuming or self.session_state == SessionState.STARTED):
            self.app.bell()
            return
        self._beginning = True
        self.query_one("#wait-status", Static).update(t("rules.beginning"))
        self.start_attempt()

    @work(thread=True, exclusive=True, exit_on_error=False, group="begin")
    def start_attempt(self) -> None:
        try:
            state, link = self.app.front.begin(self.admission, hostname=terminal_name())
        except SessionError as exc:
            self.post_message(self.Failed(exc.message()))
        except DeskUnavailable:
            self.post_message(self.Failed(t("desk.unavailable")))
        except Exception as exc:
            self.post_message(self.Failed(t("app.load_failed", detail=str(exc).splitlines()[0])))
        else:
            self.post_message(self.Began(state, link))

    def on_rules_screen_failed(self, message: Failed) -> None:
        self._beginning = False
        self._show_status(message.text)

    def on_rules_screen_began(self, message: Began) -> None:
        from exam_tui.tui.screens.candidate.exam import ExamScreen

        self.app.switch_screen(ExamScreen(self.admission, message.state, link=message.link))
