"""The real program in a real terminal (tmux): it starts on the home screen and quits cleanly."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from exam_tui.services import banks
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import connect
from tests.conftest import STARTER_BANK

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"),
]


def _screen(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    ).stdout


def _wait_for(session: str, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear; screen was:\n{screen}")


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
def test_home_screen_in_a_real_terminal(tmp_path: Path, size: tuple[int, int]) -> None:
    url = f"sqlite:///{tmp_path / 'exam.db'}"
    db = connect(url)
    banks.import_files(db, [STARTER_BANK])
    local = datetime.now().astimezone().tzinfo or timezone(timedelta(hours=8))
    view = seed_demo(db, tz=local).session
    db.dispose()
    exe = Path(sys.executable).with_name("exam-tui")
    session = f"exam-tui-e2e-{uuid.uuid4().hex[:8]}"
    cols, rows = size
    subprocess.run(
        [
            "tmux",
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            str(cols),
            "-y",
            str(rows),
            f"{exe} --db {url}; sleep 5",
        ],
        check=True,
        cwd=tmp_path,
        env={"TERM": "xterm-256color", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    try:
        screen = _wait_for(session, "廉政教育考试系统")
        assert "考生" in screen and "监考员" in screen and "管理员" in screen
        screen = _wait_for(session, view.access_code)  # today's demo session is listed once loaded
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 10
        while "廉政教育考试系统" in _screen(session) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert "廉政教育考试系统" not in _screen(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
