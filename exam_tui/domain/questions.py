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


class BadKey(ValueError):
    """A corrected key typed by a reviewer that does not fit the question; ``key`` names the message."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


_TRUE = {"true", "t", "yes", "正确", "对", "√", "是"}
_FALSE = {"false", "f", "no", "错误", "错", "×", "否"}


def parse_key(question_type: str, text: str, option_letters: tuple[str, ...] = ()) -> object:
    """A key as a reviewer types it, in the bank's terms: ``B``; ``A,C`` or ``AC``; ``正确``/``错误``;
    blanks separated by ``;`` with accepted variants of one blank separated by ``|``."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        raise BadKey("answer_key.empty")
    if question_type in ("single", "multiple"):
        letters = [c for c in raw.upper() if c not in " ,、;"]
        unknown = [c for c in letters if c not in option_letters]
        if unknown:
            raise BadKey(
                "answer_key.no_such_option", letters="".join(unknown), options="".join(option_letters)
            )
        if len(set(letters)) != len(letters):
            raise BadKey("answer_key.repeated_letter")
        if question_type == "single":
            if len(letters) != 1:
                raise BadKey("answer_key.single_one_letter")
            return letters[0]
        if len(letters) < 2:
            raise BadKey("answer_key.multiple_two_letters")
        return sorted(letters)
    if question_type == "true_false":
        word = raw.casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise BadKey("answer_key.true_false")
    if question_type == "fill_blank":
        blanks = [[v.strip() for v in part.split("|") if v.strip()] for part in raw.split(";")]
        if any(not variants for variants in blanks):
            raise BadKey("answer_key.empty_blank")
        return blanks
    raise BadKey("answer_key.not_correctable")
