"""Moodle XML (a ``<quiz>`` of ``<question type=…>``) → a bank in the project's format.

What carries over: multichoice (single or multiple), truefalse, shortanswer (as a fill-in with one
blank) and essay (as a short answer, ``<graderinfo>`` the rubric); ``<name>`` suggests the id,
``<generalfeedback>`` and the answers' feedback become the explanation, ``<defaultgrade>`` the points,
``<tags>`` the tags, ``<shuffleanswers>`` whether options are shuffled. HTML is flattened to text.

Category questions (``$course$/top/廉政法规/纪律处分条例``) set the category of the questions after them.
The title is the *whole* path below ``top`` joined by `` / `` (``廉政法规 / 纪律处分条例``): Moodle's
trees often repeat a leaf name (``第一章`` under several laws) and the last part alone would merge them.

Everything else is skipped or altered with a note naming the question by its number among the real
questions of the file (category entries not counted) and the line of its ``<question>`` tag.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from exam_tui.domain.questions import OPTION_LETTERS, count_blanks, normalise_fill
from exam_tui.formats.convert._xml_tree import Element, parse
from exam_tui.formats.convert.common import BankBuilder, Conversion, UnreadableSource
from exam_tui.formats.convert.html_text import html_to_text, plain_lines

BLANK = "____"
MAX_OPTIONS = len(OPTION_LETTERS)
# Moodle stores thirds as 33.33333; a fraction this close to 100 is the whole mark.
_FULL = 99.99
_PATH_SPLIT = re.compile(r"(?<!/)/(?!/)")


class _Skip(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


class _Question:
    """One ``<question>`` being converted; alterations wait until the question is known to be kept,
    so a skipped question gets one note, its reason."""

    def __init__(self, element: Element) -> None:
        self.element = element
        self.altered: list[tuple[str, dict[str, Any]]] = []
        # Moodle reads the question text as HTML unless told otherwise, and every other text of the
        # question (feedback, HTML answers, grader information) in the question text's format.
        text = element.find("questiontext")
        self.format = (text.attrs.get("format") if text is not None else None) or "html"

    def alter(self, code: str, **params: Any) -> None:
        if (code, params) not in self.altered:
            self.altered.append((code, params))

    def text(self, container: Element | None, *, part: str) -> str:
        """The plain text of a Moodle text block (``<questiontext>``, ``<answer>``, ``<feedback>`` …).

        ``part`` says what media in it means: ``stem`` and ``option N`` cannot be shown without
        them (skip); in ``feedback`` and ``rubric`` they are left out with a note."""
        if container is None:
            return ""
        raw = container.child_text("text") or ""
        text, media = _flatten(raw, container.attrs.get("format") or self.format)
        media = media or bool(container.findall("file"))
        if part == "stem":
            # Before Moodle 2.0 a picture came in <image> and <image_base64> beside the text.
            media = media or any(_clean(self.element.child_text(tag)) for tag in ("image", "image_base64"))
        if media:
            if part == "stem":
                raise _Skip("moodle_image")
            if part.startswith("option "):
                raise _Skip("moodle_image_option", option=int(part.split()[1]))
            self.alter(f"moodle_image_{part}")
        return text


def _flatten(raw: str, text_format: str) -> tuple[str, bool]:
    """(plain text, whether it referred to images or other files)."""
    pluginfile = "@@PLUGINFILE@@" in raw
    if text_format in ("plain_text", "markdown", "wiki_like"):
        return plain_lines(raw), pluginfile
    if text_format == "moodle_auto_format":
        # Moodle shows the line breaks of auto-formatted text as typed.
        raw = raw.replace("\r\n", "\n").replace("\n", "<br>")
    flat = html_to_text(raw)
    return flat.text, pluginfile or bool(flat.media)


def convert(path: Path, *, builder: BankBuilder) -> Conversion:
    try:
        raw = path.read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        detail = getattr(exc, "strerror", None) or str(exc)
        raise UnreadableSource(str(path), "moodle_unreadable", detail=detail) from exc
    root = parse(raw)
    if root.tag != "quiz":
        raise UnreadableSource(f"line {root.line}", "moodle_not_quiz", tag=root.tag)
    category: str | None = None
    number = 0
    for element in root.findall("question"):
        kind = element.attrs.get("type", "").strip()
        if kind == "category":
            category = category_title(element)
            continue
        number += 1
        location = f"question {number} (line {element.line})"
        question = _Question(element)
        try:
            converted = _convert(question, kind)
        except _Skip as skip:
            builder.skip(location, skip.code, **skip.params)
            continue
        converted["category"] = category
        builder.add(location, converted, id_hint=_clean(element.child_text("name", "text")))
        for code, params in question.altered:
            builder.alter(location, code, **params)
    return builder.finish(path)


def category_title(element: Element) -> str | None:
    """The title of a category question's path, or None for Moodle's top (the default category)."""
    holder = element.find("category")
    if holder is None:
        return None
    path = holder.child_text("text")
    if path is None:
        path = holder.text
    # "//" is how Moodle writes a slash inside one category's name; names may hold multi-language HTML.
    parts = [html_to_text(p.replace("//", "/")).text.strip() for p in _PATH_SPLIT.split(path.strip())]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]  # $course$, $system$, $module$, $coursecategory$
    if parts and parts[0] == "top":
        parts = parts[1:]
    title = " / ".join(p for p in parts if p)
    return title or None


def _convert(q: _Question, kind: str) -> dict[str, Any]:
    handlers = {
        "multichoice": _choice,
        "truefalse": _true_false,
        "shortanswer": _short_answer,
        "essay": _essay,
    }
    handler = handlers.get(kind)
    if handler is None:
        raise _Skip("moodle_unsupported_type", moodle_type=kind or "?")
    stem = q.text(q.element.find("questiontext"), part="stem")
    if not stem:
        raise _Skip("moodle_empty_stem")
    question = handler(q, stem)
    question.update(_common(q))
    general = q.text(q.element.find("generalfeedback"), part="feedback")
    # The general feedback first, then what each answer's feedback says about that answer.
    question["explanation"] = "\n".join(filter(None, [general, question.pop("feedback", "")])) or None
    return question


def _common(q: _Question) -> dict[str, Any]:
    element = q.element
    out: dict[str, Any] = {}
    grade = _clean(element.child_text("defaultgrade"))
    if grade:
        try:
            points = float(grade)
        except ValueError:
            points = math.nan
        if 0 < points <= 1000:  # NaN fails this too
            out["points"] = int(points) if points.is_integer() else points
        else:
            q.alter("moodle_points_dropped", points=grade)
    tags: list[str] = []
    holder = element.find("tags")
    for tag in holder.findall("tag") if holder is not None else []:
        name = _clean(tag.child_text("text") if tag.find("text") is not None else tag.text)
        if name and name not in tags:
            tags.append(name)
    out["tags"] = tags
    return out


class _Answer:
    def __init__(self, q: _Question, element: Element, index: int, *, html: bool) -> None:
        raw = (element.attrs.get("fraction") or "0").strip()
        try:
            self.fraction = float(raw)
        except ValueError:
            self.fraction = math.nan
        if not math.isfinite(self.fraction):
            raise _Skip("moodle_bad_fraction", fraction=raw)
        if html:
            self.text = q.text(element, part=f"option {index}")
        else:  # Moodle keeps short answers and true/false labels as plain text, markup and all
            self.text = (element.child_text("text") or "").strip()
        self.feedback = q.text(element.find("feedback"), part="feedback")

    @property
    def right(self) -> bool:
        return self.fraction >= _FULL


def _answers(q: _Question, *, html: bool = False) -> list[_Answer]:
    answers = [_Answer(q, e, i, html=html) for i, e in enumerate(q.element.findall("answer"), 1)]
    # Moodle itself ignores answers left blank when it imports a question.
    return [a for a in answers if a.text]


def _fractions(answers: list[_Answer]) -> str:
    return ", ".join(f"{a.fraction:g}%" for a in answers)


def _choice(q: _Question, stem: str) -> dict[str, Any]:
    answers = _answers(q, html=True)
    if not answers:
        raise _Skip("moodle_no_answers")
    single = _flag(q.element.child_text("single"), default=True)

    def counts(a: _Answer) -> bool:
        # A single choice is right at 100% only; a multiple choice's right options are all worth something.
        return a.right if single else a.fraction > 0

    kept: dict[str, _Answer] = {}
    for answer in answers:
        key = " ".join(answer.text.split())
        first = kept.get(key)
        if first is None:
            kept[key] = answer
        elif counts(first) != counts(answer):
            raise _Skip("moodle_duplicate_option_conflict", text=answer.text)
        else:
            q.alter("moodle_duplicate_option", text=answer.text)
    answers = list(kept.values())
    if not 2 <= len(answers) <= MAX_OPTIONS:
        raise _Skip("moodle_option_count", count=len(answers))
    letters = OPTION_LETTERS[: len(answers)]
    out: dict[str, Any] = {
        "stem": stem,
        "options": {k: a.text for k, a in zip(letters, answers, strict=True)},
    }
    right = [k for k, a in zip(letters, answers, strict=True) if counts(a)]
    if single:
        if not right:
            raise _Skip("moodle_no_right_answer")
        if len(right) > 1:
            raise _Skip("moodle_single_many_right", count=len(right))
        partial = [a for a in answers if 0 < a.fraction < _FULL]
        if partial:
            q.alter("moodle_partial_dropped", fractions=_fractions(partial))
        out.update(type="single", answer=right[0])
    else:
        weights = [a for a in answers if a.fraction > 0]
        if not right:
            raise _Skip("moodle_no_right_answer")
        if len(right) == 1:
            q.alter("moodle_multiple_one_right")
            out.update(type="single", answer=right[0])
        else:
            if len({round(a.fraction, 2) for a in weights}) > 1:
                q.alter("moodle_weights_dropped", fractions=_fractions(weights))
            out.update(type="multiple", answer=right)
    # Moodle's importer reads a missing <shuffleanswers> as "do not shuffle"; its exports always say.
    if not _flag(q.element.child_text("shuffleanswers"), default=False):
        out["shuffle_options"] = False
    out["feedback"] = "\n".join(
        f"{k}: {a.feedback}" for k, a in zip(letters, answers, strict=True) if a.feedback
    )
    return out


def _true_false(q: _Question, stem: str) -> dict[str, Any]:
    answers = _answers(q)
    if not answers:
        raise _Skip("moodle_no_answers")
    # The answers say "true" and "false"; files from before Moodle 2.0 have a translated label there
    # and Moodle then takes them in order, true first, as we do.
    labels = [
        a.text if a.text in ("true", "false") else ("true", "false")[min(i, 1)] for i, a in enumerate(answers)
    ]
    right = {label == "true" for label, a in zip(labels, answers, strict=True) if a.right}
    if len(right) != 1:
        raise _Skip("moodle_no_right_answer")
    # √ and × are how Chinese papers write true and false; they read the same in any language.
    marks = {"true": "√", "false": "×"}
    feedback = "\n".join(
        f"{marks[label]}: {a.feedback}" for label, a in zip(labels, answers, strict=True) if a.feedback
    )
    return {"type": "true_false", "stem": stem, "answer": right.pop(), "feedback": feedback}


def _short_answer(q: _Question, stem: str) -> dict[str, Any]:
    answers = _answers(q)
    if not answers:
        raise _Skip("moodle_no_answers")
    right = [a for a in answers if a.right]
    if not right:
        raise _Skip("moodle_no_right_answer")
    # In Moodle * matches any text and \* is a star; exam-tui compares answers as written.
    wild = [a.text for a in right if "*" in a.text.replace("\\*", "")]
    accepted: list[str] = []
    seen: set[str] = set()
    for answer in right:
        text = answer.text.replace("\\*", "*")
        key = normalise_fill(text)
        if answer.text not in wild and key and key not in seen:
            seen.add(key)
            accepted.append(text)
    if not accepted:
        raise _Skip("moodle_wildcard_only", answers=", ".join(wild))
    if wild:
        q.alter("moodle_wildcard_dropped", answers=", ".join(wild))
    partial = [a for a in answers if 0 < a.fraction < _FULL]
    if partial:
        q.alter("moodle_partial_dropped", fractions=_fractions(partial))
    blanks = count_blanks(stem)
    if blanks > 1:
        raise _Skip("moodle_many_blanks", count=blanks)
    if blanks == 0:
        stem = f"{stem} {BLANK}"
        q.alter("moodle_blank_added")
    if _flag(q.element.child_text("usecase"), default=False):
        q.alter("moodle_case_ignored")
    feedback = "\n".join(f"{a.text}: {a.feedback}" for a in answers if a.feedback)
    answer: str | list[str] = accepted[0] if len(accepted) == 1 else accepted
    return {"type": "fill_blank", "stem": stem, "answer": [answer], "feedback": feedback}


def _essay(q: _Question, stem: str) -> dict[str, Any]:
    if _clean(q.element.child_text("responseformat")) == "noinline":
        raise _Skip("moodle_essay_upload_only")
    if (_clean(q.element.child_text("attachments")) or "0") != "0":
        q.alter("moodle_essay_upload_dropped")
    rubric = q.text(q.element.find("graderinfo"), part="rubric")
    if not rubric:
        rubric = q.text(q.element.find("generalfeedback"), part="feedback")
        if not rubric:
            raise _Skip("moodle_essay_no_rubric")
        q.alter("moodle_rubric_from_feedback")
    return {"type": "short_answer", "stem": stem, "rubric": rubric}


def _flag(value: str | None, *, default: bool) -> bool:
    value = (value or "").strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    return default


def _clean(value: str | None) -> str | None:
    """The value with its white space collapsed, or None when nothing is left."""
    if value is None:
        return None
    return " ".join(value.split()) or None
