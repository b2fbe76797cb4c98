"""When a worker cannot read its data, the screen says so in words instead of crashing."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from exam_tui.tui.app import ExamApp
from tests.tui.test_screens import SIZE, shown


async def test_home_shows_a_failed_load(app: ExamApp, settle, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr("exam_tui.tui.screens.home.sessions_on", broken)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        message = app.screen.query_one("#today-none", Static)
        assert message.display
        assert shown(message) == "读取数据失败:disk I/O error"
