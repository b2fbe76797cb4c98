"""An appeal's steps and keys in words: one wording for the reviewer's screen and `appeal show`."""

from __future__ import annotations

import json
from typing import Any

from exam_tui.domain.questions import fill_key_text
from exam_tui.i18n import t
from exam_tui.services.appeals import AppealStep


def points_words(value: float | None) -> str:
    """7.5, 10 (no trailing .0), or a dash for points that do not exist yet."""
    if value is None:
        return t("appeals.none_yet")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def bank_key_words(key: Any) -> str:
    """A key in the bank's terms: B; A、C; 正确 / 错误; each blank's accepted answers."""
    if key is None:
        return t("appeals.none_yet")
    if isinstance(key, bool):
        return t("review.true") if key else t("review.false")
    if isinstance(key, list):
        if key and all(isinstance(k, list) for k in key):
            return fill_key_text([[str(f) for f in k] for k in key], t("review.blank_separator"))
        return t("review.separator").join(map(str, key))
    return str(key)


def step_words(step: AppealStep) -> str:
    """What one step of the review did, in words (without its time and actor)."""
    d = step.details
    if step.action == "filed":
        return t("review.step.filed", reason=d.get("reason", ""))
    if step.action == "regrade":
        text = t(
            "review.step.regrade",
            item=d.get("item"),
            points=points_words(d.get("points")),
            before=points_words(d.get("score_before")),
            after=points_words(d.get("score_after")),
        )
        if d.get("comment"):
            text += t("review.step.comment", comment=d["comment"])
        return text
    if step.action == "key_correction":
        return t(
            "review.step.key_correction",
            question=d.get("question", ""),
            before=bank_key_words(d.get("previous_key")),
            after=bank_key_words(d.get("key")),
            rescored=d.get("rescored", 0),
            changed=len(d.get("changed") or []),
            decisions=len(d.get("decisions") or []),
            reason=d.get("reason", ""),
        )
    if step.action == "decided":
        return t(
            "review.step.decided", outcome=t(f"appeals.outcome.{d.get('outcome')}"), note=d.get("note", "")
        )
    return t("review.step.other", action=step.action, details=json.dumps(d, ensure_ascii=False))
