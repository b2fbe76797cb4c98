"""Moodle GIFT → bank questions.

The reading follows Moodle's own importer (qformat_gift), so a file Moodle takes is read the same way:
questions are separated by blank lines; a line whose text starts with ``//`` is a comment; ``::title::``
names a question; ``[html]``, ``[markdown]``, ``[plain]`` or ``[moodle]`` before the text says how it is
written; the one ``{…}`` block holds the answers, and when text follows the block (the "missing word"
form) the blank goes where the block was. ``\\~ \\= \\# \\{ \\} \\:`` stand for the characters themselves,
``\\n`` for a line break.

What the bank format cannot hold is skipped with its line and reason (matching, numerical, description
items, essays with nothing for a grader to go by) and what it can hold only in part is converted and
reported as altered (partial-credit answers, weights of a multiple-answer question, an appended blank).

Choices made where GIFT says more than a bank can:

- ``$CATEGORY: $course$/top/法规/党纪`` names the category ``法规 / 党纪``: the whole path without Moodle's
  context (``$course$``, ``$system$`` …) and its ``top`` level, so two courses' ``第一章`` stay apart.
- An essay ``{}`` becomes a short answer whose rubric is the general feedback (``{####…}``); without one
  it is skipped, since the bank requires a rubric and an invented one would mislead graders.
- Feedback is written to ``explanation``: the general feedback first, then each option's as ``B: …``
  (for true/false, the feedback on a right answer before the feedback on a wrong one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exam_tui.domain.questions import OPTION_LETTERS, count_blanks, normalise_fill
from exam_tui.formats.convert.common import BankBuilder, Conversion, UnreadableSource
from exam_tui.formats.convert.html_text import html_to_text
from exam_tui.formats.convert.plain_text import join_wrapped, paragraphs, read_lines

BLANK = "____"
# Escaped control characters stand in as private-use characters while the text is cut up, so that an
# escaped brace or tilde is never taken for syntax; they turn back into the characters at the end.
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_STAND_IN = {c: chr(0xE000 + i) for i, c in enumerate("\\:#={}~n")}
_BACK = str.maketrans({v: ("\n" if c == "n" else c) for c, v in _STAND_IN.items()})
_TEXT_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_MOODLE_CONTEXT = re.compile(r"^\$[a-z0-9_]+\$$", re.IGNORECASE)
_TRUE, _FALSE = frozenset({"T", "TRUE"}), frozenset({"F", "FALSE"})
_FULL = 100.0


def convert(path: Path, *, builder: BankBuilder) -> Conversion:
    """Convert one GIFT file; see the module's docstring for what is carried over and how."""
    lines = read_lines(path)
    category: str | None = None
    questions = 0
    for block in _blocks(lines):
        content = [(n, line) for n, line in block if not line.strip().startswith("//")]
        if content and content[0][1].strip().startswith("$CATEGORY:"):
            category = _category_title(content[0][1].strip()[len("$CATEGORY:") :])
            content = content[1:]
        if content:
            questions += 1
            _Question(builder, content, category).convert()
    if not questions:
        raise UnreadableSource("line 1", "gift_no_questions")
    return builder.finish(path)


def _blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """The file cut at blank lines, each line with its 1-based number."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for n, line in enumerate(lines, start=1):
        if line.strip():
            blocks[-1].append((n, line))
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: _STAND_IN[m.group(1)], text)


def _category_title(path: str) -> str | None:
    # Moodle writes a slash inside a category name as "//".
    segments = [s.strip().replace("\0", "/") for s in path.replace("//", "\0").split("/")]
    segments = [s for s in segments if s]
    if segments and _MOODLE_CONTEXT.match(segments[0]):
        segments = segments[1:]
    if segments and segments[0].lower() == "top":
        segments = segments[1:]
    return " / ".join(segments) or None


@dataclass
class _Answer:
    text: str
    weight: float
    feedback: str
    right_marker: bool  # written with "=" (not "~")


@dataclass
class _Question:
    builder: BankBuilder
    content: list[tuple[int, str]]
    category: str | None
    text_format: str = "moodle"
    images: int = 0
    alters: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"line {self.content[0][0]}"

    def skip(self, code: str, **params: Any) -> None:
        self.builder.skip(self.location, code, **params)

    def convert(self) -> None:
        text = _protect("\n".join(line for _, line in self.content)).strip()
        title = None
        if text.startswith("::") and (end := text.find("::", 2)) >= 0:
            title = join_wrapped(text[2:end].translate(_BACK)) or None
            text = text[end + 2 :].strip()
        opens, closes = text.count("{"), text.count("}")
        if opens == closes == 0:
            return self.skip("gift_description")
        if opens != closes or text.find("}") < text.find("{"):
            return self.skip("gift_braces")
        if opens > 1:
            return self.skip("gift_several_answer_blocks", count=opens)
        start, finish = text.index("{"), text.index("}")
        before, answers, after = text[:start], text[start + 1 : finish].strip(), text[finish + 1 :]
        if m := _TEXT_FORMAT.match(before):
            self.text_format, before = m.group(1).lower(), before[m.end() :]
        general = ""
        if (at := answers.rfind("####")) >= 0:
            general, answers = self.text(answers[at + 4 :], lines=True), answers[:at].strip()
        # With text after the block, the answers were written where the blank goes.
        at_end = not after.strip()
        stem_source = before if at_end else before + BLANK + after
        question = self.build(answers, stem_source, at_end, general)
        if question is None:
            return None
        if self.images:
            self.alters.append(("gift_html_image", {"count": self.images}))
        question["category"] = self.category
        self.builder.add(self.location, question, id_hint=title)
        for code, params in self.alters:
            self.builder.alter(self.location, code, **params)
        return None

    def build(self, answers: str, stem_source: str, at_end: bool, general: str) -> dict[str, Any] | None:
        """The question dict for the answer block's kind (Moodle's order of tests), or None if skipped."""
        stem = self.text(stem_source, lines=True)
        if not stem:
            return self.skip("gift_empty_stem")
        if not answers:
            return self.essay(stem, general)
        if answers.startswith("#"):
            return self.skip("gift_numerical")
        if "~" in answers:
            return self.choice(answers, stem, general)
        if "=" in answers and "->" in answers:
            return self.skip("gift_matching")
        head = answers.split("#", 1)[0].strip().upper()
        if head in _TRUE | _FALSE:
            return self.true_false(answers, stem, general, head in _TRUE)
        return self.fill_blank(answers, stem, at_end, general)

    def text(self, raw: str, *, lines: bool = False) -> str:
        """Text cut from the question, written in the question's format unless it names its own."""
        text_format = self.text_format
        if m := _TEXT_FORMAT.match(raw):
            text_format, raw = m.group(1).lower(), raw[m.end() :]
        if text_format == "html":
            flat = html_to_text(raw, alt_text=True)
            raw = flat.text
            self.images += len(flat.media)
        shaped = paragraphs(raw) if lines else join_wrapped(raw)
        return shaped.translate(_BACK).strip()

    def parse_answers(self, answers: str, markers: str) -> list[_Answer] | None:
        parts = re.split(f"([{re.escape(markers)}])", answers)
        if parts[0].strip():
            self.skip("gift_answer_unreadable", text=join_wrapped(parts[0].translate(_BACK))[:40])
            return None
        parsed = []
        for marker, body in zip(parts[1::2], parts[2::2], strict=True):
            weight = _FULL if marker == "=" else 0.0
            if m := _WEIGHT.match(body):
                weight, body = float(m.group(1)), body[m.end() :]
            answer, _, feedback = body.partition("#")
            parsed.append(_Answer(self.text(answer), weight, self.text(feedback), marker == "="))
        return parsed

    def choice(self, answers: str, stem: str, general: str) -> dict[str, Any] | None:
        parsed = self.parse_answers(answers, "~=")
        if parsed is None:
            return None
        if not 2 <= len(parsed) <= len(OPTION_LETTERS):
            code = "gift_too_few_options" if len(parsed) < 2 else "gift_too_many_options"
            return self.skip(code, count=len(parsed), most=len(OPTION_LETTERS))
        if any(not a.text for a in parsed):
            return self.skip("gift_empty_option")
        letters = OPTION_LETTERS[: len(parsed)]
        options = {letter: a.text for letter, a in zip(letters, parsed, strict=True)}
        feedback = [
            f"{letter}: {a.feedback}" for letter, a in zip(letters, parsed, strict=True) if a.feedback
        ]
        question = {"stem": stem, "options": options, "explanation": _explanation(general, *feedback)}
        if any(a.right_marker for a in parsed):
            # "=" marks the one right answer; "~%50%" options would earn part of the points.
            right = [letter for letter, a in zip(letters, parsed, strict=True) if a.weight >= _FULL]
            if len(right) != 1:
                code = "gift_no_right_answer" if not right else "gift_several_right"
                return self.skip(code, count=len(right))
            if any(0 < a.weight < _FULL for a in parsed):
                self.alters.append(("gift_partial_credit_dropped", {}))
            return {"type": "single", **question, "answer": right[0]}
        # No "=": several answers, each right one carrying a positive share of the points.
        right = [letter for letter, a in zip(letters, parsed, strict=True) if a.weight > 0]
        if not right:
            return self.skip("gift_no_right_answer", count=0)
        if len(right) == 1:
            self.alters.append(("gift_single_from_multiple", {"letter": right[0]}))
            return {"type": "single", **question, "answer": right[0]}
        shares = [a.weight for a in parsed if a.weight > 0]
        if max(shares) - min(shares) > 0.01:
            self.alters.append(("gift_weights_dropped", {}))
        return {"type": "multiple", **question, "answer": right}

    def true_false(self, answers: str, stem: str, general: str, value: bool) -> dict[str, Any]:
        # Moodle's order: {TRUE#feedback on a wrong answer#feedback on the right one}.
        _, wrong, right = ([*answers.split("#", 2), "", ""])[:3]
        return {
            "type": "true_false",
            "stem": stem,
            "answer": value,
            "explanation": _explanation(general, self.text(right), self.text(wrong)),
        }

    def fill_blank(self, answers: str, stem: str, at_end: bool, general: str) -> dict[str, Any] | None:
        parsed = self.parse_answers(answers, "=")
        if parsed is None:
            return None
        accepted: list[str] = []
        for a in parsed:
            if a.weight >= _FULL and normalise_fill(a.text) not in map(normalise_fill, accepted):
                accepted.append(a.text)
        if any(a.weight >= _FULL and not normalise_fill(a.text) for a in parsed):
            return self.skip("gift_empty_answer")
        if not accepted:
            return self.skip("gift_no_right_answer", count=0)
        if any(0 < a.weight < _FULL for a in parsed):
            self.alters.append(("gift_partial_credit_dropped", {}))
        blanks = count_blanks(stem)
        if at_end and blanks == 0 and stem:
            # The answers close the question: the blank has no place of its own, so it goes last.
            stem += BLANK if not stem[-1].isascii() else " " + BLANK
            self.alters.append(("gift_blank_appended", {}))
        elif blanks != 1:
            return self.skip("gift_blank_count", count=blanks)
        feedback = [a.feedback for a in parsed if a.weight >= _FULL and a.feedback]
        return {
            "type": "fill_blank",
            "stem": stem,
            "answer": [accepted if len(accepted) > 1 else accepted[0]],
            "explanation": _explanation(general, *feedback),
        }

    def essay(self, stem: str, general: str) -> dict[str, Any] | None:
        if not general:
            return self.skip("gift_essay_no_rubric")
        return {"type": "short_answer", "stem": stem, "rubric": general}


def _explanation(*parts: str) -> str | None:
    kept = list(dict.fromkeys(p for p in parts if p))
    return "\n".join(kept) or None
