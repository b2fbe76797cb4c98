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

from exam_tui.domain.idnumber import mask
from exam_tui.services import banks
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database, connect
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


def _launch(session: str, command: str, cwd: Path, size: tuple[int, int] = (100, 30)) -> None:
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]), command],
        check=True,
        cwd=cwd,
        env={"TERM": "xterm-256color", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(cwd)},
    )


def _keys(session: str, *keys: str, literal: bool = False) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, *(["-l"] if literal else []), *keys], check=True)
    time.sleep(0.3)  # a person's pace: the focus moves to the next field before the next key


def _sign_in(session: str, command: str, cwd: Path, number: str, code: str) -> None:
    _launch(session, command, cwd)
    _wait_for(session, "考生登录")
    _keys(session, number, literal=True)
    _keys(session, "Enter")
    _keys(session, code, literal=True)
    _keys(session, "Enter")


def _sit_pid(db_file: Path) -> int:
    out = subprocess.run(["pgrep", "-f", f"{db_file} sit"], capture_output=True, text=True).stdout.split()
    assert out, "exam-tui sit is not running"
    return int(out[0])


def test_sit_kill_resume_and_hand_in(tmp_path: Path) -> None:
    """A candidate answers, the terminal is killed with SIGKILL, and a new terminal resumes the paper."""
    import json
    import os
    import signal

    from sqlalchemy import text

    from exam_tui.services.session_control import start_session

    db_file = tmp_path / "exam.db"
    url = f"sqlite:///{db_file}"
    db = connect(url)
    banks.import_files(db, [STARTER_BANK])
    local = datetime.now().astimezone().tzinfo or timezone(timedelta(hours=8))
    view = seed_demo(db, tz=local).session
    start_session(db, view.id)
    with db.read() as s:
        number = s.execute(
            text(
                "SELECT c.id_number FROM cadre c JOIN session_candidate sc ON sc.cadre_id = c.id "
                "WHERE sc.session_id = :s ORDER BY c.id LIMIT 1"
            ),
            {"s": view.id},
        ).scalar_one()
    db.dispose()
    exe = Path(sys.executable).with_name("exam-tui")
    first, second = (f"exam-tui-sit-{uuid.uuid4().hex[:8]}" for _ in range(2))
    try:
        _sign_in(first, f"{exe} --db {url} sit", tmp_path, number, view.access_code)
        _wait_for(first, "按 Enter 开始答题")
        _keys(first, "Enter")
        _wait_for(first, "剩余")
        _keys(first, "b")
        _wait_for(first, "已答 1/45")
        _keys(first, "Right")
        _keys(first, "a")
        _keys(first, "F2")
        screen = _wait_for(first, "已保存")
        assert "已答 2/45" in _wait_for(first, "已答 2/45")
        time.sleep(0.5)  # the position write after moving
        os.kill(_sit_pid(db_file), signal.SIGKILL)

        _sign_in(second, f"{exe} --db {url} sit", tmp_path, number, view.access_code)
        _wait_for(second, "继续答题")
        _keys(second, "Enter")
        screen = _wait_for(second, "剩余")
        assert "已答 2/45" in screen and "第 2 题" in screen and "[已标记]" in screen
        assert "(●) A." in screen  # the answer given before the kill
        _keys(second, "Left")
        assert "(●) B." in _wait_for(second, "第 1 题")
        _keys(second, "F10")
        _wait_for(second, "确认交卷")
        _keys(second, "y")
        screen = _wait_for(second, "交卷完成")
        assert "得分" in screen
    finally:
        for name in (first, second):
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    shown = subprocess.run(
        [str(exe), "--db", url, "session", "show", str(view.id), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    record = next(c for c in json.loads(shown.stdout)["candidates"] if c["id_number"] == mask(number))
    assert record["state"] == "handed_in" and record["answered"] == 2 and record["resumes"] == 1
    assert record["grading"] == "graded" and record["score"] is not None


def test_proctor_console_and_candidate_side_by_side(db: Database, tmp_path: Path) -> None:
    """Two panes of one tmux window stand in for two lab machines on one database (a SQLite file, and a
    PostgreSQL server when the suite has one): the proctor starts the session, the candidate answers,
    the console shows it, the proctor adds ten minutes for everyone and the candidate's countdown shows
    them within the 5 s heartbeat."""
    from sqlalchemy import text

    from exam_tui.i18n import t
    from exam_tui.services.accounts import DEMO_PASSWORD

    url = db.url
    banks.import_files(db, [STARTER_BANK])
    local = datetime.now().astimezone().tzinfo or timezone(timedelta(hours=8))
    view = seed_demo(db, tz=local).session
    with db.read() as s:
        number, name = s.execute(
            text(
                "SELECT c.id_number, c.name FROM cadre c JOIN session_candidate sc ON sc.cadre_id = c.id "
                "WHERE sc.session_id = :s ORDER BY c.id LIMIT 1"
            ),
            {"s": view.id},
        ).one()
    exe = Path(sys.executable).with_name("exam-tui")
    window = f"exam-tui-lab-{uuid.uuid4().hex[:8]}"
    proctor, candidate = f"{window}.0", f"{window}.1"
    _launch(window, f"{exe} --db {url} proctor --session {view.id}", tmp_path, size=(201, 30))
    subprocess.run(
        ["tmux", "split-window", "-h", "-t", window, f"{exe} --db {url} sit"], check=True, cwd=tmp_path
    )
    try:
        # The staff sign-in first: the demo's proctor, who is assigned the demo session.
        _wait_for(proctor, t("staff_login.title"))
        _keys(proctor, "proctor", literal=True)
        _keys(proctor, "Enter")
        _keys(proctor, DEMO_PASSWORD, literal=True)
        _keys(proctor, "Enter")
        _wait_for(proctor, " ".join(view.access_code))  # the code is spaced out, big and readable
        _wait_for(candidate, "考生登录")
        _keys(candidate, number, literal=True)
        _keys(candidate, "Enter")
        _keys(candidate, view.access_code, literal=True)
        _keys(candidate, "Enter")
        _wait_for(candidate, t("rules.waiting")[:8])
        _keys(proctor, "s")
        _wait_for(proctor, t("dialog.start.confirm"))
        _keys(proctor, "y")
        _wait_for(proctor, t("console.done.start")[:6])
        _wait_for(candidate, t("rules.ready")[:4])  # the waiting screen polls every 2 s
        _keys(candidate, "Enter")
        before = _wait_for(candidate, "剩余 ")
        _keys(candidate, "b")
        _wait_for(candidate, "已答 1/45")
        row = next(line for line in _wait_for(proctor, "1/45").splitlines() if "1/45" in line)
        assert name in row  # the console's table shows this candidate's progress
        assert _left(before) <= 3600
        _keys(proctor, "E")
        _wait_for(proctor, t("dialog.extend_all.title"))
        _keys(proctor, "10", literal=True)
        _keys(proctor, "Enter")
        # within the candidate terminal's heartbeat (5 s) the countdown shows the added ten minutes
        deadline = time.monotonic() + 8
        while _left(_screen(candidate)) <= 3600 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert 3600 < _left(_screen(candidate)) <= 4200
    finally:
        subprocess.run(["tmux", "kill-session", "-t", window], capture_output=True)


def _left(screen: str) -> int:
    """The candidate's countdown (剩余 H:MM:SS) in seconds."""
    import re

    found = re.search(r"剩余 (\d+):(\d\d):(\d\d)", screen)
    assert found, screen
    hours, minutes, seconds = (int(g) for g in found.groups())
    return hours * 3600 + minutes * 60 + seconds
