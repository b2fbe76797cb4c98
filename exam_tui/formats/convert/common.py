"""What every converter shares: the bank being built, the report of what could not be carried over,
and the YAML the system runs on.

A converter reads one foreign file and feeds a :class:`BankBuilder` one question at a time, with the
place it came from (``row 12``, ``line 34``). The builder assigns stable ids, turns category titles
into slugs, and records a :class:`Note` for every question it skipped or had to alter, so that an
admin migrating thousands of questions sees each one by its location and reason. Nothing here knows
about a particular foreign format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The keys a question may carry, in the order a person reads them (the bank format's order).
QUESTION_KEYS = (
    "id",
    "type",
    "category",
    "difficulty",
    "points",
    "stem",
    "options",
    "answer",
    "explanation",
    "source",
    "tags",
    "rubric",
    "shuffle_options",
    "reviewed",
)
# The top-level keys of a bank, in the format's order.
BANK_KEYS = ("bank", "title", "version", "language", "categories", "questions", "exams")
_SLUG = re.compile(r"[^a-z0-9]+")
_IS_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class UnreadableSource(Exception):
    """The file cannot be read as its format at all (not UTF-8, malformed XML, no sheet with a header):
    nothing is converted. ``location`` is where reading stopped (``line 3``), ``code`` a message key under
    ``convert.note.``."""

    def __init__(self, location: str, code: str, **params: Any) -> None:
        super().__init__(f"{location}: {code}")
        self.location, self.code, self.params = location, code, params


@dataclass(frozen=True)
class Note:
    """One line of the report: a question skipped (not carried over) or altered on the way."""

    location: str  # "row 12", "line 34", "question 7"
    code: str  # message key under convert.note.* (i18n)
    params: dict[str, Any] = field(default_factory=dict)
    skipped: bool = True
    # False for a note about the file rather than one question (a column nobody reads): it is
    # reported, but counted neither as skipped nor as altered.
    question: bool = True


@dataclass
class Conversion:
    source: Path
    bank: dict[str, Any]
    notes: list[Note]
    # Where each question of ``bank["questions"]`` came from, so that a problem the bank's own
    # validator finds is reported at its row or line in the source.
    locations: list[str] = field(default_factory=list)
    exam_locations: list[str] = field(default_factory=list)

    @property
    def converted(self) -> int:
        return len(self.bank["questions"])

    @property
    def skipped(self) -> int:
        return sum(1 for n in self.notes if n.skipped and n.question)

    @property
    def altered(self) -> int:
        skipped = {n.location for n in self.notes if n.skipped and n.question}
        return len({n.location for n in self.notes if n.question and not n.skipped} - skipped)


class BankBuilder:
    """Collects questions for one bank. ``slug`` and ``title`` name it; ``default_category`` is the
    title of the category for questions whose source names none."""

    def __init__(
        self,
        *,
        slug: str,
        title: str,
        default_category: str,
        id_prefix: str = "q",
        given: frozenset[str] = frozenset(),
        options: dict[str, Any] | None = None,
    ) -> None:
        self.slug, self.title = slug, title
        self.version: str | None = None
        self.language: str | None = None
        self.default_category = default_category
        self.id_prefix = id_prefix
        # Header keys ("bank", "title") the person converting set by hand: a file's own values for them
        # (an exported workbook's info sheet) must not override what was typed on the command line.
        self.given = given
        # Format-specific settings (the Excel converter's column mapping), by name.
        self.options: dict[str, Any] = dict(options or {})
        self.notes: list[Note] = []
        self._categories: dict[str, str] = {}  # title -> slug
        self._category_list: list[tuple[str, str]] = []  # (slug, title), in order of appearance
        self._questions: list[dict[str, Any]] = []
        self._exams: list[dict[str, Any]] = []
        self.locations: list[str] = []  # where each added question came from, in order
        self.exam_locations: list[str] = []
        self._ids: set[str] = set()

    def category(self, title: str | None) -> str:
        """The slug of the category titled ``title`` (created on first use). A file that names
        categories by their ids (as an export does) finds them by id too."""
        title = (title or "").strip() or self.default_category
        if title not in self._categories:
            if any(slug == title for slug, _ in self._category_list):
                return title
            slug = self._unique_slug(title)
            self._categories[title] = slug
            self._category_list.append((slug, title))
        return self._categories[title]

    def define_category(self, slug: str, title: str) -> bool:
        """Declare a category with its own id (a file that lists its categories). False when the id is
        not a slug or is taken; the caller reports it, and the title then gets an id of its own."""
        title = title.strip()
        if not _IS_SLUG.match(slug) or any(s == slug for s, _ in self._category_list):
            return False
        self._categories.setdefault(title, slug)
        self._category_list.append((slug, title))
        return True

    def suggest(self, key: str, value: str | None) -> None:
        """A header value (bank, title, version, language) the file itself carries: taken unless it
        was given by hand."""
        if value and key not in self.given and key in ("bank", "title", "version", "language"):
            setattr(self, "slug" if key == "bank" else key, value)

    def add_exam(self, location: str, exam: dict[str, Any]) -> None:
        """An exam definition carried by the file (an exported workbook's exam sheet); it may still be
        filled in (sections appended) until finish."""
        self._exams.append(exam)
        self.exam_locations.append(location)

    def _unique_slug(self, title: str) -> str:
        ascii_part = _SLUG.sub("-", unicodedata.normalize("NFKD", title).lower()).strip("-")
        base = ascii_part[:40].strip("-") if ascii_part and ascii_part[0].isalnum() else ""
        # Titles in Chinese have no ASCII to keep: number them in the order they appear.
        base = base or f"cat-{len(self._categories) + 1}"
        taken = {s for s, _ in self._category_list}
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def skip(self, location: str, code: str, **params: Any) -> None:
        self.notes.append(Note(location, code, params, skipped=True))

    def alter(self, location: str, code: str, **params: Any) -> None:
        self.notes.append(Note(location, code, params, skipped=False))

    def warn(self, location: str, code: str, **params: Any) -> None:
        """A note about the file, not one question (a column ignored, a sheet left out)."""
        self.notes.append(Note(location, code, params, skipped=False, question=False))

    def add(self, location: str, question: dict[str, Any], *, id_hint: str | None = None) -> str:
        """Add a question (every key but ``id``; ``category`` as a title). Returns its id: ``id_hint``
        made a slug when it is one and free, else the next ``q0001``-style number."""
        q = {k: v for k, v in question.items() if v is not None and v != "" and v != []}
        q["category"] = self.category(q.get("category"))
        qid = self._free_id(id_hint)
        q["id"] = qid
        self._questions.append({k: q[k] for k in QUESTION_KEYS if k in q})
        self.locations.append(location)
        return qid

    def _free_id(self, hint: str | None) -> str:
        if hint:
            slug = _SLUG.sub("-", hint.lower()).strip("-")[:60]
            if slug and slug[0].isalnum() and slug not in self._ids:
                self._ids.add(slug)
                return slug
        n = len(self._questions) + 1
        while (qid := f"{self.id_prefix}{n:04d}") in self._ids:
            n += 1
        self._ids.add(qid)
        return qid

    def finish(self, source: Path) -> Conversion:
        bank: dict[str, Any] = {
            "bank": self.slug,
            "title": self.title,
            "version": self.version,
            "language": self.language,
            "categories": [{"id": s, "title": t} for s, t in self._category_list],
            "questions": self._questions,
            "exams": self._exams,
        }
        bank = {k: bank[k] for k in BANK_KEYS if bank[k] is not None and bank[k] != []}
        bank.setdefault("questions", [])
        return Conversion(
            source=source,
            bank=bank,
            notes=self.notes,
            locations=self.locations,
            exam_locations=self.exam_locations,
        )


def default_slug(path: Path) -> str:
    """A bank slug from a file name (``题库 2026.xlsx`` has no ASCII to keep: ``converted-bank``)."""
    slug = _SLUG.sub("-", unicodedata.normalize("NFKD", path.stem).lower()).strip("-")
    return slug if slug and slug[0].isalnum() else "converted-bank"


try:  # libyaml's emitter writes a 5,000-question bank several times faster than PyYAML's own
    _Dumper: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Dumper = yaml.SafeDumper


class _BankDumper(_Dumper):  # type: ignore[valid-type,misc]
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line stems and explanations as block scalars, as a person would write them.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BankDumper.add_representer(str, _str)


def bank_yaml(bank: dict[str, Any]) -> str:
    """The bank as a YAML document in the format's key order, readable and diffable."""
    return yaml.dump(
        bank, Dumper=_BankDumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )
