"""The appeals screens' dialogs: file an appeal, regrade, correct a key, decide; the key correction's report.

Each form dialog is the admin's :class:`ActionDialog` (compact): it runs its service call in a thread
worker and stays open when the service refuses, so the reviewer reads the refusal where the values were
typed and corrects them (a wrong letter, a half point, an empty note) instead of starting over. Only a
done action closes the dialog, with its result wrapped in :class:`Acted` (None means the reviewer went
back).

The words for service values that both the dialogs and the review screen show (results, keys in the
bank's terms, decision statuses) are here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from exam_tui.domain.paper import bank_key, bank_options
from exam_tui.i18n import t
from exam_tui.services import appeals
from exam_tui.services.appeal_words import bank_key_words
from exam_tui.tui.screens.admin.dialogs import ActionDialog, Entry
from exam_tui.tui.screens.admin.grading import parse_points, points_text
from exam_tui.tui.text import translate_bindings

if TYPE_CHECKING:
    from exam_tui.services.appeals import KeyCorrectionReport, ReviewItem
    from exam_tui.tui.app import ExamApp


# ---- words for service values ------------------------------------------------------------------------


def status_word(status: str) -> str:
    """An appointment decision's status in words (a status this screen does not know, as stored)."""
    try:
        return t(f"decision.status.{status}")
    except KeyError:
        return status


def result_words(snapshot: dict[str, Any]) -> str:
    """An attempt's result and the cadre's appointment decisions, as an appeal snapshot holds them."""
    if snapshot.get("score") is None or snapshot.get("state") == "pending_grading":
        result = t("review.pending")
    else:
        verdict = t("review.passed") if snapshot.get("passed") else t("review.failed")
        result = t("review.result", score=points_text(snapshot["score"]), verdict=verdict)
    decisions = snapshot.get("decisions") or []
    if not decisions:
        return result
    listed = t("review.separator").join(
        t("review.decision", post=d.get("post", ""), status=status_word(str(d.get("status", ""))))
        for d in decisions
    )
    return t("review.with_decisions", result=result, decisions=listed)


bank_key_text = bank_key_words  # the reviewer's screens and `appeal show` word keys alike


# ---- what the dialogs hand back -------------------------------------------------------------------------


@dataclass(frozen=True)
class Acted:
    """What a form dialog's action returned: the dialog closes with this once the service said yes."""

    result: Any


class AppealReportDialog(ModalScreen[None]):
    """Read-only: what an action did (a key correction's rescoring). Enter or Esc close it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "key.back", priority=True),
        Binding("enter", "close", "key.back", show=False, priority=True),
    ]
    CSS_PATH = "appeal_dialogs.tcss"

    def __init__(self, title: str, body: str, *, dialog_id: str) -> None:
        super().__init__(id=dialog_id)
        self.title_text, self.body = title, body
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="appeal-report"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            with VerticalScroll(classes="report-body"):
                yield Static(self.body, id="report-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("appeal_dialog.close"), id="close", variant="primary")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


# ---- the dialogs of the appeals screens ----------------------------------------------------------------


def _whole(values: dict[str, str], name: str, label: str) -> str | None:
    return None if values[name].isdigit() else t("appeal_dialog.number", label=label)


def file_dialog(app: ExamApp) -> ActionDialog[Acted]:
    """A new appeal against a handed-in paper (its attempt number), filed by the operator."""
    attempt = t("appeal_dialog.file.attempt")
    return ActionDialog(
        t("appeal_dialog.file.title"),
        t("appeal_dialog.file.body", operator=app.operator),
        [
            Entry("attempt", attempt, integer=True, max_length=9),
            Entry("reason", t("appeal_dialog.file.reason")),
        ],
        t("appeal_dialog.file.confirm"),
        lambda v: Acted(
            appeals.file_appeal(
                app.db, int(v["attempt"]), v["reason"], filed_by=app.operator or "", clock=app.service_clock
            )
        ),
        dialog_id="file-appeal",
        compact=True,
        check=lambda v: _whole(v, "attempt", attempt),
    )


def regrade_dialog(app: ExamApp, appeal_id: int, item: int | None) -> ActionDialog[Acted]:
    """The reviewer's points for a short answer; ``item`` is preselected (the one under the cursor)."""
    number = t("appeal_dialog.regrade.item")

    def check(values: dict[str, str]) -> str | None:
        if parse_points(values["points"]) is None:
            return t("appeal_dialog.points_number")
        return _whole(values, "item", number)

    return ActionDialog(
        t("appeal_dialog.regrade.title"),
        t("appeal_dialog.regrade.body", operator=app.operator),
        [
            Entry("item", number, value=str(item) if item else "", integer=True, max_length=4),
            Entry("points", t("appeal_dialog.regrade.points"), max_length=8),
            Entry("comment", t("appeal_dialog.regrade.comment"), required=False),
        ],
        t("appeal_dialog.regrade.confirm"),
        lambda v: Acted(
            appeals.regrade(
                app.db,
                appeal_id,
                item=int(v["item"]),
                points=parse_points(v["points"]),  # type: ignore[arg-type]
                reviewer=app.operator or "",
                comment=v["comment"] or None,
                clock=app.service_clock,
            )
        ),
        dialog_id="regrade",
        compact=True,
        check=check,
    )


def bank_view(review: ReviewItem) -> tuple[list[tuple[str, str]], Any]:
    """The item's options under the bank's letters, and the key in force in the bank's terms.

    The paper shows its own shuffle of the options; a corrected key is typed in the bank's letters.
    """
    return bank_options(review.item), bank_key(review.item, review.item.key)


def key_dialog(app: ExamApp, appeal_id: int, review: ReviewItem | None) -> ActionDialog[Acted]:
    """A corrected key for the question under the cursor (its bank id preselected), in the bank's letters."""
    lines = []
    if review is not None:
        options, key = bank_view(review)
        item = review.item
        head = t("appeal_dialog.key.head", n=item.number, type=item.type, question=item.question)
        lines.append(head + t("appeal_dialog.key.current", key=bank_key_text(key)))
        lines += [t("appeal_dialog.key.option", letter=letter, text=text) for letter, text in options]
    lines.append(t("appeal_dialog.key.hint"))
    return ActionDialog(
        t("appeal_dialog.key.title"),
        "\n".join(lines),
        [
            Entry("question", t("appeal_dialog.key.question"), value=review.item.question if review else ""),
            Entry("key", t("appeal_dialog.key.key")),
            Entry("reason", t("appeal_dialog.key.reason")),
        ],
        t("appeal_dialog.key.confirm"),
        lambda v: Acted(
            appeals.correct_key(
                app.db,
                appeal_id,
                question=v["question"],
                key=v["key"],
                reason=v["reason"],
                reviewer=app.operator or "",
                clock=app.service_clock,
            )
        ),
        dialog_id="correct-key",
        compact=True,
    )


def decide_dialog(app: ExamApp, appeal_id: int, before: str, now: str) -> ActionDialog[Acted]:
    return ActionDialog(
        t("appeal_dialog.decide.title"),
        t("appeal_dialog.decide.body", before=before, now=now),
        [Entry("note", t("appeal_dialog.decide.note"))],
        t("appeal_dialog.decide.confirm"),
        lambda v: Acted(
            appeals.decide_appeal(
                app.db, appeal_id, note=v["note"], reviewer=app.operator or "", clock=app.service_clock
            )
        ),
        dialog_id="decide",
        compact=True,
    )


def report_dialog(report: KeyCorrectionReport) -> AppealReportDialog:
    """Whose result and which decisions the key correction changed."""
    lines = [
        t(
            "appeal_dialog.report.key",
            question=report.question,
            before=bank_key_text(report.previous_key),
            after=bank_key_text(report.key),
        ),
        t("appeal_dialog.report.rescored", n=len(report.rescored), changed=len(report.changed)),
    ]
    for r in report.changed:
        before = _score_words(r.before, r.passed_before)
        after = _score_words(r.after, r.passed_after)
        lines.append(
            t("appeal_dialog.report.changed", attempt=r.attempt_id, name=r.cadre, before=before, after=after)
        )
    if report.decisions:
        lines.append(t("appeal_dialog.report.decisions", n=len(report.decisions)))
        lines += [
            t(
                "appeal_dialog.report.decision",
                appointment=c.appointment_id,
                post=c.post,
                before=status_word(c.before),
                after=status_word(c.after),
            )
            for c in report.decisions
        ]
    return AppealReportDialog(t("appeal_dialog.report.title"), "\n".join(lines), dialog_id="key-report")


def _score_words(score: float | None, passed: bool | None) -> str:
    return result_words({"score": score, "passed": passed})
