"""ExamApp: the home screen with the three roles, the candidate's kiosk mode, and the one factory."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen

from exam_tui.i18n import t
from exam_tui.services.clock import Clock, MaybeClock, system_clock
from exam_tui.tui.screens.candidate.login import CandidateLoginScreen
from exam_tui.tui.text import local_zone, translate_bindings

if TYPE_CHECKING:
    from exam_tui.services.accounts import SignedIn
    from exam_tui.services.runtime import Database
    from exam_tui.services.terminal import Front


class ExamApp(App[None]):
    """The app holds what every screen needs: the database, the clocks and the exam room's time zone.

    ``db`` is the database or a zero-argument opener: the CLI passes an opener so that the first screen
    is painted before SQLAlchemy is even imported (half a second of a candidate terminal's cold start),
    and the database is opened in a worker after the first frame.

    ``clock`` is for what the screens show (today's sessions); ``service_clock`` is what services time
    attempts with: None in production, meaning the database's clock.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "key.quit"),
        Binding("ctrl+q", "request_quit", "key.quit", priority=True, show=False),
    ]
    CSS_PATH = "app.tcss"
    # A candidate's terminal offers only what the screen shows: no palette of app-wide commands.
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        db: Database | Callable[[], Database],
        *,
        clock: Clock,
        service_clock: MaybeClock,
        tz: tzinfo,
        candidate: bool,
        session_id: int | None,
        proctor: bool = False,
        user: SignedIn | None = None,
        start: str | None = None,
        round_id: int | None = None,
    ) -> None:
        super().__init__()
        self._database: Future[Database] = Future()
        self._opener: Callable[[], Database] | None = None
        self._front: Front | None = None
        if callable(db):
            self._opener = db
        else:
            self._database.set_result(db)
        self.clock = clock
        self.service_clock = service_clock
        self.tz = tz
        # Kiosk mode: only the candidate's screens, no way back to the proctor's or the admin's.
        self.candidate_mode = candidate
        self.session_id = session_id
        # A proctor's station starts on the session list, or on one session's console (session_id).
        self.proctor_mode = proctor
        # Who is signed in at the staff screens (proctor, admin, grader, reviewer): asked for by the
        # staff sign-in before any of them; their login name goes into every record they change.
        self.signed_in: SignedIn | None = user
        # A terminal given one job from the command line: practice, the final's host screen or a team's.
        self.start = start
        self.round_id = round_id
        translate_bindings(self)

    def get_default_screen(self) -> Screen[None]:
        screen = self._first_screen()
        # Textual reads a screen's CSS_PATH when the screen is pushed, not for the default screen: read
        # it here, as a push would, so that a terminal started on any screen is styled.
        unread = [path for path in screen.css_path if not self.stylesheet.has_source(str(path), "")]
        for path in unread:
            self.stylesheet.read(path)
        if unread:
            self.stylesheet.reparse()
        return screen

    def _first_screen(self) -> Screen[None]:
        if self.candidate_mode:
            return CandidateLoginScreen()
        if self.start == "practice":
            from exam_tui.tui.screens.practice.login import PracticeLoginScreen

            return PracticeLoginScreen()
        if self.start == "final_team":
            from exam_tui.tui.screens.final.team import TeamJoinScreen

            return TeamJoinScreen()
        if self.start == "final_host" or self.proctor_mode:
            # A staff station: the sign-in first, unless the app was made signed in (tests).
            goal = "final" if self.start == "final_host" else "proctor"
            screen = self.staff_screen(goal) if self.signed_in is not None else None
            if screen is not None:
                return screen
            from exam_tui.tui.screens.staff_login import StaffLoginScreen

            return StaffLoginScreen(goal)
        # Imported here: a candidate terminal never needs the admin's screens (cold start matters).
        from exam_tui.tui.screens.home import HomeScreen

        return HomeScreen()

    @property
    def operator(self) -> str | None:
        """The signed-in user's login name: the actor of what they do (None: nobody signed in)."""
        return self.signed_in.login if self.signed_in is not None else None

    def staff_screen(self, goal: str) -> Screen[None] | None:
        """The screen of ``goal`` (proctor, admin, final) if the signed-in user's roles reach it, else None."""
        from exam_tui.domain.accounts import Area

        user = self.signed_in
        if user is None:
            return None
        if goal == "proctor" and user.can(Area.PROCTOR):
            from exam_tui.tui.screens.proctor.picker import SessionPickerScreen

            return SessionPickerScreen(open_session=self.session_id if self.proctor_mode else None)
        if goal == "final" and user.can(Area.FINAL) and self.round_id is not None:
            from exam_tui.tui.screens.final.host import FinalHostScreen

            return FinalHostScreen(self.round_id)
        if goal == "admin":
            from exam_tui.tui.screens.admin.menu import AdminMenuScreen, allowed_entries

            if allowed_entries(user):
                return AdminMenuScreen()
        return None

    def open_staff(self, goal: str) -> None:
        """From the home screen: the sign-in first, then ``goal``'s screen if the roles reach it."""
        if self.signed_in is None:
            from exam_tui.tui.screens.staff_login import StaffLoginScreen

            self.push_screen(StaffLoginScreen(goal))
            return
        screen = self.staff_screen(goal)
        if screen is None:
            self.notify(
                t(
                    "staff_login.no_permission",
                    login=self.signed_in.login,
                    area=t(f"staff_login.area.{goal}"),
                ),
                severity="error",
            )
            return
        self.push_screen(screen)

    def sign_out(self) -> None:
        self.signed_in = None

    @property
    def db(self) -> Database:
        """The open database; in a worker, waits for it while it is being opened."""
        return self._database.result()

    @property
    def front(self) -> Front:
        """How the candidate's screens sign in and begin: the services directly, or (a lab machine
        signed in as the candidate-terminal role) through the sign-in desk. Asked for in workers."""
        if self._front is None:
            from exam_tui.services.terminal import front_for

            self._front = front_for(self.db, clock=self.service_clock)
        return self._front

    def on_mount(self) -> None:
        self.title = t("app.title")

    def on_ready(self) -> None:
        # The first frame is on the screen: now open the database, off the UI loop.
        if self._opener is not None:
            self._open_database(self._opener)
            self._opener = None

    @work(thread=True, exit_on_error=False, group="database")
    def _open_database(self, opener: Callable[[], Database]) -> None:
        try:
            self._database.set_result(opener())
        except Exception as exc:  # unreachable server, unsafe location: the opener says which
            self._database.set_exception(exc)
            self.call_from_thread(self.exit, None, 1, str(exc))

    def enter_candidate_mode(self) -> None:
        """From the home screen: this terminal becomes a candidate terminal until it is closed.

        The sign-in screen has no way back, so the screens under it are out of reach.
        """
        self.candidate_mode = True
        self.signed_in = None  # whoever was signed in at the staff screens is no longer at this terminal
        self.push_screen(CandidateLoginScreen())

    def next_candidate(self) -> None:
        """After a result: back to an empty sign-in form for whoever sits down next."""
        while not isinstance(self.screen, CandidateLoginScreen) and len(self.screen_stack) > 1:
            self.pop_screen()

    @property
    def kiosk(self) -> bool:
        """A terminal people walk up to (a candidate's, practice, a team's in the final): no stray exit."""
        return self.candidate_mode or self.start in ("practice", "final_team")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The footer does not offer a q that a kiosk ignores.
        return not (action == "quit" and self.kiosk)

    async def action_quit(self) -> None:
        # A kiosk ignores a stray q; leaving takes Ctrl+Q and a confirmation.
        if not self.kiosk:
            self.exit()

    def action_request_quit(self) -> None:
        from exam_tui.tui.screens.candidate.dialogs import quit_dialog
        from exam_tui.tui.screens.candidate.exam import ExamScreen

        screen = self.screen
        if not self.kiosk:
            self.exit()
        elif isinstance(screen, ExamScreen):
            screen.request_quit()
        elif not isinstance(screen, ModalScreen):
            self.push_screen(quit_dialog(), lambda yes: self.exit() if yes else None)

    def on_app_blur(self, _event: events.AppBlur) -> None:
        note_focus = getattr(self.screen, "note_focus", None)  # the exam screen records it
        if note_focus is not None:
            note_focus(lost=True)

    def on_app_focus(self, _event: events.AppFocus) -> None:
        note_focus = getattr(self.screen, "note_focus", None)
        if note_focus is not None:
            note_focus(lost=False)


def make_app(
    db: Database | Callable[[], Database],
    *,
    clock: Clock | None = None,
    tz: tzinfo | None = None,
    candidate: bool = False,
    proctor: bool = False,
    session_id: int | None = None,
    user: SignedIn | None = None,
    start: str | None = None,
    round_id: int | None = None,
) -> ExamApp:
    """The app on ``db`` (or on what a zero-argument ``db`` opens, once the first frame is up); ``tz`` is the exam room's time zone (None: this machine's zone).

    An injected ``clock`` (tests) also times attempts; without one, attempts use the database clock.
    ``candidate`` starts the candidate's kiosk; ``proctor`` the session picker, or with ``session_id``
    that session's console (after the staff sign-in). ``user`` starts the app signed in (tests; None:
    the staff sign-in asks). ``start`` gives the terminal one job: ``practice`` (练习),
    ``final_host`` (the final's big screen, for ``round_id``) or ``final_team`` (a team's terminal).
    """
    return ExamApp(
        db,
        clock=clock or system_clock,
        service_clock=clock,
        tz=tz if tz is not None else local_zone(),
        candidate=candidate,
        session_id=session_id,
        proctor=proctor,
        user=user,
        start=start,
        round_id=round_id,
    )


__all__ = ["ExamApp", "make_app"]
