"""A team's terminal in the final (决赛): TeamJoinScreen asks for the team's code, then TeamScreen
(screens/final/terminal.py) shows the questions as the host shows them.

The code is the 4 characters the host reads out, in either case; a code that is no team's, or a final
that is over, says so and the form stays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from exam_tui.i18n import t
from exam_tui.tui.screens.final.terminal import TeamScreen, first_line
from exam_tui.tui.screens.final.widgets import put, translate_final_bindings

if TYPE_CHECKING:
    from exam_tui.services.final import Team
    from exam_tui.tui.app import ExamApp

CODE_LENGTH = 4  # exam_tui.services.final.CODE_LENGTH, not imported: the form is up before the services


class TeamJoinScreen(Screen[None]):
    """The team's code (either case); a code that is no team's, or of a final that is over, says so."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "key.quit")]
    CSS_PATH = "final.tcss"

    class Joined(Message):
        def __init__(self, round_id: int, team: Team) -> None:
            super().__init__()
            self.round_id, self.team = round_id, team

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__(id="final-join")
        translate_final_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("final_screen.join_title"), id="join-title")
        with Center(), Vertical(id="join-form"):
            yield Label(t("final_screen.code_label"))
            yield Input(placeholder=t("final_screen.code_hint"), max_length=CODE_LENGTH, id="team-code")
            yield Button(t("final_screen.join"), id="join", variant="primary")
            yield Static("", id="join-error", classes="error", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#team-code", Input).focus()

    def on_screen_resume(self) -> None:
        self.query_one("#team-code", Input).focus()

    @on(Input.Changed, "#team-code")
    def _upper(self, event: Input.Changed) -> None:
        upper = event.value.upper()
        if upper != event.value:
            event.input.value = upper

    @on(Input.Submitted, "#team-code")
    @on(Button.Pressed, "#join")
    def submit(self) -> None:
        code = self.query_one("#team-code", Input).value.strip()
        if len(code) != CODE_LENGTH:
            self._refuse(t("final_screen.code_length", n=CODE_LENGTH))
            return
        self.query_one("#join", Button).disabled = True
        self._join(code)

    @work(thread=True, exclusive=True, exit_on_error=False, group="final-join")
    def _join(self, code: str) -> None:
        from exam_tui.services import final
        from exam_tui.services.sessions import SessionError

        try:
            round_id, team = final.join(self.app.db, code, clock=self.app.service_clock)
        except SessionError as exc:
            self.post_message(self.Refused(exc.message()))
        except Exception as exc:  # the database is unreachable: say so, keep the form
            self.post_message(self.Refused(t("app.load_failed", detail=first_line(exc))))
        else:
            self.post_message(self.Joined(round_id, team))

    def _refuse(self, text: str) -> None:
        put(self.query_one("#join-error", Static), text)

    def on_team_join_screen_refused(self, message: Refused) -> None:
        self.query_one("#join", Button).disabled = False
        self._refuse(message.text)

    def on_team_join_screen_joined(self, message: Joined) -> None:
        self.query_one("#join", Button).disabled = False
        self._refuse("")
        self.query_one("#team-code", Input).value = ""
        self.app.push_screen(TeamScreen(message.round_id, message.team))

    def action_leave(self) -> None:
        self.app.exit()


__all__ = ["TeamJoinScreen", "TeamScreen"]
