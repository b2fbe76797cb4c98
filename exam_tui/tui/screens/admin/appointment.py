"""One appointment's page: who, which post, what was decided and every change, with who, when and why.

Here an admin adds a note, overrides the decision with a reason, or lifts the override; each runs in
the dialog (dialogs.ActionDialog) and goes into the history with the operator's name. The words and
tables are shared with the cadre's page (cadres.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar

from rich import box
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from exam_tui.i18n import t
from exam_tui.services import appointments
from exam_tui.services.decision_exports import reason_text, status_text, why_text
from exam_tui.services.decision_reports import AppointmentView, DecisionEntry, appointment_history
from exam_tui.services.sessions import SessionError
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.admin.dialogs import ActionDialog, Choice, Entry
from exam_tui.tui.text import day_and_time, translate_bindings

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp

STATUS_STYLES = {"deferred": "bold red", "cleared": "green", "pending_exam": "yellow"}

# ---- words and tables, shared with the cadre's page ------------------------------------------------


def cells(*values: str | Text) -> list[Text]:
    """Table cells as plain text: names, units and reasons are people's words, never Rich markup."""
    return [v if isinstance(v, Text) else Text(v) for v in values]


def status_cell(status: str) -> Text:
    return Text(status_text(status), style=STATUS_STYLES.get(status, ""))


def score_text(score: float | None) -> str:
    return "" if score is None else f"{score:g}"


def history_table(entries: Sequence[DecisionEntry], tz: tzinfo) -> Table:
    """Every change of a decision, oldest first: when, who, from what, to what, why."""
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column(t("col.time"), no_wrap=True)
    table.add_column(t("col.decision_actor"), max_width=12, overflow="fold")
    table.add_column(t("col.decision_source"), no_wrap=True)
    table.add_column(t("col.decision_status"), no_wrap=True)
    table.add_column(t("col.decision_reason"), overflow="fold")
    # Chinese has no spaces to wrap at: long reasons fold at the column's edge instead of being cut.
    table.add_column(t("col.decision_why"), ratio=1, overflow="fold")
    for e in entries:
        table.add_row(
            *cells(
                day_and_time(e.at, tz),
                e.actor or t("admin.actor.system"),
                t(f"decision.source.{e.source}"),
                status_cell(e.status),
                reason_text(e.reason),
                why_text(e.source, e.note),
            )
        )
    return table


def appointment_facts(v: AppointmentView, tz: tzinfo, *, who: bool = True) -> Text:
    """The appointment in a few lines; an override says by whom and why, and what the exam decided.

    ``who`` leaves out the cadre's name and number where the page is already about the cadre.
    """
    lines = (
        [t("admin.appointment.who", name=v.name, id_number=v.id_number_masked, unit=v.unit)] if who else []
    )
    lines.append(t("admin.appointment.post", post=v.post, exam=v.exam))
    text = Text("\n".join(lines) + "\n" + t("admin.appointment.decision"))
    text.append_text(status_cell(v.status))
    if v.override_status:
        text.append(t("admin.appointment.overridden"))
        override = t("admin.appointment.override", by=v.override_by or "", reason=v.override_reason or "")
        text.append("\n" + override, style="bold")
        text.append("\n" + t("admin.appointment.policy"))
        text.append_text(status_cell(v.policy_status))
    text.append(t("admin.appointment.reason", reason=reason_text(v.reason)))
    facts = t(
        "admin.appointment.numbers",
        score=score_text(v.score) or t("admin.none"),
        used=v.attempts_used,
        max=v.max_attempts,
        retake=v.retake_from.isoformat() if v.retake_from else t("admin.none"),
    )
    text.append("\n" + facts)
    if v.decided_at is not None:
        text.append("\n" + t("admin.appointment.decided_at", at=day_and_time(v.decided_at, tz)))
    if v.note:
        text.append("\n" + t("admin.appointment.note", note=v.note))
    return text


# ---- the page ---------------------------------------------------------------------------------------


class AppointmentScreen(Screen[None]):
    """Who, which post, what was decided; the history under it. n note, o override, l lift it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        Binding("n", "note", "key.appointment_note"),
        Binding("o", "override", "key.appointment_override"),
        Binding("l", "lift", "key.lift_override"),
    ]
    CSS_PATH = "decisions.tcss"

    class Loaded(Message):
        def __init__(self, view: AppointmentView, history: list[DecisionEntry]) -> None:
            super().__init__()
            self.view, self.history = view, history

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, appointment_id: int) -> None:
        super().__init__()
        self.appointment_id = appointment_id
        self.view: AppointmentView | None = None
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(
            t("admin.appointment.title", id=self.appointment_id),
            id="appointment-title",
            classes="screen-title",
            markup=False,
        )
        with VerticalScroll(id="appointment-body"):
            yield Static(t("admin.loading"), id="appointment-facts")
            yield Static(t("admin.appointment.history"), classes="section-title", markup=False)
            yield Static("", id="appointment-history")
        yield Static("", id="appointment-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="appointment")
    def load(self) -> None:
        try:
            view, history = appointment_history(self.app.db, self.appointment_id)
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=str(exc))))
        else:
            self.post_message(self.Loaded(view, history))

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#appointment-message", Static).update(Text(message.detail, style="bold red"))

    def on_appointment_screen_loaded(self, message: Loaded) -> None:
        self.view = message.view
        tz = self.app.tz
        self.query_one("#appointment-facts", Static).update(appointment_facts(message.view, tz))
        self.query_one("#appointment-history", Static).update(history_table(message.history, tz))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return True
        if self.view is None or self.app.operator is None:
            return False
        if action == "lift":
            return self.view.override_status is not None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def _ask(self, dialog: ActionDialog) -> None:
        def said(text: str | None) -> None:
            if text:
                self.query_one("#appointment-message", Static).update(Text(text, style="green"))
                self.load()

        self.app.push_screen(dialog, said)

    def action_note(self) -> None:
        app, number = self.app, self.appointment_id
        operator = app.operator or ""

        def add(values: dict[str, str]) -> str:
            appointments.add_note(app.db, number, values["note"], actor=operator, clock=app.service_clock)
            return t("admin.note.done")

        current = self.view.note if self.view is not None else None
        self._ask(
            ActionDialog(
                t("admin.note.title"),
                t("admin.note.body", who=self._who()),
                [Entry("note", t("admin.note.label"), value=current or "")],
                t("admin.note.confirm"),
                add,
                dialog_id="note",
            )
        )

    def action_override(self) -> None:
        assert self.view is not None
        app, number = self.app, self.appointment_id
        operator = app.operator or ""
        proposed = "deferred" if self.view.status == "cleared" else "cleared"

        def set_it(values: dict[str, str]) -> str:
            status = values["choice"]
            appointments.override(
                app.db, number, status, values["reason"], actor=operator, clock=app.service_clock
            )
            return t("admin.override.done", status=status_text(status))

        self._ask(
            ActionDialog(
                t("admin.override.title"),
                t("admin.override.body", who=self._who(), status=status_text(self.view.status)),
                [Entry("reason", t("admin.override.reason"))],
                t("admin.override.confirm"),
                set_it,
                dialog_id="override",
                choice=Choice(
                    t("admin.override.status"),
                    [(s, status_text(s)) for s in ("cleared", "deferred")],
                    proposed,
                ),
            )
        )

    def action_lift(self) -> None:
        assert self.view is not None
        app, number = self.app, self.appointment_id
        operator = app.operator or ""

        def lift(values: dict[str, str]) -> str:
            appointments.override(
                app.db, number, None, values["reason"], actor=operator, clock=app.service_clock
            )
            return t("admin.lift.done")

        self._ask(
            ActionDialog(
                t("admin.lift.title"),
                t("admin.lift.body", who=self._who(), policy=status_text(self.view.policy_status)),
                [Entry("reason", t("admin.lift.reason"))],
                t("admin.lift.confirm"),
                lift,
                dialog_id="lift",
            )
        )

    def _who(self) -> str:
        assert self.view is not None
        v = self.view
        return t("admin.appointment.who_short", name=v.name, unit=v.unit, post=v.post)
