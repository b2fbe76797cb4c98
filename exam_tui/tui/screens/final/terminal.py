"""A team's terminal in the final (决赛), once the team has joined: the question as the host shows it.

TeamScreen polls ``team_state`` every REFRESH_SECONDS in a thread worker, one read at a time, and
updates its widgets in place. A–H choose (a multiple choice toggles), Enter sends the choice once; an
Enter after the time is up on this terminal's count sends nothing. The key reaches this terminal only
once the question is over: the services leave it out until then, and the screen marks it only for a
question that is over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from exam_tui.i18n import t
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.candidate.dialogs import ConfirmDialog
from exam_tui.tui.screens.final.texts import team_prompt, team_result
from exam_tui.tui.screens.final.widgets import (
    LETTERS,
    Countdown,
    QuestionPanel,
    ScoreBoard,
    Timing,
    letters_in,
    names,
    options_of,
    put,
    translate_final_bindings,
)

if TYPE_CHECKING:
    from exam_tui.services.final import Shown, Team, TeamState
    from exam_tui.tui.app import ExamApp


class TeamScreen(Screen[None]):
    """One team's view of the final: the question and its countdown, then the result and the board."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Both cases: Caps Lock or Shift must not make a key dead.
        *(Binding(f"{letter.lower()},{letter}", f"choose('{letter}')", show=False) for letter in LETTERS),
        Binding("enter", "submit", "final_screen.key.submit"),
        Binding("escape", "leave", "final_screen.key.leave"),
        Binding("q", "leave", "final_screen.key.leave", show=False),  # not the app's quit: it asks first
    ]
    CSS_PATH = "final.tcss"
    REFRESH_SECONDS: ClassVar[float] = 0.5
    TICK_SECONDS: ClassVar[float] = 0.2

    class StateLoaded(Message):
        def __init__(self, state: TeamState) -> None:
            super().__init__()
            self.state = state

    class Sent(Message):
        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    class Refused(Message):
        def __init__(self, number: int, key: str, text: str) -> None:
            super().__init__()
            self.number, self.key, self.text = number, key, text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, round_id: int, team: Team) -> None:
        super().__init__(id="final-team")
        self.round_id, self.team = round_id, team
        self.state: TeamState | None = None
        self.number: int | None = None  # the question the choice below is for
        self.choice: Any = None  # "B", or sorted letters for a multiple choice
        self.sent = False
        self.sending = False
        self.timing: Timing | None = None
        self._loading = self._again = False
        # The status line answers a key pressed until the next question (or the end of the final).
        self._pressed = False
        self._phase: tuple[int | None, bool] | None = None
        self._failed = False  # the status line says the last read failed
        translate_final_bindings(self)

    def compose(self) -> ComposeResult:
        with Horizontal(id="team-top"):
            yield Static(self.team.name, id="team-name", markup=False)
            yield Static("", id="team-progress", markup=False)
        yield Static(
            t("final_screen.members", names=names(self.team.members)), id="team-members", markup=False
        )
        with Horizontal(id="team-main"):
            with Vertical(id="team-left"):
                yield Static(t("final_screen.waiting"), id="team-waiting", markup=False)
                yield QuestionPanel(choices=True, id="team-question")
            yield Countdown(id="team-countdown")
        yield Static("", id="team-result", markup=False)
        yield ScoreBoard(id="team-board")
        yield Static("", id="team-status", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.timing = Timing(self.app.service_clock)
        for selector in ("#team-question", "#team-countdown", "#team-result", "#team-board"):
            self.query_one(selector).display = False
        self.request_refresh()
        self.set_interval(self.REFRESH_SECONDS, self.request_refresh)
        self.set_interval(self.TICK_SECONDS, self._tick)

    # ---- reading ---------------------------------------------------------------------------------

    def request_refresh(self) -> None:
        """Read the team's state again; one read at a time, and a request during a read reads once more."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="final-team")
    def _load(self) -> None:
        from exam_tui.services import final
        from exam_tui.services.sessions import SessionError

        try:
            state = final.team_state(self.app.db, self.team.id, clock=self.app.service_clock)
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:  # the database went away: keep the question on the screen, try again
            self.post_message(LoadFailed(t("app.load_failed", detail=first_line(exc))))
        else:
            self.post_message(self.StateLoaded(state))

    def _loaded(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.request_refresh()

    def on_load_failed(self, message: LoadFailed) -> None:
        self._say(message.detail, error=True)
        self._failed = True
        self._loaded()

    def on_team_screen_state_loaded(self, message: StateLoaded) -> None:
        state = self.state = message.state
        shown = state.current
        phase = (shown.number if shown else None, state.finished)
        if phase != self._phase:
            self.refresh_bindings()  # Enter is offered only while there is a question
        if phase != self._phase or self._failed:  # a new question, or the database is back
            self._phase, self._pressed, self._failed = phase, False, False
        if shown is not None and shown.number != self.number:
            self.number, self.choice, self.sent = shown.number, None, False
        if shown is not None and state.my_answer is not None:
            self.choice, self.sent = state.my_answer, True
        assert self.timing is not None
        self.timing.seen(shown)
        self._show()
        self._tick()
        self._loaded()

    # ---- showing ---------------------------------------------------------------------------------

    def _show(self) -> None:
        state = self.state
        if state is None:
            return
        shown, finished = state.current, state.finished
        over = shown is not None and shown.over
        put(
            self.query_one("#team-name", Static),
            Text(t("final_screen.team_heading", team=state.team.name, title=state.title), style="bold"),
        )
        put(
            self.query_one("#team-progress", Static),
            t("final_screen.progress", n=shown.number, total=shown.total) if shown else "",
        )
        self.query_one("#team-main").display = not finished
        waiting = self.query_one("#team-waiting", Static)
        waiting.display = shown is None and not finished
        question = self.query_one(QuestionPanel)
        question.display = self.query_one(Countdown).display = shown is not None and not finished
        if shown is not None:
            question.show(shown, chosen=self.choice, reveal=over)
        result = self.query_one("#team-result", Static)
        result.display = finished or over
        put(result, team_result(state))
        board = self.query_one(ScoreBoard)
        board.display = (finished or over or shown is None) and bool(state.rows)
        board.show(state.rows, mine=state.team.name, champion=finished)
        self._say_state()

    def _say_state(self) -> None:
        """The status line says what to do now, unless it carries the answer to a key just pressed."""
        state = self.state
        if state is None or self._pressed:
            return
        put(self.query_one("#team-status", Static), Text(team_prompt(state, sent=self.sent), style="bold"))

    def _say(self, text: str, *, error: bool = False) -> None:
        """A reply to a key (or an error); the next change of state puts the plain status back."""
        self._pressed = bool(text)
        if text:
            put(self.query_one("#team-status", Static), Text(text, style="bold red" if error else "bold"))
        else:
            self._say_state()

    def _tick(self) -> None:
        state, timing = self.state, self.timing
        if state is None or timing is None or state.current is None or state.finished:
            return
        shown = state.current
        left = timing.left() or 0.0
        self.query_one(Countdown).show(left, over=shown.over)
        if not shown.over and left <= 0 and not self._loading:
            self.request_refresh()

    # ---- keys --------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter sends an answer: offered while a question is up (after its time, Enter says it is too
        late), not while the team waits for the first question nor once the final is over."""
        if action == "submit":
            state = self.state
            return state is not None and not state.finished and state.current is not None
        return True

    def _question_running(self) -> Shown | None:
        """The question this team may still answer, on this terminal's last read and clock."""
        state = self.state
        if state is None or state.finished or state.current is None or state.current.over:
            return None
        assert self.timing is not None
        return state.current if (self.timing.left() or 0) > 0 else None

    def action_choose(self, letter: str) -> None:
        shown = self._question_running()
        if shown is None or self.sending:
            return
        if self.sent:
            self._say(t("final_screen.already"), error=True)
            return
        if letter not in [shown_letter for shown_letter, _ in options_of(shown.item)]:
            return
        if shown.item.type == "multiple":
            chosen = set(letters_in(self.choice)) ^ {letter}
            self.choice = sorted(chosen) or None
        else:
            self.choice = letter
        self.query_one(QuestionPanel).show(shown, chosen=self.choice)
        self._say("")

    def action_submit(self) -> None:
        state = self.state
        if state is None or state.finished or state.current is None:
            return
        if self.sending:
            self._say(t("final_screen.sending"))
        elif self.sent:
            self._say(t("final_screen.already"), error=True)
        elif (shown := self._question_running()) is None:
            self._say(t("final_screen.too_late"), error=True)
        elif not letters_in(self.choice):
            self._say(t("final_screen.choose_first"), error=True)
        else:
            self.sending = True
            self._say(t("final_screen.sending"))
            self._send(shown.number, self.choice)

    @work(thread=True, exit_on_error=False, group="final-answer")
    def _send(self, number: int, given: Any) -> None:
        from exam_tui.services import final
        from exam_tui.services.sessions import SessionError

        try:
            final.answer(self.app.db, self.team.id, number, given, clock=self.app.service_clock)
        except SessionError as exc:
            self.post_message(self.Refused(number, exc.key, exc.message()))
        except Exception as exc:  # not sent: the team may press Enter again while there is time
            self.post_message(self.Refused(number, "", t("final_screen.not_sent", detail=first_line(exc))))
        else:
            self.post_message(self.Sent(number))

    def on_team_screen_sent(self, message: Sent) -> None:
        self.sending = False
        if message.number == self.number:
            self.sent = True
        self._say("")
        self.request_refresh()

    def on_team_screen_refused(self, message: Refused) -> None:
        self.sending = False
        if message.key == "final.already_answered" and message.number == self.number:
            self.sent = True
        self._say(message.text, error=True)
        self.request_refresh()

    def action_leave(self) -> None:
        dialog = ConfirmDialog(
            t("final_screen.leave_title"),
            t("final_screen.leave_team_body"),
            t("final_screen.leave_confirm"),
            t("final_screen.back"),
            dialog_id="final-leave",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                if len(self.app.screen_stack) > 1:
                    self.app.pop_screen()
                else:
                    self.app.exit()

        self.app.push_screen(dialog, answered)


def first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
