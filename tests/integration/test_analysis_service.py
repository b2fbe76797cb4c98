"""Item analysis of stored sittings, on SQLite and PostgreSQL: the generated demo with its miskeyed
question, numbers checked against the stored results, corrected keys, and the scopes."""

from __future__ import annotations

from datetime import timedelta, timezone

import numpy as np
import pytest
from sqlalchemy import select

from exam_tui.domain.analysis import FLAG_NEGATIVE_DISCRIMINATION
from exam_tui.services import appeals
from exam_tui.services.analysis import ItemAnalysisReport, analyse_exam, analyse_question, analyse_session
from exam_tui.services.analysis_demo import AnalysisDemo, AnalysisDemoExists, seed_analysis_demo
from exam_tui.services.runtime import Database
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AttemptRow, ResponseRow
from tests.conftest import SteppingClock

BEIJING = timezone(timedelta(hours=8))
CANDIDATES = 150


@pytest.fixture
def generated(db: Database) -> AnalysisDemo:
    return seed_analysis_demo(db, candidates=CANDIDATES, tz=BEIJING, clock=SteppingClock())


def test_the_planted_miskey_is_flagged_the_numbers_agree_and_the_scopes_match(
    db: Database, generated: AnalysisDemo
) -> None:
    """One generated session read three ways (seeding it is the slow part, so one test reads it all)."""
    report = analyse_session(db, generated.session.id)
    assert report.analysis.paper.n == CANDIDATES and report.pending_grading == 0
    negative = [row.key for row in report.analysis.items if FLAG_NEGATIVE_DISCRIMINATION in row.flags]
    assert negative == [generated.miskeyed]
    row = next(r for r in report.analysis.items if r.key == generated.miskeyed)
    assert row.ebel_band == "negative"
    # The able chose the true answer, which the bank marks wrong: it draws the upper group.
    true_option = next(d for d in row.distractors if d.option == generated.true_key)
    assert not true_option.is_key and true_option.upper_share > true_option.lower_share  # type: ignore[operator]
    text = report.question(generated.miskeyed)
    assert text.key == generated.bank_key and {letter for letter, _ in text.options} == set("ABCD")

    # The numbers agree with the stored results, added up here independently.
    with db.read() as s:
        scores = {
            attempt_id: score
            for attempt_id, score in s.execute(
                select(AttemptRow.id, AttemptRow.score).where(AttemptRow.session_id == generated.session.id)
            )
        }
        by_item: dict[int, float] = {}
        for item, score in s.execute(
            select(ResponseRow.item, ResponseRow.score).where(
                ResponseRow.attempt_id.in_(list(scores))  # type: ignore[attr-defined]
            )
        ):
            by_item[item] = by_item.get(item, 0.0) + (score or 0.0)
    totals = np.array([float(v) for v in scores.values()])
    paper = report.analysis.paper
    assert paper.mean == pytest.approx(totals.mean(), abs=1e-9)
    assert paper.sd == pytest.approx(totals.std(ddof=1), abs=1e-9)
    assert (paper.minimum, paper.maximum) == (totals.min(), totals.max())
    # The demo does not shuffle questions, so item n is the same question on every paper.
    for number, row in enumerate(report.analysis.items, start=1):
        assert row.facility == pytest.approx(100 * by_item.get(number, 0.0) / (2.5 * CANDIDATES), abs=1e-9)
    assert sum(band[2] for band in paper.histogram) == CANDIDATES

    _exam_and_question_scopes(db, generated, report)


def test_a_corrected_key_is_what_the_analysis_sees(db: Database, generated: AnalysisDemo) -> None:
    with db.read() as s:
        attempt_id = s.execute(
            select(AttemptRow.id).where(AttemptRow.session_id == generated.session.id).limit(1)
        ).scalar_one()
    appeal = appeals.file_appeal(db, attempt_id, "答案与条例原文不符", filed_by="李干事")
    appeals.correct_key(
        db,
        appeal,
        question=generated.miskeyed,
        key=generated.true_key,
        reason="按原文更正",
        reviewer="复核组",
    )
    report = analyse_session(db, generated.session.id)
    row = next(r for r in report.analysis.items if r.key == generated.miskeyed)
    assert FLAG_NEGATIVE_DISCRIMINATION not in row.flags and row.discrimination_index > 20  # type: ignore[operator]
    assert report.question(generated.miskeyed).key == generated.true_key
    assert [d.option for d in row.distractors if d.is_key] == [generated.true_key]
    assert not any(FLAG_NEGATIVE_DISCRIMINATION in r.flags for r in report.analysis.items)


def _exam_and_question_scopes(db: Database, generated: AnalysisDemo, by_session: ItemAnalysisReport) -> None:
    by_exam = analyse_exam(db, "analysis-demo/analysis")
    assert by_exam.scope == "exam" and by_exam.session_ids == (generated.session.id,)
    assert by_exam.analysis == by_session.analysis
    assert by_exam.exam_kind == "training" and not by_exam.high_stakes
    found = analyse_question(db, "analysis-demo", generated.miskeyed)
    assert [(f.exam_ref, f.sessions) for f in found] == [("analysis-demo/analysis", 1)]
    assert found[0].stats == next(r for r in by_session.analysis.items if r.key == generated.miskeyed)
    assert analyse_question(db, "analysis-demo", "no-such-question") == []
    with pytest.raises(SessionError):
        analyse_exam(db, "analysis-demo/no-such-exam")
    with pytest.raises(SessionError):
        analyse_session(db, 999)
    with pytest.raises(AnalysisDemoExists):
        seed_analysis_demo(db, candidates=3, tz=BEIJING, clock=SteppingClock())


def test_a_session_nobody_has_handed_in_has_an_empty_analysis(db: Database, clock: SteppingClock) -> None:
    from exam_tui.services import banks
    from exam_tui.services.demo import seed_demo
    from tests.conftest import STARTER_BANK

    banks.import_files(db, [STARTER_BANK])
    demo = seed_demo(db, tz=BEIJING, clock=clock)
    report = analyse_session(db, demo.session.id)
    assert report.analysis.paper.n == 0 and report.analysis.items == ()
    assert report.analysis.paper.alpha is None and report.high_stakes
