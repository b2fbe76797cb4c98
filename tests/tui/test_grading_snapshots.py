"""Snapshots of the marking view (阅卷) at 100×30 and at 80×24 (CJK is double width: the answer wraps)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from exam_tui.services.runtime import connect
from exam_tui.tui.screens.admin.grading import GradingScreen
from tests.tui.test_grading_screen import grader_app, settle, written_sitting

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]
ANSWER = (
    "监察机关的职责是监督、调查、处置:对公职人员依法履职、秉公用权、廉洁从政从业以及道德操守情况进行监督检查;"
    "对涉嫌贪污贿赂、滥用职权、玩忽职守等职务违法和职务犯罪进行调查;"
    "对违法的公职人员依法作出政务处分决定,对履行职责不力、失职失责的领导人员进行问责。"
)


@pytest.mark.parametrize("size", SIZES)
def test_marking_view(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    db = connect(f"sqlite:///{tmp_path / 'exam.db'}")
    sitting = written_sitting(db, tmp_path, [ANSWER, "监督。", None])
    app = grader_app(db, sitting)

    async def open_marking(pilot: Pilot) -> None:
        await pilot.app.push_screen(GradingScreen(sitting.session_id))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the snapshot flaky
        await pilot.press("7", ".", "5")
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=open_marking)
    finally:
        db.dispose()
