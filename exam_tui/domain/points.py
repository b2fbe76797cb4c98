"""The integrity-education points ledger (廉政教育积分): which points the records call for, and totals.

Every cadre earns points each year in three categories — educating themselves (自我教育), attending
education run by higher levels (参加上级教育) and organising education (组织开展教育) — from four kinds of
record: attending a course, passing its closing test, giving a Party lecture, organising a course. The
admin's rules file says how many points each record is worth; this module turns records ("facts") into
the postings they call for.

Why postings are computed rather than appended: records change after the fact (an attendance sheet is
corrected, a grading is reviewed on appeal, the rules are edited mid-year). The services therefore
compute *everything that is due* from the current records with :func:`due`, compare it with what the
ledger holds under each posting's :attr:`Posting.key`, and post the difference — reversing what is no
longer due. That only works if ``due`` is a pure function of the facts and rules: deterministic,
independent of the order facts arrive in, and giving each posting a stable, unique key.

Why annual caps are applied in :func:`totals` and not when posting: if a cap were applied while posting,
the points a record earns would depend on which records happened to be posted before it, and a reversal
would have to "give back" headroom to some other posting. Keeping the ledger uncapped and capping only
the shown total makes the order of postings irrelevant.

No I/O, no clock, no randomness: years and records are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

# Fixed ids: the rules file names them, the catalog translates them (points.category.<id>, …).
CATEGORY_IDS: tuple[str, ...] = ("self_education", "higher_education", "organising")
COURSE_KINDS: tuple[str, ...] = (
    "closed_training",
    "new_cadre_training",
    "warning_education",
    "party_lecture",
)
FACT_KINDS: tuple[str, ...] = ("attendance", "test_passed", "lecture_given", "organised")
PER_MODES: tuple[str, ...] = ("half_day", "day", "course")

FactKind = Literal["attendance", "test_passed", "lecture_given", "organised"]
PerMode = Literal["half_day", "day", "course"]

_CENT = Decimal("0.01")


# --- facts: what the stored records say -------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    """The cadre attended ``half_days`` half-days (present or late) of a course in ``year``.

    One fact per (cadre, course, year): the services add up the sessions of a course before calling
    :func:`due`, because the rule's ``min_half_days`` and per-course points apply to the whole course.
    """

    cadre_id: int
    course_id: int
    course_kind: str
    year: int
    half_days: int


@dataclass(frozen=True)
class TestPassed:
    """The cadre passed the closing test of a course, in the attempt ``attempt_id``."""

    __test__ = False  # not a pytest test class, despite the name

    cadre_id: int
    course_id: int
    course_kind: str
    year: int
    attempt_id: int


@dataclass(frozen=True)
class LectureGiven:
    """The cadre was the lecturer of a Party lecture course (廉政党课); its kind is always party_lecture."""

    cadre_id: int
    course_id: int
    year: int


@dataclass(frozen=True)
class Organised:
    """The cadre is one of the organisers a course lists."""

    cadre_id: int
    course_id: int
    course_kind: str
    year: int


Fact = Attendance | TestPassed | LectureGiven | Organised


# --- rules: what the admin's rules file says ----------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """One of the three categories, with its annual cap (None: no cap)."""

    id: str
    title: str
    cap: float | None = None

    def __post_init__(self) -> None:
        if self.id not in CATEGORY_IDS:
            raise ValueError(f"unknown category {self.id!r}")
        if self.cap is not None and self.cap < 0:
            raise ValueError(f"negative cap for {self.id!r}")


@dataclass(frozen=True)
class Rule:
    """Points a kind of record earns.

    ``per`` and ``min_half_days`` only mean something for attendance: "day" gives ``points`` per day
    attended (a half-day is half a day's points), "half_day" gives ``points`` per half-day, "course"
    gives ``points`` once. Attendance of fewer than ``min_half_days`` half-days earns nothing whatever
    ``per`` is. ``course_kinds`` None matches every kind of course.
    """

    id: str
    title: str
    on: FactKind
    category: str
    points: float
    per: PerMode = "course"
    course_kinds: frozenset[str] | None = None
    min_half_days: int = 1

    def __post_init__(self) -> None:
        # Rules built in code (tests, services) get the same guarantees the rules file checks give.
        if self.on not in FACT_KINDS:
            raise ValueError(f"rule {self.id!r}: unknown 'on' {self.on!r}")
        if self.per not in PER_MODES:
            raise ValueError(f"rule {self.id!r}: unknown 'per' {self.per!r}")
        if self.on != "attendance" and (self.per != "course" or self.min_half_days != 1):
            raise ValueError(f"rule {self.id!r}: per/min_half_days apply to attendance only")
        if self.category not in CATEGORY_IDS:
            raise ValueError(f"rule {self.id!r}: unknown category {self.category!r}")
        if not self.points > 0:
            raise ValueError(f"rule {self.id!r}: points must be positive")
        if self.min_half_days < 1:
            raise ValueError(f"rule {self.id!r}: min_half_days must be at least 1")

    def matches_kind(self, course_kind: str) -> bool:
        return self.course_kinds is None or course_kind in self.course_kinds


@dataclass(frozen=True)
class PointsRules:
    """The whole rules file: the three categories and the rules, in file order."""

    categories: tuple[Category, ...]
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        ids = [c.id for c in self.categories]
        if len(set(ids)) != len(ids):
            raise ValueError("a category is listed twice")
        rule_ids = [r.id for r in self.rules]
        if len(set(rule_ids)) != len(rule_ids):
            # The rule id is part of each posting's key: two rules with one id would collide.
            raise ValueError("a rule id is used twice")
        for rule in self.rules:
            if rule.category not in ids:
                raise ValueError(f"rule {rule.id!r}: category {rule.category!r} is not listed")

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


# --- postings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posting:
    """Points due to a cadre in a year under one rule for one source record.

    ``source`` names the record ("course:12" for attendance, lectures and organising; "attempt:40" for
    a passed test). ``detail`` is the arithmetic in numbers and the rule id only, so that it reads the
    same in every UI language; the words around it come from the catalog.
    """

    cadre_id: int
    year: int
    category: str
    points: float
    rule_id: str
    source: str
    detail: str

    @property
    def key(self) -> tuple[int, int, str, str]:
        """What the services post idempotently under: unique among the postings of one :func:`due` call."""
        return (self.cadre_id, self.year, self.rule_id, self.source)


def due(facts: Iterable[Fact], rules: PointsRules) -> list[Posting]:
    """Every posting the facts call for under the rules, in a stable order (cadre, year, rule, source).

    Facts are first reduced to one per record, so that feeding the same record twice, or in another
    order, changes nothing:

    - identical facts count once;
    - a cadre who passed the same course's test more than once earns the test points once, for the
      earliest passing attempt (the lowest ``attempt_id``); if that attempt is later revoked, the next
      one becomes due and the services swap the postings;
    - two *different* facts about the same attendance, lecture or organising record, or one test
      attempt reported for two courses or cadres, are a bug in the caller (it should have added them
      up) and raise ``ValueError`` rather than guess.
    """
    postings: list[tuple[tuple[int, int, int, str, int], Posting]] = []
    order = {rule.id: i for i, rule in enumerate(rules.rules)}
    for fact in _reduce(facts):
        for rule in rules.rules:
            posting = _apply(rule, fact)
            if posting is not None:
                source_kind, _, source_id = posting.source.partition(":")
                sort_key = (posting.cadre_id, posting.year, order[rule.id], source_kind, int(source_id))
                postings.append((sort_key, posting))
    postings.sort(key=lambda pair: pair[0])
    return [posting for _, posting in postings]


def _reduce(facts: Iterable[Fact]) -> list[Fact]:
    # Group first and decide after, so that neither the result nor whether it raises depends on order.
    grouped: dict[tuple[str, int, int, int], set[Fact]] = {}
    for fact in facts:
        if not isinstance(fact, Attendance | TestPassed | LectureGiven | Organised):
            raise TypeError(f"not a points fact: {fact!r}")
        grouped.setdefault((type(fact).__name__, fact.cadre_id, fact.course_id, fact.year), set()).add(fact)
    # An attempt is one sitting of one cadre for one course's test: its id names the posting's source.
    attempts: dict[int, TestPassed] = {}
    for group in grouped.values():
        for fact in group:
            if isinstance(fact, TestPassed):
                held = attempts.setdefault(fact.attempt_id, fact)
                if held != fact:
                    raise ValueError(f"conflicting facts for one attempt: {sorted([repr(held), repr(fact)])}")
    kept: list[Fact] = []
    for group in grouped.values():
        tests = [f for f in group if isinstance(f, TestPassed)]
        if len(tests) == len(group) and len({f.attempt_id for f in tests}) == len(tests):
            kept.append(min(tests, key=lambda f: f.attempt_id))  # several passes: the first counts
            continue
        if len(group) > 1:
            raise ValueError(f"conflicting facts for one record: {sorted(map(repr, group))}")
        kept.extend(group)
    return kept


def _apply(rule: Rule, fact: Fact) -> Posting | None:
    if isinstance(fact, Attendance):
        if rule.on != "attendance" or not rule.matches_kind(fact.course_kind):
            return None
        if fact.half_days < rule.min_half_days:
            return None
        points = Decimal(str(rule.points))
        if rule.per == "day":
            amount = _round(points * fact.half_days / 2)
            detail = f"{rule.id}: {fact.half_days} ÷ 2 × {_num(points)} = {_num(amount)}"
        elif rule.per == "half_day":
            amount = _round(points * fact.half_days)
            detail = f"{rule.id}: {fact.half_days} × {_num(points)} = {_num(amount)}"
        else:
            amount = _round(points)
            detail = f"{rule.id}: {_num(amount)}"
        source = f"course:{fact.course_id}"
    else:
        if isinstance(fact, TestPassed):
            on, kind, source = "test_passed", fact.course_kind, f"attempt:{fact.attempt_id}"
        elif isinstance(fact, LectureGiven):
            on, kind, source = "lecture_given", "party_lecture", f"course:{fact.course_id}"
        else:
            on, kind, source = "organised", fact.course_kind, f"course:{fact.course_id}"
        if rule.on != on or not rule.matches_kind(kind):
            return None
        amount = _round(Decimal(str(rule.points)))
        detail = f"{rule.id}: {_num(amount)}"
    if amount <= 0:
        return None  # a fraction of a cent rounds to nothing: nothing to post
    return Posting(fact.cadre_id, fact.year, rule.category, float(amount), rule.id, source, detail)


def _round(value: Decimal) -> Decimal:
    # Half-up, in decimal: 0.125 points is 0.13, as an admin working it out on paper would get.
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")  # 2, 0.5, 1.25: no trailing zeros, no exponent


# --- totals -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryTotal:
    """A category's points for one cadre and year: all that was posted, and what counts after the cap."""

    raw: float
    counted: float
    capped: bool  # the cap cut something off (raw is above it)


def totals(entries: Iterable[tuple[str, float]], rules: PointsRules) -> dict[str, CategoryTotal]:
    """Sum a cadre's ledger entries for one year by category and apply each category's cap.

    ``entries`` are (category, points) pairs, reversals negative. Every category of the rules appears
    in the result (in rules order, zero when nothing was posted); an entry under a category the rules no
    longer list is still shown, uncapped, rather than silently dropped.
    """
    sums: dict[str, Decimal] = {c.id: Decimal(0) for c in rules.categories}
    for category, points in entries:
        sums[category] = sums.get(category, Decimal(0)) + Decimal(str(points))
    result: dict[str, CategoryTotal] = {}
    for category, raw_sum in sums.items():
        raw = _round(raw_sum)
        found = rules.category(category)
        cap = None if found is None or found.cap is None else _round(Decimal(str(found.cap)))
        if cap is not None and raw > cap:
            result[category] = CategoryTotal(float(raw), float(cap), True)
        else:
            result[category] = CategoryTotal(float(raw), float(raw), False)
    return result


def grand_total(category_totals: Mapping[str, CategoryTotal]) -> float:
    """The year's total that counts: the sum of the capped category totals."""
    return float(_round(sum((Decimal(str(c.counted)) for c in category_totals.values()), Decimal(0))))
