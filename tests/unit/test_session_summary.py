"""The after-close summary, computed by hand for small sessions."""

from __future__ import annotations

import pytest

from exam_tui.domain.session_summary import Outcome, summarize


def _o(n: int, state: str, score: float | None, passed: bool | None = None) -> Outcome:
    return Outcome(f"ID{n}", f"考生{n}", "甲单位" if n % 2 else "乙单位", state, score, passed)


def test_counts_scores_and_below_pass() -> None:
    outcomes = [
        _o(1, "handed_in", 100, True),
        _o(2, "time_up", 79.5, False),
        _o(3, "closed", 0, False),
        _o(4, "terminated", 35, False),
        _o(5, "handed_in", None),  # waiting for a grader
        _o(6, "absent", None),
        _o(7, "not_signed_in", None),
        _o(8, "in_progress", None),
    ]
    summary = summarize(outcomes, total_points=100, bins=4)
    assert (summary.candidates, summary.handed_in, summary.absent) == (8, 5, 1)
    assert (summary.graded, summary.pending, summary.passed) == (4, 1, 1)
    assert summary.mean == pytest.approx((100 + 79.5 + 0 + 35) / 4)
    assert summary.median == pytest.approx((35 + 79.5) / 2)
    assert (summary.minimum, summary.maximum, summary.pass_rate) == (0, 100, 0.25)
    assert [(b.low, b.high, b.count) for b in summary.histogram] == [
        (0, 25, 1),
        (25, 50, 1),
        (50, 75, 0),
        (75, 100, 2),  # the last band holds the full mark
    ]
    assert [o.id_number for o in summary.below_pass] == ["ID3", "ID4", "ID2"]


def test_nobody_handed_in() -> None:
    summary = summarize([_o(1, "absent", None)], total_points=100)
    assert summary.mean is None and summary.pass_rate is None and summary.stdev is None
    assert sum(b.count for b in summary.histogram) == 0 and len(summary.histogram) == 10


def test_bad_bins_are_refused() -> None:
    with pytest.raises(ValueError):
        summarize([], total_points=100, bins=0)
