"""The console's two parts: the header (access code, clock, counts) and the roster table."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist

from exam_tui.i18n import t
from exam_tui.tui.screens.proctor.rows import (
    ALERT,
    COLUMNS,
    STATE_ORDER,
    Cell,
    Row,
    cells,
    clock,
    counts,
    state_label,
)
from exam_tui.tui.text import hhmm, in_zone, room_name, state_name

if TYPE_CHECKING:
    from exam_tui.services.proctoring import ConsoleView

RIGHT = {key for key, right in COLUMNS if right}
SESSION_STYLES = {"scheduled": "dim", "open": "cyan", "started": "bold green", "closed": "bold"}
SEPARATOR = " │ "
Widths = tuple[tuple[str, int], ...]


class SessionHeader(Horizontal):
    """The access code boxed in large type for the room to read; beside it what the proctor watches."""

    def compose(self) -> ComposeResult:
        yield Static("", id="access-code")
        with Vertical(id="console-info"):
            yield Static("", id="console-heading", markup=False)
            yield Static("", id="console-clock", markup=False)
            yield Static("", id="console-counts", markup=False)

    def on_mount(self) -> None:
        self.query_one("#access-code").border_title = t("console.code")

    def show(self, view: ConsoleView, rows: list[Row]) -> None:
        session = view.detail.session
        self.query_one("#access-code", Static).update(Text(" ".join(session.access_code), style="bold"))
        self.query_one("#console-heading", Static).update(
            Text(t("console.heading", title=session.title, room=room_name(session.room)), style="bold")
        )
        tally = counts(rows)
        parts = [Text(t("console.total", n=len(rows)), style="bold")]
        if tally["silent"]:  # first: a narrow terminal cuts the line at the right
            parts.append(Text(t("console.silent", n=tally["silent"]), style=ALERT))
        parts += [Text(t("console.count", label=state_label(s), n=tally[s])) for s in STATE_ORDER if tally[s]]
        self.query_one("#console-counts", Static).update(Text(" · ").join(parts))

    def tick(self, view: ConsoleView, now: datetime, tz: tzinfo) -> None:
        """The clock line: session state, the exam clock, the exam's span and the time to its end."""
        detail, end = view.detail, view.planned_end
        session = detail.session
        parts = [
            Text(state_name(session.state), style=SESSION_STYLES.get(session.state, "")),
            Text(t("console.clock", time=in_zone(now, tz).strftime("%H:%M:%S")), style="bold"),
        ]
        if end is not None and detail.started_at is None:
            parts.append(
                Text(t("console.planned_span", start=hhmm(session.starts_at, tz), end=hhmm(end, tz)))
            )
        elif end is not None and detail.started_at is not None:
            parts.append(Text(t("console.span", start=hhmm(detail.started_at, tz), end=hhmm(end, tz))))
            if detail.closed_at is not None:
                parts.append(Text(t("console.closed_at", time=hhmm(detail.closed_at, tz))))
            elif now <= end:
                parts.append(Text(t("console.remaining", clock=clock(end - now))))
            else:
                parts.append(Text(t("console.overtime", clock=clock(now - end)), style=ALERT))
        self.query_one("#console-clock", Static).update(Text(SEPARATOR).join(parts))


class RosterTable(DataTable[Text]):
    """One row per candidate, keyed by ID number.

    While the same candidates show in the same order, a refresh rewrites only the cells that changed,
    so the cursor and the scroll stay where the proctor left them. A different set or order of rows
    (or new column widths) rebuilds the table, and the cursor follows its candidate.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.rebuilds = 0
        self._keys: tuple[str, ...] = ()
        self._widths: Widths = ()
        self._cells: dict[str, tuple[Cell, ...]] = {}

    def show(self, shown: list[Row], widths: Widths) -> None:
        keys = tuple(r.key for r in shown)
        if keys != self._keys or widths != self._widths:
            self._rebuild(shown, widths)
            return
        for row in shown:
            new, old = cells(row), self._cells[row.key]
            for (column, _), before, after in zip(COLUMNS, old, new, strict=True):
                if before != after:
                    self.update_cell(row.key, column, _text(column, after))
            self._cells[row.key] = new

    def _rebuild(self, shown: list[Row], widths: Widths) -> None:
        cursor, scroll_y = self.highlighted_key(), self.scroll_y
        if widths != self._widths:
            self.clear(columns=True)
            for key, width in widths:
                label = "" if key == "mark" else t(f"col.{key}")
                self.add_column(
                    Text(label, justify="right" if key in RIGHT else "left"), key=key, width=width
                )
            self._widths = widths
        else:
            self.clear()
        self._cells = {row.key: cells(row) for row in shown}
        for row in shown:
            values = (
                _text(column, cell) for (column, _), cell in zip(COLUMNS, self._cells[row.key], strict=True)
            )
            self.add_row(*values, key=row.key)
        self._keys = tuple(row.key for row in shown)
        self.rebuilds += 1
        if cursor in self._keys:
            self.move_cursor(row=self._keys.index(cursor), scroll=False)
            self.call_after_refresh(self._restore_scroll, scroll_y)

    def _restore_scroll(self, scroll_y: float) -> None:
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.move_cursor(row=self.cursor_row, scroll=True)  # scrolls only if its candidate moved out of sight

    def highlighted_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        except CellDoesNotExist:
            return None


def _text(column: str, cell: Cell) -> Text:
    text, style = cell
    justify = "right" if column in RIGHT else "left"
    return Text(text, style=style, justify=justify, no_wrap=True, overflow="ellipsis")
