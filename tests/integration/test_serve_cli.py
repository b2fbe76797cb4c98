"""`exam-tui serve` up to the moment it serves: the command each browser tab runs, what reaches it
through the environment, the refusals and warnings for an exposed server, a port in use, a wrong
database or session; and the page a real server returns (the browser itself: tests/e2e)."""

from __future__ import annotations

import errno
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.cli.serve import (
    _BROWSER,
    TEMPLATES,
    ExposureRefused,
    Mode,
    _make_server,
    browser_address,
    check_exposure,
    child_command,
    child_environment,
    port_problem,
    tab_environment,
)
from exam_tui.config import TERMINAL_NAME_ENV, Settings, terminal_name
from exam_tui.i18n import set_language

runner = CliRunner()
EXE = Path(sys.executable).with_name("exam-tui")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def listening() -> Iterator[int]:
    """A port some other program already listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


# --- the command each tab runs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "session", "tail"),
    [
        (Mode.CANDIDATE, None, ["sit"]),
        (Mode.CANDIDATE, 7, ["sit", "--session", "7"]),
        (Mode.PRACTICE, None, ["practice"]),
        (Mode.PROCTOR, None, ["proctor"]),
        (Mode.PROCTOR, 3, ["proctor", "--session", "3"]),
        (Mode.ADMIN, None, []),
    ],
)
def test_child_command_per_mode(mode: Mode, session: int | None, tail: list[str]) -> None:
    python = "/opt/exam tui/bin/python3"  # a space: the command goes through /bin/sh
    command = child_command(mode, session, python=python)
    assert shlex.split(command) == [python, "-m", "exam_tui", *tail]
    assert command.startswith("'/opt/exam tui/bin/python3' -m exam_tui")
    assert "--db" not in command and "--lang" not in command


def test_child_command_runs_this_program_through_the_shell() -> None:
    """What textual-serve does with it (create_subprocess_shell): the same interpreter and package."""
    command = child_command(Mode.CANDIDATE, 5)
    assert shlex.split(command)[0] == sys.executable
    shown = subprocess.run(
        ["/bin/sh", "-c", f"{command} --help"], capture_output=True, text=True, timeout=60, check=True
    )
    assert "The candidate terminal" in shown.stdout and "--session" in shown.stdout


def test_database_and_language_travel_in_the_environment_not_the_command_line() -> None:
    url = "postgresql+psycopg://lab_a:s3cret-pw@exam-server:5432/examtui"
    env = child_environment(
        Settings(database_url=url, language="en"),
        base={"PATH": "/usr/bin", "EXAM_TUI_DATABASE_URL": "sqlite:///other.db", "EXAM_TUI_LANG": "zh"},
    )
    assert env == {"PATH": "/usr/bin", "EXAM_TUI_DATABASE_URL": url, "EXAM_TUI_LANG": "en"}
    for mode in Mode:
        assert "s3cret" not in child_command(mode)


@pytest.mark.parametrize(
    ("remote", "forwarded", "address"),
    [
        ("10.0.3.17", None, "10.0.3.17"),
        ("10.0.3.17", "192.0.2.9", "10.0.3.17"),  # only a proxy on this machine is believed
        ("127.0.0.1", "10.0.3.21, 127.0.0.1", "10.0.3.21"),  # the TLS proxy in front (docs/deployment.md)
        ("::1", "fd00::7", "fd00::7"),
        ("127.0.0.1", "not an address", "127.0.0.1"),
        ("127.0.0.1", None, "127.0.0.1"),
        (None, None, None),
    ],
)
def test_a_tab_is_named_by_its_browsers_address(
    remote: str | None, forwarded: str | None, address: str | None
) -> None:
    assert browser_address(remote, forwarded) == address


def test_each_tab_process_gets_its_own_browsers_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two websocket handlers at once, each starting its tab's process in its own task: each tab's
    environment names its own browser, whatever the order the handlers interleave in."""
    import asyncio

    import textual_serve.server

    monkeypatch.setattr(textual_serve.server, "AppService", textual_serve.server.AppService)
    _make_server("true", "127.0.0.1", 0, Mode.CANDIDATE, None, 4)
    service_class = textual_serve.server.AppService
    assert service_class.__name__ == "TabService"

    async def handler(browser: str, pause: float) -> str | None:
        _BROWSER.set(browser)
        await asyncio.sleep(pause)  # the other handler runs meanwhile
        service = service_class("true", write_bytes=None, write_str=None, close=None, download_manager=None)
        return service._build_environment(100, 30).get(TERMINAL_NAME_ENV)

    async def both() -> list[str | None]:
        return list(await asyncio.gather(handler("10.0.3.17", 0.05), handler("10.0.3.18", 0.0)))

    assert asyncio.run(both()) == ["web:10.0.3.17", "web:10.0.3.18"]
    assert TERMINAL_NAME_ENV not in tab_environment({})  # outside a handler: the machine's own name


def test_the_terminal_name_is_the_served_browsers_address_else_the_host_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(TERMINAL_NAME_ENV, "web:10.0.3.17")
    assert terminal_name() == "web:10.0.3.17"
    monkeypatch.delenv(TERMINAL_NAME_ENV)
    assert terminal_name() == socket.gethostname()


# --- exposure ------------------------------------------------------------------------------------


def test_loopback_serves_without_warnings() -> None:
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        exposure = check_exposure(host, 8000, Mode.CANDIDATE, None, insecure_http=False)
        assert exposure.public_url is None and exposure.warnings == ()


def test_behind_a_tls_proxy_on_this_machine() -> None:
    exposure = check_exposure(
        "127.0.0.1", 8000, Mode.CANDIDATE, "https://exam.example.org/", insecure_http=False
    )
    assert exposure.public_url == "https://exam.example.org" and exposure.warnings == ()
    # The same for a staff mode: reachable through the proxy, so it says who may reach it.
    staff = check_exposure("127.0.0.1", 8000, Mode.PROCTOR, "https://exam.example.org", insecure_http=False)
    assert len(staff.warnings) == 1 and "--mode candidate" in staff.warnings[0]


@pytest.mark.parametrize(
    ("host", "public_url", "says"),
    [
        ("10.20.0.5", None, "--insecure-http"),  # plain http straight to the lab
        ("0.0.0.0", None, "--public-url"),  # browsers cannot be sent to 0.0.0.0
        ("::", None, "--public-url"),
        ("127.0.0.1", "http://exam.example.org", "TLS"),  # a proxy without TLS
        ("10.20.0.5", "http://10.20.0.5:8000", "TLS"),
        ("127.0.0.1", "ftp://exam.example.org", "https://"),
        ("127.0.0.1", "exam.example.org", "https://"),
    ],
)
def test_refused_exposures(host: str, public_url: str | None, says: str) -> None:
    with pytest.raises(ExposureRefused) as refused:
        check_exposure(host, 8000, Mode.CANDIDATE, public_url, insecure_http=False)
    assert says in str(refused.value)


def test_exposed_on_purpose_is_warned_about() -> None:
    plain = check_exposure("10.20.0.5", 8000, Mode.CANDIDATE, None, insecure_http=True)
    assert plain.public_url is None
    assert len(plain.warnings) == 2
    assert "正在监听 10.20.0.5:8000" in plain.warnings[0] and "明文 http" in plain.warnings[1]
    behind = check_exposure("0.0.0.0", 8000, Mode.ADMIN, "https://exam.example.org", insecure_http=False)
    assert behind.public_url == "https://exam.example.org"
    assert len(behind.warnings) == 2 and "0.0.0.0:8000" in behind.warnings[0]
    assert "admin" in behind.warnings[1]
    # A plain http URL on this machine itself needs no flag (nothing crosses the network).
    local = check_exposure("127.0.0.1", 8000, Mode.CANDIDATE, "http://localhost:8000", insecure_http=False)
    assert local.warnings == ()


# --- the command, up to serving --------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """textual-serve's Server.serve replaced by a recorder: what would have been served, and with which
    environment (the real serving is tested below and in tests/e2e)."""
    from textual_serve.server import Server

    calls: list[dict[str, Any]] = []
    # The command writes the served settings into its own environment; monkeypatch restores them.
    monkeypatch.setenv("EXAM_TUI_DATABASE_URL", "sqlite:///not-this-one.db")
    monkeypatch.setenv("EXAM_TUI_LANG", "zh")

    def record(self: Server, debug: bool = False) -> None:
        calls.append(
            {
                "command": self.command,
                "host": self.host,
                "port": self.port,
                "public_url": self.public_url,
                "title": self.title,
                "templates": self.templates_path,
                "db": os.environ["EXAM_TUI_DATABASE_URL"],
                "lang": os.environ["EXAM_TUI_LANG"],
            }
        )

    monkeypatch.setattr(Server, "serve", record)
    return calls


def test_serve_hands_the_checked_database_to_every_tab(tmp_path: Path, served: list[dict[str, Any]]) -> None:
    url = f"sqlite:///{tmp_path / 'exam.db'}"
    port = _free_port()
    result = runner.invoke(app, ["--db", url, "--lang", "en", "serve", "--port", str(port)])
    set_language("zh")
    assert result.exit_code == 0, result.output
    assert served == [
        {
            "command": f"{shlex.quote(sys.executable)} -m exam_tui sit",
            "host": "127.0.0.1",
            "port": port,
            "public_url": f"http://127.0.0.1:{port}",
            "title": "Integrity Education Exams — candidate terminal",
            "templates": TEMPLATES,
            "db": url,
            "lang": "en",
        }
    ]
    assert (TEMPLATES / "app_index.html").is_file()
    assert result.stderr == ""  # loopback, candidate mode: nothing to warn about


def test_serve_proctor_behind_a_proxy_warns(tmp_path: Path, served: list[dict[str, Any]]) -> None:
    url = f"sqlite:///{tmp_path / 'exam.db'}"
    args = ["--db", url, "serve", "--mode", "proctor", "--public-url", "https://staff.example.org/"]
    result = runner.invoke(app, [*args, "--port", str(_free_port())])
    assert result.exit_code == 0, result.output
    assert served[0]["command"].endswith(" -m exam_tui proctor")
    assert served[0]["public_url"] == "https://staff.example.org"
    assert result.stderr.startswith("警告:proctor 模式需要员工登录") and "--mode candidate" in result.stderr


def test_serve_refusals_are_one_line_and_serve_nothing(
    tmp_path: Path, served: list[dict[str, Any]], listening: int
) -> None:
    url = f"sqlite:///{tmp_path / 'exam.db'}"
    cases = {
        ("serve", "--host", "0.0.0.0"): "--public-url",
        ("serve", "--host", "192.0.2.10"): "--insecure-http",
        ("serve", "--public-url", "http://exam.example.org"): "明文 http",
        ("serve", "--mode", "admin", "--session", "1"): "--session 只能用于 candidate 或 proctor 模式",
        ("serve", "--session", "99"): "没有编号为 99 的考试场次",
        ("serve", "--port", str(listening)): f"端口 {listening} 已被占用",
        # Exposed on purpose, but this machine has no such address (TEST-NET-1): found before serving.
        ("serve", "--host", "192.0.2.10", "--insecure-http"): "本机没有地址 192.0.2.10",
    }
    for args, says in cases.items():
        result = runner.invoke(app, ["--db", url, *args])
        assert result.exit_code == 1, (args, result.output)
        assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
    assert served == []


def test_serve_refuses_an_unreachable_database_at_once(served: list[dict[str, Any]]) -> None:
    port = _free_port()  # nothing listens there: the connection is refused straight away
    url = f"postgresql+psycopg://exam@127.0.0.1:{port}/examtui"
    result = runner.invoke(app, ["--db", url, "serve", "--port", str(_free_port())])
    assert result.exit_code == 1
    assert result.stderr.startswith("无法打开数据库") and served == []


def test_losing_the_port_after_the_check_is_one_line_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual_serve.server import Server

    def taken(self: Server, debug: bool = False) -> None:
        raise OSError(errno.EADDRINUSE, "Address already in use")

    monkeypatch.setattr(Server, "serve", taken)
    monkeypatch.setenv("EXAM_TUI_DATABASE_URL", "sqlite:///unused.db")
    port = _free_port()
    result = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'exam.db'}", "serve", "--port", str(port)])
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"端口 {port} 已被占用(127.0.0.1):可能已有一个 exam-tui serve 在运行;请停止它,或用 --port 换一个端口"
    )


def test_port_problem_probes_like_the_server(listening: int, monkeypatch: pytest.MonkeyPatch) -> None:
    assert port_problem("127.0.0.1", _free_port()) is None
    assert port_problem("::1", _free_port()) in (None, "本机没有地址 ::1:请检查 --host")  # no IPv6 here?
    assert "已被占用" in (port_problem("127.0.0.1", listening) or "")
    assert "本机没有地址 192.0.2.10" in (port_problem("192.0.2.10", _free_port()) or "")

    def unknown(*args: object, **kwargs: object) -> None:  # no lookup leaves this machine in a test
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    assert port_problem("exam-host", 8000) == "无法解析监听地址 exam-host:Name or service not known"


# --- the real program ------------------------------------------------------------------------------


def test_port_in_use_from_the_real_program(tmp_path: Path, listening: int) -> None:
    url = f"sqlite:///{tmp_path / 'exam.db'}"
    run = subprocess.run(
        [str(EXE), "--db", url, "serve", "--port", str(listening)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.strip().splitlines() == [
        f"端口 {listening} 已被占用(127.0.0.1):可能已有一个 exam-tui serve 在运行;请停止它,或用 --port 换一个端口"
    ]


def test_the_real_server_serves_the_page(tmp_path: Path) -> None:
    """A running `exam-tui serve`: its page (with the public URL's websocket and the project's texts,
    no third-party font), its static files, and a clean stop on Ctrl+C."""
    url = f"sqlite:///{tmp_path / 'exam.db'}"
    port = _free_port()
    server = subprocess.Popen(
        [
            str(EXE),
            "--db",
            url,
            "--lang",
            "en",
            "serve",
            "--port",
            str(port),
            "--public-url",
            f"http://localhost:{port}",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    page = response.read().decode("utf-8")
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert '<html lang="en">' in page
        assert "<title>Integrity Education Exams — candidate terminal</title>" in page
        assert f'data-session-websocket-url="ws://localhost:{port}/ws"' in page
        assert "This terminal has ended." in page and "googleapis" not in page
        assert f"http://localhost:{port}/static/fonts/RobotoMono-VariableFont_wght.ttf" in page
        for path in ("static/js/textual.js", "static/fonts/RobotoMono-VariableFont_wght.ttf"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as response:
                assert response.status == 200
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=15)
    assert server.returncode == 0, out
    assert out.startswith(f"Serving the candidate terminal in the browser at http://localhost:{port} ")
    assert "Traceback" not in out


def test_the_real_server_caps_the_terminals_open_at_once(tmp_path: Path) -> None:
    """--max-tabs 1: a second browser connection is refused (503) while the first runs its terminal,
    and admitted once the first is closed."""
    import asyncio

    import aiohttp

    url = f"sqlite:///{tmp_path / 'exam.db'}"
    port = _free_port()
    server = subprocess.Popen(
        [str(EXE), "--db", url, "serve", "--port", str(port), "--max-tabs", "1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ws_url = f"ws://127.0.0.1:{port}/ws?width=100&height=30"

    async def scenario() -> tuple[int, bool]:
        async with aiohttp.ClientSession() as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    first = await client.ws_connect(ws_url)
                    break
                except aiohttp.ClientConnectorError:
                    assert time.monotonic() < deadline and server.poll() is None
                    await asyncio.sleep(0.2)
            frame = await first.receive(timeout=30)  # the terminal's first screen
            assert frame.type == aiohttp.WSMsgType.BINARY
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(ws_url)
            await first.close()
            deadline = time.monotonic() + 20
            while True:  # the slot comes free once the first terminal has quit
                try:
                    again = await client.ws_connect(ws_url)
                    break
                except aiohttp.WSServerHandshakeError:
                    assert time.monotonic() < deadline
                    await asyncio.sleep(0.3)
            admitted = (await again.receive(timeout=30)).type == aiohttp.WSMsgType.BINARY
            await again.close()
            return refused.value.status, admitted

    try:
        status, admitted = asyncio.run(scenario())
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=20)
    assert status == 503 and admitted
    assert "已有 1 个终端在运行(--max-tabs),拒绝了又一个浏览器连接" in out
    assert "Traceback" not in out
