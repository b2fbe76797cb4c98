"""The analysis of a session or an exam: the paper's summary and histogram above, the item table below.

A flagged row is coloured (red: negative discrimination, check the key; yellow: any other flag) and its
number has a ``!``; the line under the table spells out the highlighted row's flags. ``s`` chooses the
sort column, ``r`` reverses, ``f`` shows only the flagged items, Enter opens a question's distractors;
``x`` writes the item table (as shown) to a workbook and ``p`` the paper and the item table to two PDFs,
under sessions/exports/.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from exam_tui.i18n import t
from exam_tui.services.analysis import ItemAnalysisReport, analyse_exam, analyse_session
from exam_tui.services.analysis_exports import items_document, paper_document
from exam_tui.services.audit import head as audit_head
from exam_tui.services.report_document import export
from exam_tui.services.sessions import SessionError
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.admin import analysis_cells as cells
from exam_tui.tui.screens.admin.analysis_question import QuestionAnalysisScreen
from exam_tui.tui.screens.admin.analysis_sort import SortDialog
from exam_tui.tui.screens.admin.grading import first_line
from exam_tui.tui.screens.proctor.exports import EXPORT_DIR
from exam_tui.tui.text import in_zone, translate_bindings
from exam_tui.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from exam_tui.services.report_document import ReportDocument
    from exam_tui.tui.app import ExamApp

# Relative to the working directory, beside the session exports (tui/screens/proctor/exports.py).
NOTE_KINDS = ("reliability", "keys", "pending", "subset")
SHORT_TOP, TALL_TOP, TALL_FROM = 9, 12, 30  # the summary and histogram's rows, and from what height


def export_stem(report: ItemAnalysisReport, now: datetime) -> str:
    """``analysis-session-12-20261123-090000``: a new name per export, to the second, never replaced."""
    scope = f"session-{report.session_ids[0]}" if report.scope == "session" else f"exam-{report.exam_ref}"
    return f"analysis-{scope.replace('/', '-')}-{now:%Y%m%d-%H%M%S}"


@dataclass(frozen=True)
class Job:
    """One file to write: the document is built in the worker too (a PDF's layout takes a moment)."""

    build: Callable[[], ReportDocument]
    path: Path
    fmt: str


class ItemTable(DataTable[Text]):
    """The item table: ← and → move the view sideways a whole column at a time (the cursor is a row's)."""

    def action_cursor_right(self) -> None:
        self._scroll_columns(1)

    def action_cursor_left(self) -> None:
        self._scroll_columns(-1)

    def _scroll_columns(self, by: int) -> None:
        starts = [0]
        for column in self.ordered_columns[self.fixed_columns :]:
            starts.append(starts[-1] + column.get_render_width(self))
        x = round(self.scroll_x)
        if by > 0:
            target = next((s for s in starts if s > x), x)
        else:
            target = next((s for s in reversed(starts) if s < x), 0)
        self.scroll_to(x=min(target, self.max_scroll_x), animate=False)


class AnalysisScreen(Screen[None]):
    """One session's analysis (``session_id``) or an exam's over all its sessions (``exam_ref``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        Binding("enter", "open", "key.open", priority=True),
        Binding("s", "choose_sort", "key.sort"),
        Binding("r", "reverse", "key.analysis_reverse"),
        Binding("f", "flagged", "key.analysis_flagged"),
        Binding("x", "export_xlsx", "key.analysis_xlsx"),
        Binding("p", "export_pdf", "key.analysis_pdf"),
    ]
    CSS_PATH = "analysis.tcss"

    class Loaded(Message):
        def __init__(self, report: ItemAnalysisReport) -> None:
            super().__init__()
            self.report = report

    class Exported(Message):
        def __init__(self, text: str, *, failed: bool) -> None:
            super().__init__()
            self.text, self.failed = text, failed

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, *, session_id: int | None = None, exam_ref: str | None = None) -> None:
        super().__init__()
        assert (session_id is None) != (exam_ref is None)
        self.session_id, self.exam_ref = session_id, exam_ref
        self.report: ItemAnalysisReport | None = None
        self.shown: list[cells.Numbered] = []
        self.sort_column = "number"
        self.descending = False
        self.flagged_only = False
        self.exporting = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("analysis_screen.loading"), id="analysis-title", classes="screen-title", markup=False)
        with Horizontal(id="analysis-top"):
            yield Static("", id="analysis-summary")
            yield PlotextPlot(id="analysis-plot")
        with Vertical(id="analysis-notes"):
            for kind in NOTE_KINDS:
                yield Static("", id=f"note-{kind}", classes=f"note {kind}")
        with Horizontal(id="analysis-table-bar"):
            yield Static("", id="analysis-table-title", markup=False)
            yield Static("", id="analysis-sorted", markup=False)
        yield ItemTable(id="analysis-items", cursor_type="row", zebra_stripes=True, fixed_columns=2)
        yield Static(t("analysis_screen.loading"), id="analysis-empty", classes="empty", markup=False)
        yield Static("", id="analysis-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#analysis-summary").border_title = t("analysis_screen.summary")
        self.on_resize()
        for selector in ("#analysis-top", "#analysis-notes", "#analysis-table-bar", "#analysis-items"):
            self.query_one(selector).display = False
        self.load()

    # ---- reading ------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis-load")
    def load(self) -> None:
        try:
            if self.session_id is not None:
                report = analyse_session(self.app.db, self.session_id)
            else:
                report = analyse_exam(self.app.db, self.exam_ref or "")
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=first_line(exc))))
        else:
            self.post_message(self.Loaded(report))

    def on_load_failed(self, message: LoadFailed) -> None:
        empty = self.query_one("#analysis-empty", Static)
        empty.update(message.detail)
        empty.add_class("error")
        self.query_one("#analysis-title", Static).update(t("admin.menu.analysis"))

    def on_analysis_screen_loaded(self, message: Loaded) -> None:
        report = self.report = message.report
        if report.scope == "session":
            title = t("analysis_screen.title_session", id=report.session_ids[0], title=report.title)
        else:
            title = t(
                "analysis_screen.title_exam",
                exam=report.exam_ref,
                title=report.exam_title,
                sessions=len(report.session_ids),
            )
        self.query_one("#analysis-title", Static).update(title)
        self.query_one("#analysis-top").display = True
        bands = report.analysis.paper.histogram
        width = f"{bands[0][1] - bands[0][0]:.1f}".removesuffix(".0") if bands else "-"
        self.query_one("#analysis-plot").border_title = t("analysis_screen.histogram", width=width)
        self._summary(report)
        self._plot(report)
        found = cells.notes(report)
        for kind in NOTE_KINDS:
            note = self.query_one(f"#note-{kind}", Static)
            note.update(Prose(found[kind]))
            note.display = bool(found[kind])
        self.query_one("#analysis-notes").display = any(found.values())
        self.query_one("#analysis-table-bar").display = True
        self._show()
        self.refresh_bindings()

    # ---- showing ------------------------------------------------------------------------------------

    def _summary(self, report: ItemAnalysisReport) -> None:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(no_wrap=True)
        for label, value, style in cells.summary_facts(report, more=self._tall):
            grid.add_row(label, Text(value, style=style))
        self.query_one("#analysis-summary", Static).update(grid)

    def _plot(self, report: ItemAnalysisReport) -> None:
        plot = self.query_one("#analysis-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        labels, counts = cells.histogram_bars(report)
        if counts:
            # Upright bars, one per band, labelled with the band's lowest score (ASCII: plotext counts
            # characters, not terminal cells); round numbers of people on the axis, none at the foot,
            # where the lowest row of bars stands.
            plt.bar(labels, counts, width=0.5)
            if max(counts):
                step = cells.tick_step(max(counts))
                plt.yticks(list(range(step, max(counts) + 1, step)))
        plot.refresh()

    @property
    def _tall(self) -> bool:
        return self.size.height >= TALL_FROM

    def on_resize(self) -> None:
        # Nine rows for seven facts; a taller terminal gives three more, to the histogram and three facts.
        self.query_one("#analysis-top").styles.height = TALL_TOP if self._tall else SHORT_TOP
        if self.report is not None:
            self._summary(self.report)

    def _show(self, *, top: bool = False) -> None:
        """The table as sorted and filtered; the cursor stays on its question, or goes to the top row."""
        report = self.report
        if report is None:
            return
        before = None if top else self._highlighted()
        rows = cells.numbered(report)
        if self.flagged_only:
            rows = [r for r in rows if r[1].flags]
        self.shown = cells.sort_rows(rows, report, self.sort_column, self.descending)
        table: DataTable[Text] = self.query_one("#analysis-items", DataTable)
        table.clear(columns=True)
        for column in cells.SCREEN_COLUMNS:
            table.add_column(cells.header(column, self.sort_column, self.descending), key=column)
        for number, row in self.shown:
            table.add_row(*cells.item_cells(number, row, report), key=row.key)
        keys = [row.key for _, row in self.shown]
        if before is not None and before[1].key in keys:
            table.move_cursor(row=keys.index(before[1].key))
        elif keys:
            table.move_cursor(row=0, scroll=False)
            table.scroll_to(y=0, animate=False)
        total = len(report.analysis.items)
        flagged = sum(1 for row in report.analysis.items if row.flags)
        if self.flagged_only:
            bar = t("analysis_screen.table_flagged", shown=len(self.shown), total=total)
        else:
            bar = t("analysis_screen.table_all", total=total, flagged=flagged)
        self.query_one("#analysis-table-title", Static).update(bar)
        self.query_one("#analysis-sorted", Static).update(
            t(
                "analysis_screen.sorted_by",
                column=cells.column_name(self.sort_column),
                direction=cells.direction_word(self.descending),
            )
        )
        empty = self.query_one("#analysis-empty", Static)
        empty.remove_class("error")
        if not total:
            empty.update(t("analysis_screen.no_items"))
        elif not self.shown:
            empty.update(t("analysis_screen.no_flagged"))
        empty.display = not self.shown
        table.display = bool(self.shown)
        if self.shown:
            table.focus()
        self._show_detail()

    def _highlighted(self) -> cells.Numbered | None:
        table = self.query_one("#analysis-items", DataTable)
        if not table.row_count or not self.shown:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.shown if r[1].key == key), None)

    def _show_detail(self) -> None:
        found = self._highlighted()
        detail = self.query_one("#analysis-detail", Static)
        if found is None:
            detail.update("")
            return
        number, row = found
        text = Text(cells.row_detail(number, row), style=cells.row_style(row))
        text.append(t("analysis_screen.row_open"), style="dim")
        detail.update(text)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        self._sort_by(str(event.column_key.value))

    # ---- keys ---------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "choose_sort", "reverse", "flagged", "export_xlsx", "export_pdf"):
            return self.report is not None and bool(self.report.analysis.items)
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open(self) -> None:
        found = self._highlighted()
        if found is None or self.report is None:
            return
        self.app.push_screen(
            QuestionAnalysisScreen(self.report, list(self.shown), self.shown.index(found)), self._returned
        )

    def _returned(self, key: str | None) -> None:
        """Back from a question: the cursor on the last question seen there."""
        keys = [row.key for _, row in self.shown]
        if key in keys:
            self.query_one("#analysis-items", DataTable).move_cursor(row=keys.index(key))

    def action_choose_sort(self) -> None:
        self.app.push_screen(
            SortDialog(self.sort_column, self.descending), lambda c: self._sort_by(c) if c else None
        )

    def _sort_by(self, column: str) -> None:
        if column == self.sort_column:
            self.descending = not self.descending
        else:
            self.sort_column, self.descending = column, column in cells.DESCENDING_FIRST
        self._show(top=True)

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self._show(top=True)

    def action_flagged(self) -> None:
        self.flagged_only = not self.flagged_only
        self._show()

    # ---- exports ------------------------------------------------------------------------------------

    def _shown_report(self) -> ItemAnalysisReport:
        """The report with the item table as shown (sorted, filtered), as ``report items --sort`` does."""
        assert self.report is not None
        rows = tuple(row for _, row in self.shown)
        return replace(self.report, analysis=replace(self.report.analysis, items=rows))

    def action_export_xlsx(self) -> None:
        assert self.report is not None
        now = in_zone(self.app.clock(), self.app.tz)
        shown = self._shown_report()
        stem = export_stem(shown, now)
        self._export(
            [Job(lambda: items_document(shown, generated_at=now), EXPORT_DIR / f"{stem}.xlsx", "xlsx")]
        )

    def action_export_pdf(self) -> None:
        assert self.report is not None
        now = in_zone(self.app.clock(), self.app.tz)
        report, shown = self.report, self._shown_report()
        stem = export_stem(report, now)
        self._export(
            [
                Job(
                    lambda: paper_document(report, generated_at=now), EXPORT_DIR / f"{stem}-paper.pdf", "pdf"
                ),
                Job(lambda: items_document(shown, generated_at=now), EXPORT_DIR / f"{stem}-items.pdf", "pdf"),
            ]
        )

    def _export(self, jobs: list[Job]) -> None:
        if self.exporting:
            return
        self.exporting = True
        self.app.notify(t("analysis_screen.exporting"))
        self.write(jobs)

    @work(thread=True, exit_on_error=False, group="analysis-export")
    def write(self, jobs: list[Job]) -> None:
        try:
            for job in jobs:
                # The chain's head after the report's data, on the sheet as `report … -o` puts it.
                document = replace(job.build(), audit_head=audit_head(self.app.db))
                export(document, job.path, job.fmt, overwrite=True)
        except SessionError as exc:  # ExportError: a file that cannot be written, no CJK font for a PDF
            self.post_message(
                self.Exported(t("analysis_screen.export_failed", detail=exc.message()), failed=True)
            )
        except Exception as exc:
            detail = first_line(exc)
            self.post_message(self.Exported(t("analysis_screen.export_failed", detail=detail), failed=True))
        else:
            paths = [str(job.path) for job in jobs]
            if len(paths) == 1:
                text = t("analysis_screen.exported", path=paths[0])
            else:
                text = t("analysis_screen.exported_two", first=paths[0], second=paths[1])
            self.post_message(self.Exported(text, failed=False))

    def on_analysis_screen_exported(self, message: Exported) -> None:
        self.exporting = False
        self.app.notify(message.text, severity="error" if message.failed else "information", timeout=8)
