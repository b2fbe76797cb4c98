"""ExamApp: the home screen with the three roles, and the one factory that builds the app."""

from __future__ import annotations

from datetime import tzinfo
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from exam_tui.i18n import t
from exam_tui.services.runtime import Clock, Database, system_clock
from exam_tui.tui.screens.home import HomeScreen
from exam_tui.tui.text import local_zone, translate_bindings


class ExamApp(App[None]):
    """The app holds what every screen needs: the database, the clock and the exam room's time zone."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "key.quit")]
    CSS_PATH = "app.tcss"
    # A candidate's terminal offers only what the screen shows: no palette of app-wide commands.
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, db: Database, *, clock: Clock, tz: tzinfo) -> None:
        super().__init__()
        self.db = db
        self.clock = clock
        self.tz = tz
        translate_bindings(self)

    def get_default_screen(self) -> Screen[None]:
        return HomeScreen()

    def on_mount(self) -> None:
        self.title = t("app.title")


def make_app(db: Database, *, clock: Clock = system_clock, tz: tzinfo | None = None) -> ExamApp:
    """The app on ``db``; ``tz`` is the exam room's time zone (None: this machine's zone)."""
    return ExamApp(db, clock=clock, tz=tz if tz is not None else local_zone())


__all__ = ["ExamApp", "make_app"]
