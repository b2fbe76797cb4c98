"""Knowledge competition rules: ranking, advancement with ties at the cut, team scores, the live final."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exam_tui.domain.competition import (
    Entrant,
    FinalAnswer,
    FinalRule,
    Stage,
    advance,
    final_points,
    next_stage,
    rank,
    scoreboard,
    team_scores,
)


def E(
    key: int,
    score: float | None,
    seconds: float | None = 600,
    tiebreak: float | tuple[float, ...] | None = None,
    unit: str = "纪委监委",
) -> Entrant:
    return Entrant(key=key, unit=unit, score=score, seconds=seconds, tiebreak=tiebreak)


def A(team: str, question: int, correct: bool, after: float | None = 5, answer: object = "A") -> FinalAnswer:
    return FinalAnswer(team=team, question=question, answer=answer, correct=correct, answered_after=after)


def test_stages_follow_in_order() -> None:
    assert next_stage(Stage.PRELIMINARY) is Stage.SEMI_FINAL
    assert next_stage(Stage.SEMI_FINAL) is Stage.FINAL
    assert next_stage(Stage.FINAL) is None
    assert next_stage("preliminary") is Stage.SEMI_FINAL


# --- ranking -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entrants", "expected"),
    [
        pytest.param(
            [E(1, 90), E(2, 85), E(3, 85), E(4, 80)],
            [(1, 1), (2, 2), (3, 2), (4, 4)],
            id="shared-place-skips-1-2-2-4",
        ),
        pytest.param(
            [E(1, 85, 700), E(2, 85, 500), E(3, 90, 900)],
            [(3, 1), (2, 2), (1, 3)],
            id="time-breaks-score-tie",
        ),
        pytest.param(
            [E(1, 85, None), E(2, 85, 5000), E(3, 85, None)],
            [(2, 1), (1, 2), (3, 2)],
            id="unknown-time-after-any-time",
        ),
        pytest.param(
            [E(1, 85, tiebreak=3), E(2, 85, tiebreak=8), E(3, 85, tiebreak=3)],
            [(2, 1), (1, 2), (3, 2)],
            id="tiebreak-higher-first",
        ),
        pytest.param(
            [E(1, 85), E(2, 85, tiebreak=0)],
            [(2, 1), (1, 2)],
            id="not-asked-after-asked",
        ),
        pytest.param(
            [E(1, None), E(2, 60), E(3, None, None)],
            [(2, 1)],
            id="absent-left-out",
        ),
        pytest.param(
            [E(5, 70), E(3, 70), E(4, 70)],
            [(3, 1), (4, 1), (5, 1)],
            id="shared-place-listed-by-key",
        ),
        pytest.param([], [], id="empty"),
    ],
)
def test_rank(entrants: list[Entrant], expected: list[tuple[int, int]]) -> None:
    assert [(p.entrant.key, p.place) for p in rank(entrants)] == expected


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda: E(1, float("nan")), id="nan-score"),
        pytest.param(lambda: E(1, 80, float("inf")), id="infinite-time"),
        pytest.param(lambda: E(1, 80, -1), id="negative-time"),
        pytest.param(lambda: E(1, 80, tiebreak=(1.0, float("nan"))), id="nan-tiebreak"),
    ],
)
def test_entrant_rejects_values_that_break_the_order(bad: object) -> None:
    with pytest.raises(ValueError):
        bad()  # type: ignore[operator]


def test_a_repeated_entrant_is_an_error() -> None:
    with pytest.raises(ValueError, match="more than once"):
        rank([E(1, 80), E(1, 70)])


# --- advancement -------------------------------------------------------------------------------------

_TIED_4_5_6 = [E(1, 95), E(2, 90), E(3, 88), E(4, 80), E(5, 80), E(6, 80), E(7, 70)]


@pytest.mark.parametrize(
    ("entrants", "n", "advanced", "tied"),
    [
        pytest.param([E(1, 90), E(2, 80), E(3, 70), E(4, 60)], 2, (1, 2), (), id="clean-cut"),
        pytest.param(
            [E(1, 90), E(2, 80, 700), E(3, 80, 650), E(4, 60)],
            2,
            (1, 3),
            (),
            id="tie-at-cut-broken-by-time",
        ),
        pytest.param(
            [E(1, 90), E(2, 80, 700), E(3, 80, 700), E(4, 60)],
            2,
            (1,),
            (2, 3),
            id="tie-on-score-and-time-held-back",
        ),
        pytest.param(_TIED_4_5_6, 4, (1, 2, 3), (4, 5, 6), id="three-tied-for-one-seat"),
        pytest.param(_TIED_4_5_6, 5, (1, 2, 3), (4, 5, 6), id="three-tied-for-two-seats"),
        pytest.param(_TIED_4_5_6, 6, (1, 2, 3, 4, 5, 6), (), id="tied-group-fits-exactly"),
        pytest.param(
            [E(1, 90), E(2, 80, 700, 5), E(3, 80, 700, 3), E(4, 60)],
            2,
            (1, 2),
            (),
            id="resolved-by-tiebreak",
        ),
        pytest.param(
            [E(1, 90), E(2, 80, 700, 4), E(3, 80, 700, 4), E(4, 60)],
            2,
            (1,),
            (2, 3),
            id="tiebreak-still-equal-still-tied",
        ),
        pytest.param(
            [E(1, 95), E(2, 95), E(3, 95), E(4, 80), E(5, 70)],
            4,
            (1, 2, 3, 4),
            (),
            id="ties-above-cut-all-advance",
        ),
        pytest.param(
            [E(1, 95), E(4, 80, 700, 5), E(5, 80, 700, 3), E(6, 80, 700, 3)],
            3,
            (1, 4),
            (5, 6),
            id="tiebreak-partly-resolves",
        ),
        pytest.param(
            [E(1, 95), E(4, 80, 700, (5,)), E(5, 80, 700, (3, 7)), E(6, 80, 700, (3, 2))],
            3,
            (1, 4, 5),
            (),
            id="second-question-decides-only-among-still-tied",
        ),
        pytest.param([E(1, 50), E(2, 50), E(3, 40)], 3, (1, 2, 3), (), id="n-equals-entrants"),
        pytest.param([E(1, 50), E(2, 50), E(3, 40)], 10, (1, 2, 3), (), id="n-above-entrants"),
        pytest.param(
            [E(1, None), E(2, 50), E(3, None), E(4, 40)],
            3,
            (2, 4),
            (),
            id="absent-never-advances",
        ),
        pytest.param(
            [E(1, None), E(2, 50), E(3, 40), E(4, 30)],
            2,
            (2, 3),
            (),
            id="absent-does-not-take-a-seat",
        ),
        pytest.param([E(1, None)], 1, (), (), id="nobody-sat"),
    ],
)
def test_advance(entrants: list[Entrant], n: int, advanced: tuple[int, ...], tied: tuple[int, ...]) -> None:
    result = advance(entrants, n)
    assert (result.advanced, result.tied) == (advanced, tied)
    assert result.resolved is (not tied)


def test_a_tie_at_the_cut_is_asked_again_until_resolved() -> None:
    """The services' loop: ask the tied group, call again with their points, repeat while still tied."""
    round_ = {e.key: e for e in [E(1, 90), E(2, 80, 700), E(3, 80, 700), E(4, 80, 700), E(5, 60)]}
    first = advance(round_.values(), 3)
    assert (first.advanced, first.tied) == ((1,), (2, 3, 4))

    answers = {2: 10.0, 3: 5.0, 4: 5.0}  # first tiebreak question: 2 is through, 3 and 4 still equal
    round_ |= {k: E(k, 80, 700, (answers[k],)) for k in first.tied}
    second = advance(round_.values(), 3)
    assert (second.advanced, second.tied) == ((1, 2), (3, 4))

    round_ |= {3: E(3, 80, 700, (5.0, 0.0)), 4: E(4, 80, 700, (5.0, 10.0))}  # a second question for 3 and 4
    third = advance(round_.values(), 3)
    assert (third.advanced, third.tied) == ((1, 2, 4), ())


def test_advance_needs_at_least_one_seat() -> None:
    with pytest.raises(ValueError):
        advance([E(1, 90)], 0)


# --- team scores -------------------------------------------------------------------------------------

_UNITS = [
    E(1, 90, 600, unit="甲局"),
    E(2, 80, 600, unit="甲局"),
    E(3, 70, 600, unit="甲局"),
    E(4, 95, 500, unit="乙局"),
    E(5, 60, 500, unit="乙局"),
    E(6, 88, 400, unit="丙局"),  # a short unit: one member sat
    E(7, None, None, unit="丙局"),
    E(8, None, None, unit="丁局"),  # nobody sat: no team score
]


@pytest.mark.parametrize(
    ("entrants", "mode", "best", "expected"),
    [
        pytest.param(
            _UNITS,
            "sum",
            2,
            [("甲局", 170.0, (1, 2), 1), ("乙局", 155.0, (4, 5), 2), ("丙局", 88.0, (6,), 3)],
            id="sum-best-2-short-unit-last",
        ),
        pytest.param(
            _UNITS,
            "mean",
            2,
            [("丙局", 88.0, (6,), 1), ("甲局", 85.0, (1, 2), 2), ("乙局", 77.5, (4, 5), 3)],
            id="mean-best-2-short-unit-over-those-it-has",
        ),
        pytest.param(
            _UNITS,
            "sum",
            3,
            [("甲局", 240.0, (1, 2, 3), 1), ("乙局", 155.0, (4, 5), 2), ("丙局", 88.0, (6,), 3)],
            id="sum-best-3",
        ),
        pytest.param(
            _UNITS,
            "mean",
            1,
            [("乙局", 95.0, (4,), 1), ("甲局", 90.0, (1,), 2), ("丙局", 88.0, (6,), 3)],
            id="best-1-is-each-units-top",
        ),
        pytest.param(
            [E(1, 80, 300, unit="甲"), E(2, 80, 200, unit="甲"), E(3, 80, 100, unit="甲")],
            "sum",
            2,
            [("甲", 160.0, (3, 2), 1)],
            id="equal-scores-counted-by-time",
        ),
        pytest.param(
            [E(1, 100, 2, unit="甲"), E(2, 100, 1, unit="甲"), E(3, 100, 2, unit="甲")],
            "mean",
            3,
            [("甲", 100.0, (2, 1, 3), 1)],
            id="members-in-individual-order",
        ),
        pytest.param(
            [E(1, 90, 700, unit="甲"), E(2, 90, 600, unit="乙"), E(3, 90, 600, unit="丙")],
            "sum",
            2,
            [("丙", 90.0, (3,), 1), ("乙", 90.0, (2,), 1), ("甲", 90.0, (1,), 3)],
            id="ties-on-score-by-summed-time-else-shared",
        ),
        pytest.param(
            [E(1, 90, unit="甲"), E(2, 80, unit="甲"), E(3, 81, unit="甲"), E(4, 90, unit="乙")],
            "mean",
            3,
            [("乙", 90.0, (4,), 1), ("甲", 83.67, (1, 3, 2), 2)],
            id="mean-rounded-2-decimals",
        ),
    ],
)
def test_team_scores(
    entrants: list[Entrant], mode: str, best: int, expected: list[tuple[str, float, tuple[int, ...], int]]
) -> None:
    rows = team_scores(entrants, mode, best)  # type: ignore[arg-type]
    assert [(r.unit, r.score, r.members, r.place) for r in rows] == expected


def test_team_seconds_unknown_when_a_counted_time_is() -> None:
    rows = team_scores([E(1, 90, None, unit="甲"), E(2, 90, 100, unit="乙")], "sum", 1)
    assert [(r.unit, r.seconds, r.place) for r in rows] == [("乙", 100.0, 1), ("甲", None, 2)]


@pytest.mark.parametrize(("mode", "best"), [("median", 2), ("sum", 0)])
def test_team_scores_reject_bad_options(mode: str, best: int) -> None:
    with pytest.raises(ValueError):
        team_scores(_UNITS, mode, best)  # type: ignore[arg-type]


# --- the live final ----------------------------------------------------------------------------------

_DEDUCT = FinalRule(right=10, wrong=-5, unanswered=0)


@pytest.mark.parametrize(
    ("correct", "answered", "rule", "points"),
    [
        pytest.param(True, True, FinalRule(), 10, id="right"),
        pytest.param(False, True, FinalRule(), 0, id="wrong-no-deduction"),
        pytest.param(False, False, FinalRule(), 0, id="unanswered"),
        pytest.param(True, True, _DEDUCT, 10, id="right-deducting-rule"),
        pytest.param(False, True, _DEDUCT, -5, id="wrong-deducted"),
        pytest.param(False, False, _DEDUCT, 0, id="unanswered-not-deducted"),
        pytest.param(False, False, FinalRule(20, -10, -2), -2, id="unanswered-deducted"),
    ],
)
def test_final_points(correct: bool, answered: bool, rule: FinalRule, points: float) -> None:
    assert final_points(correct, answered, rule) == points


def test_an_unanswered_question_cannot_be_correct() -> None:
    with pytest.raises(ValueError):
        final_points(True, False, FinalRule())
    with pytest.raises(ValueError):
        FinalAnswer("一队", 1, None, True, None)


def _board(answers: list[FinalAnswer], teams: list[str], rule: FinalRule, **kw: object) -> list[tuple]:
    rows = scoreboard(answers, teams, rule, **kw)  # type: ignore[arg-type]
    return [(r.team, r.points, r.right, r.wrong, r.unanswered, r.place) for r in rows]


@pytest.mark.parametrize(
    ("answers", "teams", "rule", "expected"),
    [
        pytest.param(
            [A("一队", 1, True), A("二队", 1, False), A("一队", 2, True), A("二队", 2, True)],
            ["一队", "二队", "三队"],
            _DEDUCT,
            [("一队", 20, 2, 0, 0, 1), ("二队", 5, 1, 1, 0, 2), ("三队", 0, 0, 0, 2, 3)],
            id="team-that-never-answered-appears-with-0",
        ),
        pytest.param(
            [
                A("一队", 1, True, 8.0),
                A("二队", 1, True, 3.5),
                A("一队", 2, True, 2.0),
                A("二队", 2, True, 7.0),
            ],
            ["一队", "二队"],
            FinalRule(),
            [("一队", 20, 2, 0, 0, 1), ("二队", 20, 2, 0, 0, 2)],
            id="tie-on-points-faster-first",
        ),
        pytest.param(
            [A("一队", 1, True, 4.0), A("二队", 1, True, 4.0), A("二队", 2, False, 1.0)],
            ["二队", "一队"],
            FinalRule(),
            [("一队", 10, 1, 0, 1, 1), ("二队", 10, 1, 1, 0, 1)],
            id="equal-points-and-time-share-place",
        ),
        pytest.param(
            [A("一队", 1, True, 9.0), A("二队", 1, True, None)],
            ["一队", "二队"],
            FinalRule(),
            [("一队", 10, 1, 0, 0, 1), ("二队", 10, 1, 0, 0, 2)],
            id="unknown-time-after-known",
        ),
        pytest.param(
            [A("一队", 1, False, answer=None, after=None), A("二队", 1, False, 3.0)],
            ["一队", "二队"],
            _DEDUCT,
            [("一队", 0, 0, 0, 1, 1), ("二队", -5, 0, 1, 0, 2)],
            id="explicit-no-answer-beats-wrong-under-deduction",
        ),
        pytest.param(
            [],
            ["一队", "二队"],
            FinalRule(),
            [("一队", 0, 0, 0, 0, 1), ("二队", 0, 0, 0, 0, 1)],
            id="no-answers",
        ),
    ],
)
def test_scoreboard(
    answers: list[FinalAnswer], teams: list[str], rule: FinalRule, expected: list[tuple]
) -> None:
    assert _board(answers, teams, rule) == expected


def test_questions_nobody_recorded_count_as_unanswered_when_listed() -> None:
    rule = FinalRule(right=10, wrong=-5, unanswered=-2)
    board = _board([A("一队", 1, True)], ["一队", "二队"], rule, questions=[1, 2])
    assert board == [("一队", 8, 1, 0, 1, 1), ("二队", -4, 0, 0, 2, 2)]


def test_scoreboard_seconds_sum_right_answers_only() -> None:
    rows = scoreboard(
        [A("一队", 1, True, 2.5), A("一队", 2, False, 1.0), A("一队", 3, True, 4.0)], ["一队"], _DEDUCT
    )
    assert rows[0].seconds == 6.5


@pytest.mark.parametrize(
    ("answers", "teams", "kw"),
    [
        pytest.param([A("外队", 1, True)], ["一队"], {}, id="unknown-team"),
        pytest.param([A("一队", 1, True), A("一队", 1, False)], ["一队"], {}, id="answered-twice"),
        pytest.param([], ["一队", "一队"], {}, id="repeated-team"),
        pytest.param([A("一队", 3, True)], ["一队"], {"questions": [1, 2]}, id="question-not-asked"),
    ],
)
def test_scoreboard_rejects_inconsistent_records(
    answers: list[FinalAnswer], teams: list[str], kw: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        scoreboard(answers, teams, FinalRule(), **kw)  # type: ignore[arg-type]


def test_scoreboard_refuses_a_single_string_as_teams() -> None:
    with pytest.raises(TypeError):
        scoreboard([], "一队", FinalRule())


# --- properties --------------------------------------------------------------------------------------

# Few distinct values, so that ties on score, on time and on tiebreak points are common.
_entrant_fields = st.tuples(
    st.sampled_from([None, 60.0, 70.0, 80.0, 90.0]),
    st.sampled_from([None, 300.0, 600.0]),
    st.sampled_from([None, 0.0, 5.0, (5.0, 1.0)]),
    st.sampled_from(["甲", "乙", "丙"]),
)
_entrants = st.lists(_entrant_fields, max_size=14).map(
    lambda rows: [
        Entrant(key=i, unit=unit, score=s, seconds=t, tiebreak=tb) for i, (s, t, tb, unit) in enumerate(rows)
    ]
)


@settings(max_examples=300)
@given(_entrants, st.integers(min_value=1, max_value=16))
def test_advanced_and_tied_fit_the_cut(entrants: list[Entrant], n: int) -> None:
    result = advance(entrants, n)
    sitting = sum(e.sat for e in entrants)
    assert not set(result.advanced) & set(result.tied)
    assert len(result.advanced) <= n
    if result.tied:
        # the held-back group straddles the cut: some of it would fit, not all of it
        assert len(result.advanced) < n < len(result.advanced) + len(result.tied)
    else:
        assert len(result.advanced) == min(n, sitting)
    absent = {e.key for e in entrants if not e.sat}
    assert not absent & (set(result.advanced) | set(result.tied))


@settings(max_examples=300)
@given(_entrants, st.integers(min_value=1, max_value=16))
def test_advanced_rank_above_everyone_else(entrants: list[Entrant], n: int) -> None:
    result = advance(entrants, n)
    place = {p.entrant.key: p.place for p in result.places}
    advanced = set(result.advanced)
    others = [place[k] for k in place if k not in advanced]
    tied_places = {place[k] for k in result.tied}
    assert len(tied_places) <= 1
    for k in advanced:
        assert all(place[k] < p for p in others)
    if result.tied:
        assert all(p >= min(tied_places) for p in others)


@settings(max_examples=200)
@given(_entrants, st.integers(min_value=1, max_value=16), st.data())
def test_input_order_does_not_matter(entrants: list[Entrant], n: int, data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(entrants))
    assert advance(shuffled, n) == advance(entrants, n)
    assert team_scores(shuffled, "mean", 2) == team_scores(entrants, "mean", 2)


@settings(max_examples=200)
@given(_entrants)
def test_places_are_standard_competition_ranking(entrants: list[Entrant]) -> None:
    places = rank(entrants)
    assert {p.entrant.key for p in places} == {e.key for e in entrants if e.sat}
    fields = [(p.entrant.score, p.entrant.seconds, p.entrant.tiebreak_points) for p in places]
    for i, p in enumerate(places):
        if i == 0:
            assert p.place == 1
        elif fields[i] == fields[i - 1]:
            assert p.place == places[i - 1].place  # equal on all three: shared place
        else:
            assert p.place == i + 1  # otherwise the place says how many are ahead
            score, prev = places[i].entrant.score, places[i - 1].entrant.score
            assert score is not None and prev is not None and score <= prev
