"""Item analysis: hand-computed small papers, a published KR-20 example, and second implementations.

Every compared number agrees to 1e-9 (percentages included).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from exam_tui.domain import analysis as an
from exam_tui.domain import item_moments as moments
from exam_tui.domain.analysis import (
    FLAG_DISTRACTOR_UNUSED,
    FLAG_NEGATIVE_DISCRIMINATION,
    FLAG_NO_DISCRIMINATION,
    FLAG_TOO_EASY,
    FLAG_TOO_HARD,
    ItemInfo,
    Responses,
    analyse,
    ebel_band,
    random_guess_score,
    reliability_warning,
    sort_items,
)

TOL = 1e-9


def close(value: float | None, expected: float) -> bool:
    return value is not None and abs(value - expected) <= TOL


def single(key: str, points: float = 1.0, options: int = 4, answer: str = "A") -> ItemInfo:
    return ItemInfo(key, points, "single", options, key_options=frozenset(answer))


def true_false(key: str, answer: str = "A") -> ItemInfo:
    return ItemInfo(key, 1.0, "true_false", 2, key_options=frozenset(answer))


def fill(key: str, points: float) -> ItemInfo:
    return ItemInfo(key, points, "fill_blank", 0)


# --------------------------------------------------------------------------------------------------
# A small paper worked by hand: 6 attempts × 4 items (q3 is a two-blank fill-in worth 2 points).
#
#            q1  q2  q3  q4 |  T
#     a1      1   1   2   1 |  5
#     a2      1   0   2   1 |  4
#     a3      1   1   1   0 |  3
#     a4      0   1   1   0 |  2
#     a5      1   0   0   0 |  1
#     a6      0   0   0   0 |  0
#
# T̄ = 15/6 = 2.5, Σ(T − T̄)² = 6.25+2.25+0.25+0.25+2.25+6.25 = 17.5, V(T) = 17.5/5 = 3.5.
HAND_SCORES = np.array(
    [[1, 1, 2, 1], [1, 0, 2, 1], [1, 1, 1, 0], [0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]], dtype=float
)
HAND_ITEMS = (single("q1"), true_false("q2"), fill("q3", 2.0), single("q4"))
HAND_CHOICES = (
    ("A", "A", None, "A"),
    ("A", "B", None, "A"),
    ("A", "A", None, "C"),
    ("B", "A", None, "B"),
    ("A", "B", None, "D"),
    ("C", None, None, "B"),
)


def hand() -> an.Analysis:
    return analyse(Responses(HAND_ITEMS, HAND_SCORES, HAND_CHOICES, pass_score=3, total_points=5))


def test_hand_facility_and_sd() -> None:
    q1, q2, q3, q4 = hand().items
    # q1: x̄ = 4/6 → F = 66.666…%; Σ(x − 2/3)² = 4·(1/3)² + 2·(2/3)² = 4/9 + 8/9 = 4/3, V = 4/15,
    #     SD = 100·√(4/15)/1 = 51.6397779…
    assert close(q1.facility, 200 / 3) and close(q1.sd, 100 * math.sqrt(4 / 15))
    # q2: x̄ = 1/2 → 50 %; Σ(x − 1/2)² = 6/4, V = 0.3, SD = 100·√0.3
    assert close(q2.facility, 50.0) and close(q2.sd, 100 * math.sqrt(0.3))
    # q3 (max 2): x̄ = 6/6 = 1 → 100·1/2 = 50 %; Σ(x − 1)² = 1+1+0+0+1+1 = 4, V = 0.8, SD = 100·√0.8/2
    assert close(q3.facility, 50.0) and close(q3.sd, 100 * math.sqrt(0.8) / 2)
    # q4: x̄ = 1/3 → 33.33…%; V = 4/15 as q1
    assert close(q4.facility, 100 / 3) and close(q4.sd, 100 * math.sqrt(4 / 15))
    assert [q.n for q in (q1, q2, q3, q4)] == [6, 6, 6, 6]
    assert close(q3.mean, 1.0)
    assert [q.dichotomous for q in (q1, q2, q3, q4)] == [True, True, False, True]


def test_hand_discrimination_index_and_efficiency() -> None:
    q1, q2, q3, q4 = hand().items
    # q1: rest X = T − x = 4,3,2,2,0,0, X̄ = 11/6.
    #     C(x, X) = Σ(x − 2/3)(X − 11/6)/5 = (1/3·(13/6 + 7/6 + 1/6 − 11/6) + (−2/3)·(1/6 − 11/6))/5
    #             = (1/3·10/6 + 2/3·10/6)/5 = (10/6)/5 = 1/3
    #     V(X) = (169+49+1+1+121+121)/36/5 = 462/180 = 77/30
    #     DI = 100·(1/3)/√(4/15 · 77/30) = 40.2911482…
    #     sorted x 0,0,1,1,1,1 with sorted X 0,0,2,2,3,4:
    #     C_max = ((−2/3)(−11/6)·2 + (1/3)(1/6 + 1/6 + 7/6 + 13/6))/5 = (22/9 + 11/9)/5 = 11/15
    #     DE = 100·(1/3)/(11/15) = 500/11 = 45.4545…
    assert close(q1.discrimination_index, 100 * (1 / 3) / math.sqrt(4 / 15 * 77 / 30))
    assert close(q1.discriminative_efficiency, 500 / 11)
    # q2: X = 4,4,2,1,1,0, X̄ = 2; C(x, X) = (½·2 − ½·2 + ½·0 + ½·(−1) − ½·(−1) − ½·(−2))/5 = 1/5
    #     V(X) = (4+4+0+1+1+4)/5 = 14/5; DI = 100·0.2/√(0.3·2.8) = 21.8217890…
    #     sorted X 0,1,1,2,4,4 paired with 0,0,0,1,1,1: C_max = (½(2+1+1) + ½(0+2+2))/5 = 4/5 → DE = 25
    assert close(q2.discrimination_index, 100 * 0.2 / math.sqrt(0.3 * 2.8))
    assert close(q2.discriminative_efficiency, 25.0)
    # q3: X = 3,2,2,1,1,0, X̄ = 1.5; C = (1·1.5 + 1·0.5 + 0 + 0 − 1·(−0.5) − 1·(−1.5))/5 = 4/5
    #     V(X) = (2.25+0.25+0.25+0.25+0.25+2.25)/5 = 1.1; DI = 100·0.8/√(0.8·1.1) = 85.2802865…
    #     x and X are already in the same order, so C_max = C and DE = 100
    assert close(q3.discrimination_index, 100 * 0.8 / math.sqrt(0.8 * 1.1))
    assert close(q3.discriminative_efficiency, 100.0)
    # q4: X = 4,3,3,2,1,0, X̄ = 13/6; C = (2/3·(11/6 + 5/6) − 1/3·(5/6 − 1/6 − 7/6 − 13/6))/5
    #       = (2/3·16/6 + 1/3·16/6)/5 = 8/15; V(X) = 13/6; DI = 100·(8/15)/√(4/15·13/6); DE = 100
    assert close(q4.discrimination_index, 100 * (8 / 15) / math.sqrt(4 / 15 * 13 / 6))
    assert close(q4.discriminative_efficiency, 100.0)


def test_hand_weights() -> None:
    q1, q2, q3, q4 = hand().items
    # Intended weights: 100·max/5 = 20, 20, 40, 20.
    assert [q.intended_weight for q in (q1, q2, q3, q4)] == [20.0, 20.0, 40.0, 20.0]
    # C(x, T) = C(x, X) + V(x): q1 1/3 + 4/15 = 3/5, q2 1/5 + 3/10 = 1/2, q3 4/5 + 4/5 = 8/5,
    # q4 8/15 + 4/15 = 4/5. EW = 100·√C / (√0.6 + √0.5 + √1.6 + √0.8).
    roots = [math.sqrt(0.6), math.sqrt(0.5), math.sqrt(1.6), math.sqrt(0.8)]
    for q, root in zip((q1, q2, q3, q4), roots, strict=True):
        assert close(q.effective_weight, 100 * root / sum(roots))
    # α = 4/3·(1 − (4/15 + 3/10 + 4/5 + 4/15)/3.5) = 4/3·(1 − (49/30)/(7/2)) = 4/3·(8/15) = 32/45
    paper = hand().paper
    assert close(paper.alpha, 32 / 45)
    assert paper.kr20 is None  # q3 has partial credit
    assert close(paper.error_ratio, 100 * math.sqrt(1 - 32 / 45))
    assert close(paper.standard_error, math.sqrt(1 - 32 / 45) * math.sqrt(3.5))


def test_hand_upper_lower_d_and_bands() -> None:
    q1, q2, q3, q4 = hand().items
    # G = round(0.27·6) = round(1.62) = 2: upper a1, a2 (T 5, 4), lower a5, a6 (T 1, 0).
    # q1: upper 2/2 right, lower 1/2 → D = 0.5; q2: 1/2 − 0/2 = 0.5;
    # q3: fractions of max upper (1 + 1)/2, lower 0 → D = 1; q4: 1 − 0 = 1.
    assert [q.upper_lower_d for q in (q1, q2, q3, q4)] == [0.5, 0.5, 1.0, 1.0]
    assert {q.ebel_band for q in (q1, q2, q3, q4)} == {"very_good"}


def test_ties_at_the_cut_share_the_places() -> None:
    # 7 attempts → G = round(1.89) = 2. Totals 6,5,5,5,3,2,2: the upper group is the 6 and two thirds
    # of a place for each of the three 5s... that is 1 + 3·(1/3) = 2 places; the lower group the two 2s.
    # Item q: 1,1,1,0,0,0,1 → upper = (1 + (1 + 1 + 0)/3)/2 = 5/6, lower = (0 + 1)/2 → D = 1/3 (good).
    q = [1, 1, 1, 0, 0, 0, 1]
    filler = [6 - 1, 5 - 1, 5 - 1, 5, 3, 2, 2 - 1]
    scores = np.array([q, filler], dtype=float).T
    result = analyse(Responses((single("q"), fill("f", 6)), scores, None, None, 7))
    assert close(result.items[0].upper_lower_d, 1 / 3)
    assert result.items[0].ebel_band == "good"
    # The order of the attempts does not matter.
    reordered = analyse(Responses((single("q"), fill("f", 6)), scores[::-1].copy(), None, None, 7))
    assert close(reordered.items[0].upper_lower_d, 1 / 3)


@pytest.mark.parametrize(
    ("d", "band"),
    [
        (1.0, "very_good"),
        (0.40, "very_good"),
        (0.3999, "good"),
        (0.30, "good"),
        (0.2999, "marginal"),
        (0.20, "marginal"),
        (0.1999, "poor"),
        (0.0, "poor"),
        (-0.01, "negative"),
        (None, None),
    ],
)
def test_ebel_bands(d: float | None, band: str | None) -> None:
    assert ebel_band(d) == band


def test_hand_histogram_and_paper() -> None:
    paper = hand().paper
    # Bands of 0.5 point on [0, 5]: totals 0,1,2,3,4,5 fall in bands 0, 2, 4, 6, 8 and (5 = the top
    # edge) the last band.
    assert [count for _, _, count in paper.histogram] == [1, 0, 1, 0, 1, 0, 1, 0, 1, 1]
    assert paper.histogram[0][:2] == (0.0, 0.5) and paper.histogram[-1][:2] == (4.5, 5.0)
    assert (paper.n, paper.mean, paper.median, paper.minimum, paper.maximum) == (6, 2.5, 2.5, 0.0, 5.0)
    assert close(paper.sd, math.sqrt(3.5))
    assert paper.pass_rate == 0.5  # 5, 4, 3 reach the pass score 3
    assert close(paper.skewness, 0.0)  # symmetric totals
    # Kurtosis: m2 = 17.5/6, m4 = 2·(2.5⁴ + 1.5⁴ + 0.5⁴)/6 = 2·(39.0625 + 5.0625 + 0.0625)/6 = 14.7291…
    # k4 = 36·(7·m4 − 15·m2²)/(5·4·3); k2 = 3.5; kurtosis = k4/k2²
    m2, m4 = 17.5 / 6, 2 * (2.5**4 + 1.5**4 + 0.5**4) / 6
    assert close(paper.kurtosis, 36 * (7 * m4 - 15 * m2 * m2) / 60 / 3.5**2)


def test_hand_distractors_and_flags() -> None:
    q1, q2, q3, q4 = hand().items
    # q1 (key A): A by a1 a2 a3 a5, B by a4, C by a6, D by nobody.
    # Upper a1, a2: A A; lower a5, a6: A C.
    rows = {row.option: row for row in q1.distractors}
    assert list(rows) == ["A", "B", "C", "D"]
    assert (rows["A"].share, rows["A"].upper_share, rows["A"].lower_share) == (4 / 6, 1.0, 0.5)
    assert rows["A"].is_key and not rows["A"].working
    assert (rows["B"].share, rows["B"].upper_share, rows["B"].lower_share) == (1 / 6, 0.0, 0.0)
    assert not rows["B"].working  # drew nobody from either group
    assert (rows["C"].share, rows["C"].lower_share, rows["C"].working) == (1 / 6, 0.5, True)
    assert (rows["D"].count, rows["D"].working) == (0, False)
    assert q1.flags == (FLAG_DISTRACTOR_UNUSED,)
    # q2 (true/false, key A = 正确): A by a1 a3 a4, B by a2 a5, a6 left it blank.
    tf = {row.option: row for row in q2.distractors}
    assert list(tf) == ["A", "B"]
    assert (tf["A"].share, tf["B"].share) == (0.5, 2 / 6)
    assert (tf["B"].upper_share, tf["B"].lower_share, tf["B"].working) == (0.5, 0.5, False)
    assert q2.flags == ()  # DI 21.8 ≥ 20
    assert q3.distractors == () and q3.random_guess is None
    # q4 (key A, by a1 a2): C by a3, B by a4 a6, D by a5; lower a5, a6: D, B → B and D work
    # (share 1/6 or 2/6 ≥ 5 %, lower 0.5 > upper 0); C drew nobody from either group.
    assert q4.flags == ()  # every option drawn, facility 33 %, DI 70
    assert {r.option for r in q4.distractors if r.working} == {"B", "D"}


def test_flags_in_order() -> None:
    base = np.array([[1, 0], [1, 0], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 0]], float)
    items = (single("q1"), single("q2"))
    # q1 right for 10 of 10 → facility 100: too easy; sd 0 → no DI, so no discrimination flag.
    out = analyse(Responses(items, base, None, None, 2)).items[0]
    assert out.flags == (FLAG_TOO_EASY,)
    # 9 of 10 is exactly 90 % (not 90.00000000000001): not too easy.
    base[0, 0] = 0
    out = analyse(Responses(items, base, None, None, 2)).items[0]
    assert close(out.facility, 90.0) and FLAG_TOO_EASY not in out.flags
    # Hard and negative: q1 right only for the weakest of 6 (1/6 = 16.7 % < 20).
    hard = np.array([[0, 1, 1], [0, 1, 1], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 0, 0]], dtype=float)
    items = (single("q1"), single("q2"), single("q3"))
    out = analyse(Responses(items, hard, None, None, 3)).items[0]
    assert out.flags == (FLAG_TOO_HARD, FLAG_NEGATIVE_DISCRIMINATION)
    assert an._flags(50.0, 0.0, ()) == (FLAG_NO_DISCRIMINATION,)
    assert an._flags(50.0, 19.99, ()) == (FLAG_NO_DISCRIMINATION,)
    assert an._flags(50.0, 20.0, ()) == ()
    assert an._flags(95.0, -3.0, ()) == (FLAG_TOO_EASY, FLAG_NEGATIVE_DISCRIMINATION)


# --------------------------------------------------------------------------------------------------
# Published KR-20 example: K. L. Wuensch, "The Kuder-Richardson 20" (East Carolina University,
# StatHelp, KR20.txt): ten students × a ten-item quiz on methods of determining reliability, scored 1/0.
# The page gives p, q, p·q per item (Σpq = 2.18) and the variance of the totals, 5.84 (the population
# variance, divided by N, as the p·q are); KR20 = 10/9 · (1 − 2.18/5.84) = 0.69634703…
WUENSCH = """
A 1 1 1 1 1 1 0 1 1 0
B 1 0 1 1 0 1 1 1 0 1
C 1 1 1 1 0 1 1 0 0 1
D 0 0 1 0 0 0 1 0 0 0
E 0 0 0 0 0 1 0 0 1 0
F 1 1 1 0 1 1 1 1 1 1
G 1 1 0 1 1 1 0 1 1 1
H 1 1 1 1 1 1 1 1 0 1
I 0 1 0 1 1 1 1 1 0 1
J 1 1 0 1 1 0 1 1 1 0
"""


def test_published_kr20() -> None:
    matrix = np.array([[int(v) for v in line.split()[1:]] for line in WUENSCH.strip().splitlines()], float)
    totals = matrix.sum(axis=1)
    assert totals.tolist() == [8, 7, 7, 2, 2, 9, 8, 9, 7, 7]  # the page's "tot" column
    p = matrix.mean(axis=0)
    assert np.allclose(p, [0.7, 0.7, 0.6, 0.7, 0.6, 0.8, 0.7, 0.7, 0.5, 0.6], atol=1e-12)
    pq = float((p * (1 - p)).sum())
    population_var = float(totals.var())  # ddof = 0
    assert abs(pq - 2.18) < 1e-12 and abs(population_var - 5.84) < 1e-12
    kr20 = 10 / 9 * (1 - pq / population_var)
    items = tuple(single(f"q{j}") for j in range(10))
    paper = analyse(Responses(items, matrix, None, None, 10)).paper
    assert close(paper.kr20, kr20) and close(paper.alpha, kr20)
    assert close(paper.kr20, 10 / 9 * (1 - 2.18 / 5.84))
    assert round(paper.kr20, 2) == 0.70
    assert paper.alpha_n == 10


# --------------------------------------------------------------------------------------------------
# Second implementations on generated data.


def ability_data(
    n: int, k: int, seed: int, partial: bool = False
) -> tuple[np.ndarray, np.ndarray, tuple[ItemInfo, ...]]:
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=(n, 1))
    difficulty = rng.normal(size=k)
    p = 1 / (1 + np.exp(-(1.3 * theta - difficulty)))
    scores = (rng.random((n, k)) < p).astype(float)
    items = [single(f"q{j}") for j in range(k)]
    if partial:  # the last three items: 3 points, partial credit 0–3
        for j in range(k - 3, k):
            scores[:, j] = rng.binomial(3, p[:, j])
            items[j] = fill(f"q{j}", 3.0)
    return theta.ravel(), scores, tuple(items)


@pytest.mark.parametrize("partial", [False, True])
def test_alpha_agrees_with_pingouin(partial: bool) -> None:
    _, scores, items = ability_data(300, 15, seed=7, partial=partial)
    paper = analyse(Responses(items, scores, None, None, float(sum(i.max_points for i in items)))).paper
    expected, _ = pingouin.cronbach_alpha(data=pd.DataFrame(scores))
    assert close(paper.alpha, float(expected))
    assert (paper.kr20 is None) == partial
    # SEM by hand: SD·√(1 − α), and the error ratio 100·√(1 − α).
    sd = float(np.std(scores.sum(axis=1), ddof=1))
    assert close(paper.standard_error, sd * math.sqrt(1 - float(expected)))
    assert close(paper.error_ratio, 100 * math.sqrt(1 - float(expected)))


def test_rest_correlations_agree_with_corrcoef() -> None:
    _, scores, items = ability_data(500, 12, seed=11, partial=True)
    result = analyse(Responses(items, scores, None, None, float(sum(i.max_points for i in items))))
    totals = scores.sum(axis=1)
    for j, item in enumerate(result.items):
        x = scores[:, j]
        assert close(item.discrimination_index, 100 * np.corrcoef(x, totals - x)[0, 1])
        assert close(item.facility, 100 * x.mean() / items[j].max_points)
        assert close(item.sd, 100 * np.std(x, ddof=1) / items[j].max_points)
        # C_max pairs the sorted vectors.
        cmax = np.cov(np.sort(x), np.sort(totals - x))[0, 1]
        assert close(item.discriminative_efficiency, 100 * np.cov(x, totals - x)[0, 1] / cmax)
    covs = np.array([np.cov(scores[:, j], totals)[0, 1] for j in range(len(items))])
    roots = np.sqrt(np.clip(covs, 0, None))
    for item, root in zip(result.items, roots, strict=True):
        assert close(item.effective_weight, 100 * root / roots.sum())


def test_skewness_and_kurtosis_agree_with_scipy() -> None:
    _, scores, items = ability_data(200, 10, seed=3)
    paper = analyse(Responses(items, scores, None, None, 10)).paper
    totals = scores.sum(axis=1)
    assert close(paper.skewness, float(stats.skew(totals, bias=False)))
    assert close(paper.kurtosis, float(stats.kurtosis(totals, bias=False)))  # excess (Fisher)
    assert close(paper.median, float(np.median(totals)))


def test_upper_lower_d_agrees_with_a_plain_count() -> None:
    # Continuous totals (no ties): the plain top/bottom 27 % by sorting.
    rng = np.random.default_rng(5)
    scores = rng.random((100, 6)).round(3) * 2
    items = tuple(fill(f"q{j}", 2.0) for j in range(6))
    result = analyse(Responses(items, scores, None, None, 12))
    order = np.argsort(scores.sum(axis=1))
    g = 27
    for j, item in enumerate(result.items):
        upper, lower = scores[order[-g:], j] / 2, scores[order[:g], j] / 2
        assert close(item.upper_lower_d, upper.mean() - lower.mean())


def test_dense_and_per_item_paths_agree() -> None:
    _, scores, items = ability_data(400, 20, seed=13, partial=True)
    scores[:5, 0] = 1  # keep item 0 dichotomous
    totals = scores.sum(axis=1)
    maxes = np.array([i.max_points for i in items])
    dense = moments.dense_numbers(scores, moments.Totals.of(totals), maxes, scores.sum(axis=0))
    masked = moments.masked_numbers(scores, totals, maxes)
    for name in ("n", "mean", "var", "cov_total", "cov_rest", "var_rest", "cov_max", "d"):
        assert np.allclose(getattr(dense, name), getattr(masked, name), rtol=0, atol=TOL), name
    assert (dense.dichotomous == masked.dichotomous).all()


# --------------------------------------------------------------------------------------------------
# A miskeyed item: the bank says A, but the right answer is C.


def test_miskeyed_item_is_caught() -> None:
    rng = np.random.default_rng(2024)
    n, k = 400, 20
    theta, scores, items = ability_data(n, k, seed=2024)
    # Item 0: able candidates choose C (the true answer); the others mostly fall for A (the bank key).
    know = rng.random(n) < 1 / (1 + np.exp(-2 * theta))
    guess = rng.choice(np.array(list("ABD")), size=n, p=[0.7, 0.15, 0.15])
    chosen = np.where(know, "C", guess)
    scores[:, 0] = (chosen == "A").astype(float)
    letters = np.array(list("ABCD"))
    other = letters[rng.integers(0, 4, size=(n, k))]
    other[:, 0] = chosen
    choices = tuple(tuple(row) for row in other.tolist())
    result = analyse(Responses(items, scores, choices, None, k))
    item = result.items[0]
    assert item.discrimination_index is not None and item.discrimination_index < 0
    assert FLAG_NEGATIVE_DISCRIMINATION in item.flags
    assert item.upper_lower_d is not None and item.upper_lower_d < 0 and item.ebel_band == "negative"
    rows = {row.option: row for row in item.distractors}
    assert rows["A"].is_key and rows["A"].lower_share > rows["A"].upper_share
    top = max(item.distractors, key=lambda row: row.upper_share)
    assert top.option == "C" and not top.is_key and top.upper_share > 2 * top.lower_share
    assert not rows["C"].working  # drawn by the upper group: not a working distractor
    # The other items discriminate.
    assert all(i.discrimination_index > 0 for i in result.items[1:])


# --------------------------------------------------------------------------------------------------
# Edge cases.


def test_item_everyone_got_right() -> None:
    scores = HAND_SCORES.copy()
    scores[:, 0] = 1
    result = analyse(Responses(HAND_ITEMS, scores, None, None, 5))
    item = result.items[0]
    assert item.facility == 100.0 and item.sd == 0.0
    assert item.discrimination_index is None and item.discriminative_efficiency is None
    assert item.effective_weight == 0.0  # √C(x, T) = 0
    assert item.upper_lower_d == 0.0 and item.ebel_band == "poor"
    assert item.flags == (FLAG_TOO_EASY,)
    assert result.paper.alpha is not None


def test_single_attempt() -> None:
    result = analyse(Responses(HAND_ITEMS, HAND_SCORES[:1], HAND_CHOICES[:1], 3, 5))
    paper = result.paper
    assert (paper.n, paper.mean, paper.median, paper.minimum, paper.maximum) == (1, 5.0, 5.0, 5.0, 5.0)
    assert paper.sd is None and paper.skewness is None and paper.kurtosis is None
    assert paper.alpha is None and paper.kr20 is None and paper.error_ratio is None
    assert paper.pass_rate == 1.0
    assert [c for _, _, c in paper.histogram] == [0] * 9 + [1]
    for item in result.items:
        assert item.n == 1 and item.sd is None and item.discrimination_index is None
        assert item.upper_lower_d is None and item.ebel_band is None and item.effective_weight is None
    assert result.items[0].facility == 100.0
    first = result.items[0].distractors[0]
    assert (first.option, first.share, first.upper_share, first.lower_share) == ("A", 1.0, None, None)


def test_no_attempts() -> None:
    result = analyse(Responses(HAND_ITEMS, np.empty((0, 4)), (), 3, 5))
    assert result.paper.n == 0 and result.paper.mean is None and result.paper.pass_rate is None
    assert all(item.n == 0 and item.facility is None and item.flags == () for item in result.items)


def test_pool_drawn_papers() -> None:
    # 8 attempts, items drawn from a pool: NaN where the item was not on the paper.
    nan = math.nan
    scores = np.array(
        [
            [1, 1, nan, 1],
            [1, nan, 1, 1],
            [nan, 0, 1, 1],
            [1, 1, 0, nan],
            [0, nan, 0, 1],
            [1, 0, nan, 0],
            [0, 0, 0, 0],
            [1, 1, 1, 1],
        ]
    )
    items = tuple(single(f"q{j}") for j in range(4))
    choices = tuple(tuple(None if math.isnan(v) else ("A" if v == 1 else "B") for v in row) for row in scores)
    result = analyse(Responses(items, scores, choices, None, 3))
    totals = np.nansum(scores, axis=1)
    for j, item in enumerate(result.items):
        had = ~np.isnan(scores[:, j])
        x, t = scores[had, j], totals[had]
        assert item.n == had.sum()
        assert close(item.facility, 100 * x.mean())
        assert close(item.discrimination_index, 100 * np.corrcoef(x, t - x)[0, 1])
        assert close(sum(row.share for row in item.distractors), 1.0)
        assert close(next(r for r in item.distractors if r.option == "A").share, x.mean())
    # α over the two attempts that had all four items (rows 7 and 8): totals 0 and 4,
    # item variances 0.5 each → α = 4/3·(1 − 2/8) = 1.
    assert result.paper.alpha_n == 2 and close(result.paper.alpha, 1.0)
    assert result.paper.kr20 == result.paper.alpha
    assert result.paper.mean == totals.mean()
    # Mixed paper: q3 was on every paper, so it takes the dense path; same numbers either way.
    scores[:, 3] = [1, 1, 1, 0, 1, 0, 0, 1]
    maxes = np.ones(4)
    partial = np.isnan(scores).any(axis=0)
    mixed = moments.numbers(
        scores, moments.Totals.of(np.nansum(scores, axis=1)), maxes, partial, scores.sum(axis=0)
    )
    masked = moments.masked_numbers(scores, np.nansum(scores, axis=1), maxes)
    for name in ("n", "mean", "var", "cov_total", "cov_rest", "var_rest", "cov_max", "d"):
        assert np.allclose(getattr(mixed, name), getattr(masked, name), atol=TOL, equal_nan=True), name


def test_no_complete_attempt_gives_no_alpha() -> None:
    nan = math.nan
    scores = np.array([[1, nan], [nan, 1], [0, nan], [nan, 0]])
    paper = analyse(Responses((single("a"), single("b")), scores, None, None, 1), high_stakes=True).paper
    assert paper.alpha is None and paper.alpha_n == 0
    assert paper.reliability_warning == "analysis.reliability_unavailable"


def test_negative_covariance_has_no_effective_weight() -> None:
    # T = 2,2,2,1: C(q2, T) = (−½·¼·2 + ½·¼ + ½·(−¾))/3 < 0 → None; the others share 100 %.
    scores = np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 0]], dtype=float)
    result = analyse(Responses(tuple(single(f"q{j}") for j in range(3)), scores, None, None, 3))
    weights = [item.effective_weight for item in result.items]
    assert weights[1] is None
    assert close(weights[0] + weights[2], 100.0)


def test_letters_beyond_the_options_and_bad_answers() -> None:
    scores = np.array([[1.0], [0.0], [0.0], [0.0]])
    choices = (("A",), ("E",), ("AB",), (None,))
    item = analyse(Responses((single("q", options=4),), scores, choices, None, 1)).items[0]
    assert [r.option for r in item.distractors] == ["A", "B", "C", "D", "E"]
    assert [r.count for r in item.distractors] == [1, 0, 0, 0, 1]  # "AB" is not an answer to a single


def test_choice_codes_and_letters_give_the_same_analysis() -> None:
    rng = np.random.default_rng(7)
    items = (single("a", options=4), true_false("b"), single("c", options=3))
    letters = [["A", "B", "C", "D", None, "AB"], ["A", "B", None], ["A", "B", "C", None]]
    rows = [tuple(column[rng.integers(len(column))] for column in letters) for _ in range(60)]
    scores = np.array([[float(r[0] == "A"), float(r[1] == "A"), float(r[2] == "C")] for r in rows])
    from_letters = analyse(Responses(items, scores, tuple(rows), None, 3))
    codes = np.array([[an.choice_code(v) for v in r] for r in rows], dtype=np.uint8)
    assert analyse(Responses(items, scores, codes, None, 3)) == from_letters
    assert [an.choice_code(v) for v in (None, "", "A", "Z", "AB", "a")] == [0, 0, 1, 26, 27, 27]


def test_responses_are_checked() -> None:
    with pytest.raises(ValueError):
        Responses(HAND_ITEMS, np.zeros((3, 2)), None, None, 5)
    with pytest.raises(ValueError):
        Responses(HAND_ITEMS, np.zeros((2, 4)), (("A",) * 4,), None, 5)
    with pytest.raises(ValueError):
        Responses(HAND_ITEMS, np.zeros((1, 4)), (("A",) * 3,), None, 5)
    with pytest.raises(ValueError):
        Responses(HAND_ITEMS, np.zeros((2, 4)), np.zeros((2, 3), dtype=np.uint8), None, 5)
    with pytest.raises(ValueError):
        Responses(HAND_ITEMS, np.zeros((1, 4)), np.full((1, 4), 28, dtype=np.uint8), None, 5)


def test_random_guess_scores() -> None:
    assert random_guess_score(single("s", options=4)) == 25.0
    assert random_guess_score(true_false("t")) == 50.0
    # Multiple response, 4 options: 15 non-empty sets, one of them the key.
    multi = ItemInfo("m", 2.0, "multiple", 4, key_options=frozenset("AC"))
    assert close(random_guess_score(multi), 100 / 15)
    # With partial credit the two single letters A and C earn half: (1 + ½·2)/15.
    partial = ItemInfo("m", 2.0, "multiple", 4, key_options=frozenset("AC"), partial_credit=True)
    assert close(random_guess_score(partial), 100 * 2 / 15)
    assert random_guess_score(fill("f", 2)) is None
    assert random_guess_score(ItemInfo("s", 5, "short_answer", 0)) is None


@pytest.mark.parametrize(
    ("alpha", "high_stakes", "warning"),
    [
        (0.75, True, "analysis.reliability_low"),
        (0.80, True, "analysis.reliability_not_high_stakes"),
        (0.89, True, "analysis.reliability_not_high_stakes"),
        (0.90, True, None),
        (None, True, "analysis.reliability_unavailable"),
        (0.60, False, "analysis.reliability_low"),
        (0.70, False, None),
        (None, False, None),
    ],
)
def test_reliability_warning(alpha: float | None, high_stakes: bool, warning: str | None) -> None:
    assert reliability_warning(alpha, high_stakes) == warning


def test_sort_items() -> None:
    items = hand().items + analyse(Responses(HAND_ITEMS, HAND_SCORES[:1], None, None, 5)).items[:1]
    # The last row (one attempt) has no discrimination index: last either way.
    by_di = sort_items(items, "discrimination_index", descending=False)
    assert [i.key for i in by_di] == ["q2", "q1", "q4", "q3", "q1"]
    assert by_di[-1].discrimination_index is None
    by_di = sort_items(items, "discrimination_index", descending=True)
    assert [i.key for i in by_di] == ["q3", "q4", "q1", "q2", "q1"]
    # Ties keep their order: facility 50 for q2 and q3.
    assert [i.key for i in sort_items(items[:4], "facility", False)] == ["q4", "q2", "q3", "q1"]
    assert [i.key for i in sort_items(items[:4], "key", True)] == ["q4", "q3", "q2", "q1"]
    assert sort_items(items[:4], "flags", True)[0].key == "q1"
    with pytest.raises(ValueError):
        sort_items(items, "nonsense", False)


def test_ebel_band_sorts_worst_first() -> None:
    rows = [
        an.ItemStats(f"q{i}", "", "single", 1, *([None] * 9), ebel_band=band, dichotomous=True)
        for i, band in enumerate(["good", None, "negative", "very_good"])
    ]
    assert [r.ebel_band for r in sort_items(rows, "ebel_band", False)] == [
        "negative",
        "good",
        "very_good",
        None,
    ]


@pytest.mark.parametrize("attempts", [7, 300, 3000])
def test_sorted_pair_sums_by_counting_agree_with_sorting(attempts: int) -> None:
    """C_max's numerator: the counting path (marks in halves) and the sorting path give the same sums."""
    rng = np.random.default_rng(attempts)
    block = np.column_stack(
        [
            rng.integers(0, 5, attempts) / 2,  # 0 … 2 in halves
            rng.integers(0, 11, attempts) / 2,  # 0 … 5 in halves
            rng.integers(0, 3, attempts).astype(float),  # 0, 1, 2
            rng.integers(0, 4, attempts) / 3,  # thirds: off the grid, sorted
            rng.integers(0, 9, attempts) / 4,  # quarters: off the grid
            np.full(attempts, 1.5),  # constant
            rng.choice([0.0, 2.5, 5.0], attempts),  # 0 … 5 in halves, most marks never given
            rng.choice([0.5, 4.0], attempts),  # no zeros, a gap between
        ]
    )
    totals = block.sum(axis=1) + rng.integers(0, 40, attempts)
    means, rest_means = block.mean(axis=0), totals.mean() - block.mean(axis=0)
    got = moments.sorted_pair_sums(block, moments.Totals.of(totals), means, rest_means)
    for j in range(block.shape[1]):
        x = block[:, j]
        expected = (np.sort(x) - means[j]) @ (np.sort(totals - x) - rest_means[j])
        assert math.isclose(got[j], expected, rel_tol=1e-12, abs_tol=1e-9), j


@pytest.mark.parametrize(("attempts", "columns"), [(1, 1), (9, 3), (500, 80), (200, 161)])
def test_choice_tables_agree_with_counting_one_by_one(attempts: int, columns: int) -> None:
    """The distractor tables (two columns per cell, groups as runs of the sorted attempts) equal a plain
    count of every answer and a weighted sum per group, for odd column counts, ties at both cuts and
    more columns than 16-bit cells hold."""
    rng = np.random.default_rng(attempts + columns)
    codes = rng.integers(0, 6, (attempts, columns)).astype(np.uint8)
    codes[rng.random((attempts, columns)) < 0.05] = an._OTHER
    totals = rng.integers(0, 6, attempts).astype(float)  # few totals: wide ties at the cuts
    order = np.argsort(totals, kind="stable")
    weights = moments.group_weights(totals, moments.group_size(attempts)) if attempts >= 2 else (None, None)
    counts, low, up = moments.choice_tables(codes, order, *weights)
    assert counts.shape == (columns, moments.CODES)
    for j in range(columns):
        for code in range(moments.CODES):
            chose = codes[:, j] == code
            assert counts[j, code] == np.count_nonzero(chose)
            if weights[0] is None:
                assert low is None and up is None
                continue
            assert low is not None and up is not None
            assert math.isclose(low[j, code], weights[0][chose].sum(), abs_tol=1e-9)
            assert math.isclose(up[j, code], weights[1][chose].sum(), abs_tol=1e-9)
