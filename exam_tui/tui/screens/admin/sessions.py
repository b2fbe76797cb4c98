"""Admin: exam sessions — the list (Enter opens the proctor's console) and a form for a new session (n).

The form builds the session a plan file would (``exam-tui session open``): an exam of an imported bank,
a title, a room, the start in the exam room's time zone, the minutes a latecomer may still sign in,
and whom to seat — every cadre of the chosen units, pasted ID numbers, and the people of a roster file
(imported first, as a plan's roster file is). What can be checked without the database is checked as
the admin submits, next to each field; the rest (unknown ID numbers, a roster file's problems) comes
back from the worker to the same places.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from exam_tui.domain.idnumber import InvalidIdNumber, normalise_id_number
from exam_tui.i18n import t
from exam_tui.services.banks import list_banks, show_bank
from exam_tui.services.cadre_selection import cadres_for_units, unit_names
from exam_tui.services.cadres import RosterImportError, UnitNotFound, import_roster
from exam_tui.services.seating import seating_problems
from exam_tui.services.sessions import SessionError, SessionView, schedule_session
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.proctor.picker import SessionPickerScreen
from exam_tui.tui.text import in_zone, translate_bindings

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

TIME_FORMAT = "%Y-%m-%d %H:%M"
MAX_LATE_MINUTES = 240  # as a plan file allows
TITLE_LIMIT, ROOM_LIMIT = 300, 200  # the columns' lengths
# What people paste between ID numbers: line breaks, spaces, commas and semicolons of either width, 、.
ID_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True)
class SessionRequest:
    exam_ref: str
    title: str
    room: str | None
    starts_at: datetime
    allow_late_minutes: int
    open_now: bool
    units: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    roster_file: Path | None = None


@dataclass(frozen=True)
class FormValues:
    """The form as typed; ``read`` checks it."""

    exam_ref: str | None
    title: str
    room: str
    starts_at: str
    late: str
    units: list[str]
    id_numbers: str
    roster_file: str
    open_now: bool

    def read(self, tz: tzinfo) -> tuple[SessionRequest | None, dict[str, str]]:
        """The request, or the problems by field (exam, title, room, starts, late, ids, people)."""
        errors: dict[str, str] = {}
        title, room = self.title.strip(), self.room.strip()
        if not self.exam_ref:
            errors["exam"] = t("sessadmin.error.exam")
        if not title:
            errors["title"] = t("sessadmin.error.title")
        elif len(title) > TITLE_LIMIT:
            errors["title"] = t("sessadmin.error.too_long", limit=TITLE_LIMIT)
        if len(room) > ROOM_LIMIT:
            errors["room"] = t("sessadmin.error.too_long", limit=ROOM_LIMIT)
        starts_at = None
        typed = unicodedata.normalize("NFKC", self.starts_at).strip()  # full-width digits and colon
        try:
            starts_at = datetime.strptime(typed, TIME_FORMAT).replace(tzinfo=tz)
        except ValueError:
            errors["starts"] = t("sessadmin.error.starts", value=self.starts_at.strip())
        late = _integer(self.late)
        if late is None or not 0 <= late <= MAX_LATE_MINUTES:
            errors["late"] = t("sessadmin.error.late", max=MAX_LATE_MINUTES)
        numbers: list[str] = []
        bad: list[str] = []
        for entry in ID_SEPARATORS.split(self.id_numbers.strip()):
            if not entry:
                continue
            try:
                numbers.append(normalise_id_number(entry))
            except InvalidIdNumber as exc:
                bad.append(t("sessadmin.error.bad_id", value=entry, reason=exc.reason))
        if bad:
            errors["ids"] = "\n".join(bad)
        roster = self.roster_file.strip()
        if not (self.units or numbers or roster or bad):
            errors["people"] = t("sessadmin.error.nobody")
        if errors or starts_at is None or late is None or self.exam_ref is None:
            return None, errors
        request = SessionRequest(
            exam_ref=self.exam_ref,
            title=title,
            room=room or None,
            starts_at=starts_at,
            allow_late_minutes=late,
            open_now=self.open_now,
            units=list(self.units),
            id_numbers=list(dict.fromkeys(numbers)),
            roster_file=Path(roster).expanduser() if roster else None,
        )
        return request, {}


def _integer(text: str) -> int | None:
    try:
        return int(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        return None


def default_start(now: datetime, tz: tzinfo) -> str:
    """The next full hour in the exam room: a start the admin adjusts rather than types whole."""
    local = in_zone(now, tz).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return local.strftime(TIME_FORMAT)


class SessionFormScreen(Screen[SessionView | None]):
    """A new session; Ctrl+S or the button creates it, Esc goes back without creating anything."""

    CSS_PATH = "sessions.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "create", "key.create_session", priority=True),
        Binding("escape", "cancel", "key.back", priority=True),
    ]
    # Fields with an error line under them, in the order they show.
    FIELDS: ClassVar[tuple[str, ...]] = ("exam", "title", "room", "starts", "late", "units", "ids", "roster")

    class ChoicesLoaded(Message):
        def __init__(self, exams: list[tuple[str, str, str]], units: list[str]) -> None:
            super().__init__()
            self.exams, self.units = exams, units  # exams: (ref, title, label)

    class Refused(Message):
        def __init__(self, errors: dict[str, str]) -> None:
            super().__init__()
            self.errors = errors

    class Created(Message):
        """The session is open; ``refusals`` are the seated cadres sign-in will turn away."""

        def __init__(self, view: SessionView, refusals: list[str]) -> None:
            super().__init__()
            self.view, self.refusals = view, refusals

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._exam_titles: dict[str, str] = {}
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("sessadmin.form.title"), classes="screen-title", markup=False)
        with VerticalScroll(id="session-form"):
            yield from self._row("exam", Select[str]([], prompt=t("sessadmin.exam.pick"), id="form-exam"))
            yield from self._row("title", Input(id="form-title", max_length=TITLE_LIMIT))
            yield from self._row("room", Input(id="form-room", max_length=ROOM_LIMIT))
            zone = in_zone(self.app.clock(), self.app.tz).tzname() or ""
            starts = Input(id="form-starts", placeholder="YYYY-MM-DD HH:MM", max_length=20)
            yield from self._row("starts", starts, t("sessadmin.hint.starts", zone=zone))
            late = Input("15", id="form-late", max_length=3)
            yield from self._row("late", late, t("sessadmin.hint.late", max=MAX_LATE_MINUTES))
            yield Static(t("sessadmin.people"), classes="form-section", markup=False)
            yield from self._row("units", SelectionList[str](id="form-units"))
            ids = TextArea(id="form-ids", soft_wrap=True, placeholder=t("sessadmin.hint.ids"))
            yield from self._row("ids", ids)
            yield from self._row("roster", Input(id="form-roster", placeholder="sessions/roster.csv"))
            yield Static("", id="error-people", classes="form-error", markup=False)
            yield Checkbox(t("sessadmin.open_now"), value=True, id="form-open")
            yield Static("", id="form-status", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dialog.back"), id="back", variant="primary")
                yield Button(t("sessadmin.create"), id="create", variant="success")
        yield Footer()

    def _row(
        self, name: str, widget: Input | Select[str] | SelectionList[str] | TextArea, hint: str | None = None
    ) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(t(f"sessadmin.field.{name}"), classes="form-label", markup=False)
            yield widget
            if hint is not None:
                yield Static(hint, classes="form-hint", markup=False)
        yield Static("", id=f"error-{name}", classes="form-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#form-starts", Input).value = default_start(self.app.clock(), self.app.tz)
        for error in self.query(".form-error"):
            error.display = False
        self.query_one("#form-exam").focus()
        self._load_choices()

    @work(thread=True, exclusive=True, exit_on_error=False, group="choices")
    def _load_choices(self) -> None:
        try:
            exams = [
                (
                    f"{e.bank}/{e.slug}",
                    e.title,
                    t("sessadmin.exam.option", title=e.title, ref=f"{e.bank}/{e.slug}"),
                )
                for summary in list_banks(self.app.db)
                for e in show_bank(self.app.db, summary.slug).exams
            ]
            self.post_message(self.ChoicesLoaded(exams, unit_names(self.app.db)))
        except Exception as exc:
            self.post_message(LoadFailed(str(exc)))

    def on_session_form_screen_choices_loaded(self, message: ChoicesLoaded) -> None:
        self._exam_titles = {ref: title for ref, title, _ in message.exams}
        self.query_one("#form-exam", Select).set_options([(label, ref) for ref, _, label in message.exams])
        units = self.query_one("#form-units", SelectionList)
        units.add_options([(name, name) for name in message.units])
        if message.units:
            units.highlighted = 0  # Space ticks the unit under the cursor: there is one from the start
        if not message.exams:
            self._show_errors({"exam": t("sessadmin.error.no_exams")})

    def on_load_failed(self, message: LoadFailed) -> None:
        self._status(t("app.load_failed", detail=message.detail), error=True)

    @on(Select.Changed, "#form-exam")
    def _exam_chosen(self, event: Select.Changed) -> None:
        title = self.query_one("#form-title", Input)
        if isinstance(event.value, str) and (
            not title.value.strip() or title.value in self._exam_titles.values()
        ):
            title.value = self._exam_titles.get(event.value, "")  # a title not typed over follows the exam

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        exam = self.query_one("#form-exam", Select).value
        values = FormValues(
            exam_ref=exam if isinstance(exam, str) else None,
            title=self.query_one("#form-title", Input).value,
            room=self.query_one("#form-room", Input).value,
            starts_at=self.query_one("#form-starts", Input).value,
            late=self.query_one("#form-late", Input).value,
            units=list(self.query_one("#form-units", SelectionList).selected),
            id_numbers=self.query_one("#form-ids", TextArea).text,
            roster_file=self.query_one("#form-roster", Input).value,
            open_now=self.query_one("#form-open", Checkbox).value,
        )
        request, errors = values.read(self.app.tz)
        self._show_errors(errors)
        if request is None:
            self._status(t("sessadmin.fix_errors"), error=True)
            return
        self.query_one("#create", Button).disabled = True
        self._status(t("sessadmin.creating"), error=False)
        self._create(request, self.app.operator)

    @work(thread=True, exclusive=True, exit_on_error=False, group="create")
    def _create(self, request: SessionRequest, operator: str | None) -> None:
        db = self.app.db
        roster = request.roster_file
        if roster is not None and not roster.is_file():
            self.post_message(self.Refused({"roster": t("sessadmin.error.no_file", path=roster)}))
            return
        try:
            numbers = cadres_for_units(db, request.units)
            if roster is not None:
                # As a plan's roster file: imported (added or updated) first, then exactly its people seated.
                numbers += import_roster(db, roster, clock=self.app.clock, actor=operator).id_numbers
            view = schedule_session(
                db,
                exam_ref=request.exam_ref,
                title=request.title,
                room=request.room,
                starts_at=request.starts_at,
                id_numbers=list(dict.fromkeys([*numbers, *request.id_numbers])),
                allow_late_minutes=request.allow_late_minutes,
                open_now=request.open_now,
                clock=self.app.service_clock,
                actor=operator,
            )
        except UnitNotFound as exc:
            self.post_message(self.Refused({"units": t("sessadmin.error.no_unit", unit=exc.name)}))
        except RosterImportError as exc:
            self.post_message(self.Refused({"roster": "\n".join(exc.lines)}))
        except SessionError as exc:
            where = "ids" if exc.key == "session.unknown_cadres" else "status"
            self.post_message(self.Refused({where: exc.message()}))
        except Exception as exc:
            self.post_message(self.Refused({"status": t("sessadmin.error.failed", detail=exc)}))
        else:
            problems = seating_problems(db, view.id, clock=self.app.service_clock)
            self.post_message(self.Created(view, [p.message() for p in problems]))

    def on_session_form_screen_refused(self, message: Refused) -> None:
        self.query_one("#create", Button).disabled = False
        self._show_errors({k: v for k, v in message.errors.items() if k != "status"})
        self._status(message.errors.get("status", t("sessadmin.fix_errors")), error=True)

    def on_session_form_screen_created(self, message: Created) -> None:
        if message.refusals:
            lines = [t("seating.heading", count=len(message.refusals)), *message.refusals]
            self.app.notify("\n".join(lines), severity="warning", timeout=30)
        self.dismiss(message.view)

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name in (*self.FIELDS, "people"):
            error = self.query_one(f"#error-{name}", Static)
            error.update(errors.get(name, ""))
            error.display = name in errors
        first = next((name for name in self.FIELDS if name in errors), None)
        if first is not None:
            self.query_one(f"#form-{first}").focus()

    def _status(self, text: str, *, error: bool) -> None:
        status = self.query_one("#form-status", Static)
        status.set_class(error, "form-error")
        status.update(text)

    @on(Button.Pressed, "#back")
    def action_cancel(self) -> None:
        self.dismiss(None)


class SessionsAdminScreen(SessionPickerScreen):
    """Every session, today's first; n makes a new one, Enter opens the highlighted one's console."""

    CSS_PATH = "sessions.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "new_session", "key.new_session")]

    def __init__(self) -> None:
        super().__init__()
        self._created_id: int | None = None

    def on_mount(self) -> None:
        # The picker's own on_mount runs after this one and loads the sessions.
        self.query_one(".screen-title", Static).update(t("sessadmin.title"))

    def action_new_session(self) -> None:
        self.app.push_screen(SessionFormScreen(), self._created)

    def _created(self, view: SessionView | None) -> None:
        if view is None:
            return
        self.app.notify(t("sessadmin.created", title=view.title, n=view.candidates, code=view.access_code))
        self._created_id = view.id
        self.load_sessions()

    def on_session_picker_screen_sessions_loaded(self, message: SessionPickerScreen.SessionsLoaded) -> None:
        super().on_session_picker_screen_sessions_loaded(message)
        message.prevent_default()  # the picker's handler ran just above
        self.query_one("#sessions-none", Static).update(t("sessadmin.none"))
        keys = list(self._sessions)
        if self._created_id is not None and str(self._created_id) in keys:
            self.query_one("#sessions", DataTable).move_cursor(row=keys.index(str(self._created_id)))
            self._created_id = None
