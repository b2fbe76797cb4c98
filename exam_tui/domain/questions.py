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


# Fill-in keys as text, one form wherever people type or read them (the Excel template's 答案 column, a
# reviewer's corrected key, the appeal's printout): blanks in order, separated by ; or |, and the accepted
# forms of one blank separated by /. Full-width forms count the same.
FILL_BLANK_SEPARATOR = ";"
FILL_ALTERNATIVE_SEPARATOR = "/"
_FILL_BLANKS = re.compile(r"[;；|｜]")
_FILL_ALTERNATIVES = re.compile(r"[/／]")


def fill_key_from_text(text: str) -> list[list[str]]:
    """One list of accepted forms per blank, each stripped; empty entries are kept (as "") for the
    caller to report."""
    return [[a.strip() for a in _FILL_ALTERNATIVES.split(blank)] for blank in _FILL_BLANKS.split(text)]


def fill_key_text(accepted: list[list[str]], blank_separator: str = FILL_BLANK_SEPARATOR) -> str:
    """The text form of a fill-in key (the inverse of fill_key_from_text)."""
    return blank_separator.join(FILL_ALTERNATIVE_SEPARATOR.join(forms) for forms in accepted)


def fill_separator_in(text: str) -> bool:
    """Whether an answer holds a character the text form uses between blanks or forms."""
    return bool(_FILL_BLANKS.search(text) or _FILL_ALTERNATIVES.search(text))


def parse_key(question_type: str, text: str, option_letters: tuple[str, ...] = ()) -> object:
    """A key as a reviewer types it, in the bank's terms: ``B``; ``A,C`` or ``AC``; ``正确``/``错误``;
    for fill-in, the text form of :func:`fill_key_from_text` (``六/6;十二/12``)."""
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
        blanks = [[v for v in variants if v] for variants in fill_key_from_text(raw)]
        if any(not variants for variants in blanks):
            raise BadKey("answer_key.empty_blank")
        return blanks
    raise BadKey("answer_key.not_correctable")
