"""The proctor's console for one session: the access code, the exam clock and every candidate, live.

A thread worker reads the session (``console_view``) every REFRESH_SECONDS. When the same candidates
show in the same order the table is updated cell by cell, so the cursor and the scroll stay where the
proctor left them; it is rebuilt only when the rows shown change (roster, filter, order), and then the
cursor follows its candidate. Each intervention is confirmed in a dialog (with a reason where it changes
a result), runs in a thread worker and reports in the status line.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from exam_tui.domain.idnumber import mask
from exam_tui.i18n import t
from exam_tui.services import desk, proctoring, session_control
from exam_tui.services.sessions import SessionError
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.proctor import dialogs
from exam_tui.tui.screens.proctor.exports import export_workbook
from exam_tui.tui.screens.proctor.rows import (
    ALERT,
    FILTERS,
    NOT_BEGUN,
    SORTS,
    Row,
    clock,
    column_widths,
    counts,
    ordered,
    rows_of,
    visible,
)
from exam_tui.tui.screens.proctor.widgets import RosterTable, SessionHeader
from exam_tui.tui.text import translate_bindings

if TYPE_CHECKING:
    from exam_tui.services.proctoring import ConsoleView
    from exam_tui.services.runtime import Database
    from exam_tui.services.session_control import CandidateRecord
    from exam_tui.tui.app import ExamApp

# Accounts come later (issue 9): the name given in the admin area, else "proctor".
ACTOR = "proctor"
# Which candidate states each per-candidate action applies to (the services refuse the others anyway).
APPLIES = {
    "extend": {"in_progress"},
    "terminate": {"in_progress"},
    "reopen": {"handed_in"},
    "absent": set(NOT_BEGUN),
    "move": {"not_signed_in", "waiting", "in_progress"},
}


class ConsoleScreen(Screen[None]):
    """One session, refreshed in place; keys act on the session or on the highlighted candidate."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        Binding("s", "start", "key.start"),
        Binding("e", "extend", "key.extend"),
        Binding("E", "extend_all", "key.extend_all"),
        Binding("x", "terminate", "key.terminate"),
        Binding("r", "reopen", "key.reopen"),
        Binding("a", "absent", "key.absent"),
        Binding("m", "move", "key.move"),
        Binding("c", "close", "key.close"),
        Binding("v", "summary", "key.summary"),
        Binding("o", "sort", "key.sort"),
        Binding("f", "filter", "key.filter"),
        Binding("u", "unit", "key.unit"),
        Binding("p", "export", "key.export"),
        # While the session runs the footer is full at 80 columns: the same key then works unlisted.
        Binding("p", "export('unlisted')", "key.export", show=False),
    ]
    # Tests shorten it; the terminals' heartbeat is 5 s, so 2 s shows a silence within one beat.
    REFRESH_SECONDS: ClassVar[float] = 2.0
    # Between two reads the clock runs on this machine's monotonic time (tests stop it).
    monotonic = staticmethod(time.monotonic)

    class ViewLoaded(Message):
        def __init__(self, view: ConsoleView) -> None:
            super().__init__()
            self.view = view

    class ActionDone(Message):
        def __init__(self, text: str, kind: str) -> None:
            super().__init__()
            self.text, self.kind = text, kind

    class ActionFailed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.view: ConsoleView | None = None
        self.rows: dict[str, Row] = {}
        self.sort, self.state_filter, self.unit = SORTS[0], FILTERS[0], None
        self._seen_at = 0.0
        self._loading = self._again = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield SessionHeader(id="console-top")
        with Horizontal(id="console-bar"):
            yield Static("", id="console-view", markup=False)
            yield Static("", id="console-message", markup=False)
        yield RosterTable(id="console-table")
        yield Static(t("console.loading"), id="console-empty", classes="empty", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(RosterTable).focus()
        self.request_refresh()
        self.set_interval(self.REFRESH_SECONDS, self.request_refresh)
        self.set_interval(1.0, self._tick)
        self._desk_stop = threading.Event()
        if self.app.db.backend == "postgresql":
            # While a console is open, lab machines signed in as the candidate-terminal role are
            # served from here (sign-in, begin, hand-in, result): no separate `exam-tui desk` needed.
            # A thread of the screen's own rather than a worker: it runs as long as the console is
            # open, and only posts messages.
            threading.Thread(target=self._serve_desk, name="desk", daemon=True).start()

    def _serve_desk(self) -> None:
        desk.run(
            self.app.db,
            self._desk_stop,
            on_served=lambda _n: self.post_message(self.DeskServed()),
            clock=self.app.service_clock,
        )

    class DeskServed(Message):
        """The desk served a lab terminal (a sign-in, a start, a hand-in): the roster has changed."""

    def on_console_screen_desk_served(self, _message: DeskServed) -> None:
        self.request_refresh()

    def on_unmount(self) -> None:
        self._desk_stop.set()

    def on_screen_resume(self) -> None:
        self.request_refresh()

    # ---- reading ---------------------------------------------------------------------------------

    def request_refresh(self) -> None:
        """Read the session again; one read at a time, and a request during a read reads once more."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="console")
    def _load(self) -> None:
        try:
            view = proctoring.console_view(
                self.app.db, self.session_id, clock=self.app.service_clock, by=self.app.signed_in
            )
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:  # the database went away: say so, keep the last table, try again
            self.post_message(LoadFailed(t("app.load_failed", detail=_first_line(exc))))
        else:
            self.post_message(self.ViewLoaded(view))

    def _loaded(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.request_refresh()

    def on_load_failed(self, message: LoadFailed) -> None:
        self._say(message.detail, error=True)
        if self.view is None:
            self.query_one("#console-empty", Static).update(message.detail)
        self._loaded()

    def on_console_screen_view_loaded(self, message: ViewLoaded) -> None:
        view = self.view = message.view
        self._seen_at = self.monotonic()
        self.rows = {r.key: r for r in rows_of(view)}
        if self.unit not in self._units():
            self.unit = None
        self.query_one(SessionHeader).show(view, list(self.rows.values()))
        self._tick()
        self._show_table()
        self.refresh_bindings()
        self._loaded()

    def _now(self) -> datetime:
        assert self.view is not None
        return self.view.now + timedelta(seconds=self.monotonic() - self._seen_at)

    def _tick(self) -> None:
        if self.view is not None:
            self.query_one(SessionHeader).tick(self.view, self._now(), self.app.tz)

    # ---- the table -------------------------------------------------------------------------------

    def _show_table(self) -> None:
        everyone = list(self.rows.values())
        shown = ordered(visible(everyone, state_filter=self.state_filter, unit=self.unit), self.sort)
        # Widths from everyone, not just the rows shown: filtering never reshapes the columns.
        self.query_one(RosterTable).show(shown, column_widths(self.size.width, everyone))
        empty = self.query_one("#console-empty", Static)
        empty.update(t("console.none"))
        empty.display = not shown
        self._show_bar(len(shown))

    def _show_bar(self, shown: int) -> None:
        self.query_one("#console-view", Static).update(
            t(
                "console.view",
                sort=t(f"console.sort.{self.sort}"),
                filter=t(f"console.filter.{self.state_filter}"),
                unit=self.unit or t("console.unit.all"),
                shown=shown,
                total=len(self.rows),
            )
        )

    def _say(self, text: str, *, error: bool = False) -> None:
        self.query_one("#console-message", Static).update(Text(text, style=ALERT if error else "green"))

    def highlighted_key(self) -> str | None:
        return self.query_one(RosterTable).highlighted_key()

    def _record(self) -> CandidateRecord | None:
        row = self.rows.get(self.highlighted_key() or "")
        return row.record if row is not None else None

    def _units(self) -> list[str]:
        return sorted({r.record.unit for r in self.rows.values()})

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()  # the candidate actions shown depend on the highlighted candidate

    def on_resize(self) -> None:
        if self.view is not None:
            self._show_table()

    # ---- keys --------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only what applies now is offered (and shown in the footer)."""
        if action in ("back", "sort", "filter", "unit"):
            return True
        if self.view is None:
            return False
        state = self.view.detail.session.state
        if action == "export":  # the listed binding once closed, the unlisted one before (see BINDINGS)
            return (state == "closed") == (parameters == ())
        if action == "start":
            return state in ("scheduled", "open")
        if action == "summary":
            return state == "closed"
        if state == "closed":
            return False
        if action in APPLIES:
            record = self._record()
            return record is not None and record.state in APPLIES[action]
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show_table()

    def action_filter(self) -> None:
        self.state_filter = FILTERS[(FILTERS.index(self.state_filter) + 1) % len(FILTERS)]
        self._show_table()

    def action_unit(self) -> None:
        choices: list[str | None] = [None, *self._units()]
        self.unit = choices[(choices.index(self.unit) + 1) % len(choices)]
        self._show_table()

    def action_summary(self) -> None:
        from exam_tui.tui.screens.proctor.summary import SummaryScreen

        self.app.push_screen(SummaryScreen(self.session_id))

    def action_export(self, _unlisted: str = "") -> None:
        now, tz = self.app.clock(), self.app.tz
        self._run(lambda db: export_workbook(db, self.session_id, now, tz), str, "export")

    def action_start(self) -> None:
        tally = self._tally()
        self._ask(
            dialogs.start_dialog(tally["waiting"], tally["not_signed_in"]),
            lambda db, _: session_control.start_session(db, self.session_id, **self._as_proctor()),
            lambda _, __: t("console.done.start"),
        )

    def action_close(self) -> None:
        assert self.view is not None
        tally = self._tally()
        code = self.view.detail.session.access_code
        self._ask(
            dialogs.close_dialog(code, tally["in_progress"], tally["waiting"] + tally["not_signed_in"]),
            lambda db, _: session_control.close_session(db, self.session_id, **self._as_proctor()),
            lambda _, __: t("console.done.close"),
            kind="close",
        )

    def action_extend_all(self) -> None:
        self._ask(
            dialogs.extend_all_dialog(self._tally()["in_progress"]),
            lambda db, v: session_control.extend_time(
                db, self.session_id, minutes=int(v["minutes"]), **self._as_proctor()
            ),
            lambda v, count: t("console.done.extend_all", minutes=int(v["minutes"]), count=count),
        )

    def action_extend(self) -> None:
        row = self.rows.get(self.highlighted_key() or "")
        if row is None:
            return
        record = row.record
        self._ask(
            dialogs.extend_dialog(self._who(record), clock(row.time_left) if row.time_left else ""),
            lambda db, v: session_control.extend_time(
                db,
                self.session_id,
                minutes=int(v["minutes"]),
                id_number=record.id_number,
                **self._as_proctor(),
            ),
            lambda v, _: t("console.done.extend", name=record.name, minutes=int(v["minutes"])),
        )

    def action_terminate(self) -> None:
        self._with_reason("terminate", proctoring.terminate_attempt)

    def action_reopen(self) -> None:
        self._with_reason("reopen", proctoring.reopen_attempt)

    def action_absent(self) -> None:
        self._with_reason("absent", proctoring.mark_absent)

    def _with_reason(self, kind: str, service: Callable[..., None]) -> None:
        record = self._record()
        if record is not None:
            self._ask(
                dialogs.reason_dialog(kind, self._who(record)),
                lambda db, v: service(
                    db, self.session_id, record.id_number, reason=v["reason"], **self._as_proctor()
                ),
                lambda _, __: t(f"console.done.{kind}", name=record.name),
            )

    def action_move(self) -> None:
        record = self._record()
        if record is not None:
            self._ask(
                dialogs.move_dialog(self._who(record)),
                lambda db, v: proctoring.move_machine(
                    db,
                    self.session_id,
                    record.id_number,
                    to_machine=v["machine"],
                    note=v["note"],
                    **self._as_proctor(),
                ),
                lambda v, _: t("console.done.move", name=record.name, machine=v["machine"]),
            )

    def _tally(self) -> Counter[str]:
        return counts(list(self.rows.values()))

    def _as_proctor(self) -> dict[str, Any]:
        # ``by``: the services check again that this account is assigned the session (services.access).
        return {
            "clock": self.app.service_clock,
            "actor": self.app.operator or ACTOR,
            "by": self.app.signed_in,
        }

    def _who(self, record: CandidateRecord) -> str:
        return t(
            "console.who",
            name=record.name,
            unit=record.unit,
            id_number=mask(record.id_number),
            machine=record.hostname or t("console.no_machine"),
        )

    # ---- running an action -------------------------------------------------------------------------

    def _ask(
        self,
        dialog: ModalScreen[Any],
        act: Callable[[Database, Any], Any],
        done: Callable[[Any, Any], str],
        *,
        kind: str = "",
    ) -> None:
        """Show the dialog; once confirmed, ``act(db, answer)`` runs in a worker and ``done(answer,
        result)`` words what it did for the status line."""

        def answered(answer: Any) -> None:
            if answer:  # None or False: the proctor went back
                self._run(lambda db: act(db, answer), lambda result: done(answer, result), kind)

        self.app.push_screen(dialog, answered)

    @work(thread=True, exit_on_error=False, group="action")
    def _run(self, call: Callable[[Database], Any], done: Callable[[Any], str], kind: str) -> None:
        try:
            result = call(self.app.db)
        except SessionError as exc:
            self.post_message(self.ActionFailed(exc.message()))
        except Exception as exc:
            self.post_message(self.ActionFailed(t("console.failed", detail=_first_line(exc))))
        else:
            self.post_message(self.ActionDone(done(result), kind))

    def on_console_screen_action_done(self, message: ActionDone) -> None:
        self._say(message.text)
        self.request_refresh()
        if message.kind == "export":
            self.app.notify(message.text)
        if message.kind == "close":
            self.action_summary()

    def on_console_screen_action_failed(self, message: ActionFailed) -> None:
        self._say(message.text, error=True)
        self.app.notify(message.text, severity="error")
        self.request_refresh()


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
