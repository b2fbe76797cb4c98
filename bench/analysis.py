"""Item analysis of 10,000 attempts × 100 items against plain numpy on the same score matrix, in one run.

    python bench/analysis.py [--runs 7] [--attempts 10000] [--seed 20261123] [--blas-threads N]

The input is generated first and is NOT timed: it is what the service hands to the domain. With a fixed
seed (``numpy.random.default_rng``) every attempt gets an ability θ ~ N(0, 1) and every item a
discrimination a and a difficulty b; an attempt answers an item right with the logistic probability
c + (1 − c)·σ(a(θ − b)) (c the guessing floor), so the items correlate as on a real paper. The paper
(100 items, 135 points, pass score 81):

  60 single choice   4 options, 1 point, 0/full; a wrong answer picks one of the 3 distractors with
                     unequal pull (one rarely chosen), about 1 % unanswered; the letters chosen go into
                     ``Responses.choices`` (as codes, as the service builds them while it reads the
                     stored answers) so the distractor tables are computed
  20 true/false      1 point, 0/full, letters A/B (also read for distractors), about 1 % unanswered
  10 multiple        4 options, 2 or 3 key letters, 2 points, partial credit (a strict subset of the key
                     earns 1); its letters are in ``choices`` too (code 27, "several letters": only
                     single-choice and true/false columns are tabulated)
  10 fill-in/short   5 fill-ins of 2 blanks (0, 1, 2 points) and 5 short answers marked 0–5 in half
                     points, each step of the mark a logistic response

Both are timed with ``time.perf_counter`` in this process, alternating (A B A B ...) after one untimed
warm-up of each, ``--runs`` samples each:

  analyse   ``exam_tui.domain.analysis.analyse(responses, high_stakes=True)`` on the one
            :class:`Responses` built above: the paper statistics with α (KR-20 when every item is
            0/full: with the partial-credit items here ``kr20`` is None and α is the same formula), the
            full item table (facility, sd, weights, discrimination index and efficiency, 27 % D, Ebel
            band, flags) and the distractor tables of the 80 single-choice and true/false items.
            ``analyse`` is pure and keeps nothing between calls, so every sample computes everything.
  baseline  plain numpy on the same attempts × items float matrix: the facility
            ``scores.mean(axis=0) / maxes`` and the full item correlation matrix
            ``np.corrcoef(scores, rowvar=False)``.

Outside the timing, each analyse result is checked: 100 item rows, α finite, every single-choice and
true/false item has distractor rows, and the facilities equal the baseline's to 1e-9. It prints the
machine and date, the median, min and max of each, and median(analyse) / median(baseline) against the
targets ratio <= 3x and analyse <= 2 s absolute (PASS only when both hold). The exit status is 0 either
way: this is a report.

The baseline's ``corrcoef`` is a matrix product in the BLAS, which runs on all cores by default; on a
busy machine its threads wait for a core and its samples spread widely (a few ms quiet, tens of ms
loaded), and the ratio with them. The BLAS and its threads and the load average before and after are
printed, with a warning when the load before already exceeded cores − 1; ``--blas-threads N`` limits the BLAS to N threads for both programs (needs ``threadpoolctl``,
installed with the dev extras), ``--blas-threads 1`` gives the steadier single-core comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np

from exam_tui.domain.analysis import Analysis, ItemInfo, Responses, analyse, choice_code

TARGET_RATIO = 3.0
TARGET_SECONDS = 2.0
LETTERS = "ABCD"
SINGLES, TRUE_FALSE, MULTIPLE, FILL, SHORT = 60, 20, 10, 5, 5
UNANSWERED = 0.01


def _logistic(theta: np.ndarray, a: float, b: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a * (theta - b)))


def synthetic_responses(attempts: int, seed: int) -> Responses:
    """The paper described in the module docstring, answered by ``attempts`` candidates."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 1.0, attempts)
    items: list[ItemInfo] = []
    columns: list[np.ndarray] = []
    choice_columns: list[list[str | None]] = []

    def item_params() -> tuple[float, float]:
        return float(rng.uniform(0.6, 2.0)), float(rng.normal(-0.3, 1.0))

    for i in range(SINGLES):
        a, b = item_params()
        key = int(rng.integers(4))
        right = rng.random(attempts) < 0.25 + 0.75 * _logistic(theta, a, b)
        blank = rng.random(attempts) < UNANSWERED
        pull = rng.dirichlet([4.0, 2.0, 0.3])  # an attractive, a middling and a rarely chosen distractor
        distractors = [d for d in range(4) if d != key]
        wrong = np.asarray(distractors)[rng.choice(3, size=attempts, p=pull)]
        chosen = np.where(right, key, wrong)
        letters: list[str | None] = [LETTERS[c] for c in chosen.tolist()]
        for row in np.flatnonzero(blank).tolist():
            letters[row] = None
        items.append(ItemInfo(f"s{i:02d}", 1.0, "single", 4, f"单选 {i + 1}", frozenset(LETTERS[key])))
        columns.append((right & ~blank).astype(float))
        choice_columns.append(letters)

    for i in range(TRUE_FALSE):
        a, b = item_params()
        key = int(rng.integers(2))
        right = rng.random(attempts) < 0.5 + 0.5 * _logistic(theta, a, b)
        blank = rng.random(attempts) < UNANSWERED
        letters = ["AB"[key] if r else "AB"[1 - key] for r in right.tolist()]
        for row in np.flatnonzero(blank).tolist():
            letters[row] = None
        items.append(ItemInfo(f"t{i:02d}", 1.0, "true_false", 2, f"判断 {i + 1}", frozenset("AB"[key])))
        columns.append((right & ~blank).astype(float))
        choice_columns.append(letters)

    for i in range(MULTIPLE):
        a, b = item_params()
        key = "".join(sorted(rng.choice(list(LETTERS), size=int(rng.integers(2, 4)), replace=False)))
        others = [x for x in LETTERS if x not in key]
        p = _logistic(theta, a, b)
        draw = rng.random(attempts)
        full = draw < 0.07 + 0.93 * p**1.3
        half = ~full & (draw < 0.07 + 0.93 * p**0.6)
        letters = []
        for f, h, r in zip(
            full.tolist(), half.tolist(), rng.integers(4, size=attempts).tolist(), strict=True
        ):
            if f:
                letters.append(key)
            elif h:
                letters.append(key[: 1 + r % (len(key) - 1)])  # a strict non-empty subset of the key
            else:
                letters.append("".join(sorted(key[0] + others[r % len(others)])))
        items.append(
            ItemInfo(f"m{i:02d}", 2.0, "multiple", 4, f"多选 {i + 1}", frozenset(key), partial_credit=True)
        )
        columns.append(np.where(full, 2.0, np.where(half, 1.0, 0.0)))
        choice_columns.append(letters)

    for i in range(FILL + SHORT):
        fill = i < FILL
        steps, step, kind = (2, 1.0, "fill_blank") if fill else (10, 0.5, "short_answer")
        a, b = item_params()
        # A graded response: each step of the mark passed with a rising threshold.
        thresholds = b + np.linspace(-1.0, 1.0, steps)
        passed = rng.random((attempts, steps)) < _logistic(theta[:, None], a, thresholds[None, :])
        mark = np.cumprod(passed, axis=1).sum(axis=1) * step
        label = f"填空 {i + 1}" if fill else f"简答 {i - FILL + 1}"
        items.append(ItemInfo(f"f{i:02d}", steps * step, kind, 0, label))
        columns.append(mark.astype(float))
        choice_columns.append([None] * attempts)

    scores = np.column_stack(columns)
    # As the service hands them over: the bank letter of each answer as a code (see ``choice_code``),
    # made while the stored answers are read (services.analysis maps each answer to its letter there).
    codes = np.array(
        [[choice_code(letter) for letter in column] for column in choice_columns], dtype=np.uint8
    ).T
    total = float(sum(item.max_points for item in items))
    return Responses(tuple(items), scores, codes, pass_score=0.6 * total, total_points=total)


def baseline(scores: np.ndarray, maxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain numpy: facility (fraction of max) and the item correlation matrix."""
    return scores.mean(axis=0) / maxes, np.corrcoef(scores, rowvar=False)


def check(result: Analysis, responses: Responses, facility: np.ndarray) -> None:
    """The result is complete and agrees with the baseline (outside the timing)."""
    assert len(result.items) == len(responses.items) == 100, len(result.items)
    alpha = result.paper.alpha
    assert alpha is not None and math.isfinite(alpha), alpha
    for row, item in zip(result.items, responses.items, strict=True):
        if item.type in ("single", "true_false"):
            assert row.distractors, row.key
        assert row.facility is not None
    mine = np.array([row.facility for row in result.items])
    assert np.allclose(mine, 100 * facility, rtol=0, atol=1e-9), np.abs(mine - 100 * facility).max()


def summary(label: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"{label:10s} median {statistics.median(ms):8.1f} ms   min {min(ms):8.1f} ms   max {max(ms):8.1f} ms"
        f"   (n={len(ms)})"
    )


def blas_line() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS threads unknown (threadpoolctl not installed)"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    return ", ".join(f"{p['internal_api']} {p.get('version')} {p['num_threads']} threads" for p in pools)


def blas_limit(threads: int | None) -> contextlib.AbstractContextManager[Any]:
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(call: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="samples of each (alternating)")
    parser.add_argument("--attempts", type=int, default=10_000, help="attempts (rows of the score matrix)")
    parser.add_argument("--seed", type=int, default=20261123, help="seed of the generated attempts")
    parser.add_argument(
        "--blas-threads", type=int, default=None, help="limit the BLAS to N threads (default: its own)"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.attempts < 100:
        parser.error("--attempts must be at least 100")
    if args.blas_threads is not None:
        if args.blas_threads < 1:
            parser.error("--blas-threads must be at least 1")
        if importlib.util.find_spec("threadpoolctl") is None:
            parser.error("--blas-threads needs threadpoolctl (pip install threadpoolctl)")

    print(
        f"analysis bench {datetime.now().astimezone():%Y-%m-%d %H:%M %z}; {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}"
    )
    start = time.perf_counter()
    responses = synthetic_responses(args.attempts, args.seed)
    built = time.perf_counter() - start
    scores = responses.scores
    maxes = np.array([item.max_points for item in responses.items])
    print(
        f"input (not timed, built in {built:.1f} s): {scores.shape[0]} attempts × {scores.shape[1]} items "
        f"({SINGLES} single, {TRUE_FALSE} true/false, {MULTIPLE} multiple, {FILL} fill-in, {SHORT} short), "
        f"{responses.total_points:g} points, seed {args.seed}"
    )
    print(
        f"median of {args.runs} runs each, alternating after 1 untimed warm-up each; "
        "analyse = analyse(responses, high_stakes=True), baseline = facility + np.corrcoef"
    )

    def run_analyse() -> Analysis:
        return analyse(responses, high_stakes=True)

    def run_baseline() -> tuple[np.ndarray, np.ndarray]:
        return baseline(scores, maxes)

    times: dict[str, list[float]] = {"analyse": [], "baseline": []}
    busy = os.getloadavg()[0]
    load_before = load()
    with blas_limit(args.blas_threads):
        print(f"{blas_line()}; load average before {load_before}")
        facility, corr = run_baseline()  # warm-up
        assert corr.shape == (100, 100) and np.isfinite(corr).all()
        check(run_analyse(), responses, facility)  # warm-up
        for _ in range(args.runs):
            seconds, result = timed(run_analyse)
            times["analyse"].append(seconds)
            assert isinstance(result, Analysis)
            check(result, responses, facility)
            del result
            seconds, _ = timed(run_baseline)
            times["baseline"].append(seconds)
    print(f"load average after {load()}")
    if busy > (os.cpu_count() or 1) - 1:
        print(
            f"warning: load average {busy:.2f} on {os.cpu_count()} cores: other work shares them, noisy figures"
        )

    paper = run_analyse().paper
    print(
        f"paper: alpha {paper.alpha:.4f} over {paper.alpha_n} attempts (kr20 {paper.kr20}: not every item is "
        f"0/full), mean {paper.mean:.1f}, sd {paper.sd:.2f}"
    )
    print(summary("analyse", times["analyse"]))
    print(summary("baseline", times["baseline"]))
    absolute = statistics.median(times["analyse"])
    ratio = absolute / statistics.median(times["baseline"])
    verdict = "PASS" if ratio <= TARGET_RATIO and absolute <= TARGET_SECONDS else "MISS"
    print(
        f"ratio      {ratio:5.2f}x baseline, analyse {absolute:.3f} s   "
        f"target <= {TARGET_RATIO:g}x and <= {TARGET_SECONDS:g} s: {verdict}"
    )


if __name__ == "__main__":
    main()
