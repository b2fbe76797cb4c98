"""Item analysis of an exam's attempts: Moodle's quiz statistics, the classical 27 % D, distractors, flags.

Pure: the services build :class:`Responses` from stored attempts (points per item, the bank letters
chosen); :func:`analyse` returns the numbers the item-analysis screen and the reports show.

Definitions (S attempts, x an item's points, T an attempt's total, X = T − x the rest of the paper;
V and C are sample variance and covariance over S − 1, taken over the attempts that had the item):

Test statistics, as Moodle's quiz statistics report (``mod/quiz/report/statistics/classes/calculator.php``,
https://docs.moodle.org/dev/Quiz_statistics_calculations):

- mean, median, minimum, maximum of T; ``sd`` = √V(T) (None below 2 attempts).
- m_p = Σ(T − T̄)^p / S;  k2 = S·m2/(S−1);  k3 = S²·m3/((S−1)(S−2));
  k4 = S²·((S+1)·m4 − 3(S−1)·m2²)/((S−1)(S−2)(S−3)).
  ``skewness`` = k3 / k2^(3/2) (S > 2), ``kurtosis`` = k4 / k2² (S > 3): the sample excess kurtosis
  (Excel's KURT, ``scipy.stats.kurtosis(bias=False)``); None when T is constant.
- ``alpha`` (Moodle's coefficient of internal consistency / 100, Cronbach's α):
  α = P/(P−1) · (1 − Σ_p V(x_p) / V(T)) over the attempts that had every item (P items). With every
  item scored 0 or full marks α *is* KR-20 (V(x_p) = p·q·S/(S−1) and the factor cancels), so ``kr20``
  repeats it then. Moodle computes it over all attempts of a fixed quiz; papers drawn from a pool have
  no common item set, hence the restriction (None when fewer than 2 such attempts or 2 items, or V(T)
  = 0; Moodle shows it only from 3 attempts).
- ``error_ratio`` = 100·√(1 − α);  ``standard_error`` = error_ratio/100 · sd (sd of all attempts).

Item statistics, as Moodle's ``question/classes/statistics/questions/calculator.php``:

- ``facility`` = 100 · x̄ / max;  ``sd`` = 100 · √V(x) / max.
- ``intended_weight`` = 100 · max / total points of the paper.
- ``effective_weight`` = 100 · √C(x, T) / Σ_q √C(x_q, T), the sum over the items whose C(x_q, T) ≥ 0;
  an item with negative covariance has None (Moodle prints "negative covariance"), as does every item
  when the sum is 0.
- ``discrimination_index`` = 100 · C(x, X) / √(V(x)·V(X)): the corrected item–rest correlation
  (None when either variance is 0).
- ``discriminative_efficiency`` = 100 · C(x, X) / C_max(x, X), C_max pairing the sorted x with the
  sorted X (the largest covariance the two marginal distributions allow); None when it is 0.
- ``random_guess``: single choice 100/options (Moodle: the mean of the options' fractions), true/false 50.
  Moodle gives none for multiple response ("pretty much impossible to compute"); here it is the expected
  score of a uniformly random non-empty set of letters under this system's rule (all right = full marks;
  with partial credit a strict non-empty subset of the key = half): 100·(1 + ½·(2^c − 2))/(2^k − 1),
  the ½ term only with partial credit (c key letters, k options). None for fill-in and short answers
  (Moodle's short answer gives 0 unless a ``*`` answer has credit).

Classical statistics:

- ``upper_lower_d``: among the attempts that had the item, the G = round(0.27·S) highest and lowest
  totals (Kelley's 27 %); D = mean fraction of max in the upper group − in the lower group, which for a
  0/full item is p_upper − p_lower. Attempts tied on the total at a cut share the places left at that
  cut equally (fractional membership), so D does not depend on the order of the attempts.
- ``ebel_band`` (Ebel & Frisbie): ≥ 0.40 very good, 0.30–0.39 good, 0.20–0.29 marginal, 0–0.19 poor,
  below 0 negative.
- Distractors (single choice, true/false; letters in the bank's terms): share = chosen by / attempts
  that had the item, upper/lower share = the same within the 27 % groups (as fractions, 0–1). A
  distractor is *working* when it is not the key, drew at least 5 % and drew more of the lower group.

Flags (message keys, in this order): facility > 90 too easy, < 20 too hard; discrimination index < 0
negative, 0 ≤ DI < 20 no discrimination — Moodle's user documentation calls 20–29 weak and below 20 very
weak; its report itself marks a question dubious only by discriminative efficiency < 15 %; a non-key
option nobody chose. Comparisons are made on values rounded to 9 decimals, so 9/10 right is 90, not
90.00000000000001.

Reliability warning (message keys): for a high-stakes exam α < 0.80 is "low" and 0.80 ≤ α < 0.90 "not
enough for high stakes"; α unknown is "unavailable". Otherwise α below Moodle's 64 % ("the test as a
whole is unsatisfactory") is "low".

Performance: the moments are computed in :mod:`exam_tui.domain.item_moments` with whole-matrix
operations over the items every attempt had (the common case) and one vectorised pass per item some
papers did not have; no Python loop runs over attempts (bench/analysis.py times it).
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from itertools import chain, compress
from operator import itemgetter
from typing import Any

import numpy as np

from exam_tui.domain import item_moments as moments
from exam_tui.domain.item_moments import DIGITS

# Thresholds (percent where the statistic is a percentage, as Moodle shows them).
TOO_EASY_ABOVE = 90.0
TOO_HARD_BELOW = 20.0
NO_DISCRIMINATION_BELOW = 20.0  # DI; Moodle's docs: < 20 very weak
WORKING_DISTRACTOR_SHARE = 0.05
HISTOGRAM_BANDS = 10
HIGH_STAKES_MINIMUM = 0.80
HIGH_STAKES_TARGET = 0.90
LOW_STAKES_MINIMUM = 0.64  # Moodle: CIC below 64 % → the test as a whole is unsatisfactory

FLAG_TOO_EASY = "analysis.flag.too_easy"
FLAG_TOO_HARD = "analysis.flag.too_hard"
FLAG_NEGATIVE_DISCRIMINATION = "analysis.flag.negative_discrimination"
FLAG_NO_DISCRIMINATION = "analysis.flag.no_discrimination"
FLAG_DISTRACTOR_UNUSED = "analysis.flag.distractor_unused"
RELIABILITY_LOW = "analysis.reliability_low"
RELIABILITY_NOT_HIGH_STAKES = "analysis.reliability_not_high_stakes"
RELIABILITY_UNAVAILABLE = "analysis.reliability_unavailable"

EBEL_BANDS = ("negative", "poor", "marginal", "good", "very_good")  # worst first (sort order)
CHOICE_TYPES = ("single", "true_false")
_LETTERS = string.ascii_uppercase


# A single-choice or true/false answer as one byte: 0 unanswered, 1–26 the letters A–Z, 27 anything else.
_OTHER = moments.CODES - 1  # 27 = len(_LETTERS) + 1
_LETTER_CODES = {letter: i + 1 for i, letter in enumerate(_LETTERS)}


def choice_code(letters: str | None) -> int:
    """The code of an answer in :attr:`Responses.choices`: 0 for none, 1–26 for one letter A–Z, 27 else."""
    if not letters:
        return 0
    return _LETTER_CODES.get(letters, _OTHER)


@dataclass(frozen=True)
class ItemInfo:
    """One item (a bank question) as the analysis needs it.

    ``options``: number of options for single/multiple, 2 for true/false, 0 otherwise;
    ``key_options``: the bank letters of the key (true/false: ``A`` = 正确, ``B`` = 错误).
    """

    key: str
    max_points: float
    type: str
    options: int
    label: str = ""
    key_options: frozenset[str] = frozenset()
    partial_credit: bool = False  # multiple: a strict subset of the key earns half (random guess only)


@dataclass(frozen=True, eq=False)
class Responses:
    """Every attempt's points per item and chosen letters.

    ``scores``: attempts × items, NaN where the item was not on that attempt's paper. ``choices``: the
    bank letter chosen per attempt and item, as codes (attempts × items, unsigned bytes, see
    :func:`choice_code`: 0 unanswered or not on the paper, 1–26 the letters A–Z, 27 anything else), or
    as rows of letters (``"B"``, ``"AC"``, None) that are turned into codes here; only single-choice and
    true/false columns are read. ``total_points``: the paper's total.

    Codes are what a reader of stored answers hands over (it maps each answer to its bank letter as it
    reads it, one code more per answer); rows of strings suit small callers and tests.
    """

    items: tuple[ItemInfo, ...]
    scores: np.ndarray
    choices: np.ndarray | tuple[tuple[str | None, ...], ...] | None
    pass_score: float | None
    total_points: float

    def __post_init__(self) -> None:
        scores = np.asarray(self.scores, dtype=float)
        if scores.ndim != 2 or scores.shape[1] != len(self.items):
            raise ValueError(f"scores must be attempts × {len(self.items)} items, not {scores.shape}")
        object.__setattr__(self, "scores", scores)
        if self.choices is None:
            return
        if isinstance(self.choices, np.ndarray):
            codes = self.choices
            if codes.shape != scores.shape:
                raise ValueError(f"choice codes must be attempts × items {scores.shape}, not {codes.shape}")
            if codes.size and int(codes.max()) > _OTHER:
                raise ValueError(f"a choice code is above {_OTHER}")
            object.__setattr__(self, "choices", np.ascontiguousarray(codes, dtype=np.uint8))
            return
        if len(self.choices) != scores.shape[0]:
            raise ValueError("choices must have one row per attempt")
        if set(map(len, self.choices)) - {len(self.items)}:
            raise ValueError("every choices row must have one entry per item")
        columns = [j for j, item in enumerate(self.items) if item.type in CHOICE_TYPES]
        codes = np.zeros(scores.shape, dtype=np.uint8)
        if columns and len(self.choices):
            codes[:, columns] = _choice_codes(self.choices, columns, len(self.items))
        object.__setattr__(self, "choices", codes)


@dataclass(frozen=True)
class DistractorStats:
    """One option of a single-choice or true/false item; shares are fractions (0–1), the group shares
    None when fewer than 2 attempts had the item."""

    option: str
    share: float
    upper_share: float | None
    lower_share: float | None
    is_key: bool
    working: bool
    count: int = 0


@dataclass(frozen=True)
class ItemStats:
    """One row of the item table; percentages as Moodle shows them, D and shares as fractions."""

    key: str
    label: str
    type: str
    n: int
    mean: float | None  # points
    facility: float | None  # %
    sd: float | None  # % of max
    random_guess: float | None  # %
    intended_weight: float | None  # %
    effective_weight: float | None  # %
    discrimination_index: float | None  # %
    discriminative_efficiency: float | None  # %
    upper_lower_d: float | None  # −1 … 1
    ebel_band: str | None
    dichotomous: bool
    distractors: tuple[DistractorStats, ...] = ()
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PaperStats:
    n: int
    mean: float | None
    median: float | None
    sd: float | None
    minimum: float | None
    maximum: float | None
    skewness: float | None
    kurtosis: float | None  # sample excess kurtosis k4/k2² (see the module docstring)
    pass_rate: float | None  # fraction of attempts with total ≥ pass score
    alpha: float | None
    kr20: float | None
    alpha_n: int  # attempts that had every item (α is computed over them)
    error_ratio: float | None  # %
    standard_error: float | None  # points
    reliability_warning: str | None
    histogram: tuple[tuple[float, float, int], ...]  # (low, high, count); high exclusive but the last


@dataclass(frozen=True)
class Analysis:
    paper: PaperStats
    items: tuple[ItemStats, ...]


def _r(value: float) -> float:
    return round(value, DIGITS)


# ---------------------------------------------------------------------------------------------- choices

_CODE_CHARS: dict[Any, str] = {None: "\x00", "": "\x00"} | {
    letter: chr(i + 1) for i, letter in enumerate(_LETTERS)
}


class _CodeTable(dict[Any, str]):
    def __missing__(self, key: Any) -> str:
        return chr(_OTHER)  # several letters, or not a letter, on a one-answer item


def _choice_codes(choices: tuple[tuple[str | None, ...], ...], columns: list[int], k: int) -> np.ndarray:
    """The answers in ``columns`` as codes, attempts × columns.

    One C-level pass over the Python strings (``map`` + ``str.join``); no Python loop per attempt.
    """
    n = len(choices)
    table = _CodeTable(_CODE_CHARS)
    if len(columns) == k:
        flat: Iterable[Any] = chain.from_iterable(choices)
    elif len(columns) == 1:
        flat = map(itemgetter(columns[0]), choices)
    else:
        flat = chain.from_iterable(map(itemgetter(*columns), choices))
    text = "".join(map(table.__getitem__, flat)).encode("latin-1")
    return np.frombuffer(text, dtype=np.uint8).reshape(n, len(columns))


def _option_letters(item: ItemInfo) -> set[str]:
    count = 2 if item.type == "true_false" else max(item.options, 0)
    return set(_LETTERS[:count]) | (set(item.key_options) & set(_LETTERS))


def _distractors(
    item: ItemInfo, counts: list[int], lower: list[float] | None, upper: list[float] | None, n: int, g: int
) -> tuple[DistractorStats, ...]:
    """The option rows of one item from its code tables (letters beyond its options included if chosen)."""
    if n == 0:
        return ()
    letters = _option_letters(item).union(compress(_LETTERS, counts[1:_OTHER]))
    rows = []
    for letter in sorted(letters):
        code = _LETTER_CODES[letter]
        is_key = letter in item.key_options
        share = counts[code] / n
        lo = lower[code] / g if lower is not None else None
        up = upper[code] / g if upper is not None else None
        working = (
            not is_key
            and _r(share) >= WORKING_DISTRACTOR_SHARE
            and lo is not None
            and up is not None
            and _r(lo) > _r(up)
        )
        rows.append(DistractorStats(letter, share, up, lo, is_key, working, counts[code]))
    return tuple(rows)


# ---------------------------------------------------------------------------------------------- assembly


def random_guess_score(item: ItemInfo) -> float | None:
    """The expected score (% of max) of a random guess; see the module docstring."""
    if item.type == "true_false":
        return 50.0
    if item.type == "single":
        return 100.0 / item.options if item.options > 0 else None
    if item.type == "multiple":
        if item.options <= 0:
            return None
        subsets = 2**item.options - 1
        partial = 0.5 * (2 ** len(item.key_options) - 2) if item.partial_credit and item.key_options else 0.0
        return 100.0 * (1.0 + partial) / subsets
    return None


def ebel_band(d: float | None) -> str | None:
    """Ebel & Frisbie's reading of the upper–lower D."""
    if d is None:
        return None
    d = _r(d)
    if d >= 0.40:
        return "very_good"
    if d >= 0.30:
        return "good"
    if d >= 0.20:
        return "marginal"
    if d >= 0:
        return "poor"
    return "negative"


def _flags(
    facility: float | None, di: float | None, distractors: Sequence[DistractorStats]
) -> tuple[str, ...]:
    flags = []
    if facility is not None and _r(facility) > TOO_EASY_ABOVE:
        flags.append(FLAG_TOO_EASY)
    if facility is not None and _r(facility) < TOO_HARD_BELOW:
        flags.append(FLAG_TOO_HARD)
    if di is not None and _r(di) < 0:
        flags.append(FLAG_NEGATIVE_DISCRIMINATION)
    if di is not None and 0 <= _r(di) < NO_DISCRIMINATION_BELOW:
        flags.append(FLAG_NO_DISCRIMINATION)
    if any(not row.is_key and row.count == 0 for row in distractors):
        flags.append(FLAG_DISTRACTOR_UNUSED)
    return tuple(flags)


def _alpha(items: int, rows: int, item_var_sum: float, total_var: float) -> float | None:
    """Cronbach's α = P/(P−1)·(1 − ΣV(x)/V(T)); None below 2 items or 2 attempts, or with V(T) = 0."""
    if items < 2 or rows < 2 or total_var == 0:
        return None
    return items / (items - 1) * (1 - item_var_sum / total_var)


def _complete_alpha(scores: np.ndarray, complete: np.ndarray) -> tuple[float | None, int]:
    """α over the attempts that had every item (papers drawn from a pool)."""
    block = scores[complete]
    rows, items = block.shape
    if rows < 2 or items < 2:
        return None, rows
    sums = block.sum(axis=1)
    item_var = block.var(axis=0, ddof=1)
    item_var[block.min(axis=0) == block.max(axis=0)] = 0.0
    total_var = 0.0 if sums.min() == sums.max() else float(sums.var(ddof=1))
    return _alpha(items, rows, float(item_var.sum()), total_var), rows


def reliability_warning(alpha: float | None, high_stakes: bool) -> str | None:
    """The message key of what α says about the paper (see the module docstring), None when nothing."""
    if high_stakes:
        if alpha is None:
            return RELIABILITY_UNAVAILABLE
        if alpha < HIGH_STAKES_MINIMUM:
            return RELIABILITY_LOW
        if alpha < HIGH_STAKES_TARGET:
            return RELIABILITY_NOT_HIGH_STAKES
        return None
    if alpha is not None and alpha < LOW_STAKES_MINIMUM:
        return RELIABILITY_LOW
    return None


def _paper_stats(
    responses: Responses,
    totals: np.ndarray,
    alpha: float | None,
    alpha_n: int,
    all_dichotomous: bool,
    high_stakes: bool,
) -> PaperStats:
    n = len(totals)
    mean = median = sd = minimum = maximum = skewness = kurtosis = None
    if n:
        mean, median = float(totals.mean()), float(np.median(totals))
        minimum, maximum = float(totals.min()), float(totals.max())
    if n > 1:
        dev = totals - totals.mean()
        dev2 = dev * dev
        m2, m3, m4 = float(dev2.mean()), float((dev2 * dev).mean()), float((dev2 * dev2).mean())
        k2 = n * m2 / (n - 1)
        sd = math.sqrt(k2)
        if n > 2 and minimum != maximum:
            skewness = (n * n * m3 / ((n - 1) * (n - 2))) / k2**1.5
            if n > 3:
                k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
                kurtosis = k4 / (k2 * k2)
    pass_rate = None
    if responses.pass_score is not None and n:
        pass_rate = int(np.count_nonzero(np.round(totals, DIGITS) >= responses.pass_score)) / n
    error_ratio = standard_error = None
    if alpha is not None:
        error_ratio = 100 * math.sqrt(1 - alpha)
        standard_error = error_ratio / 100 * sd if sd is not None else None
    return PaperStats(
        n=n,
        mean=mean,
        median=median,
        sd=sd,
        minimum=minimum,
        maximum=maximum,
        skewness=skewness,
        kurtosis=kurtosis,
        pass_rate=pass_rate,
        alpha=alpha,
        kr20=alpha if alpha is not None and all_dichotomous else None,
        alpha_n=alpha_n,
        error_ratio=error_ratio,
        standard_error=standard_error,
        reliability_warning=reliability_warning(alpha, high_stakes),
        histogram=histogram(totals, responses.total_points),
    )


def histogram(
    totals: np.ndarray, total_points: float, bands: int = HISTOGRAM_BANDS
) -> tuple[tuple[float, float, int], ...]:
    """Counts of totals in ``bands`` equal bands of [0, total_points]: band i holds
    i·w ≤ T < (i+1)·w (w = total/bands), the last band also T = total; totals outside the range count
    in the first or last band. A total within 1e-9 of a band's low edge counts in that band."""
    if total_points <= 0:
        return ()
    index = np.floor(np.asarray(totals, dtype=float) * bands / total_points + 1e-9).astype(np.int64)
    counts = np.bincount(np.clip(index, 0, bands - 1), minlength=bands).tolist()
    width = total_points / bands
    return tuple(
        (i * width, float(total_points) if i == bands - 1 else (i + 1) * width, counts[i])
        for i in range(bands)
    )


def analyse(responses: Responses, *, high_stakes: bool = False) -> Analysis:
    """Paper and item statistics of ``responses`` (see the module docstring for every formula)."""
    scores = responses.scores
    items = responses.items
    n, k = scores.shape
    maxes = np.array([float(item.max_points) for item in items])
    sums = scores.sum(axis=0)
    # A column's sum is NaN when it has a NaN (a missing item), so the matrix is searched only then.
    missing = np.isnan(scores) if np.isnan(sums).any() else None
    partial = np.zeros(k, dtype=bool) if missing is None else missing.any(axis=0)  # items some did not have
    dense = not partial.any()
    totals = scores.sum(axis=1) if dense else np.nansum(scores, axis=1)
    totals_by = moments.Totals.of(totals)
    numbers = moments.numbers(scores, totals_by, maxes, partial, sums)

    if dense:
        total_var = float(totals.var(ddof=1)) if n >= 2 and totals.min() != totals.max() else 0.0
        alpha = _alpha(k, n, float(numbers.var.sum()), total_var) if n >= 2 else None
        alpha_n = n
    else:
        assert missing is not None
        alpha, alpha_n = _complete_alpha(scores, ~missing.any(axis=1))
    all_dichotomous = bool(np.all(numbers.dichotomous))
    paper = _paper_stats(responses, totals, alpha, alpha_n, all_dichotomous, high_stakes)

    cov_total = numbers.cov_total
    root_sum = float(np.sqrt(cov_total[cov_total >= 0]).sum())  # NaN (undefined) compares False

    # Distractor tables: the items every attempt had share one pair of groups and are counted at once;
    # an item some attempts did not have gets its own groups among those that had it.
    choice_columns = [j for j, item in enumerate(items) if item.type in CHOICE_TYPES]
    tables: dict[int, tuple[list[int], list[float] | None, list[float] | None, int, int]] = {}
    if isinstance(responses.choices, np.ndarray) and choice_columns and n:
        shared = [j for j in choice_columns if not partial[j]]
        if shared:
            g = moments.group_size(n)
            lower, upper = totals_by.group_weights(g) if n >= 2 else (None, None)
            counts, low, up = moments.choice_tables(
                responses.choices[:, shared], totals_by.order, lower, upper
            )
            for row, j in enumerate(shared):
                tables[j] = (
                    counts[row].tolist(),
                    low[row].tolist() if low is not None else None,
                    up[row].tolist() if up is not None else None,
                    n,
                    g,
                )
        for j in choice_columns:
            if not partial[j]:
                continue
            assert missing is not None
            had = ~missing[:, j]
            column = responses.choices[had, j : j + 1]
            m = len(column)
            g = moments.group_size(m)
            lower, upper = moments.group_weights(totals[had], g) if m >= 2 else (None, None)
            order = np.argsort(totals[had], kind="stable")
            counts, low, up = moments.choice_tables(column, order, lower, upper)
            tables[j] = (
                counts[0].tolist(),
                low[0].tolist() if low is not None else None,
                up[0].tolist() if up is not None else None,
                m,
                g,
            )

    columns = zip(
        numbers.n.tolist(),
        numbers.mean.tolist(),
        numbers.var.tolist(),
        cov_total.tolist(),
        numbers.cov_rest.tolist(),
        numbers.var_rest.tolist(),
        numbers.cov_max.tolist(),
        numbers.d.tolist(),
        numbers.dichotomous.tolist(),
        strict=True,
    )
    total_points = float(responses.total_points)
    rows = []
    for j, (item, numbers_j) in enumerate(zip(items, columns, strict=True)):
        count_f, mean, var, cov_t, cov_rest, var_rest, cov_max, d, dichotomous = numbers_j
        count = int(count_f)
        maximum = float(item.max_points)
        facility = sd = di = de = ew = None
        if count and maximum > 0:
            facility = 100.0 * mean / maximum
        if count >= 2 and maximum > 0:
            sd = 100.0 * math.sqrt(var) / maximum
        if count >= 2 and var > 0 and var_rest > 0:
            di = 100.0 * cov_rest / math.sqrt(var * var_rest)
            de = 100.0 * cov_rest / cov_max
        if count >= 2 and cov_t >= 0 and root_sum > 0:
            ew = 100.0 * math.sqrt(cov_t) / root_sum
        upper_lower = None if math.isnan(d) else d
        distractors = _distractors(item, *tables[j]) if j in tables else ()
        rows.append(
            ItemStats(
                key=item.key,
                label=item.label,
                type=item.type,
                n=count,
                mean=None if math.isnan(mean) else mean,
                facility=facility,
                sd=sd,
                random_guess=random_guess_score(item),
                intended_weight=100.0 * maximum / total_points if total_points > 0 else None,
                effective_weight=ew,
                discrimination_index=di,
                discriminative_efficiency=de,
                upper_lower_d=upper_lower,
                ebel_band=ebel_band(upper_lower),
                dichotomous=bool(dichotomous),
                distractors=distractors,
                flags=_flags(facility, di, distractors),
            )
        )
    return Analysis(paper=paper, items=tuple(rows))


# ---------------------------------------------------------------------------------------------- sorting

SORTABLE_COLUMNS = tuple(f.name for f in fields(ItemStats))  # what sort_items takes


def sort_items(items: Iterable[ItemStats], column: str, descending: bool = False) -> tuple[ItemStats, ...]:
    """The rows sorted by ``column`` (an :class:`ItemStats` field); None last either way, ties in order.

    ``ebel_band`` sorts worst to best, ``flags`` and ``distractors`` by how many there are.
    """
    if column not in SORTABLE_COLUMNS:
        raise ValueError(f"no column {column!r} to sort by")
    rows = list(items)

    def value(row: ItemStats) -> Any:
        v = getattr(row, column)
        if column == "ebel_band" and v is not None:
            return EBEL_BANDS.index(v)
        if isinstance(v, tuple):
            return len(v)
        return v

    present = [row for row in rows if value(row) is not None]
    absent = [row for row in rows if value(row) is None]
    return (*sorted(present, key=value, reverse=descending), *absent)
