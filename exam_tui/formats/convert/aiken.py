"""Aiken → bank questions.

Aiken is Moodle's plainest format: the question, then its options ``A.`` or ``A)``, then
``ANSWER: B``. Files typed in China write the options as ``A、`` or ``A．`` (full-width) and the answer
as ``答案：B``, so those are read too. Beyond Moodle's reading:

- the stem may run over several lines (its line breaks are kept), and an option's text may wrap onto
  the next line (joined to it);
- ``ANSWER: AC`` (or ``A,C``, ``A、C``) names several right options: a multiple choice;
- a line ``解析：…`` or ``EXPLANATION: …`` right after the answer becomes the explanation.

A question ends at its answer line, or at a blank line once its options have started (so a question
without an answer line does not swallow the next one). Malformed questions (no answer, an answer that is
not an option, fewer than two options, a letter twice or skipped) are skipped with their line and reason.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exam_tui.domain.questions import OPTION_LETTERS
from exam_tui.formats.convert.common import BankBuilder, Conversion
from exam_tui.formats.convert.plain_text import join_wrapped, paragraphs, read_lines

# A letter (half- or full-width), then . ) 、 ． or ）. An ASCII full stop followed by a letter is an
# abbreviation ("U.S. law"), not an option.
_OPTION = re.compile(r"^([A-ZＡ-Ｚ])\s*(?:\.(?![A-Za-z])|[)、．）])\s*(.*)$")
_ANSWER = re.compile(r"^(?:ANSWER|答案)\s*[:：]\s*(.*)$", re.IGNORECASE)
_EXPLANATION = re.compile(r"^(?:EXPLANATION|解析)\s*[:：]\s*(.*)$", re.IGNORECASE)
_ANSWER_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass
class _Draft:
    """A question being read: where it starts, its stem lines and its options as written."""

    line: int
    stem: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)  # (letter, text), in file order
    blank_after_options: bool = False

    @property
    def location(self) -> str:
        return f"line {self.line}"


def convert(path: Path, *, builder: BankBuilder) -> Conversion:
    """Convert one Aiken file; see the module's docstring for what is read and how."""
    _Reader(builder).read(read_lines(path))
    return builder.finish(path)


@dataclass
class _Reader:
    builder: BankBuilder
    draft: _Draft | None = None
    # The last question read, held back until we know whether an explanation line follows it.
    held: tuple[str, dict[str, Any]] | None = None
    after_answer: bool = False  # nothing but blank lines since the last answer line

    def read(self, lines: list[str]) -> None:
        for n, raw in enumerate(lines, start=1):
            self.line(n, raw.strip())
        if self.draft is not None:
            self.close(None)
        self.release()

    def line(self, n: int, text: str) -> None:
        draft = self.draft
        if not text:
            if draft is not None and draft.options:
                draft.blank_after_options = True
            elif draft is not None:
                draft.stem.append("")  # a paragraph break in the stem
            return
        if m := _ANSWER.match(text):
            if draft is None:
                return self.builder.skip(f"line {n}", "aiken_stray_answer")
            return self.close(m.group(1))
        if self.after_answer and (m := _EXPLANATION.match(text)):
            # The explanation of the question just read (dropped with it when it was skipped).
            if self.held is not None and m.group(1).strip():
                self.held[1]["explanation"] = m.group(1).strip()
            self.after_answer = False
            return self.release()
        self.after_answer = False
        option = _OPTION.match(text)
        if option and ((draft is not None and draft.options) or _letter(option.group(1)) == "A"):
            if draft is None:
                draft = self.draft = self.start(n)
            if draft.blank_after_options and _letter(option.group(1)) == "A":
                # A new set of options after a blank line: the last question had no answer line.
                self.close(None)
                draft = self.draft = self.start(n)
            draft.options.append((_letter(option.group(1)), option.group(2)))
            draft.blank_after_options = False
            return None
        if draft is None:
            draft = self.draft = self.start(n)
        elif draft.blank_after_options:
            self.close(None)
            draft = self.draft = self.start(n)
        if draft.options:
            letter, before = draft.options[-1]
            draft.options[-1] = (letter, join_wrapped(f"{before}\n{text}"))
        else:
            draft.stem.append(text)
        return None

    def start(self, n: int) -> _Draft:
        self.release()
        return _Draft(n)

    def release(self) -> None:
        if self.held is not None:
            location, question = self.held
            self.builder.add(location, question)
            self.held = None

    def close(self, answer: str | None) -> None:
        draft, self.draft = self.draft, None
        assert draft is not None
        self.release()
        self.after_answer = answer is not None
        question = self.question(draft, answer)
        if question is not None:
            self.held = (draft.location, question)

    def question(self, draft: _Draft, answer: str | None) -> dict[str, Any] | None:
        def skip(code: str, **params: Any) -> None:
            self.builder.skip(draft.location, code, **params)

        stem = paragraphs("\n".join(draft.stem))
        if not stem:
            return skip("aiken_empty_stem")
        if answer is None:
            return skip("aiken_no_answer")
        letters = [letter for letter, _ in draft.options]
        if repeated := next((x for i, x in enumerate(letters) if x in letters[:i]), None):
            return skip("aiken_duplicate_letter", letter=repeated)
        if len(letters) < 2:
            return skip("aiken_too_few_options", count=len(letters))
        if len(letters) > len(OPTION_LETTERS):
            return skip("aiken_too_many_options", count=len(letters), most=len(OPTION_LETTERS))
        written = "".join(sorted(letters))
        if written != OPTION_LETTERS[: len(letters)]:
            return skip("aiken_letters_gap", letters=written)
        if empty := [letter for letter, text in draft.options if not text]:
            return skip("aiken_empty_option", letter=empty[0])
        key = _ANSWER_SEPARATORS.sub("", unicodedata.normalize("NFKC", answer)).upper()
        if not re.fullmatch(r"[A-Z]+", key):
            return skip("aiken_bad_answer", value=answer.strip())
        right = list(dict.fromkeys(key))
        if missing := [x for x in right if x not in letters]:
            return skip("aiken_answer_not_option", letter=missing[0], letters=written)
        options = dict(sorted(draft.options))
        if len(right) == 1:
            return {"type": "single", "stem": stem, "options": options, "answer": right[0]}
        return {"type": "multiple", "stem": stem, "options": options, "answer": sorted(right)}


def _letter(written: str) -> str:
    return unicodedata.normalize("NFKC", written)
