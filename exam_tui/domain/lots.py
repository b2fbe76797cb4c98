"""Drawing lots for who speaks at a closed training course (抽签发言).

At each session (half-day) of a closed course the organiser draws ``k`` cadres to speak. Two things
must hold for the draw to be accepted by the people in the room:

- It is fair in turn: nobody is drawn a second time until everyone present has spoken. The course keeps
  the list of everyone drawn so far, in draw order; the *current round* is read off that list (see
  :func:`current_round`), and only those present who have not spoken in it are eligible. When fewer than
  ``k`` are eligible, all of them speak first and a new round starts for the remaining places.
- It is checkable afterwards: the service makes the seed with ``secrets.token_hex(16)`` and records it
  with the time, the course record prints the seed and the pool, and anyone can recompute the draw with
  :func:`verify`. So the randomness is :class:`~exam_tui.domain.paper.SeedStream` (stable across
  Python versions, no modulo bias), never :mod:`random`, and the inputs are put in a canonical order
  (ids sorted) before shuffling, so the same people give the same draw however the roster was listed.

The round is judged against who is present *now*: someone absent for a session neither blocks the round
from ending nor loses their turn; when they come back they are eligible until they have spoken.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exam_tui.domain.paper import SeedStream, shuffled

LABEL = "lots"


@dataclass(frozen=True)
class Draw:
    """One drawing of lots, as recorded: enough, with who was present and who had spoken, to redo it.

    ``pool`` holds the eligible ids each part of the draw was made from, sorted: one part normally, two
    when the round ran out mid-draw (``new_round``): first everyone still eligible in the old round, then
    the rest of those present for the places left. ``drawn`` is the speaking order.
    """

    seed: str
    k: int
    pool: tuple[tuple[int, ...], ...]
    drawn: tuple[int, ...]
    new_round: bool

    def to_json(self) -> dict[str, Any]:
        """A plain mapping for the course record (lists, so it survives a JSON round trip)."""
        return {
            "seed": self.seed,
            "k": self.k,
            "pool": [list(part) for part in self.pool],
            "drawn": list(self.drawn),
            "new_round": self.new_round,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draw:
        """The inverse of :meth:`to_json`, so a stored draw can be handed to :func:`verify`."""
        return cls(
            seed=str(data["seed"]),
            k=int(data["k"]),
            pool=tuple(tuple(int(i) for i in part) for part in data["pool"]),
            drawn=tuple(int(i) for i in data["drawn"]),
            new_round=bool(data["new_round"]),
        )


def current_round(present: Collection[int], spoken: Sequence[int]) -> frozenset[int]:
    """Those present who have already spoken in the current round.

    Walk ``spoken`` in draw order, noting each id that is present now; when every present cadre has
    been noted the round is complete and the next one starts empty. Ids of cadres not present now are
    skipped: they neither count towards ending a round nor take a turn away from anyone. The result is
    never all of ``present`` (a complete round has already given way to a new one).
    """
    group = frozenset(present)
    done: set[int] = set()
    for cadre in spoken:
        if cadre in group:
            done.add(cadre)
            if len(done) == len(group):
                done.clear()
    return frozenset(done)


def draw_speakers(present: Collection[int], spoken: Sequence[int], k: int, seed: str) -> Draw:
    """Draw ``k`` distinct speakers from ``present``, those who have not spoken this round first.

    ``spoken`` is every id drawn earlier in the course, in draw order (absent cadres included).
    Raises :class:`ValueError` for an empty ``present``, ``k < 1`` or ``k`` more than are present (the
    services check first and tell the organiser); also for a seed that is not hex.

    The stream label carries the draw's position in the course (how many were drawn before it) and the
    part, so the two parts of one draw, and draws at different points of a course that happen to reuse
    a seed, are shuffled by different streams; the result depends on nothing but the inputs.
    """
    group = sorted(set(present))
    if not group:
        raise ValueError("nobody is present to draw from")
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    if k > len(group):
        raise ValueError(f"cannot draw {k} speakers from {len(group)} present")
    done = current_round(group, spoken)
    position = len(spoken)

    eligible = tuple(cadre for cadre in group if cadre not in done)
    first = shuffled(eligible, SeedStream(seed, f"{LABEL}:{position}:0"))
    if k <= len(eligible):
        return Draw(seed=seed, k=k, pool=(eligible,), drawn=tuple(first[:k]), new_round=False)

    # The round runs out: everyone still eligible speaks, then a new round fills the places left from
    # the others present (not those just drawn, so no one is drawn twice in one draw).
    rest = tuple(cadre for cadre in group if cadre in done)
    second = shuffled(rest, SeedStream(seed, f"{LABEL}:{position}:1"))
    return Draw(
        seed=seed,
        k=k,
        pool=(eligible, rest),
        drawn=tuple(first + second[: k - len(eligible)]),
        new_round=True,
    )


def verify(draw: Draw, present: Collection[int], spoken: Sequence[int]) -> bool:
    """Whether ``draw`` is exactly what its seed gives for these inputs.

    Recomputes the draw from the recorded seed and ``k`` and compares every field, so a changed order,
    an added or removed speaker, or a pool that was not the real one is caught. A draw that could not
    have been made at all (``k`` more than present, a seed that is not hex) is simply not valid.
    """
    try:
        expected = draw_speakers(present, spoken, draw.k, draw.seed)
    except ValueError:
        return False
    return expected == draw
