"""Appeals (申诉复核): the list of appeals, and one appeal reviewed on the exact paper the candidate saw.

The review shows every item of the frozen paper with the candidate's choice, the key in force (and the
original one where a correction replaced it), the points and, for short answers, every mark. While the
appeal is open the reviewer may regrade, correct a key and decide, each in a dialog that runs the
service and shows its refusal in place; a decided appeal is read-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ListItem, ListView, Static

from exam_tui.i18n import t
from exam_tui.services.appeal_words import step_words
from exam_tui.services.appeals import (
    AppealDetail,
    AppealStep,
    AppealView,
    ReviewItem,
    appeal_detail,
    list_appeals,
)
from exam_tui.services.sessions import SessionError
from exam_tui.tui.messages import LoadFailed
from exam_tui.tui.screens.admin import appeal_dialogs as dialogs
from exam_tui.tui.screens.admin.appeal_dialogs import Acted, bank_key_text, result_words
from exam_tui.tui.screens.admin.dialogs import ActionDialog
from exam_tui.tui.screens.admin.grading import clip, first_line, points_text
from exam_tui.tui.text import day_and_time, in_zone, translate_bindings
from exam_tui.tui.widgets.prose import Prose
from exam_tui.tui.widgets.tables import set_columns

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from exam_tui.services.appeals import KeyCorrectionReport
    from exam_tui.tui.app import ExamApp

# Wide enough for "2026-11-23 09:00"; narrower terminals get "11-23 09:00".
WIDE = 100
# The marks follow the option text, so the letters stay in one column whatever is marked.
CHOSEN, KEY = "●", "✓"


def _filed_at(moment: datetime, tz: tzinfo, wide: bool) -> str:
    return day_and_time(moment, tz) if wide else in_zone(moment, tz).strftime("%m-%d %H:%M")


def list_columns(width: int) -> list[tuple[str, int | None]]:
    """The list's columns at ``width``: the unit takes what is left, the exam half of it at most."""
    wide = width >= WIDE - 2
    fixed = [("id", 4), ("name", 8), ("appeal_filed", 16 if wide else 11), ("state", 6)]
    fixed += [("appeal_outcome", 4), ("appeal_score", 11 if wide else 9)]
    used = sum(w for _, w in fixed) + 2 * (len(fixed) + 2) + 2
    exam = max(8, (width - used) // 2)
    columns: list[tuple[str, int | None]] = [*fixed[:2], ("unit", None), ("exam", exam), *fixed[2:]]
    return columns


class AppealsScreen(Screen[None]):
    """Every appeal, newest last; the line under the table tells the highlighted one's reason."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "key.open"),
        Binding("n", "file", "key.appeal_new"),
        Binding("escape", "app.pop_screen", "key.back"),
    ]
    CSS_PATH = "appeals.tcss"

    class Loaded(Message):
        def __init__(self, appeals: list[AppealView]) -> None:
            super().__init__()
            self.appeals = appeals

    app: ExamApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._appeals: dict[str, AppealView] = {}
        # The appeal just filed: the cursor goes to it once the list is read again.
        self._select: int | None = None
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("appeals.title"), classes="screen-title", markup=False)
        yield DataTable(id="appeals-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("grader.loading"), id="appeals-empty", classes="empty", markup=False)
        yield Static("", id="appeals-detail", markup=False)
        yield Static("", id="appeals-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#appeals-table").display = False

    def on_screen_resume(self) -> None:
        self.load()  # the first showing, and back from a review (its state may have moved)

    @work(thread=True, exclusive=True, exit_on_error=False, group="appeals-load")
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(list_appeals(self.app.db)))
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=first_line(exc))))

    def on_load_failed(self, message: LoadFailed) -> None:
        empty = self.query_one("#appeals-empty", Static)
        empty.update(message.detail)
        empty.display = True

    def on_appeals_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one("#appeals-table", DataTable)
        keep = self._select if self._select is not None else self._highlighted_id()
        self._select = None
        self._appeals = {str(a.id): a for a in message.appeals}
        width = self.size.width - 2
        set_columns(table, list_columns(width), width)
        wide = width >= WIDE - 2
        widths = {str(c.key.value): c.width for c in table.columns.values()}
        for a in message.appeals:
            state = t(f"appeals.state.{a.state}")
            outcome = t(f"appeals.outcome.{a.outcome}") if a.outcome else ""
            score = t("appeals.score", before=points_text(a.before_score), after=points_text(a.after_score))
            cells = (
                str(a.id),
                clip(a.cadre, widths["name"]),
                clip(a.unit, widths["unit"]),
                clip(a.exam, widths["exam"]),
                _filed_at(a.filed_at, self.app.tz, wide),
                state,
                outcome,
                score,
            )
            table.add_row(*cells, key=str(a.id))
        keys = list(self._appeals)
        if keep is not None and str(keep) in keys:
            table.move_cursor(row=keys.index(str(keep)))
        empty = self.query_one("#appeals-empty", Static)
        empty.update(t("appeals.none"))
        empty.display = not message.appeals
        table.display = bool(message.appeals)
        if message.appeals:
            table.focus()
        self._describe()

    def on_resize(self) -> None:
        if self._appeals:
            self.on_appeals_screen_loaded(self.Loaded(list(self._appeals.values())))

    def _highlighted_id(self) -> int | None:
        table = self.query_one("#appeals-table", DataTable)
        if not table.row_count:
            return None
        appeal = self._appeals.get(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or "")
        return appeal.id if appeal else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()

    def _describe(self) -> None:
        appeal = self._appeals.get(str(self._highlighted_id()))
        text = ""
        if appeal is not None:
            text = t(
                "appeals.detail",
                name=appeal.cadre,
                unit=appeal.unit,
                exam=appeal.exam,
                attempt=appeal.attempt_id,
                reason=appeal.reason,
            )
        self.query_one("#appeals-detail", Static).update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value in self._appeals:
            self.app.push_screen(AppealReviewScreen(self._appeals[event.row_key.value].id))

    def action_open(self) -> None:
        appeal_id = self._highlighted_id()
        if appeal_id is not None:
            self.app.push_screen(AppealReviewScreen(appeal_id))

    def action_file(self) -> None:
        def filed(acted: Acted | None) -> None:
            if acted is not None:
                self.query_one("#appeals-status", Static).update(t("appeals.filed", id=acted.result))
                self._select = acted.result
                self.load()

        self.app.push_screen(dialogs.file_dialog(self.app), filed)


# ---- one appeal -------------------------------------------------------------------------------------------


def answer_words(item_type: str, value: Any) -> str:
    """A candidate's answer or a key as the paper shows it: letters, 正确/错误, blanks, the written text."""
    if value is None or value == "" or value == []:
        return t("review.no_answer")
    if item_type == "true_false":
        return t("review.true") if value == "A" else t("review.false")
    if isinstance(value, list):
        return bank_key_text(value)
    return str(value)


def _letters(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v) for v in value}
    return {str(value)} if value else set()


def item_text(review: ReviewItem) -> Text:
    """One item of the paper: heading, stem, options with the choice and the key marked, answer, key."""
    item = review.item
    text = Text()
    heading = t(
        "review.item",
        n=item.number,
        type=item.type,
        score=points_text(review.score),
        points=points_text(item.points),
        question=item.question,
    )
    text.append(heading, style="bold")
    text.append("\n" + item.stem)
    chosen, keys = _letters(review.answer), _letters(item.key)
    for letter, option in item.options:
        marks = (CHOSEN if letter in chosen else "") + (KEY if letter in keys else "")
        marks = f" {marks}" if marks else ""
        style = "green" if letter in keys else ("bold" if letter in chosen else "")
        text.append("\n" + t("review.option", marks=marks, letter=letter, text=option), style=style)
    text.append("\n" + t("review.answer", answer=answer_words(item.type, review.answer)))
    if item.type != "short_answer":
        text.append("  " + t("review.key", answer=answer_words(item.type, item.key)), style="green")
    if review.original_key is not None:
        corrected = t(
            "review.corrected",
            before=answer_words(item.type, review.original_key),
            after=answer_words(item.type, item.key),
        )
        text.append("\n" + corrected, style="bold yellow")
    if item.rubric:
        text.append("\n" + t("review.rubric", rubric=item.rubric), style="dim")
    if review.marks:
        marks = t("review.separator").join(
            t("review.mark", grader=g, role=t(f"review.kind.{kind}"), points=points_text(p))
            for g, kind, p in review.marks
        )
        text.append("\n" + t("review.marks", marks=marks))
    return text


def step_text(step: AppealStep, tz: tzinfo) -> str:
    """One step of the review in words, with its time and who took it."""
    return t("review.step", at=day_and_time(step.at, tz), actor=step.actor, text=step_words(step))


class AppealReviewScreen(Screen[None]):
    """The appeal's header, the paper item by item (a cursor for r / k), and the steps so far."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "key.back"),
        Binding("r", "regrade", "key.appeal_regrade"),
        Binding("k", "correct_key", "key.appeal_key"),
        Binding("d", "decide", "key.appeal_decide"),
    ]
    CSS_PATH = "appeals.tcss"

    class Loaded(Message):
        def __init__(self, detail: AppealDetail) -> None:
            super().__init__()
            self.detail = detail

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, appeal_id: int) -> None:
        super().__init__()
        self.appeal_id = appeal_id
        self.detail: AppealDetail | None = None
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Static(t("review.title", id=self.appeal_id), classes="screen-title", markup=False)
        yield Static(t("grader.loading"), id="review-header", markup=False)
        yield ListView(id="review-items")
        yield Static(t("review.steps"), id="review-steps-title", markup=False)
        with VerticalScroll(id="review-steps"):
            yield Static("", id="review-steps-text", markup=False)
        yield Static("", id="review-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-load")
    def load(self) -> None:
        try:
            self.post_message(self.Loaded(appeal_detail(self.app.db, self.appeal_id)))
        except SessionError as exc:
            self.post_message(LoadFailed(exc.message()))
        except Exception as exc:
            self.post_message(LoadFailed(t("app.load_failed", detail=first_line(exc))))

    def on_load_failed(self, message: LoadFailed) -> None:
        self._say(message.detail, error=True)

    async def on_appeal_review_screen_loaded(self, message: Loaded) -> None:
        detail = self.detail = message.detail
        self.query_one("#review-header", Static).update(self._header(detail))
        items = self.query_one("#review-items", ListView)
        index = items.index or 0
        await items.clear()
        await items.extend(
            ListItem(Static(Prose(Content.from_rich_text(item_text(r)))), classes="review-paper-item")
            for r in detail.items
        )
        items.index = min(index, len(detail.items) - 1) if detail.items else None
        items.focus()
        self.query_one("#review-steps-text", Static).update(
            "\n".join(step_text(s, self.app.tz) for s in detail.steps)
        )
        self.query_one("#review-steps", VerticalScroll).scroll_end(animate=False)
        self.refresh_bindings()

    def _header(self, detail: AppealDetail) -> Text:
        v, tz = detail.view, self.app.tz
        text = Text()
        text.append(
            t("review.who", name=v.cadre, unit=v.unit, exam=v.exam, attempt=v.attempt_id), style="bold"
        )
        text.append("\n" + t("review.filed", by=v.filed_by, at=day_and_time(v.filed_at, tz), reason=v.reason))
        if v.state == "decided":
            decided = t(
                "review.decided",
                by=detail.decided_by or "",
                at=day_and_time(detail.decided_at, tz) if detail.decided_at else "",
                outcome=t(f"appeals.outcome.{v.outcome}"),
                before=result_words(detail.before),
                after=result_words(detail.after or detail.now),
            )
            text.append("\n" + decided, style="bold green" if v.outcome == "upheld" else "bold yellow")
            if detail.note:
                text.append("\n" + t("review.note", note=detail.note))
        else:
            text.append("\n" + t("review.open", now=result_words(detail.now)), style="bold")
        text.append("\n" + t("review.legend"), style="dim")
        return text

    # ---- actions ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("regrade", "correct_key", "decide"):
            return self.detail is not None and self.detail.view.state == "open"
        return True

    def highlighted(self) -> ReviewItem | None:
        if self.detail is None:
            return None
        index = self.query_one("#review-items", ListView).index
        return self.detail.items[index] if index is not None and index < len(self.detail.items) else None

    def action_regrade(self) -> None:
        assert self.detail is not None
        under = self.highlighted()
        shorts = [r.item.number for r in self.detail.items if r.item.type == "short_answer"]
        if under is not None and under.item.type == "short_answer":
            item: int | None = under.item.number
        else:
            item = shorts[0] if len(shorts) == 1 else None
        self._ask(
            dialogs.regrade_dialog(self.app, self.appeal_id, item),
            lambda score: t("review.done.regrade", score=points_text(score)),
        )

    def action_correct_key(self) -> None:
        def done(report: KeyCorrectionReport) -> str:
            self.app.push_screen(dialogs.report_dialog(report))
            return t("review.done.key", n=len(report.rescored))

        self._ask(dialogs.key_dialog(self.app, self.appeal_id, self.highlighted()), done)

    def action_decide(self) -> None:
        assert self.detail is not None
        before, now = result_words(self.detail.before), result_words(self.detail.now)
        self._ask(
            dialogs.decide_dialog(self.app, self.appeal_id, before, now),
            lambda view: t("review.done.decided", outcome=t(f"appeals.outcome.{view.outcome}")),
        )

    def _ask(self, dialog: ActionDialog[Acted], done: Any) -> None:
        """Show the dialog; once its action is done, say what it did and read the appeal again."""

        def answered(acted: Acted | None) -> None:
            if acted is not None:
                self._say(done(acted.result))
                self.load()

        self.app.push_screen(dialog, answered)

    def _say(self, text: str, *, error: bool = False) -> None:
        said = self.query_one("#review-status", Static)
        said.update(text)
        said.set_class(error, "error")
