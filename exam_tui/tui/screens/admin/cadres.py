"""干部: find a cadre, import a roster, and one cadre's whole record (sittings, decisions, appeals, training, points).

Screens show masked ID numbers only. The full number stays inside the screen, to open a cadre's record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from exam_tui.domain.idnumber import mask
from exam_tui.domain.points import CATEGORY_IDS
from exam_tui.i18n import t
from exam_tui.services.cadre_search import DEFAULT_LIMIT, CadreHit, search_cadres
from exam_tui.services.cadres import import_roster
from exam_tui.services.decision_reports import CadreRecord, SittingView, cadre_record
from exam_tui.services.sessions import SessionError
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.admin.appointment import appointment_facts, cells, history_table, score_text
from exam_tui.tui.screens.admin.dialogs import ActionDialog, Entry
from exam_tui.tui.text import day_and_time, translate_bindings
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

COLUMNS = (("name", 8), ("id_number", 18), ("unit", None), ("rank", 12), ("proposed_post", 14))


class CadresScreen(Screen[None]):
    """A search box over the cadre list; Enter opens the highlighted cadre's record, i imports a roster."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        Binding("slash", "search", "key.search_cadres"),
        Binding("i", "import_roster", "key.import_roster"),
    ]
    CSS_PATH = "cadres.tcss"

    class Found(Message):
        def __init__(self, text: str, hits: list[CadreHit]) -> None:
            super().__init__()
            self.text, self.hits = text, hits

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[CadreHit] = []
        self.query_text = ""
        self.loaded = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("admin.cadres.title"), classes="screen-title", markup=False)
        yield Input(placeholder=t("admin.cadres.search"), id="cadre-search", max_length=100)
        yield DataTable(id="cadres-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("admin.loading"), id="cadres-empty", classes="empty", markup=False)
        yield Static("", id="cadres-count", markup=False)
        yield Static("", id="cadres-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cadres-table").focus()
        self.find("")

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.find(self.query_text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cadres")
    def find(self, text: str) -> None:
        try:
            self.post_message(self.Found(text, search_cadres(self.app.db, text)))
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=str(exc))))

    @on(Input.Changed, "#cadre-search")
    def _typed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.find(self.query_text)

    @on(Input.Submitted, "#cadre-search")
    def _to_table(self) -> None:
        self.query_one("#cadres-table").focus()

    def on_cadres_screen_found(self, message: Found) -> None:
        if message.text != self.query_text:  # an answer to what was typed before the last key
            return
        self.hits, self.loaded = message.hits, True
        self._show()

    def _show(self) -> None:
        table: DataTable[str] = self.query_one("#cadres-table", DataTable)
        set_columns(table, COLUMNS, self.size.width)
        for i, h in enumerate(self.hits):
            # The table reads text cells as markup: a roster's words are escaped to show as typed.
            values = (h.name, h.id_number_masked, h.unit, h.rank or "", h.proposed_post or "")
            table.add_row(*(escape(v) for v in values), key=str(i))
        table.display = bool(self.hits)
        empty = self.query_one("#cadres-empty", Static)
        empty.update(t("admin.cadres.none_found" if self.query_text else "admin.cadres.none"))
        empty.display = not self.hits
        count = len(self.hits)
        words = "admin.cadres.count_found" if self.query_text else "admin.cadres.count"
        text = t(words, n=count)
        if count >= DEFAULT_LIMIT:
            text += t("admin.cadres.limited", n=DEFAULT_LIMIT)
        self.query_one("#cadres-count", Static).update(text)

    def on_resize(self) -> None:
        if self.loaded:
            self._show()

    def on_load_failed(self, message: LoadFailed) -> None:
        empty = self.query_one("#cadres-empty", Static)
        empty.update(message.detail)
        empty.display = True

    def _highlighted(self) -> CadreHit | None:
        table = self.query_one("#cadres-table", DataTable)
        if not table.row_count:
            return None
        return self.hits[table.cursor_row] if table.cursor_row < len(self.hits) else None

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        hit = self._highlighted()
        if hit is not None:
            self.app.push_screen(CadrePageScreen(hit.id_number))

    def action_search(self) -> None:
        self.query_one("#cadre-search").focus()

    def action_back(self) -> None:
        search = self.query_one("#cadre-search", Input)
        if search.has_focus:  # Esc leaves the search box first, then the screen
            self.query_one("#cadres-table").focus()
        else:
            self.app.pop_screen()

    def action_import_roster(self) -> None:
        app = self.app
        operator = app.operator

        def run(values: dict[str, str]) -> str:
            path = Path(values["path"]).expanduser()
            done = import_roster(app.db, path, clock=app.clock, actor=operator)
            return t(
                "admin.import.done",
                file=path.name,
                total=done.total,
                added=done.added,
                updated=done.updated,
                unchanged=done.unchanged,
                units=done.units_created,
            )

        def said(text: str | None) -> None:
            if text:
                self.query_one("#cadres-message", Static).update(Text(text, style="green"))
                self.find(self.query_text)

        dialog = ActionDialog(
            t("admin.import.title"),
            t("admin.import.body"),
            [Entry("path", t("admin.import.path"), max_length=1000)],
            t("admin.import.confirm"),
            run,
            dialog_id="import-roster",
        )
        self.app.push_screen(dialog, said)


# ---- one cadre's record ------------------------------------------------------------------------------


def _table(*headers: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False, header_style="bold")
    for header in headers:
        # Titles of sessions are long and Chinese has no spaces to wrap at: fold, never cut.
        table.add_column(header, overflow="fold")
    return table


def _or_none(table: Table) -> RenderableType:
    return table if table.row_count else Text(t("admin.none"), style="dim")


def identity(record: CadreRecord, masked: str) -> Text:
    none = t("admin.none")
    return Text(
        "\n".join(
            [
                t("admin.cadre.name", name=record.name, id_number=masked),
                t("admin.cadre.unit", unit=record.unit, rank=record.rank or none),
                t("admin.cadre.position", position=record.position or none),
                t("admin.cadre.proposed_post", post=record.proposed_post or none),
            ]
        )
    )


def sitting_state(s: SittingView) -> str:
    state = t(f"admin.sitting.state.{s.state}")
    if s.submit_reason:
        return t("admin.sitting.state_how", state=state, how=t(f"decision.why.how.{s.submit_reason}"))
    return state


def passed_text(passed: bool | None) -> Text:
    if passed is None:
        return Text("")
    return Text(
        t("admin.sitting.passed" if passed else "admin.sitting.failed"),
        style="green" if passed else "bold red",
    )


def sittings_table(sittings: Sequence[SittingView], tz: tzinfo) -> RenderableType:
    table = _table(
        t("col.record_session"),
        t("col.exam"),
        t("col.time"),
        t("col.state"),
        t("col.score"),
        t("col.record_passed"),
        t("col.record_level"),
    )
    for s in sittings:
        score = (
            t("admin.sitting.score", score=score_text(s.score), total=f"{s.total_points:g}")
            if s.score is not None
            else ""
        )
        table.add_row(
            *cells(
                s.session,
                s.exam,
                day_and_time(s.started_at, tz),
                sitting_state(s),
                score,
                passed_text(s.passed),
                s.level or "",
            )
        )
    return _or_none(table)


def absences_table(absences: Sequence[tuple[int, str, str]]) -> RenderableType:
    table = _table(t("col.record_session"), t("col.exam"))
    for _, session, exam in absences:
        table.add_row(*cells(session, exam))
    return _or_none(table)


def appointments_block(record: CadreRecord, tz: tzinfo) -> RenderableType:
    if not record.appointments:
        return Text(t("admin.none"), style="dim")
    parts: list[RenderableType] = []
    for view, history in record.appointments:
        parts += [appointment_facts(view, tz, who=False), Text(""), history_table(history, tz), Text("")]
    return Group(*parts)


def qualifications_table(record: CadreRecord) -> RenderableType:
    table = _table(t("col.exam"), t("col.record_level"), t("col.score"), t("col.record_granted_on"))
    for q in record.qualifications:
        table.add_row(*cells(q.exam, q.level, score_text(q.score), q.granted_on.isoformat()))
    return _or_none(table)


def appeals_table(appeals: Sequence[dict[str, Any]], tz: tzinfo) -> RenderableType:
    table = _table(
        t("col.id"),
        t("col.record_attempt"),
        t("col.record_filed_at"),
        t("col.state"),
        t("col.record_outcome"),
        t("col.record_reason"),
    )
    for a in appeals:
        table.add_row(
            *cells(
                str(a["id"]),
                str(a["attempt"]),
                day_and_time(a["filed_at"], tz),
                t(f"admin.appeal.state.{a['state']}"),
                t(f"admin.appeal.outcome.{a['outcome']}") if a["outcome"] else "",
                a["reason"] or "",
            )
        )
    return _or_none(table)


def courses_table(record: CadreRecord) -> RenderableType:
    table = _table(
        t("courses.col.dates"),
        t("courses.col.kind"),
        t("courses.col.title"),
        t("course.col.attended"),
        t("courses.col.state"),
    )
    for c in record.courses:
        table.add_row(
            *cells(
                f"{c.starts_on.isoformat()}—{c.ends_on.isoformat()}",
                t(f"points.kind.{c.kind}"),
                c.title,
                f"{c.attended}/{c.half_days}",
                t("course.closed_word") if c.closed else t("course.open"),
            )
        )
    return _or_none(table)


def points_table(record: CadreRecord) -> RenderableType:
    table = _table(
        t("points.col.year"), *(t(f"points.category.{c}") for c in CATEGORY_IDS), t("points.col.total")
    )
    for y in record.points:
        table.add_row(
            *cells(str(y.year), *(score_text(y.totals[c].counted) for c in CATEGORY_IDS), score_text(y.total))
        )
    return _or_none(table)


SECTIONS = (
    "identity",
    "sittings",
    "absences",
    "appointments",
    "qualifications",
    "appeals",
    "courses",
    "points",
)


class CadrePageScreen(Screen[None]):
    """Everything held on one cadre, section by section; read-only, scrolled with the arrow keys."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "key.back")]
    CSS_PATH = "cadres.tcss"

    class Loaded(Message):
        def __init__(self, record: CadreRecord) -> None:
            super().__init__()
            self.record = record

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, id_number: str) -> None:
        super().__init__()
        self._id_number = id_number  # the full number: for reading the record, never shown
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("admin.cadre.title"), id="cadre-title", classes="screen-title", markup=False)
        with VerticalScroll(id="cadre-body"):
            for section in SECTIONS:
                if section != "identity":
                    yield Static(t(f"admin.cadre.section.{section}"), classes="section-title", markup=False)
                yield Static(t("admin.loading") if section == "identity" else "", id=f"cadre-{section}")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cadre-body").focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(cadre_record(self.app.db, self._id_number)))
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=str(exc))))

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#cadre-identity", Static).update(Text(message.detail, style="bold red"))

    def on_cadre_page_screen_loaded(self, message: Loaded) -> None:
        record, tz = message.record, self.app.tz
        self.query_one("#cadre-title", Static).update(t("admin.cadre.title_name", name=record.name))
        shown: dict[str, RenderableType] = {
            "identity": identity(record, mask(record.id_number)),
            "sittings": sittings_table(record.sittings, tz),
            "absences": absences_table(record.absences),
            "appointments": appointments_block(record, tz),
            "qualifications": qualifications_table(record),
            "appeals": appeals_table(record.appeals, tz),
            "courses": courses_table(record),
            "points": points_table(record),
        }
        for section, renderable in shown.items():
            self.query_one(f"#cadre-{section}", Static).update(renderable)
