"""The host's big screen of the final (决赛): one question to all teams, the countdown, the scoreboard.

A thread worker reads the board (``final.board``) every REFRESH_SECONDS, one read at a time; the screen
updates its widgets in place. Once a question is over the worker also reads, once, which teams got it
right. The host's keys (next question, end it early, finish) run the services in workers too and the
outcome shows on the message line.
"""

from __future__ import annotations

from collections.abc import Callable
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
from exam_tui.tui.screens.final.texts import Results, host_hint, host_result
from exam_tui.tui.screens.final.widgets import (
    Countdown,
    QuestionPanel,
    ScoreBoard,
    TeamList,
    Timing,
    put,
    translate_final_bindings,
)

if TYPE_CHECKING:
    from exam_tui.services.final import Board
    from exam_tui.services.runtime import Database
    from exam_tui.tui.app import ExamApp

ACTOR = "host"  # until accounts arrive: the operator's name when one was given


class FinalHostScreen(Screen[None]):
    """The final as the room sees it on the big screen; the host drives it with a few keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,space", "next", "final_screen.key.next"),
        Binding("s", "close", "final_screen.key.close"),
        Binding("f", "finish", "final_screen.key.finish"),
        Binding("escape,q", "leave", "final_screen.key.leave"),
    ]
    CSS_PATH = "final.tcss"
    REFRESH_SECONDS: ClassVar[float] = 0.5
    TICK_SECONDS: ClassVar[float] = 0.2
    MESSAGE_SECONDS: ClassVar[float] = 6.0

    class BoardLoaded(Message):
        """The board, and for a question just over which teams were right (name → True/False/None)."""

        def __init__(self, board: Board, results: dict[str, bool | None] | None) -> None:
            super().__init__()
            self.board, self.results = board, results

    class ActionDone(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class ActionFailed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, round_id: int) -> None:
        super().__init__(id="final-host")
        self.round_id = round_id
        self.board: Board | None = None
        # Who was right, for (question number, teams answered): read again should an answer sent in the
        # last instant (the services' grace) arrive after the question was already over.
        self.results: Results | None = None
        self.timing: Timing | None = None
        self._loading = self._again = False
        self._busy = False  # a show / close / finish is on its way
        self._failed = False  # the message line says the last read failed
        self._said = 0  # messages said so far: a message fades only if no newer one replaced it
        self._finished = False  # the final is over (the footer then offers only leaving)
        translate_final_bindings(self)

    def compose(self) -> ComposeResult:
        with Horizontal(id="final-top"):
            yield Static(t("final_screen.loading"), id="final-title", markup=False)
            yield Static("", id="final-progress", markup=False)
        with Horizontal(id="final-main"):
            with Vertical(id="final-left"):
                yield TeamList(id="final-teams")
                yield QuestionPanel(choices=False, id="final-question")
            with Vertical(id="final-side"):
                yield Countdown(id="final-countdown")
                yield Static("", id="final-answered", markup=False)
        yield Static("", id="final-result", markup=False)
        yield ScoreBoard(id="final-board")
        yield Static("", id="final-hint", markup=False)
        yield Static("", id="final-message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.timing = Timing(self.app.service_clock)
        for selector in ("#final-teams", "#final-question", "#final-side", "#final-result", "#final-board"):
            self.query_one(selector).display = False
        self.request_refresh()
        self.set_interval(self.REFRESH_SECONDS, self.request_refresh)
        self.set_interval(self.TICK_SECONDS, self._tick)

    # ---- reading ---------------------------------------------------------------------------------

    def request_refresh(self) -> None:
        """Read the board again; one read at a time, and a request during a read reads once more."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        known = self.results[0] if self.results else None
        self._load(known)

    @work(thread=True, exclusive=True, exit_on_error=False, group="final-board")
    def _load(self, known: tuple[int, int] | None) -> None:
        from exam_tui.services import final
        from exam_tui.services.sessions import SessionError

        db, clock = self.app.db, self.app.service_clock
        try:
            board = final.board(db, self.round_id, clock=clock)
            results = None
            shown = board.current
            if shown is not None and shown.over and (shown.number, shown.answered) != known:
                results = {}
                for team in board.teams:
                    state = final.team_state(db, team.id, clock=clock)
                    results[team.name] = None if state.my_answer is None else bool(state.correct)
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:  # the database went away: say so, keep the last board, try again
            self.post_message(LoadFailed(t("app.load_failed", detail=_first_line(exc))))
        else:
            self.post_message(self.BoardLoaded(board, results))

    def _loaded(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.request_refresh()

    def on_load_failed(self, message: LoadFailed) -> None:
        self._say(message.detail, error=True, fade=False)  # until the database answers again
        self._failed = True
        self._loaded()

    def on_final_host_screen_board_loaded(self, message: BoardLoaded) -> None:
        board = self.board = message.board
        shown = board.current
        if self._failed:  # the database is back
            self._failed = False
            self._say("")
        if message.results is not None and shown is not None:
            self.results = ((shown.number, shown.answered), message.results)
        assert self.timing is not None
        self.timing.seen(shown)
        self._show(board)
        self._tick()
        self._loaded()

    # ---- showing ---------------------------------------------------------------------------------

    def _show(self, board: Board) -> None:
        shown, finished = board.current, board.state != "open"
        put(
            self.query_one("#final-title", Static),
            Text(t("final_screen.title", title=board.title), style="bold"),
        )
        progress = (
            t("final_screen.progress", n=board.asked, total=board.total)
            if board.asked
            else t("final_screen.progress_none", total=board.total)
        )
        put(self.query_one("#final-progress", Static), progress)
        self.query_one("#final-main").display = not finished
        teams = self.query_one(TeamList)
        teams.display = shown is None and not finished
        if shown is None:
            teams.show(board.teams, board.joined)
        question = self.query_one(QuestionPanel)
        question.display = self.query_one("#final-side").display = shown is not None and not finished
        over = finished or (shown is not None and shown.over)
        if shown is not None:
            question.show(shown, reveal=shown.over)
            put(
                self.query_one("#final-answered", Static),
                t("final_screen.answered", n=shown.answered, teams=len(board.teams)),
            )
        result = self.query_one("#final-result", Static)
        result.display = over and (shown is not None or finished)
        put(result, host_result(board, self.results))
        scores = self.query_one(ScoreBoard)
        scores.display = over and bool(board.rows)
        scores.show(board.rows, champion=finished)
        put(self.query_one("#final-hint", Static), Text(host_hint(board), style="bold"))
        if finished != self._finished:  # the footer offers only what still works: leaving
            self._finished = finished
            self.refresh_bindings()

    def _tick(self) -> None:
        if self.timing is None or self.board is None or self.board.current is None:
            return
        shown = self.board.current
        left = self.timing.left() or 0.0
        self.query_one(Countdown).show(left, over=shown.over)
        if not shown.over and left <= 0 and not self._loading:
            self.request_refresh()  # time is up on this clock: the database says when it is over

    def _say(self, text: str, *, error: bool = False, fade: bool = True) -> None:
        """The message line answers the host's last key; it clears itself after MESSAGE_SECONDS."""
        put(self.query_one("#final-message", Static), Text(text, style="bold red" if error else "green"))
        self._said += 1
        if text and fade:
            said = self._said
            self.set_timer(self.MESSAGE_SECONDS, lambda: self._fade(said))

    def _fade(self, said: int) -> None:
        if said == self._said:  # nothing newer was said since
            self._say("")

    # ---- keys --------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Once the final is over, no question can be shown, ended or the final finished again: those
        keys leave the footer (until then they stay, and a key pressed too early says why)."""
        if action in ("next", "close", "finish"):
            return not self._finished
        return True

    def _question_running(self) -> int | None:
        """The number of the question still being answered, on this screen's last read and clock."""
        board = self.board
        if board is None or board.current is None or board.current.over or self.timing is None:
            return None
        return board.current.number if (self.timing.left() or 0) > 0 else None

    def action_next(self) -> None:
        board = self.board
        if board is None or self._busy:
            return
        if board.state != "open":
            self._say(t("final.finished"), error=True)
        elif (running := self._question_running()) is not None:
            self._say(t("final_screen.still_running", n=running), error=True)
        elif board.asked >= board.total:
            self._say(t("final_screen.press_finish"), error=True)
        else:
            self._act(lambda db: _show_next(db, self.round_id, self._as_host()))

    def action_close(self) -> None:
        board = self.board
        if board is None or self._busy:
            return
        if board.current is None or board.current.over:
            self._say(t("final_screen.nothing_running"), error=True)
            return
        self._act(lambda db: _close(db, self.round_id, self._as_host()))

    def action_finish(self) -> None:
        board = self.board
        if board is None or self._busy:
            return
        if board.state != "open":
            self._say(t("final.finished"), error=True)
            return
        if (running := self._question_running()) is not None:
            self._say(t("final_screen.finish_running", n=running), error=True)
            return
        left = board.total - board.asked
        body = t("final_screen.finish_body")
        if left:
            body = t("final_screen.finish_left", n=left) + "\n" + body
        dialog = ConfirmDialog(
            t("final_screen.finish_title"),
            body,
            t("final_screen.finish_confirm"),
            t("final_screen.back"),
            dialog_id="final-finish",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(lambda db: _finish(db, self.round_id, self._as_host()))

        self.app.push_screen(dialog, answered)

    def action_leave(self) -> None:
        dialog = ConfirmDialog(
            t("final_screen.leave_title"),
            t("final_screen.leave_body"),
            t("final_screen.leave_confirm"),
            t("final_screen.back"),
            dialog_id="final-leave",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                if len(self.app.screen_stack) > 1 and self.app.screen is self:
                    self.app.pop_screen()
                else:
                    self.app.exit()

        self.app.push_screen(dialog, answered)

    def _as_host(self) -> dict[str, Any]:
        return {"actor": self.app.operator or ACTOR, "clock": self.app.service_clock}

    def _act(self, call: Callable[[Database], str]) -> None:
        self._busy = True  # one host action at a time: a double press shows one question
        self._run(call)

    @work(thread=True, exit_on_error=False, group="final-action")
    def _run(self, call: Callable[[Database], str]) -> None:
        from exam_tui.services.sessions import SessionError

        try:
            text = call(self.app.db)
        except SessionError as exc:
            self.post_message(self.ActionFailed(exc.message()))
        except Exception as exc:
            self.post_message(self.ActionFailed(t("final_screen.failed", detail=_first_line(exc))))
        else:
            self.post_message(self.ActionDone(text))

    def on_final_host_screen_action_done(self, message: ActionDone) -> None:
        self._busy = False
        self._say(message.text)
        self.request_refresh()

    def on_final_host_screen_action_failed(self, message: ActionFailed) -> None:
        self._busy = False
        self._say(message.text, error=True)
        self.request_refresh()


def _show_next(db: Database, round_id: int, host: dict[str, Any]) -> str:
    from exam_tui.services import final

    shown = final.show_next(db, round_id, **host)
    return t("final_screen.shown", n=shown.number, seconds=round(shown.seconds_left))


def _close(db: Database, round_id: int, host: dict[str, Any]) -> str:
    from exam_tui.services import final

    shown = final.close_question(db, round_id, **host)
    return t("final_screen.closed", n=shown.number)


def _finish(db: Database, round_id: int, host: dict[str, Any]) -> str:
    from exam_tui.services import final

    final.finish(db, round_id, **host)
    return t("final_screen.finished")


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
