"""任用决定: every pre-appointment decision, by status and unit; Enter opens the appointment's page.

The list reads all appointments once per visit and filters them here: switching tabs or units is
instant, and the counts on the tabs are those of the unit chosen. x writes the list as shown to an
Excel workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Select, Static, Tab, Tabs

from exam_tui.i18n import t
from exam_tui.services.decision_exports import export_appointments, reason_text
from exam_tui.services.decision_reports import AppointmentView, list_appointments
from exam_tui.services.sessions import SessionError
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.admin.appointment import AppointmentScreen, cells, score_text, status_cell
from exam_tui.tui.screens.admin.dialogs import ActionDialog, Entry
from exam_tui.tui.text import in_zone, translate_bindings

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

FILTERS = ("deferred", "pending_exam", "cleared", "all")
ALL_UNITS = ""
# (key, width): labelled col.<key>; the unit (None) takes what is left. The ID number goes first when
# the terminal is narrow: the line under the table shows it for the highlighted row.
COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("name", 8),
    ("id_number", 18),
    ("unit", None),
    ("proposed_post", 10),
    ("decision_status", 8),
    ("decision_reason", 12),
    ("score", 4),
    ("decision_attempts", 4),
    ("decision_retake", 10),
    ("decision_override", 4),
)
NARROW_DROPS = ("id_number",)
MIN_UNIT = 10
# Relative to the working directory, beside the session exports (tui/screens/proctor/exports.py).
EXPORT_DIR = Path("sessions", "exports")


def fit_columns(
    table: DataTable[str | Text | Clipped], columns: Sequence[tuple[str, int | None]], width: int
) -> list[int]:
    """Columns one blank cell apart (the table has no cell padding); the flexible one takes the rest.

    Returns the width of each column's text: one cell less than the column, the gap (see :func:`clipped`).
    """
    table.clear(columns=True)
    fixed = sum(w + 1 for _, w in columns if w is not None)
    rest = max(MIN_UNIT, width - fixed - 1 - 1)  # its own gap, and the scrollbar
    widths = [column_width or rest for _, column_width in columns]
    for (key, _), text_width in zip(columns, widths, strict=True):
        table.add_column(t(f"col.{key}"), key=key, width=text_width + 1)
    return widths


class Clipped:
    """A cell drawn at most ``width`` cells wide, so that the gap after it stays blank: a table without
    padding fills a column to its last cell (a unit of six characters in a 12-cell column met the post:
    市发展和改革副县级领导). ``str()`` is the whole text, as the table holds it."""

    def __init__(self, text: Text, width: int) -> None:
        self.text, self.width = text, width

    def __str__(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # Cropped, not wrapped: a wide character across the edge leaves a blank cell.
        narrow = options.update(width=min(self.width, options.max_width), no_wrap=True, overflow="crop")
        yield from console.render(self.text, narrow)


def clipped(cell: Text, width: int) -> Text | Clipped:
    return cell if cell.cell_len <= width else Clipped(cell, width)


def columns_for(width: int) -> list[tuple[str, int | None]]:
    full = sum(w + 1 for _, w in COLUMNS if w is not None) + MIN_UNIT + 2
    if width >= full:
        return list(COLUMNS)
    return [c for c in COLUMNS if c[0] not in NARROW_DROPS]


def row_cells(v: AppointmentView, keys: Sequence[str]) -> list[str | Text]:
    by_key: dict[str, str | Text] = {
        "name": v.name,
        "id_number": v.id_number_masked,
        "unit": v.unit,
        "proposed_post": v.post,
        "decision_status": status_cell(v.status),
        "decision_reason": reason_text(v.reason),
        "score": score_text(v.score),
        "decision_attempts": f"{v.attempts_used}/{v.max_attempts}",
        "decision_retake": v.retake_from.isoformat() if v.retake_from else "",
        "decision_override": Text(t("admin.decisions.overridden"), style="bold") if v.override_status else "",
    }
    return [by_key[k] for k in keys]


# ---- the list ---------------------------------------------------------------------------------------


class DecisionsScreen(Screen[None]):
    """Tabs by decision, a unit to narrow to, the table; Enter opens an appointment, x exports."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        Binding("f", "next_filter", "key.filter"),
        Binding("u", "choose_unit", "key.unit"),
        Binding("x", "export", "key.export"),
    ]
    CSS_PATH = "decisions.tcss"

    class Loaded(Message):
        def __init__(self, views: list[AppointmentView]) -> None:
            super().__init__()
            self.views = views

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[AppointmentView] = []
        self.shown: list[AppointmentView] = []
        self.status_filter = FILTERS[0]
        self.unit = ALL_UNITS
        self.loaded = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="decisions-title", classes="screen-title", markup=False)
        with Horizontal(id="decisions-bar"):
            yield Tabs(
                *(Tab(t(f"admin.decisions.tab.{f}"), id=f"tab-{f}") for f in FILTERS), id="decisions-tabs"
            )
            yield Select(
                [(t("admin.decisions.all_units"), ALL_UNITS)],
                allow_blank=False,
                value=ALL_UNITS,
                compact=True,
                id="decisions-unit",
            )
        table: DataTable[str | Text | Clipped] = DataTable(
            id="decisions-table", cursor_type="row", zebra_stripes=True, cell_padding=0
        )
        yield table
        yield Static(t("admin.loading"), id="decisions-empty", classes="empty", markup=False)
        yield Static("", id="decisions-detail", markup=False)
        yield Static("", id="decisions-message", markup=False)
        yield Footer()

    def _title(self) -> str:
        return t("admin.decisions.title", operator=self.app.operator or t("admin.none"))

    def on_mount(self) -> None:
        self.query_one("#decisions-table").focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded:  # back from an appointment's page, which may have changed it
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="decisions")
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(list_appointments(self.app.db)))
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=str(exc))))

    def on_load_failed(self, message: LoadFailed) -> None:
        empty = self.query_one("#decisions-empty", Static)
        empty.update(message.detail)
        empty.display = True

    def on_decisions_screen_loaded(self, message: Loaded) -> None:
        self.views, self.loaded = message.views, True
        units = sorted({v.unit for v in self.views})
        if self.unit not in units:
            self.unit = ALL_UNITS
        select: Select[str] = self.query_one("#decisions-unit", Select)
        with self.prevent(Select.Changed):
            select.set_options([(t("admin.decisions.all_units"), ALL_UNITS), *((Text(u), u) for u in units)])
            select.value = self.unit
        self._show()
        self.refresh_bindings()  # opening and exporting wait for the list

    # ---- showing ------------------------------------------------------------------------------

    def _show(self) -> None:
        in_unit = [v for v in self.views if self.unit in (ALL_UNITS, v.unit)]
        for f in FILTERS:
            n = sum(1 for v in in_unit if f in ("all", v.status))
            self.query_one(f"#tab-{f}", Tab).label = t(
                "admin.decisions.tab_count", label=t(f"admin.decisions.tab.{f}"), n=n
            )
        before = self._highlighted()  # the cursor stays with its appointment when it is still listed
        self.shown = [v for v in in_unit if self.status_filter in ("all", v.status)]
        table: DataTable[str | Text | Clipped] = self.query_one("#decisions-table", DataTable)
        columns = columns_for(self.size.width)
        widths = fit_columns(table, columns, self.size.width)
        keys = [k for k, _ in columns]
        for v in self.shown:
            row = cells(*row_cells(v, keys))
            table.add_row(*(clipped(c, w) for c, w in zip(row, widths, strict=True)), key=str(v.id))
        ids = [v.id for v in self.shown]
        if before is not None and before.id in ids:
            table.move_cursor(row=ids.index(before.id))
        empty = self.query_one("#decisions-empty", Static)
        empty.update(t(f"admin.decisions.none.{self.status_filter}"))
        empty.display = not self.shown
        table.display = bool(self.shown)
        self._show_detail()

    def _highlighted(self) -> AppointmentView | None:
        table = self.query_one("#decisions-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((v for v in self.shown if str(v.id) == key), None)

    def _show_detail(self) -> None:
        v = self._highlighted()
        text = ""
        if v is not None:
            text = t("admin.decisions.detail", id_number=v.id_number_masked, unit=v.unit, exam=v.exam)
            if v.override_status:
                text += " · " + t("decision.override_by", by=v.override_by, reason=v.override_reason)
        self.query_one("#decisions-detail", Static).update(text)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def on_resize(self) -> None:
        if self.loaded:
            self._show()

    @on(Tabs.TabActivated, "#decisions-tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        chosen = (event.tab.id or "").removeprefix("tab-")
        if chosen in FILTERS and chosen != self.status_filter:
            self.status_filter = chosen
            if self.loaded:
                self._show()

    @on(Select.Changed, "#decisions-unit")
    def _unit(self, event: Select.Changed) -> None:
        self.unit = event.value if isinstance(event.value, str) else ALL_UNITS
        if self.loaded:
            self._show()
        self.query_one("#decisions-table").focus()

    # ---- keys -------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return self.loaded
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open(self) -> None:
        v = self._highlighted()
        if v is not None:
            self.app.push_screen(AppointmentScreen(v.id))

    def action_next_filter(self) -> None:
        following = FILTERS[(FILTERS.index(self.status_filter) + 1) % len(FILTERS)]
        self.query_one("#decisions-tabs", Tabs).active = f"tab-{following}"

    def action_choose_unit(self) -> None:
        select = self.query_one("#decisions-unit", Select)
        select.focus()
        select.action_show_overlay()

    def action_export(self) -> None:
        views = list(self.shown)
        status = self.status_filter
        today = in_zone(self.app.clock(), self.app.tz).date()
        path = EXPORT_DIR / f"decisions-{status}-{today:%Y%m%d}.xlsx"
        sheet = t(f"admin.decisions.sheet.{status}")

        def write(values: dict[str, str]) -> str:
            target = Path(values["path"]).expanduser()
            count = export_appointments(views, "xlsx", target, sheet=sheet)
            return t("admin.decisions.exported", count=count, path=target)

        dialog = ActionDialog(
            t("admin.export.title"),
            t("admin.export.body", n=len(views), filter=t(f"admin.decisions.tab.{status}")),
            [Entry("path", t("admin.export.path"), value=str(path))],
            t("admin.export.confirm"),
            write,
            dialog_id="export",
        )
        self.app.push_screen(dialog, self._said)

    def _said(self, text: str | None) -> None:
        if text:
            self.query_one("#decisions-message", Static).update(Text(text, style="green"))
            self.app.notify(text)
