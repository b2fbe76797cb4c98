"""An appeal for the terminal: the header, its steps and the exact paper with answers, keys and points."""

from __future__ import annotations

from typing import Any

from exam_tui.cli.decision_text import when
from exam_tui.domain.paper import PaperItem, bank_letter
from exam_tui.domain.questions import fill_key_text
from exam_tui.formats.results_export import cell_text
from exam_tui.i18n import t
from exam_tui.services.appeal_words import step_words
from exam_tui.services.appeals import AppealDetail, ReviewItem


def _choice_text(item: PaperItem, value: Any) -> str:
    """An answer or key in words: letters for choices, 正确/错误 for true/false, blanks joined."""
    if value is None or value == [] or value == "":
        return t("cli.appeal.no_answer")
    if item.type == "true_false":
        return t("cli.appeal.true") if value == "A" else t("cli.appeal.false")
    if item.type == "multiple":
        return "".join(sorted(value))
    if item.type == "fill_blank":
        # A key holds the accepted forms of each blank, an answer one text per blank.
        forms = [[str(f) for f in blank] if isinstance(blank, list) else [str(blank)] for blank in value]
        return fill_key_text(forms, "; ")
    return str(value)


def item_lines(r: ReviewItem) -> list[str]:
    item = r.item
    lines = [
        t(
            "cli.appeal.item",
            number=item.number,
            type=t(f"word.{item.type}"),
            question=item.question,
            score=cell_text(r.score, empty="-"),
            points=cell_text(item.points),
        ),
        "   " + item.stem,
    ]
    chosen = (
        set(r.answer if isinstance(r.answer, list) else [r.answer])
        if item.type in ("single", "multiple")
        else set()
    )
    keys = (
        set(item.key if isinstance(item.key, list) else [item.key])
        if item.type in ("single", "multiple")
        else set()
    )
    for letter, text in item.options:
        marks = ("✓" if letter in keys else " ") + ("←" if letter in chosen else " ")
        lines.append(
            t("cli.appeal.option", marks=marks, letter=letter, text=text, bank=bank_letter(item, letter))
        )
    if item.type != "short_answer":
        lines.append(
            t(
                "cli.appeal.answer_and_key",
                answer=_choice_text(item, r.answer),
                key=_choice_text(item, item.key),
            )
        )
    else:
        lines.append(t("cli.appeal.written_answer", answer=r.answer or t("cli.appeal.no_answer")))
        if item.rubric:
            lines.append(t("cli.appeal.rubric", rubric=item.rubric))
        for grader, kind, points in r.marks:
            lines.append(t(f"cli.appeal.mark.{kind}", grader=grader, points=cell_text(points)))
    if r.original_key is not None:
        lines.append(
            t(
                "cli.appeal.key_corrected",
                before=_choice_text(item, r.original_key),
                after=_choice_text(item, item.key),
            )
        )
    return lines


def _result(snapshot: dict[str, Any] | None) -> str:
    if not snapshot:
        return "-"
    decisions = ", ".join(
        d["post"] + " " + t("decision.status." + d["status"]) for d in snapshot.get("decisions", [])
    )
    passed = snapshot.get("passed")
    verdict = (
        "-" if passed is None else (t("cli.cadre.show.passed") if passed else t("cli.cadre.show.failed"))
    )
    level = f" {snapshot['level']}" if snapshot.get("level") else ""
    text = f"{cell_text(snapshot.get('score'), empty='-')} {verdict}{level}"
    return f"{text}; {decisions}" if decisions else text


def detail_lines(d: AppealDetail) -> list[str]:
    v = d.view
    lines = [
        t("cli.appeal.heading", id=v.id, attempt=v.attempt_id, cadre=v.cadre, unit=v.unit, exam=v.exam),
        t("cli.appeal.filed_line", by=v.filed_by, at=when(v.filed_at), reason=v.reason),
        t(
            "cli.appeal.state_line",
            state=t(f"cli.appeal.state.{v.state}"),
            outcome=t(f"cli.appeal.outcome.{v.outcome}") if v.outcome else "-",
        ),
        t("cli.appeal.before", result=_result(d.before)),
        t("cli.appeal.after" if d.after else "cli.appeal.now", result=_result(d.after or d.now)),
    ]
    if d.decided_by:
        lines.append(t("cli.appeal.decided_line", by=d.decided_by, at=when(d.decided_at), note=d.note or ""))
    lines += ["", t("cli.appeal.steps")]
    for s in d.steps:
        lines.append(f"  {when(s.at)}  {s.actor}  {step_words(s)}".rstrip())
    lines += ["", t("cli.appeal.paper", pass_score=cell_text(d.pass_score), total=cell_text(d.total_points))]
    for r in d.items:
        lines.extend(item_lines(r))
    return lines


def detail_json(d: AppealDetail) -> dict[str, Any]:
    v = d.view
    return {
        "id": v.id,
        "attempt": v.attempt_id,
        "cadre": v.cadre,
        "unit": v.unit,
        "exam": v.exam,
        "filed_by": v.filed_by,
        "filed_at": v.filed_at.isoformat(),
        "reason": v.reason,
        "state": v.state,
        "outcome": v.outcome,
        "before": d.before,
        "after": d.after,
        "now": d.now,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at.isoformat() if d.decided_at else None,
        "note": d.note,
        "steps": [
            {"at": s.at.isoformat(), "actor": s.actor, "action": s.action, "details": s.details}
            for s in d.steps
        ],
        "items": [
            {
                "number": r.item.number,
                "question": r.item.question,
                "type": r.item.type,
                "stem": r.item.stem,
                "options": [list(o) for o in r.item.options],
                "answer": r.answer,
                "key": r.item.key,
                "original_key": r.original_key,
                "score": r.score,
                "points": r.item.points,
                "marks": [{"grader": g, "kind": k, "points": p} for g, k, p in r.marks],
            }
            for r in d.items
        ],
    }
