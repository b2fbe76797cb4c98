"""The vectorised moments behind :mod:`exam_tui.domain.analysis`: per-item means, variances and
covariances with the total and the rest, C_max, the 27 % groups, and the distractor tables.

Pure numpy on the attempts × items score matrix; the formulas are in the docstring of
:mod:`exam_tui.domain.analysis`, which assembles these arrays into rows. No Python loop runs over
attempts: the items every attempt had are done with whole-matrix operations, C_max by counting attempts
per cell (distinct total × mark) rather than sorting each item's rests, and the distractor tables by one
count of the answers in the attempts' order by total, so that each 27 % group is a run of rows
(bench/analysis.py times them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

GROUP_FRACTION = 0.27  # Kelley's upper and lower groups
DIGITS = 9  # rounding before threshold comparisons
CONSTANT = 1e-12  # a rest variance this small relative to V(T) is rounding: the rest is constant
CODES = 28  # choice codes 0 … 27 (see analysis.choice_code)


@dataclass
class Numbers:
    """Per-item arrays (length = items); NaN where a value is undefined."""

    n: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    cov_total: np.ndarray
    cov_rest: np.ndarray
    var_rest: np.ndarray
    cov_max: np.ndarray
    d: np.ndarray
    dichotomous: np.ndarray


def group_size(n: int) -> int:
    return max(1, math.floor(GROUP_FRACTION * n + 0.5))


def group_weights(
    totals: np.ndarray, g: int, ordered: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Membership (0–1) of each attempt in the lower and the upper group of ``g`` attempts by total
    (``ordered``: the totals sorted, when the caller has them).

    Attempts tied at a cut share the places left there, so each group's weights sum to ``g``.
    """
    t = np.round(totals, DIGITS)
    # Rounding keeps the order, so sorted totals rounded are the rounded totals sorted.
    ordered = np.sort(t) if ordered is None else np.round(ordered, DIGITS)
    n = len(t)

    def group(cut: float, inside: np.ndarray) -> np.ndarray:
        tied = t == cut
        weights = inside.astype(float)
        weights[tied] = (g - np.count_nonzero(inside)) / np.count_nonzero(tied)
        return weights

    lower_cut, upper_cut = ordered[g - 1], ordered[n - g]
    return group(lower_cut, t < lower_cut), group(upper_cut, t > upper_cut)


def item_numbers(x: np.ndarray, totals: np.ndarray, max_points: float) -> tuple[float, ...]:
    """The moments of one item over the attempts that had it (plain vectors, no missing values)."""
    n = len(x)
    nan = math.nan
    if n == 0:
        return (0, nan, nan, nan, nan, nan, nan, nan, 1.0)
    dichotomous = float(np.all((x == 0) | (x == max_points)))
    mean = float(x.sum() / n)
    d = nan
    if n >= 2 and max_points > 0:
        lower, upper = group_weights(totals, group_size(n))
        d = float((upper - lower) @ x) / (group_size(n) * max_points)
    if n < 2:
        return (n, mean, nan, nan, nan, nan, nan, d, dichotomous)
    rest = totals - x
    xc = x - mean
    rc = rest - rest.mean()
    tc = totals - totals.mean()
    constant_x = x.min() == x.max()
    constant_rest = rest.min() == rest.max()
    var = 0.0 if constant_x else float(xc @ xc) / (n - 1)
    var_rest = 0.0 if constant_rest else float(rc @ rc) / (n - 1)
    cov_total = 0.0 if constant_x else float(xc @ tc) / (n - 1)
    cov_rest = 0.0 if constant_x or constant_rest else float(xc @ rc) / (n - 1)
    cov_max = float((np.sort(x) - mean) @ (np.sort(rest) - rest.mean())) / (n - 1)
    return (n, mean, var, cov_total, cov_rest, var_rest, cov_max, d, dichotomous)


def masked_numbers(scores: np.ndarray, totals: np.ndarray, maxes: np.ndarray) -> Numbers:
    """One vectorised pass per item over the attempts that had it (papers drawn from a pool)."""
    had = ~np.isnan(scores)
    rows = [item_numbers(scores[had[:, j], j], totals[had[:, j]], float(maxes[j])) for j in range(len(maxes))]
    columns = np.array(rows, dtype=float).reshape(len(maxes), 9).T
    return Numbers(*columns[:8], dichotomous=columns[8].astype(bool))


def dense_numbers(scores: np.ndarray, totals_by: Totals, maxes: np.ndarray, sums: np.ndarray) -> Numbers:
    """Every attempt had every item (``sums``: the column sums): whole-matrix operations; C_max by cell
    counts for the 0/full items (:func:`top_rest_sums`), by sorting for the others."""
    n, k = scores.shape
    nan = np.full(k, np.nan)
    count = np.full(k, float(n))
    if n == 0:
        return Numbers(count, nan, nan, nan, nan, nan, nan, nan, np.ones(k, dtype=bool))
    totals = totals_by.totals
    mean = sums / n
    nonzero = scores != 0
    dichotomous = np.all(nonzero <= (scores == maxes), axis=0)  # every nonzero mark is the full mark
    positive = maxes > 0
    d = nan.copy()
    if n >= 2:
        g = group_size(n)
        lower, upper = totals_by.group_weights(g)
        d[positive] = ((upper - lower) @ scores)[positive] / (g * maxes[positive])
    if n < 2:
        return Numbers(count, mean, nan, nan, nan, nan, nan, d, dichotomous)

    # Item variances: exact from the counts for 0/full items, centred sums for the others.
    right = np.where(dichotomous & positive, np.round(sums / np.where(positive, maxes, 1.0)), 0.0)
    var = np.where(dichotomous, maxes**2 * right * (n - right) / (n * (n - 1)), 0.0)
    other = np.flatnonzero(~dichotomous)
    if len(other):
        block = scores[:, other]
        centred = block - mean[other]
        var[other] = np.einsum("ij,ij->j", centred, centred) / (n - 1)
        var[other[block.min(axis=0) == block.max(axis=0)]] = 0.0
    constant_x = var == 0

    tc = totals - totals.mean()
    var_total = float(tc @ tc) / (n - 1)
    cov_total = np.where(constant_x, 0.0, (tc @ scores) / (n - 1))
    # V(T − x) = V(T) − 2·C(x, T) + V(x); a rest that is constant leaves only rounding (≤ 1e-12 of V(T)).
    var_rest = var_total - 2 * cov_total + var
    constant_rest = var_rest <= CONSTANT * np.maximum(var_total, var)
    var_rest[constant_rest] = 0.0
    cov_rest = np.where(constant_x | constant_rest, 0.0, cov_total - var)

    rest_mean = totals.mean() - mean
    cov_max = np.zeros(k)  # a 0/full item with max ≤ 0 has c = 0 below: C_max = 0
    # 0/full: sorted x is (n − c) zeros then c × max, so Σ x₍ₛ₎X₍ₛ₎ = max · (the c largest rests).
    full = np.flatnonzero(dichotomous & positive)
    if len(full):
        top = top_rest_sums(totals_by, nonzero[:, full], maxes[full], right[full])
        cov_max[full] = maxes[full] * (top - right[full] * rest_mean[full]) / (n - 1)
    if len(other):
        paired = sorted_pair_sums(scores[:, other], totals_by, mean[other], rest_mean[other])
        cov_max[other] = paired / (n - 1)
    return Numbers(count, mean, var, cov_total, cov_rest, var_rest, cov_max, d, dichotomous)


GRID = 2  # marks in halves: a mark times this is a whole number


@dataclass(frozen=True)
class Totals:
    """The attempts' totals sorted once: the order, each distinct total, where its run starts, and the
    index of each attempt's total among the distinct ones."""

    totals: np.ndarray
    order: np.ndarray
    starts: np.ndarray
    values: np.ndarray
    where: np.ndarray
    _groups: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, totals: np.ndarray) -> Totals:
        order = np.argsort(totals, kind="stable")
        ordered = totals[order]
        new_value = np.r_[len(ordered) > 0, ordered[1:] != ordered[:-1]][: len(ordered)]
        where = np.empty(len(totals), dtype=np.intp)
        where[order] = np.cumsum(new_value) - 1
        return cls(totals, order, np.flatnonzero(new_value), ordered[new_value], where)

    def group_weights(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """:func:`group_weights` from the sort already done (the D index and the distractor tables
        both want them)."""
        if g not in self._groups:
            self._groups[g] = group_weights(self.totals, g, self.totals[self.order])
        return self._groups[g]


def sorted_pair_sums(
    block: np.ndarray, totals_by: Totals, means: np.ndarray, rest_means: np.ndarray
) -> np.ndarray:
    """Per column x of ``block``: Σ (x₍ₛ₎ − x̄)(X₍ₛ₎ − X̄), x and its rest X = T − x each sorted
    ascending (C_max's numerator).

    Marks on a grid of halves take few values v, and the rests only the values u − v over the distinct
    totals u. Counting the attempts per cell (u, v) puts the rests in order without sorting them — the
    order of the cells is the same for every column with as many marks — and each cell's run of sorted
    positions meets the runs of the sorted marks at places the counts give. Columns with the same number
    of marks are done together; a column off the grid, or with more cells than attempts, is sorted.
    """
    n, k = block.shape
    result = np.empty(k)
    totals, values, where_total = totals_by.totals, totals_by.values, totals_by.where
    steps = block * GRID
    grid = np.rint(steps)
    on_grid = (block.min(axis=0) >= 0) & np.all(steps == grid, axis=0)
    marks = np.where(on_grid, grid.max(axis=0) + 1, 0).astype(np.intp)
    cheap = on_grid & (len(values) * marks <= n)
    for j in np.flatnonzero(~cheap):
        x = block[:, j]
        result[j] = float((np.sort(x) - means[j]) @ (np.sort(totals - x) - rest_means[j]))
    for m in np.unique(marks[cheap]):
        group = np.flatnonzero(cheap & (marks == m))
        result[group] = grid_pair_sums(
            grid[:, group].astype(np.intp), values, where_total, int(m), means[group], rest_means[group]
        )
    return result


def grid_pair_sums(
    where_mark: np.ndarray,
    values: np.ndarray,
    where_total: np.ndarray,
    marks: int,
    means: np.ndarray,
    rest_means: np.ndarray,
) -> np.ndarray:
    """:func:`sorted_pair_sums` for columns whose marks are ``where_mark / GRID``, 0 … marks − 1."""
    n, g = where_mark.shape
    cells = len(values) * marks
    rows = np.arange(g)
    index = (where_total[:, None] * marks + where_mark + rows * cells).ravel()
    per_cell = np.bincount(index, minlength=g * cells).reshape(g, cells)
    rest_value = (values[:, None] - np.arange(marks)[None, :] / GRID).ravel()  # uncentred, shared
    order = np.argsort(rest_value, kind="stable")
    in_cell = per_cell[:, order]
    ends = np.cumsum(in_cell, axis=1)
    per_mark = per_cell.reshape(g, len(values), marks).sum(axis=1)
    mark_value = np.arange(marks)[None, :] / GRID - means[:, None]  # centred, per column
    # The sum of the first p sorted, centred marks of a column is piecewise linear in p, with knots
    # (marks so far, their sum) at the end of each mark's run: one interpolation for every column,
    # column r's knots and positions shifted by r·(n + 1) so that the columns never meet.
    shift = rows[:, None] * (n + 1)
    knots = np.zeros((g, marks + 1))
    knots[:, 1:] = np.cumsum(per_mark, axis=1)
    sums = np.zeros((g, marks + 1))
    sums[:, 1:] = np.cumsum(per_mark * mark_value, axis=1)
    flat_knots, flat_sums = (knots + shift).ravel(), sums.ravel()

    def prefix(position: np.ndarray) -> np.ndarray:
        """Σ of the first ``position`` sorted, centred marks of each column."""
        return np.interp((position + shift).ravel(), flat_knots, flat_sums).reshape(g, -1)

    spans = prefix(ends) - prefix(ends - in_cell)  # Σ of the centred marks met by each cell's run
    # Σ spans = Σ (x − x̄) = 0, so centring the rests only subtracts rest_mean · (rounding).
    return spans @ rest_value[order] - rest_means * spans.sum(axis=1)


def top_rest_sums(totals_by: Totals, right: np.ndarray, maxes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per 0/full item j: the sum of its ``counts[j]`` largest rests X = T − x, x = ``maxes[j]`` where
    ``right[:, j]``, else 0.

    Item j's rests take only the values u and u − max over the distinct totals u, so the attempts are
    counted per cell (total, right or not) for all items at once — one sort of the totals, then sums of
    each total's run — and the cells are taken from the largest rest down: no sort or partition of each
    item's rests.
    """
    starts, values = totals_by.starts, totals_by.values
    per_total = np.diff(np.r_[starts, len(totals_by.totals)])
    rights = np.add.reduceat(
        right.view(np.uint8)[totals_by.order], starts, axis=0, dtype=np.int32
    )  # distinct totals × items
    items = right.shape[1]
    counted = np.empty((items, 2 * len(values)), dtype=np.intp)  # cell 2t: total values[t], x = 0
    counted[:, 0::2] = (per_total[:, None] - rights).T  # 2t + 1: x = max
    counted[:, 1::2] = rights.T
    sums = np.empty(items)
    for m in np.unique(maxes):
        group = np.flatnonzero(maxes == m)
        rests = np.column_stack((values, values - m)).ravel()
        order = np.argsort(rests, kind="stable")[::-1]  # the largest rest first
        in_cell = counted[group][:, order]
        above = np.cumsum(in_cell, axis=1) - in_cell  # attempts in the cells before (larger rests)
        taken = np.clip(counts[group, None] - above, 0, in_cell)
        sums[group] = taken @ rests[order]
    return sums


def numbers(
    scores: np.ndarray, totals_by: Totals, maxes: np.ndarray, partial: np.ndarray, sums: np.ndarray
) -> Numbers:
    """The dense path for the items every attempt had, the per-item path for the others."""
    if not partial.any():
        return dense_numbers(scores, totals_by, maxes, sums)
    totals = totals_by.totals
    if partial.all():
        return masked_numbers(scores, totals, maxes)
    full, some = np.flatnonzero(~partial), np.flatnonzero(partial)
    parts = (
        (full, dense_numbers(scores[:, full], totals_by, maxes[full], sums[full])),
        (some, masked_numbers(scores[:, some], totals, maxes[some])),
    )
    merged = {}
    for name in (f.name for f in fields(Numbers)):
        column = np.empty(len(maxes), dtype=bool if name == "dichotomous" else float)
        for where, numbers in parts:
            column[where] = getattr(numbers, name)
        merged[name] = column
    return Numbers(**merged)


def choice_tables(
    codes: np.ndarray, order: np.ndarray, lower: np.ndarray | None, upper: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Per column and code: how many chose it, and its weight in the lower and upper groups.

    ``order`` sorts the attempts by total, so each group is a run of sorted rows with one weight (1, or
    the share of a tie at the cut): the rows are counted once, run by run, and the group tables are
    weighted sums of the runs' counts — no second pass over the answers for the groups.
    """
    columns = codes.shape[1]
    sorted_codes = codes[order]
    if columns % 2:  # a column of blanks makes the pairs below; its counts are dropped at the end
        sorted_codes = np.column_stack((sorted_codes, np.zeros(len(order), dtype=np.uint8)))
    pairs = (columns + 1) // 2
    # Two answers per cell — (pair, first code, second code) — halve what bincount reads; the codes
    # of each column are the sums of its pair's cells over the other column's codes.
    size = pairs * CODES * CODES
    cell = np.uint16 if size <= np.iinfo(np.uint16).max + 1 else np.intp  # 77 pairs fit in 16 bits
    index = np.add(
        sorted_codes[:, 0::2] * cell(CODES),
        sorted_codes[:, 1::2] + np.arange(pairs, dtype=cell) * cell(CODES * CODES),
        dtype=cell,
    )

    def per_column(cells: np.ndarray) -> np.ndarray:
        cube = cells.reshape(pairs, CODES, CODES)
        both = np.empty((2 * pairs, CODES), dtype=cells.dtype)
        both[0::2], both[1::2] = cube.sum(axis=2), cube.sum(axis=1)
        return both[:columns]

    if lower is None or upper is None:
        return per_column(np.bincount(index.ravel(), minlength=size)), None, None
    low, up = lower[order], upper[order]
    starts = np.r_[0, np.flatnonzero((low[1:] != low[:-1]) | (up[1:] != up[:-1])) + 1]
    ends = np.r_[starts[1:], len(order)]
    counts = np.zeros(size, dtype=np.intp)
    low_sums, up_sums = np.zeros(size), np.zeros(size)
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        run = np.bincount(index[start:end].ravel(), minlength=size)
        counts += run
        if low[start]:
            low_sums += low[start] * run
        if up[start]:
            up_sums += up[start] * run
    return per_column(counts), per_column(low_sums), per_column(up_sums)
