"""培训: the courses, and a course's attendance grid — cadres × half-days, taken with single keys.

The grid is made for the clerk at the back of the room: the cursor starts on the first cell not yet
taken, ``p`` (or Space, or Enter) marks present and moves down, ``l`` late, ``a`` absent (asks the
reason, offering the last one), ``x`` clears, ``P`` marks everyone not yet taken in the column present.
Each key is saved at once (a worker; the cell shows the saved state). ``d`` draws speakers among those
present in the column, ``c`` closes the course (结业: the points are posted), ``e`` writes the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from exam_tui.domain.training import Presence
from exam_tui.i18n import t
from exam_tui.services.course_record import course_record, export_record, period_label
from exam_tui.services.speakers import DrawView, draw
from exam_tui.services.training import (
    AttendanceGrid,
    AttendanceMark,
    CourseView,
    all_present,
    attendance_grid,
    close_course,
    list_courses,
    record_attendance,
)
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.admin.dialogs import ActionDialog, Entry, problem_lines
from exam_tui.tui.text import translate_bindings
from exam_tui.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

EXPORT_DIR = Path("sessions", "exports")
FIXED = 2  # name and unit come before the half-day columns
NAME_WIDTH = (8, 12)  # cells: at least, at most (a longer one ends in …)
UNIT_WIDTH = (10, 26)  # wide enough for 市发展和改革委员会 (18 cells) and a gap
STYLE = {"present": "green", "late": "yellow", "absent": "bold red"}


def mark_cell(cell: tuple[str, str | None] | None) -> Text:
    """A cell of the grid: ✓ / 迟 / 缺 in colour, a dim dot while not taken."""
    if cell is None:
        return Text("·", style="dim", justify="center")
    return Text(t(f"courses.mark.{cell[0]}"), style=STYLE[cell[0]], justify="center")


def _fit(texts: list[str], bounds: tuple[int, int]) -> int:
    """A column as wide as its longest text and a gap of two cells, within ``bounds``: a unit's name is
    read whole (市交通运输局, not 市交通运输), the half-days still fit beside it."""
    least, most = bounds
    return max(least, min(most, max((cell_len(x) for x in texts), default=0) + 2))


# ---- the courses --------------------------------------------------------------------------------------


class CoursesScreen(Screen[None]):
    """Every course, latest first; Enter opens its attendance grid."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "key.back")]
    CSS_PATH = "courses.tcss"

    class Loaded(Message):
        def __init__(self, courses: list[CourseView]) -> None:
            super().__init__()
            self.courses = courses

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.courses: list[CourseView] = []
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("courses.title"), classes="screen-title", markup=False)
        yield DataTable(id="courses", cursor_type="row", zebra_stripes=True)
        yield Static(t("admin.loading"), id="courses-empty", classes="empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#courses", DataTable)
        for key in ("dates", "kind", "title", "enrolled", "state"):
            table.add_column(t(f"courses.col.{key}"), key=key)
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="courses")
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(list_courses(self.app.db)))
        except Exception as exc:
            self.post_message(LoadFailed(problem_lines(exc)[0]))

    def on_courses_screen_loaded(self, message: Loaded) -> None:
        self.courses = message.courses
        table = self.query_one("#courses", DataTable)
        table.clear()
        for c in self.courses:
            table.add_row(
                f"{c.starts_on:%m-%d}—{c.ends_on:%m-%d}",
                t(f"points.kind.{c.kind}"),
                c.title,
                str(c.enrolled),
                t("course.closed_word") if c.closed_at else t("course.open"),
                key=str(c.id),
            )
        empty = self.query_one("#courses-empty", Static)
        empty.update(t("courses.none"))
        empty.display = not self.courses
        table.display = bool(self.courses)
        if self.courses:
            table.focus()

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#courses-empty", Static).update(t("app.load_failed", detail=message.detail))

    @on(DataTable.RowSelected, "#courses")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(AttendanceScreen(int(event.row_key.value)))

    def action_back(self) -> None:
        self.app.pop_screen()


# ---- one course's grid ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    grid: AttendanceGrid
    note: str


class AttendanceScreen(Screen[None]):
    """Cadres down, half-days across; the keys mark the cell under the cursor and move down."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        Binding("p,space", "mark('present')", "key.course_present"),
        Binding("l", "mark('late')", "key.course_late"),
        Binding("a", "absent", "key.course_absent"),
        Binding("x,delete", "mark('')", "key.course_clear"),
        Binding("P", "column_present", "key.course_column"),
        Binding("d", "draw", "key.course_draw"),
        Binding("c", "close_course", "key.course_close"),
        Binding("e", "export", "key.course_export"),
    ]
    CSS_PATH = "courses.tcss"

    class Loaded(Message):
        def __init__(self, saved: Saved) -> None:
            super().__init__()
            self.saved = saved

    class Refused(Message):
        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, course_id: int) -> None:
        super().__init__()
        self.course_id = course_id
        self.grid: AttendanceGrid | None = None
        self.last_reason = t("courses.default_reason")
        self._placed = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("admin.loading"), id="course-title", classes="screen-title", markup=False)
        yield Static(t("courses.legend"), id="course-legend", markup=False)
        yield DataTable(id="grid", cursor_type="cell", zebra_stripes=True, cell_padding=0)
        yield Static("", id="course-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    # ---- reading and saving, off the UI loop ----

    @work(thread=True, exclusive=True, exit_on_error=False, group="grid")
    def load(self, note: str = "") -> None:
        try:
            self.post_message(self.Loaded(Saved(attendance_grid(self.app.db, self.course_id), note)))
        except Exception as exc:
            self.post_message(LoadFailed(problem_lines(exc)[0]))

    @work(thread=True, exclusive=True, exit_on_error=False, group="grid")
    def save(self, marks: list[AttendanceMark], note: str) -> None:
        try:
            record_attendance(
                self.app.db, self.course_id, marks, actor=self.app.operator, clock=self.app.service_clock
            )
            self.post_message(self.Loaded(Saved(attendance_grid(self.app.db, self.course_id), note)))
        except Exception as exc:
            self.post_message(self.Refused(problem_lines(exc)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="grid")
    def save_column(self, day: date, half: str) -> None:
        try:
            n = all_present(
                self.app.db, self.course_id, day, half, actor=self.app.operator, clock=self.app.service_clock
            )
            grid = attendance_grid(self.app.db, self.course_id)
            self.post_message(
                self.Loaded(Saved(grid, t("courses.column_done", n=n, period=period_label(day, half))))
            )
        except Exception as exc:
            self.post_message(self.Refused(problem_lines(exc)))

    # ---- showing ----

    def on_attendance_screen_loaded(self, message: Loaded) -> None:
        first = self.grid is None
        self.grid = message.saved.grid
        c = self.grid.course
        state = t("course.closed_word") if c.closed_at else t("course.open")
        self.query_one("#course-title", Static).update(
            t("courses.grid_title", title=c.title, kind=t(f"points.kind.{c.kind}"), n=c.enrolled, state=state)
        )
        table = self.query_one("#grid", DataTable)
        if first:
            self._build(table)
        else:
            for r, p in enumerate(self.grid.participants):
                for i, (day, half) in enumerate(self.grid.periods):
                    table.update_cell_at(
                        Coordinate(r, FIXED + i), mark_cell(self.grid.cells.get((p.cadre_id, day, half)))
                    )
        if first and not self._placed:
            self._placed = True
            table.cursor_coordinate = self._first_open()
            table.focus()
        self._status(message.saved.note)

    def _build(self, table: DataTable[str | Text]) -> None:
        assert self.grid is not None
        table.clear(columns=True)
        people = self.grid.participants
        table.add_column(t("course.col.name"), key="name", width=_fit([p.name for p in people], NAME_WIDTH))
        table.add_column(t("course.col.unit"), key="unit", width=_fit([p.unit for p in people], UNIT_WIDTH))
        for day, half in self.grid.periods:
            table.add_column(
                t("courses.short_period", day=day.day, half=t(f"courses.half_short.{half}")),
                key=f"{day}{half}",
                width=5,
            )
        for p in self.grid.participants:
            table.add_row(
                Text(p.name, overflow="ellipsis", no_wrap=True),
                Text(p.unit, overflow="ellipsis", no_wrap=True),
                *(mark_cell(self.grid.cells.get((p.cadre_id, d, h))) for d, h in self.grid.periods),
                key=str(p.cadre_id),
            )

    def _first_open(self) -> Coordinate:
        """The first half-day with a cell not yet taken, at its first such row (else the last cell)."""
        assert self.grid is not None
        for i, (day, half) in enumerate(self.grid.periods):
            for r, p in enumerate(self.grid.participants):
                if (p.cadre_id, day, half) not in self.grid.cells:
                    return Coordinate(r, FIXED + i)
        return Coordinate(max(len(self.grid.participants) - 1, 0), FIXED + max(len(self.grid.periods) - 1, 0))

    def _status(self, note: str = "") -> None:
        """The column under the cursor: its half-day and counts, then what was just done."""
        if self.grid is None:
            return
        at = self._period()
        if at is None:
            self.query_one("#course-status", Static).update(note)
            return
        day, half = at
        column = [self.grid.cells.get((p.cadre_id, day, half)) for p in self.grid.participants]
        counts = {s: sum(1 for c in column if c and c[0] == s) for s in ("present", "late", "absent")}
        line = t(
            "courses.column_status", period=period_label(day, half), missing=column.count(None), **counts
        )
        self.query_one("#course-status", Static).update(Prose(f"{line}  {note}".rstrip()))

    @on(DataTable.CellHighlighted, "#grid")
    def _moved(self) -> None:
        self._status()

    def _period(self) -> tuple[date, str] | None:
        if self.grid is None or not self.grid.periods:
            return None
        column = self.query_one("#grid", DataTable).cursor_coordinate.column
        index = min(max(column - FIXED, 0), len(self.grid.periods) - 1)
        return self.grid.periods[index]

    def _here(self) -> tuple[int, date, str] | None:
        """The cadre and half-day under the cursor (None on the name and unit columns)."""
        if self.grid is None or not self.grid.participants:
            return None
        at = self.query_one("#grid", DataTable).cursor_coordinate
        if at.column < FIXED:
            return None
        day, half = self.grid.periods[at.column - FIXED]
        return self.grid.participants[at.row].cadre_id, day, half

    def _down(self) -> None:
        table = self.query_one("#grid", DataTable)
        at = table.cursor_coordinate
        if at.row + 1 < table.row_count:
            table.cursor_coordinate = Coordinate(at.row + 1, at.column)

    # ---- keys ----

    def action_mark(self, status: str) -> None:
        here = self._here()
        if here is None:
            self._status(t("courses.pick_a_cell"))
            return
        cadre, day, half = here
        self._set(cadre, day, half, status or None, None)

    def _set(self, cadre: int, day: date, half: str, status: str | None, reason: str | None) -> None:
        assert self.grid is not None
        table = self.query_one("#grid", DataTable)
        at = table.cursor_coordinate
        # Shown at once; the saved state replaces it when the worker is back (or the refusal says why).
        table.update_cell_at(at, mark_cell((status, reason) if status else None))
        self._down()
        self.save([AttendanceMark(cadre, day, half, status, reason)], "")

    def action_absent(self) -> None:
        here = self._here()
        if here is None:
            self._status(t("courses.pick_a_cell"))
            return
        cadre, day, half = here
        who = next(p for p in self.grid.participants if p.cadre_id == cadre)  # type: ignore[union-attr]

        def done(reason: str | None) -> None:
            if reason:
                self.last_reason = reason
                self._set(cadre, day, half, Presence.ABSENT, reason)

        dialog = ActionDialog(
            t("courses.absent_title", name=who.name, period=period_label(day, half)),
            t("courses.absent_body"),
            [Entry("reason", t("courses.reason"), value=self.last_reason, max_length=200)],
            t("courses.absent_confirm"),
            lambda v: v["reason"],
            dialog_id="absence",
            compact=True,
        )
        self.app.push_screen(dialog, done)

    def action_column_present(self) -> None:
        at = self._period()
        if at is not None:
            self.save_column(*at)

    def on_attendance_screen_refused(self, message: Refused) -> None:
        self.load("; ".join(message.lines))

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#course-status", Static).update(t("app.load_failed", detail=message.detail))

    def action_draw(self) -> None:
        at = self._period()
        if at is None:
            return
        day, half = at

        def act(values: dict[str, str]) -> DrawView:
            return draw(
                self.app.db,
                self.course_id,
                day=day,
                half=half,
                k=int(values["k"]),
                actor=self.app.operator,
                clock=self.app.service_clock,
            )

        dialog = ActionDialog(
            t("courses.draw_title", period=period_label(day, half)),
            t("courses.draw_body"),
            [Entry("k", t("courses.draw_k"), value="1", integer=True)],
            t("courses.draw_confirm"),
            act,
            dialog_id="draw",
            compact=True,
        )
        self.app.push_screen(dialog, lambda made: self.app.push_screen(DrawnDialog(made)) if made else None)

    def action_close_course(self) -> None:
        if self.grid is None:
            return
        if self.grid.course.closed_at is not None:
            self._status(t("courses.already_closed"))
            return
        missing = sum(
            1
            for p in self.grid.participants
            for d, h in self.grid.periods
            if (p.cadre_id, d, h) not in self.grid.cells
        )
        dialog = ActionDialog(
            t("courses.close_title"),
            t("courses.close_body", missing=missing),
            [],
            t("courses.close_confirm"),
            lambda _: close_course(
                self.app.db, self.course_id, actor=self.app.operator, clock=self.app.service_clock
            ),
            dialog_id="close-course",
            compact=True,
        )
        self.app.push_screen(
            dialog, lambda n: self.load(t("courses.closed", entries=n)) if n is not None else None
        )

    def action_export(self) -> None:
        self._write_record()

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def _write_record(self) -> None:
        path = EXPORT_DIR / f"course-{self.course_id}.xlsx"
        try:
            export_record(course_record(self.app.db, self.course_id), path, overwrite=True)
        except Exception as exc:
            self.post_message(self.Refused(problem_lines(exc)))
        else:
            self.post_message(
                self.Loaded(
                    Saved(attendance_grid(self.app.db, self.course_id), t("courses.exported", path=path))
                )
            )

    def action_back(self) -> None:
        self.app.pop_screen()


class DrawnDialog(ModalScreen[None]):
    """Who was drawn, in speaking order, with the seed that lets anyone redo the draw. Any key closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,space", "close", "key.back", priority=True),
    ]
    CSS_PATH = "courses.tcss"

    def __init__(self, made: DrawView) -> None:
        super().__init__(id="drawn")
        self.made = made
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        m = self.made
        with Vertical(classes="dialog"):
            yield Static(
                t("courses.drawn_title", period=period_label(m.day, m.half), present=m.present),
                classes="dialog-title",
            )
            for n, s in enumerate(m.speakers, 1):
                yield Static(f"{n}.  {s.name}  {s.unit}", classes="speaker", markup=False)
            if m.new_round:
                yield Static(t("cli.training.new_round"), markup=False)
            # The seed (32 characters) and the time on lines of their own, and how to close on its own:
            # on one line they wrapped, leaving "按任意键关闭" alone under a line ending in "·".
            yield Static(t("courses.drawn_seed", seed=m.seed), classes="seed", markup=False)
            yield Static(
                t("courses.drawn_at", at=f"{m.at.astimezone():%H:%M:%S}"), classes="at", markup=False
            )
            yield Static(t("courses.drawn_close"), classes="close-hint", markup=False)

    def on_key(self, event: events.Key) -> None:
        """Any other key closes too, as the dialog says (and goes no further: q does not quit)."""
        event.stop()
        event.prevent_default()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
