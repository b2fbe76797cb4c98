"""The question bank and exam schema (pydantic) of docs/question-bank-format.md.

Validation runs in two passes so that one run reports every problem in a file: first each category,
question and exam is checked on its own against its model (shape and types); then the parts that
passed are checked against each other (unique ids, known categories, answers that name options,
sections that can be drawn). Every problem carries the path of the node at fault.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from exam_tui.domain.problems import Path, Problem
from exam_tui.domain.questions import OPTION_LETTERS, QUESTION_TYPES, count_blanks, normalise_fill

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
LETTER_PATTERN = r"^[A-H]$"


def _number_to_text(value: Any) -> Any:
    # YAML reads `A: 5000` or `- 10` as numbers; in an option or an answer they are text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Letter = Annotated[str, StringConstraints(pattern=LETTER_PATTERN)]
Text = Annotated[
    str, BeforeValidator(_number_to_text), StringConstraints(strip_whitespace=True, min_length=1)
]
Points = Annotated[float, Field(gt=0, le=1000)]
Difficulty = Annotated[int, Field(ge=1, le=5)]
ExamKind = Literal["pre_appointment", "qualification", "training", "competition", "practice"]
QuestionTypeName = Literal["single", "multiple", "true_false", "fill_blank", "short_answer"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Category(_Strict):
    id: Slug
    title: Text


class _QuestionBase(_Strict):
    id: Slug
    category: Slug
    stem: Text
    points: Points | None = None
    difficulty: Difficulty = 3
    explanation: Text | None = None
    source: Text | None = None
    tags: list[Text] = Field(default_factory=list)
    shuffle_options: bool = True
    # Set by a second examiner once the key has been checked against the cited text (an editorial
    # record of the file; it changes nothing about how the question is drawn or scored).
    reviewed: bool = False


class SingleChoice(_QuestionBase):
    type: Literal["single"]
    options: dict[Letter, Text]
    answer: Letter


class MultipleChoice(_QuestionBase):
    type: Literal["multiple"]
    options: dict[Letter, Text]
    answer: Annotated[list[Letter], Field(min_length=2)]


class TrueFalse(_QuestionBase):
    type: Literal["true_false"]
    answer: bool


class FillBlank(_QuestionBase):
    type: Literal["fill_blank"]
    # One entry per blank: an accepted answer, or a list of accepted alternatives.
    answer: Annotated[list[Text | Annotated[list[Text], Field(min_length=1)]], Field(min_length=1)]

    def accepted(self) -> list[list[str]]:
        return [[entry] if isinstance(entry, str) else list(entry) for entry in self.answer]


class ShortAnswer(_QuestionBase):
    type: Literal["short_answer"]
    rubric: Text


Question = Annotated[
    SingleChoice | MultipleChoice | TrueFalse | FillBlank | ShortAnswer, Field(discriminator="type")
]


class DifficultyBand(_Strict):
    min: Difficulty = 1
    max: Difficulty = 5


class Section(_Strict):
    title: Text
    type: QuestionTypeName
    draw: Annotated[int, Field(ge=1, le=1000)]
    points: Points
    from_: list[Slug] | None = Field(default=None, alias="from")
    difficulty: DifficultyBand | None = None
    partial_credit: bool = False

    model_config = ConfigDict(populate_by_name=True)  # merged with _Strict's

    @property
    def total_points(self) -> float:
        return self.draw * self.points


class GradeBand(_Strict):
    min: Annotated[float, Field(ge=0)]
    level: Text


class Exam(_Strict):
    id: Slug
    title: Text
    kind: ExamKind
    duration_minutes: Annotated[int, Field(ge=1, le=600)]
    pass_score: Annotated[float, Field(ge=0)]
    sections: Annotated[list[Section], Field(min_length=1)]
    shuffle_questions: bool = True
    review: Literal["none", "score", "full"] = "score"
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 1
    grades: list[GradeBand] | None = None
    # Short answers marked by two graders; a third when they differ by more than marking_margin points.
    double_marking: bool = False
    marking_margin: Annotated[float, Field(gt=0)] | None = None
    # Days from a failed sitting to the retake; without it, the setting for all exams (default 7).
    retake_gap_days: Annotated[int, Field(ge=0, le=365)] | None = None

    @property
    def total_points(self) -> float:
        return sum(s.total_points for s in self.sections)


class _Header(_Strict):
    """The top level with the lists left unchecked: their items are checked one by one."""

    bank: Slug
    title: Text
    version: Annotated[str, BeforeValidator(_number_to_text)] | None = None
    language: Text = "zh-CN"
    categories: Annotated[list[Any], Field(min_length=1)]
    questions: Annotated[list[Any], Field(min_length=1)]
    exams: list[Any] = Field(default_factory=list)


@dataclass(frozen=True)
class Bank:
    slug: str
    title: str
    version: str | None
    language: str
    categories: tuple[Category, ...]
    questions: tuple[SingleChoice | MultipleChoice | TrueFalse | FillBlank | ShortAnswer, ...]
    exams: tuple[Exam, ...]

    def content_hash(self) -> str:
        """A digest of what the bank says, blind to comments, key order and layout of the file."""
        doc = {
            "bank": self.slug,
            "title": self.title,
            "version": self.version,
            "language": self.language,
            "categories": [c.model_dump() for c in self.categories],
            "questions": [q.model_dump(exclude_defaults=False) for q in self.questions],
            "exams": [_exam_for_hash(e) for e in self.exams],
        }
        blob = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


# Exam keys added after banks were first imported: left out of the digest while unset, so that adding
# them to the format did not give every bank already imported a new content hash.
_LATER_EXAM_KEYS = ("double_marking", "marking_margin", "retake_gap_days")


def _exam_for_hash(exam: Exam) -> dict[str, Any]:
    dump = exam.model_dump(by_alias=True)
    for key in _LATER_EXAM_KEYS:
        if dump[key] == Exam.model_fields[key].default:
            del dump[key]
    return dump


@dataclass(frozen=True)
class BankCheck:
    bank: Bank | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


_QUESTION = TypeAdapter(Question)
_CATEGORY = TypeAdapter(Category)
_EXAM = TypeAdapter(Exam)


def check_bank(data: Any) -> BankCheck:
    """Validate a parsed bank document; never raises for bad input."""
    if not isinstance(data, dict):
        return BankCheck(None, (Problem((), "not_a_mapping"),))
    problems: list[Problem] = []
    try:
        header = _Header.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from_pydantic(exc, ()))
        header = None

    categories = _check_items(data.get("categories"), "categories", _CATEGORY, problems)
    questions = _check_items(data.get("questions"), "questions", _QUESTION, problems)
    exams = _check_items(data.get("exams"), "exams", _EXAM, problems)

    problems.extend(_check_ids(data.get("categories"), "categories", "duplicate_category"))
    problems.extend(_check_ids(data.get("questions"), "questions", "duplicate_question"))
    problems.extend(_check_ids(data.get("exams"), "exams", "duplicate_exam"))
    category_ids = {c.id for _, c in categories}
    for i, q in questions:
        problems.extend(_check_question(q, ("questions", i), category_ids))
    pool = _pool_entries(data.get("questions"))
    for i, e in exams:
        problems.extend(_check_exam(e, ("exams", i), category_ids, pool))

    if problems or header is None:
        return BankCheck(None, tuple(problems))
    bank = Bank(
        slug=header.bank,
        title=header.title,
        version=header.version,
        language=header.language,
        categories=tuple(c for _, c in categories),
        questions=tuple(q for _, q in questions),
        exams=tuple(e for _, e in exams),
    )
    return BankCheck(bank, ())


def _check_items(
    items: Any, key: str, adapter: TypeAdapter[Any], problems: list[Problem]
) -> list[tuple[int, Any]]:
    if not isinstance(items, list):
        return []  # the header check has reported it
    valid = []
    for i, item in enumerate(items):
        try:
            valid.append((i, adapter.validate_python(item)))
        except ValidationError as exc:
            problems.extend(problems_from_pydantic(exc, (key, i), item))
            # An unknown key alone should not hide what else is wrong with the item (a wrong answer,
            # an unknown category): check it again without those keys.
            errors = exc.errors(include_url=False)
            if isinstance(item, dict) and all(e["type"] == "extra_forbidden" for e in errors):
                extra = {e["loc"][-1] for e in errors if len(e["loc"]) <= 2}
                if len(extra) == len(errors):
                    with contextlib.suppress(ValidationError):
                        valid.append(
                            (i, adapter.validate_python({k: v for k, v in item.items() if k not in extra}))
                        )
    return valid


def _check_ids(items: Any, key: str, code: str) -> Iterable[Problem]:
    """Duplicate ids, found on the raw items so that a broken copy still counts as a duplicate."""
    if not isinstance(items, list):
        return
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        item_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(item_id, str):
            continue
        if item_id in first:
            yield Problem((key, i, "id"), code, {"id": item_id}, see_also=(key, first[item_id], "id"))
        else:
            first[item_id] = i


def _check_question(q: Any, at: Path, category_ids: set[str]) -> Iterable[Problem]:
    if q.category not in category_ids:
        yield Problem((*at, "category"), "unknown_category", {"category": q.category})
    if isinstance(q, SingleChoice | MultipleChoice):
        letters = list(q.options)
        expected = OPTION_LETTERS[: len(letters)]
        if not 2 <= len(letters) <= 8:
            yield Problem((*at, "options"), "option_count", {"count": len(letters)})
        elif "".join(sorted(letters)) != expected:
            yield Problem(
                (*at, "options"), "option_letters", {"letters": "".join(letters), "expected": expected}
            )
        answers = [q.answer] if isinstance(q, SingleChoice) else q.answer
        for j, letter in enumerate(answers):
            where = (*at, "answer") if isinstance(q, SingleChoice) else (*at, "answer", j)
            if letter not in q.options:
                yield Problem(where, "answer_not_an_option", {"letter": letter, "options": "".join(letters)})
        if isinstance(q, MultipleChoice) and len(set(q.answer)) != len(q.answer):
            yield Problem((*at, "answer"), "answer_repeats_letter")
    elif isinstance(q, FillBlank):
        blanks = count_blanks(q.stem)
        if blanks == 0:
            yield Problem((*at, "stem"), "no_blanks")
        elif blanks != len(q.answer):
            yield Problem((*at, "answer"), "blank_count", {"blanks": blanks, "answers": len(q.answer)})
        for j, accepted in enumerate(q.accepted()):
            if any(not normalise_fill(a) for a in accepted):
                yield Problem((*at, "answer", j), "empty_fill_answer")


@dataclass(frozen=True)
class PoolEntry:
    """What a section draws on: a question's type, category and difficulty."""

    type: str
    category: str
    difficulty: int


def _pool_entries(items: Any) -> list[PoolEntry]:
    """Every question whose type, category and difficulty can be read, valid or not.

    A question with a wrong answer is still in the bank the admin meant; leaving it out of the pools
    would add a misleading "not enough questions" to the real problem.
    """
    if not isinstance(items, list):
        return []
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        qtype, category, difficulty = item.get("type"), item.get("category"), item.get("difficulty")
        if qtype in QUESTION_TYPES and isinstance(category, str):
            # An unreadable difficulty is reported on its own; count the question at the default.
            entries.append(PoolEntry(qtype, category, difficulty if isinstance(difficulty, int) else 3))
    return entries


def section_pool(section: Section, questions: Sequence[Any]) -> list[Any]:
    """The questions a section may draw from."""
    band = section.difficulty or DifficultyBand()
    wanted = set(section.from_) if section.from_ else None
    return [
        q
        for q in questions
        if q.type == section.type
        and (wanted is None or q.category in wanted)
        and band.min <= q.difficulty <= band.max
    ]


def _check_exam(exam: Exam, at: Path, category_ids: set[str], questions: Sequence[Any]) -> Iterable[Problem]:
    for s, section in enumerate(exam.sections):
        here = (*at, "sections", s)
        for j, category in enumerate(section.from_ or ()):
            if category not in category_ids:
                yield Problem((*here, "from", j), "unknown_category", {"category": category})
        if section.difficulty and section.difficulty.min > section.difficulty.max:
            yield Problem((*here, "difficulty"), "band_inverted")
        if section.partial_credit and section.type != "multiple":
            yield Problem((*here, "partial_credit"), "partial_credit_not_multiple")
        pool = section_pool(section, questions)
        if section.draw > len(pool):
            yield Problem(
                (*here, "draw"),
                "not_enough_questions",
                {"draw": section.draw, "type": section.type, "available": len(pool)},
            )
    yield from _check_shared_pools(exam, at, questions)
    total = exam.total_points
    if exam.pass_score > total:
        yield Problem((*at, "pass_score"), "pass_above_total", {"pass": exam.pass_score, "total": total})
    if exam.grades:
        mins = [g.min for g in exam.grades]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            yield Problem((*at, "grades"), "grades_order")
        for g, band in enumerate(exam.grades):
            if band.min > total:
                yield Problem(
                    (*at, "grades", g, "min"), "grade_above_total", {"min": band.min, "total": total}
                )


def _check_shared_pools(exam: Exam, at: Path, questions: Sequence[Any]) -> Iterable[Problem]:
    """Sections of one type may share questions; a paper never repeats one, so check Hall's condition.

    Every group of sections must together find as many distinct questions as they draw. Exams have a
    handful of sections, so trying every group is cheap; past 12 sections of one type only the whole
    group is checked.
    """
    for qtype in QUESTION_TYPES:
        indexed = [(i, s) for i, s in enumerate(exam.sections) if s.type == qtype]
        if len(indexed) < 2:
            continue
        pools = {i: {id(q) for q in section_pool(s, questions)} for i, s in indexed}
        sizes = range(2, len(indexed) + 1) if len(indexed) <= 12 else [len(indexed)]
        for size in sizes:
            for group in combinations(indexed, size):
                draw = sum(s.draw for _, s in group)
                available = len(set().union(*(pools[i] for i, _ in group)))
                if draw > available:
                    sections = ", ".join(str(i + 1) for i, _ in group)
                    yield Problem(
                        (*at, "sections", group[-1][0], "draw"),
                        "sections_share_pool",
                        {"sections": sections, "draw": draw, "type": qtype, "available": available},
                    )
                    return


_TYPE_NAMES = {
    "string_type": "string",
    "str_type": "string",
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "float_type": "number",
    "bool_type": "boolean",
    "list_type": "list",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
}


def problems_from_pydantic(exc: ValidationError, prefix: Path, item: Any = None) -> list[Problem]:
    """Turn pydantic's errors into problems with stable codes the catalogs can word."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        kind = err["type"]
        ctx = err.get("ctx") or {}
        # A discriminated union puts the tag ("single") into the path; it names no node.
        if loc and isinstance(item, dict) and loc[0] == item.get("type") and loc[0] not in item:
            loc = loc[1:]
        at_key = False
        if loc and loc[-1] == "[key]":
            loc, at_key = loc[:-1], True
        path: Path = (*prefix, *loc)
        if kind == "missing":
            problems.append(Problem(path[:-1], "missing_key", {"key": path[-1]}))
        elif kind == "extra_forbidden":
            problems.append(Problem(path, "unknown_key", {"key": path[-1]}, at_key=True))
        elif kind == "union_tag_invalid":
            problems.append(Problem((*path, "type"), "bad_question_type", {"value": ctx.get("tag")}))
        elif kind == "union_tag_not_found":
            problems.append(Problem(path, "missing_key", {"key": "type"}))
        elif kind in _TYPE_NAMES:
            problems.append(
                Problem(
                    path,
                    "wrong_type",
                    {"expected": _TYPE_NAMES[kind], "got": _type_name(err["input"])},
                    at_key,
                )
            )
        elif kind == "string_pattern_mismatch":
            code = "bad_letter" if ctx.get("pattern") == LETTER_PATTERN else "bad_slug"
            problems.append(Problem(path, code, {"value": err["input"]}, at_key))
        elif kind == "string_too_short":
            problems.append(Problem(path, "empty_text"))
        elif kind == "too_short":
            problems.append(Problem(path, "too_few_items", {"min": ctx.get("min_length")}))
        elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
            limit = next(iter(ctx.values()), "")
            problems.append(Problem(path, f"number_{kind}", {"value": err["input"], "limit": limit}))
        elif kind == "literal_error":
            problems.append(
                Problem(path, "not_one_of", {"value": err["input"], "expected": ctx.get("expected")})
            )
        else:
            problems.append(Problem(path, "invalid", {"detail": err["msg"]}))
    return problems


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__
