"""Question types and answer normalisation."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    FILL_BLANK = "fill_blank"
    SHORT_ANSWER = "short_answer"


QUESTION_TYPES: tuple[str, ...] = tuple(t.value for t in QuestionType)
OPTION_LETTERS = "ABCDEFGH"
BLANK = re.compile(r"_{4,}")
_SPACE = re.compile(r"\s+")


def count_blanks(stem: str) -> int:
    return len(BLANK.findall(stem))


def normalise_fill(text: str) -> str:
    """The comparison form of a fill-in answer: NFKC, no white space, Latin letters folded.

    NFKC makes full-width and half-width forms equal (``ＡＢＣ１`` = ``ABC1``); removing all white space
    keeps a stray space typed between Chinese characters from costing a point.
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()
