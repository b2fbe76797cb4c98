"""Seeded paper assembly: draw each section, shuffle questions and options, map the key to shown letters.

Python guarantees the sequence of ``random.random()`` after ``seed()`` but not the algorithms of
``shuffle``/``sample``, which have changed between versions. A paper must be re-drawable years later for
an appeal, so the randomness here is our own: a SHA-256 counter stream feeding Fisher–Yates with
rejection sampling (no modulo bias). Each candidate's seed is an HMAC of the session's secret, so a
candidate cannot predict a neighbour's paper but an examiner holding the secret can recompute it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TypeVar

from exam_tui.domain.questions import OPTION_LETTERS, count_blanks

PAPER_FORMAT = 1
TRUE_FALSE_LETTERS = ("A", "B")  # A 正确 / B 错误, never shuffled


class SeedStream:
    """Uniform integers from SHA-256(seed ‖ label ‖ counter): stable across Python versions."""

    def __init__(self, seed: str, label: str) -> None:
        self._prefix = bytes.fromhex(seed) + b"\x00" + label.encode("utf-8") + b"\x00"
        self._counter = 0
        self._words: list[int] = []

    def _word(self) -> int:
        if not self._words:
            block = hashlib.sha256(self._prefix + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
            self._words = [int.from_bytes(block[i : i + 8], "big") for i in range(0, 32, 8)]
        return self._words.pop(0)

    def below(self, n: int) -> int:
        """An integer in [0, n), each equally likely."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (1 << 64) - ((1 << 64) % n)  # reject the tail that would favour small values
        while True:
            word = self._word()
            if word < limit:
                return word % n


T = TypeVar("T")


def shuffled(items: Iterable[T], stream: SeedStream) -> list[T]:
    """Fisher–Yates (Durstenfeld) driven by ``stream``."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = stream.below(i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def derive_seed(secret: str, exam_id: int, candidate: str, bank_version: int) -> str:
    """HMAC-SHA256(session secret, exam id ‖ candidate id ‖ bank version), as hex."""
    message = f"{exam_id}\x1f{candidate}\x1f{bank_version}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PoolQuestion:
    """A bank question as paper assembly needs it."""

    slug: str
    type: str
    category: str
    difficulty: int
    stem: str
    options: Mapping[str, str] | None
    answer: Any
    shuffle_options: bool = True
    explanation: str | None = None
    source: str | None = None
    rubric: str | None = None


@dataclass(frozen=True)
class BlueprintSection:
    title: str
    type: str
    draw: int
    points: float
    categories: tuple[str, ...] | None = None
    difficulty_min: int = 1
    difficulty_max: int = 5
    partial_credit: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BlueprintSection:
        """From a section as the bank stores it (the ``from`` key, an optional difficulty band)."""
        band = data.get("difficulty") or {}
        return cls(
            title=data["title"],
            type=data["type"],
            draw=int(data["draw"]),
            points=float(data["points"]),
            categories=tuple(data["from"]) if data.get("from") else None,
            difficulty_min=int(band.get("min", 1)),
            difficulty_max=int(band.get("max", 5)),
            partial_credit=bool(data.get("partial_credit", False)),
        )

    def admits(self, q: PoolQuestion) -> bool:
        return (
            q.type == self.type
            and (self.categories is None or q.category in self.categories)
            and self.difficulty_min <= q.difficulty <= self.difficulty_max
        )


@dataclass(frozen=True)
class PaperItem:
    """One question as this candidate sees it; ``key`` is in the letters shown on this paper."""

    number: int
    section: int
    question: str
    type: str
    stem: str
    points: float
    # single/multiple: (shown letter, text) in shown order; true_false and fill/short: empty
    options: tuple[tuple[str, str], ...] = ()
    # single/true_false: "B"; multiple: ["A", "C"]; fill_blank: accepted answers per blank; short: None
    key: Any = None
    partial_credit: bool = False
    blanks: int = 0
    # the bank letter behind each shown letter, so an appeal can trace a choice back to the bank
    bank_letters: tuple[str, ...] = ()
    explanation: str | None = None
    source: str | None = None
    rubric: str | None = None


@dataclass(frozen=True)
class PaperSection:
    title: str
    type: str
    points: float
    first: int  # number of its first item
    count: int


@dataclass(frozen=True)
class Paper:
    seed: str
    sections: tuple[PaperSection, ...]
    items: tuple[PaperItem, ...]
    format: int = field(default=PAPER_FORMAT)

    @property
    def total_points(self) -> float:
        return sum(item.points for item in self.items)

    def item(self, number: int) -> PaperItem:
        return self.items[number - 1]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def without_keys(self) -> Paper:
        """The paper as a candidate may hold it while sitting: no keys, explanations, rubrics or sources,
        and no bank letters (which would tie the shown options back to the bank's)."""
        return replace(
            self,
            items=tuple(
                replace(item, key=None, explanation=None, source=None, rubric=None, bank_letters=())
                for item in self.items
            ),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Paper:
        items = []
        for raw in data["items"]:
            fields = dict(raw)
            fields["options"] = tuple(tuple(pair) for pair in fields.get("options") or ())
            fields["bank_letters"] = tuple(fields.get("bank_letters") or ())
            items.append(PaperItem(**fields))
        return cls(
            seed=data["seed"],
            sections=tuple(PaperSection(**s) for s in data["sections"]),
            items=tuple(items),
            format=data.get("format", PAPER_FORMAT),
        )


def shown_key(item: PaperItem, bank_key: Any) -> Any:
    """A key in the bank's terms (letters as in the bank, true/false, accepted blanks) as this paper shows it.

    A corrected key (an appeal found the bank's key wrong) is given in the bank's terms; each paper
    shuffled the options its own way, so each needs its own letters.
    """
    if item.type in ("single", "multiple"):
        shown = {bank: OPTION_LETTERS[i] for i, bank in enumerate(item.bank_letters)}
        if item.type == "single":
            return shown[bank_key]
        return sorted(shown[letter] for letter in bank_key)
    if item.type == "true_false":
        return TRUE_FALSE_LETTERS[0] if bank_key else TRUE_FALSE_LETTERS[1]
    if item.type == "fill_blank":
        return [[entry] if isinstance(entry, str) else list(entry) for entry in bank_key]
    raise ValueError(f"a {item.type} question has no key to correct")


def bank_letter(item: PaperItem, letter: str) -> str:
    """The bank's letter behind a letter shown on this paper (itself where the paper kept no mapping)."""
    shown = [shown_letter for shown_letter, _ in item.options]
    return dict(zip(shown, item.bank_letters, strict=False)).get(letter, letter)


def bank_options(item: PaperItem) -> list[tuple[str, str]]:
    """The item's options under the bank's letters, in the bank's order."""
    return sorted((bank_letter(item, letter), text) for letter, text in item.options)


def bank_key(item: PaperItem, key: Any) -> Any:
    """A key as this paper shows it, in the bank's terms: the inverse of :func:`shown_key`."""
    if item.type == "single":
        return bank_letter(item, key)
    if item.type == "multiple":
        return sorted(bank_letter(item, letter) for letter in key or [])
    if item.type == "true_false":
        return key == TRUE_FALSE_LETTERS[0]
    return key


def with_corrected_keys(paper: Paper, corrections: Mapping[str, Any]) -> Paper:
    """The paper scored with corrected keys (question slug → key in the bank's terms); the rest as given."""
    if not any(item.question in corrections for item in paper.items):
        return paper
    items = tuple(
        replace(item, key=shown_key(item, corrections[item.question]))
        if item.question in corrections
        else item
        for item in paper.items
    )
    return replace(paper, items=items)


class CannotDraw(ValueError):
    """The blueprint cannot be drawn from these questions (import-time validation prevents this)."""


def assemble_paper(
    seed: str,
    blueprint: Sequence[BlueprintSection],
    questions: Sequence[PoolQuestion],
    *,
    shuffle_questions: bool = True,
) -> Paper:
    """The paper for ``seed``: the same seed and inputs always give the same paper."""
    position = {q.slug: i for i, q in enumerate(questions)}
    drawn = _draw(seed, blueprint, questions)
    sections: list[PaperSection] = []
    items: list[PaperItem] = []
    for s, (section, chosen) in enumerate(zip(blueprint, drawn, strict=True)):
        if not shuffle_questions:
            chosen = sorted(chosen, key=lambda q: position[q.slug])
        sections.append(
            PaperSection(section.title, section.type, section.points, len(items) + 1, len(chosen))
        )
        for q in chosen:
            items.append(paper_item(seed, len(items) + 1, s, section, q))
    return Paper(seed=seed, sections=tuple(sections), items=tuple(items))


def _draw(
    seed: str, blueprint: Sequence[BlueprintSection], questions: Sequence[PoolQuestion]
) -> list[list[PoolQuestion]]:
    pools = [[q for q in questions if section.admits(q)] for section in blueprint]
    demands = [section.draw for section in blueprint]
    for pool, demand in zip(pools, demands, strict=True):
        if len(pool) < demand:
            raise CannotDraw(f"a section needs {demand} questions and has {len(pool)}")
    seen: set[str] = set()
    overlapping = False
    for pool in pools:
        slugs = {q.slug for q in pool}
        overlapping |= bool(seen & slugs)
        seen |= slugs
    drawn: list[list[PoolQuestion]] = []
    if not overlapping:
        for s, pool in enumerate(pools):
            drawn.append(shuffled(pool, SeedStream(seed, f"draw:{s}"))[: demands[s]])
        return drawn
    # Sections share questions: draw greedily in random order, but take a question only if every
    # remaining slot can still be filled (a bipartite matching), so no valid blueprint ever fails.
    used: set[str] = set()
    for s, pool in enumerate(pools):
        chosen: list[PoolQuestion] = []
        for q in shuffled([q for q in pool if q.slug not in used], SeedStream(seed, f"draw:{s}")):
            if len(chosen) == demands[s]:
                break
            remaining = [demands[s] - len(chosen) - 1, *demands[s + 1 :]]
            if _fillable(pools[s:], remaining, used | {q.slug}):
                chosen.append(q)
                used.add(q.slug)
        if len(chosen) < demands[s]:
            raise CannotDraw("sections sharing questions cannot all be drawn")
        drawn.append(chosen)
    return drawn


def _fillable(pools: Sequence[Sequence[PoolQuestion]], demands: Sequence[int], used: set[str]) -> bool:
    slots = [s for s, demand in enumerate(demands) for _ in range(demand)]
    owner: dict[str, int] = {}  # question slug → slot index

    def augment(slot: int, visited: set[str]) -> bool:
        for q in pools[slots[slot]]:
            if q.slug in used or q.slug in visited:
                continue
            visited.add(q.slug)
            if q.slug not in owner or augment(owner[q.slug], visited):
                owner[q.slug] = slot
                return True
        return False

    return all(augment(slot, set()) for slot in range(len(slots)))


def paper_item(seed: str, number: int, s: int, section: BlueprintSection, q: PoolQuestion) -> PaperItem:
    """Question ``q`` as item ``number`` of section ``s``: its options shuffled by the seed, its key in the
    letters shown (practice builds its items one at a time with this too)."""
    common = {
        "number": number,
        "section": s,
        "question": q.slug,
        "type": q.type,
        "stem": q.stem,
        "points": section.points,
        "explanation": q.explanation,
        "source": q.source,
    }
    if q.type in ("single", "multiple"):
        assert q.options is not None
        bank_letters = sorted(q.options)
        if q.shuffle_options:
            bank_letters = shuffled(bank_letters, SeedStream(seed, f"options:{q.slug}"))
        shown = {bank: OPTION_LETTERS[i] for i, bank in enumerate(bank_letters)}
        key: Any = shown[q.answer] if q.type == "single" else sorted(shown[a] for a in q.answer)
        return PaperItem(
            **common,
            options=tuple((OPTION_LETTERS[i], q.options[b]) for i, b in enumerate(bank_letters)),
            key=key,
            partial_credit=section.partial_credit and q.type == "multiple",
            bank_letters=tuple(bank_letters),
        )
    if q.type == "true_false":
        return PaperItem(**common, key=TRUE_FALSE_LETTERS[0] if q.answer else TRUE_FALSE_LETTERS[1])
    if q.type == "fill_blank":
        accepted = [[entry] if isinstance(entry, str) else list(entry) for entry in q.answer]
        return PaperItem(**common, key=accepted, blanks=count_blanks(q.stem))
    return PaperItem(**common, rubric=q.rubric)
