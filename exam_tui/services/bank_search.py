"""Searching a bank's questions: words in the text, category, type, tag. Read-only."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from exam_tui.services.banks import QuestionView, list_questions
from exam_tui.services.runtime import Database

QUESTION_TYPES = ("single", "multiple", "true_false", "fill_blank", "short_answer")


def search_questions(
    db: Database,
    slug: str,
    text: str | None = None,
    category: str | None = None,
    type: str | None = None,
    tag: str | None = None,
) -> list[QuestionView]:
    """The questions of the bank's current version that meet every criterion given, in file order.

    ``text``: every word of it (split on spaces) occurs in the stem, an option or the explanation.
    ``tag``: occurs in one of the question's tags. Both ignore case and full/half width, so ``ＡＢＣ``
    typed with a Chinese input method finds ``abc``. ``category`` (its id) and ``type`` match exactly.
    Empty or blank criteria are ignored. Raises ``BankNotFound`` for an unknown bank.

    Text and tags are matched here rather than in SQL: options and tags are JSON columns, whose stored
    text escapes Chinese on SQLite but not on PostgreSQL, so a LIKE would find different questions on
    the two backends.
    """
    words = [_fold(w) for w in (text or "").split()]
    wanted_tag = _fold(tag or "").strip()
    questions = list_questions(db, slug, (category or "").strip() or None)
    return [
        q
        for q in questions
        if (not type or q.type == type)
        and (not words or _has_words(q, words))
        and (not wanted_tag or any(wanted_tag in _fold(each) for each in q.tags))
    ]


def _has_words(q: QuestionView, words: Iterable[str]) -> bool:
    haystack = _fold("\n".join([q.stem, *(q.options or {}).values(), q.explanation or ""]))
    return all(word in haystack for word in words)


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold()
