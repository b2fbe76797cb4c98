"""After 收卷: the numbers a proctor reads out, the spread of scores, and who is below the pass mark."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from exam_tui.i18n import t
from exam_tui.services.proctoring import session_summary
from exam_tui.services.session_control import session_detail
from exam_tui.services.sessions import SessionError
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.proctor.rows import state_label
from exam_tui.tui.text import translate_bindings
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from exam_tui.domain.session_summary import SessionSummary
    from exam_tui.services.session_control import SessionDetail
    from exam_tui.tui.app import ExamApp

BELOW_COLUMNS = (("name", 10), ("unit", None), ("state", 8), ("score", 6))


def number(value: float | None) -> str:
    """78.5, 80 (no trailing .0), or a dash for a number that does not exist yet."""
    if value is None:
        return t("summary.none")
    return f"{value:.1f}".removesuffix(".0")


def percent(value: float | None) -> str:
    return t("summary.none") if value is None else f"{value * 100:.1f}%"


def summary_lines(detail: SessionDetail, summary: SessionSummary) -> list[str]:
    s = summary
    return [
        t("summary.candidates", n=s.candidates, handed_in=s.handed_in, absent=s.absent),
        t("summary.grading", graded=s.graded, pending=s.pending),
        t("summary.scores", mean=number(s.mean), median=number(s.median)),
        t("summary.range", maximum=number(s.maximum), minimum=number(s.minimum), stdev=number(s.stdev)),
        t("summary.passed", passed=s.passed, graded=s.graded, rate=percent(s.pass_rate)),
        t("summary.pass_mark", pass_score=number(detail.pass_score), total=number(detail.total_points)),
    ]


class SummaryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "key.back")]

    class Loaded(Message):
        def __init__(self, detail: SessionDetail, summary: SessionSummary) -> None:
            super().__init__()
            self.detail, self.summary = detail, summary

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.summary: SessionSummary | None = None
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("summary.loading"), id="summary-title", classes="screen-title", markup=False)
        with Horizontal(id="summary-top"):
            yield Static("", id="summary-numbers", markup=False)
            yield PlotextPlot(id="summary-plot")
        yield Static("", id="summary-below-title", classes="section-title", markup=False)
        yield DataTable(id="summary-below", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#summary-numbers").border_title = t("summary.numbers")
        self.query_one("#summary-plot").border_title = t("summary.histogram")
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        try:
            detail = session_detail(self.app.db, self.session_id)
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=str(exc))))
        else:
            self.post_message(self.Loaded(detail, session_summary(detail)))

    def on_summary_screen_loaded(self, message: Loaded) -> None:
        detail, summary = message.detail, message.summary
        self.summary = summary
        self.query_one("#summary-title", Static).update(t("summary.title", title=detail.session.title))
        self.query_one("#summary-numbers", Static).update("\n".join(summary_lines(detail, summary)))
        self._plot(summary)
        below = self.query_one("#summary-below", DataTable)
        set_columns(below, BELOW_COLUMNS, self.size.width - 2)
        for o in summary.below_pass:
            below.add_row(o.name, o.unit, state_label(o.state), number(o.score), key=o.id_number)
        key = "summary.below" if summary.below_pass else "summary.below_none"
        self.query_one("#summary-below-title", Static).update(t(key, n=len(summary.below_pass)))

    def _plot(self, summary: SessionSummary) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        # plotext stacks horizontal bars upwards, so the highest band ends on top, as in a score table;
        # labels stay ASCII (plotext counts characters, not terminal cells).
        bins = summary.histogram
        labels = [f"{number(b.low)}-{number(b.high)}" for b in bins]
        counts = [b.count for b in bins]
        # One terminal row per band (#summary-top is sized for it): plotext rasterises a bar wider than
        # half a row into the next band's row, which then seems to hold people it does not.
        plt.bar(labels, counts, orientation="horizontal", width=0.4)
        step = max(1, math.ceil(max(counts, default=0) / 4))  # whole people on the axis, four ticks at most
        plt.xticks(list(range(0, max(counts, default=0) + step, step)))
        plot.refresh()

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#summary-title", Static).update(message.detail)
