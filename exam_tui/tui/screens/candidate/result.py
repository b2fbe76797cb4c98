"""After hand-in: what the exam's review policy lets the candidate see, then the next candidate."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from exam_tui.i18n import t
from exam_tui.services.admission import Admission
from exam_tui.services.attempts import AttemptResult
from exam_tui.tui.text import translate_bindings
from exam_tui.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from exam_tui.tui.app import ExamApp


def _answer_text(item_type: str, answer: object) -> str:
    if answer is None or answer == [] or answer == "":
        return t("result.no_answer")
    if item_type == "true_false":
        return t("exam.true") if answer == "A" else t("exam.false")
    if item_type == "fill_blank" and isinstance(answer, list):
        return t("exam.numbers_sep").join(" / ".join(a) if isinstance(a, list) else str(a) for a in answer)
    if isinstance(answer, list):
        return "".join(str(a) for a in answer)
    return str(answer)


class ResultScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "done", "key.done")]

    app: ExamApp  # type: ignore[assignment]

    def __init__(self, admission: Admission, result: AttemptResult) -> None:
        super().__init__()
        self.admission, self.result = admission, result
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        r = self.result
        yield Static(t("result.title"), classes="screen-title")
        with VerticalScroll(id="result-body"):
            yield Static(self._verdict(), id="verdict", markup=False)
            if r.review == "full" and r.score is not None:
                for item, review in zip(r.paper.items, r.items, strict=True):
                    lines = [
                        t("result.item", n=item.number, score=review.score or 0, points=item.points),
                        item.stem,
                        *(f"  {letter}. {text}" for letter, text in item.options),
                        t("result.yours", answer=_answer_text(item.type, review.answer)),
                    ]
                    if item.type != "short_answer":
                        lines.append(t("result.key", answer=_answer_text(item.type, item.key)))
                    if item.explanation:
                        lines.append(t("result.explanation", text=item.explanation))
                    yield Static(Prose("\n".join(lines)), classes="review-item", markup=False)
        yield Static(t("result.next"), id="keymap", markup=False)

    def _verdict(self) -> str:
        r = self.result
        reason = t(f"result.reason.{r.submit_reason or 'candidate'}")
        head = t("result.handed_in", name=self.admission.candidate.name, reason=reason)
        if r.review == "none":
            return f"{head}\n\n{t('result.no_review')}"
        if r.score is None:
            return f"{head}\n\n{t('result.pending')}"
        lines = [head, "", t("result.score", score=r.score, total=r.total_points, pass_score=r.pass_score)]
        if r.level:
            lines.append(t("result.level", level=r.level))
        if r.passed:
            lines.append(t("result.passed"))
        elif r.kind == "pre_appointment":
            # The decision belongs to the organisation department; the candidate is told where it goes.
            lines.append(t("result.reported"))
        else:
            lines.append(t("result.not_passed"))
        return "\n".join(lines)

    def action_done(self) -> None:
        self.app.next_candidate()
