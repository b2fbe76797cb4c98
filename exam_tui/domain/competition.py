"""Knowledge competitions (知识竞赛): rounds, ranking, advancement, team scores and the live final.

A competition runs in rounds — preliminary (初赛), semi-final (复赛), final (决赛). The first two are
ordinary sittings of a competition paper; who goes on is decided here from the scores and the time each
entrant took. The final is live: every question is shown to all teams at once and answered within a
countdown, and :func:`scoreboard` adds up the points.

The order of entrants, everywhere in this module:

1. score, higher first;
2. time taken (hand-in minus begin), less first; an unknown time comes after any known time;
3. tiebreak points (加赛题), higher first; not asked comes after any points.

Entrants equal on all three share a place (standard competition ranking: 1, 2, 2, 4). Times are compared
exactly as given: if a round wants whole seconds to count as a tie, the services round before they call.

Nothing here reads a clock or draws lots: a tie at the cut is not broken by chance but handed back as
:attr:`Advancement.tied`, so the services can ask those entrants a tiebreak question and call
:func:`advance` again with their points. Output order is deterministic and does not depend on the order
of the input (entrants sharing a place are listed by key, teams by name).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, TypeVar

_T = TypeVar("_T")

# Sorts after any finite number; inputs are checked to be finite, so an unknown value never ties a known one.
_LAST = math.inf


class Stage(StrEnum):
    """The rounds of a competition, in the order they are held."""

    PRELIMINARY = "preliminary"  # 初赛
    SEMI_FINAL = "semi_final"  # 复赛
    FINAL = "final"  # 决赛


_STAGES: tuple[Stage, ...] = tuple(Stage)


def next_stage(stage: Stage | str) -> Stage | None:
    """The round after ``stage``; None after the final, because nobody advances out of it."""
    i = _STAGES.index(Stage(stage))
    return _STAGES[i + 1] if i + 1 < len(_STAGES) else None


def _check_finite(what: str, value: float | None) -> None:
    # NaN compares unequal to itself and would make the order (and so who advances) depend on input order.
    if value is not None and not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")


@dataclass(frozen=True)
class Entrant:
    """One cadre's result in one round.

    ``score`` None means the cadre did not sit (缺赛): such an entrant is never ranked and never advances.
    ``seconds`` is the time taken; None (not recorded) ranks after any recorded time, so a missing
    hand-in time can never win a tie. ``tiebreak`` holds the points on tiebreak questions asked to those
    still tied at the cut: one number for one question, or a tuple when more questions were needed
    (the first question decides first, the next only among those still equal on it, and so on). It is a
    sequence rather than a running sum because a sum would let a later question, asked only to those still
    tied, overturn an earlier question already won by someone who was not asked again.
    """

    key: int
    unit: str
    score: float | None
    seconds: float | None
    tiebreak: float | tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        _check_finite("score", self.score)
        _check_finite("seconds", self.seconds)
        if self.seconds is not None and self.seconds < 0:
            raise ValueError(f"seconds cannot be negative, got {self.seconds!r}")
        for points in self.tiebreak_points:
            _check_finite("tiebreak", points)

    @property
    def sat(self) -> bool:
        """Whether the cadre sat this round (has a score)."""
        return self.score is not None

    @property
    def tiebreak_points(self) -> tuple[float, ...]:
        """The tiebreak points as a tuple, one per question asked; empty when none was asked."""
        if self.tiebreak is None:
            return ()
        if isinstance(self.tiebreak, tuple):
            return self.tiebreak
        return (self.tiebreak,)


def _order_key(entrant: Entrant) -> tuple[float, float, tuple[float, ...]]:
    """Smaller is better: score desc, seconds asc, tiebreak points desc (question by question)."""
    assert entrant.score is not None
    seconds = _LAST if entrant.seconds is None else entrant.seconds
    # A terminal _LAST makes "asked fewer questions" (or none) rank after "asked and scored anything".
    tiebreak = (*(-p for p in entrant.tiebreak_points), _LAST)
    return (-entrant.score, seconds, tiebreak)


def _with_places(items: Sequence[_T], key: Callable[[_T], Hashable]) -> list[tuple[_T, int]]:
    """Standard competition ranking of ``items`` already sorted by ``key``: equal keys share a place,
    and the place after a shared one skips (1, 2, 2, 4), so a place always says how many were ahead."""
    out: list[tuple[_T, int]] = []
    previous: Hashable = None
    place = 0
    for i, item in enumerate(items, start=1):
        k = key(item)
        if i == 1 or k != previous:
            place = i
        previous = k
        out.append((item, place))
    return out


def _checked(entrants: Iterable[Entrant]) -> list[Entrant]:
    entrants = list(entrants)
    seen: set[int] = set()
    for e in entrants:
        if e.key in seen:
            # A cadre sits a round once; two results would make the outcome depend on which one came first.
            raise ValueError(f"entrant {e.key} appears more than once")
        seen.add(e.key)
    return entrants


@dataclass(frozen=True)
class Placed:
    """An entrant with their place in the round (1 is first; shared places repeat)."""

    entrant: Entrant
    place: int


def rank(entrants: Iterable[Entrant]) -> list[Placed]:
    """Everyone who sat, best first, with standard competition places; those who did not sit are left out.

    Raises ValueError when the same key appears twice.
    """
    sitting = [e for e in _checked(entrants) if e.sat]
    sitting.sort(key=lambda e: (_order_key(e), e.key))
    return [Placed(e, place) for e, place in _with_places(sitting, _order_key)]


@dataclass(frozen=True)
class Advancement:
    """Who goes on to the next round.

    ``advanced`` are certain to go on (best first). ``tied`` is non-empty only when the cut falls inside a
    group still equal on score, time and tiebreak points: none of that group has advanced yet, and the
    services ask them a (further) tiebreak question and call :func:`advance` again. ``places`` is the
    whole ranking of the round, for display.
    """

    advanced: tuple[int, ...]
    tied: tuple[int, ...]
    places: list[Placed]

    @property
    def resolved(self) -> bool:
        """True when nobody is waiting on a tiebreak question."""
        return not self.tied


def advance(entrants: Iterable[Entrant], n: int) -> Advancement:
    """The top ``n`` entrants by the order of this module go on.

    If the n-th and the (n+1)-th are equal on score, time and tiebreak points, there is no fair way to
    pick among them here, so the whole group sharing that place is held back in ``tied`` and only those
    strictly above it advance; the services ask the group a tiebreak question and call again with the
    points in :attr:`Entrant.tiebreak`. Ties above the cut are no problem: everyone in them fits, so they
    all advance. With ``n`` at least the number who sat, all of them advance.

    Raises ValueError when ``n`` < 1 (a round that sends nobody on is not a cut) or a key repeats.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    places = rank(entrants)
    if n >= len(places):
        return Advancement(tuple(p.entrant.key for p in places), (), places)
    cut = places[n - 1].place
    if places[n].place != cut:
        return Advancement(tuple(p.entrant.key for p in places[:n]), (), places)
    advanced = tuple(p.entrant.key for p in places if p.place < cut)
    tied = tuple(p.entrant.key for p in places if p.place == cut)
    return Advancement(advanced, tied, places)


TeamMode = Literal["sum", "mean"]


@dataclass(frozen=True)
class TeamScore:
    """A unit's team result in a round.

    ``members`` are the keys of the members counted (best first); ``seconds`` is their summed time, None
    when any counted member's time is unknown (such a team ranks after teams with a known time).
    """

    unit: str
    score: float
    members: tuple[int, ...]
    place: int
    seconds: float | None


def team_scores(entrants: Iterable[Entrant], mode: TeamMode, best: int) -> list[TeamScore]:
    """Team scores per unit (单位团体成绩), best first.

    Each unit counts its ``best`` best members by the individual order (score, then time); the team score
    is the sum or the mean of their scores, rounded to 2 decimals. Units are ranked on that rounded
    score — the figure that is published — then on the summed time of the counted members (less first);
    teams equal on both share a place.

    A unit with fewer than ``best`` members who sat counts with those it has. This is a choice: with
    ``"sum"`` a short unit is at a disadvantage (fewer scores are added), with ``"mean"`` it is not (the
    mean is over the members it has), so a round that wants to penalise short units should use ``"sum"``.
    A unit none of whose members sat has no team score and is left out.

    Raises ValueError for an unknown mode, ``best`` < 1 or a repeated key.
    """
    if mode not in ("sum", "mean"):
        raise ValueError(f"mode must be 'sum' or 'mean', got {mode!r}")
    if best < 1:
        raise ValueError(f"best must be at least 1, got {best}")
    by_unit: dict[str, list[Entrant]] = {}
    for placed in rank(entrants):  # best first, so each unit's list is in the individual order
        by_unit.setdefault(placed.entrant.unit, []).append(placed.entrant)

    rows: list[tuple[str, float, tuple[int, ...], float | None]] = []
    for unit, members in by_unit.items():
        counted = members[:best]
        total = math.fsum(m.score for m in counted if m.score is not None)
        score = round(total if mode == "sum" else total / len(counted), 2)
        times = [m.seconds for m in counted]
        seconds = None if None in times else math.fsum(t for t in times if t is not None)
        rows.append((unit, score, tuple(m.key for m in counted), seconds))

    def key(row: tuple[str, float, tuple[int, ...], float | None]) -> tuple[float, float]:
        return (-row[1], _LAST if row[3] is None else row[3])

    rows.sort(key=lambda row: (key(row), row[0]))
    return [
        TeamScore(unit=unit, score=score, members=members, place=place, seconds=seconds)
        for (unit, score, members, seconds), place in _with_places(rows, key)
    ]


@dataclass(frozen=True)
class FinalRule:
    """Points per question in the live final. A final may deduct for a wrong answer (``wrong=-5``) to
    discourage guessing; leaving a question unanswered usually costs nothing."""

    right: float = 10
    wrong: float = 0
    unanswered: float = 0

    def __post_init__(self) -> None:
        _check_finite("right", self.right)
        _check_finite("wrong", self.wrong)
        _check_finite("unanswered", self.unanswered)


def final_points(correct: bool, answered: bool, rule: FinalRule) -> float:
    """Points for one team on one question of the final.

    Raises ValueError for ``correct`` without ``answered``: the services would have judged an answer that
    was never given, which is a bug to surface, not to score.
    """
    if not answered:
        if correct:
            raise ValueError("an unanswered question cannot be correct")
        return rule.unanswered
    return rule.right if correct else rule.wrong


@dataclass(frozen=True)
class FinalAnswer:
    """One team's answer to one question of the final.

    ``answer`` None means the countdown ran out with no answer. ``correct`` is the services' judgement of
    the answer (this module does not mark). ``answered_after`` is seconds from the question being shown to
    the answer; it only matters for a right answer, where it breaks ties on points.
    """

    team: str
    question: int
    answer: object | None
    correct: bool
    answered_after: float | None

    def __post_init__(self) -> None:
        _check_finite("answered_after", self.answered_after)
        if self.answered_after is not None and self.answered_after < 0:
            raise ValueError(f"answered_after cannot be negative, got {self.answered_after!r}")
        if self.answer is None and self.correct:
            raise ValueError(f"team {self.team!r} question {self.question}: no answer cannot be correct")

    @property
    def answered(self) -> bool:
        return self.answer is not None


@dataclass(frozen=True)
class BoardRow:
    """A team's line on the final's scoreboard. ``seconds`` is the summed answering time of its right
    answers (None when any of them has no recorded time, which ranks after any known time)."""

    team: str
    points: float
    right: int
    wrong: int
    unanswered: int
    place: int
    seconds: float | None


def scoreboard(
    answers: Iterable[FinalAnswer],
    teams: Sequence[str],
    rule: FinalRule,
    *,
    questions: Collection[int] | None = None,
) -> list[BoardRow]:
    """The final's scoreboard, best first.

    Every question is shown to all teams at once, so a team with no record for a question did not answer
    it and scores ``rule.unanswered`` for it, like an explicit no-answer. The questions asked are
    ``questions`` when given, else every question that appears in ``answers``. Every team in ``teams``
    appears, a team that never answered included (with the default rule, on 0 points).

    Teams are ranked on points (rounded to 2 decimals), then on the summed answering time of their right
    answers — the faster team answered the same number of points sooner — and share a place when both
    are equal.

    Raises ValueError for a repeated team, an answer from a team not in ``teams``, two answers from one
    team to one question, or an answer to a question not in ``questions``.
    """
    if isinstance(teams, str):
        raise TypeError("teams must be a sequence of team names, not one string")
    team_list = list(teams)
    if len(set(team_list)) != len(team_list):
        raise ValueError("a team appears more than once in teams")
    known = set(team_list)
    given: dict[tuple[str, int], FinalAnswer] = {}
    for a in answers:
        if a.team not in known:
            raise ValueError(f"answer from unknown team {a.team!r}")
        if (a.team, a.question) in given:
            raise ValueError(f"team {a.team!r} answered question {a.question} more than once")
        given[(a.team, a.question)] = a
    asked = set(questions) if questions is not None else {q for _, q in given}
    stray = sorted({q for _, q in given} - asked)
    if stray:
        raise ValueError(f"answers to questions not asked: {stray}")

    rows: list[tuple[str, float, int, int, int, float | None]] = []
    for team in team_list:
        points: list[float] = []
        times: list[float | None] = []
        right = wrong = unanswered = 0
        for q in sorted(asked):
            a = given.get((team, q))
            answered = a is not None and a.answered
            correct = a is not None and a.correct
            points.append(final_points(correct, answered, rule))
            if not answered:
                unanswered += 1
            elif correct:
                right += 1
                times.append(a.answered_after if a is not None else None)
            else:
                wrong += 1
        seconds = None if None in times else math.fsum(t for t in times if t is not None)
        rows.append((team, round(math.fsum(points), 2), right, wrong, unanswered, seconds))

    def key(row: tuple[str, float, int, int, int, float | None]) -> tuple[float, float]:
        return (-row[1], _LAST if row[5] is None else row[5])

    rows.sort(key=lambda row: (key(row), row[0]))
    return [
        BoardRow(team, points, right, wrong, unanswered, place, seconds)
        for (team, points, right, wrong, unanswered, seconds), place in _with_places(rows, key)
    ]
