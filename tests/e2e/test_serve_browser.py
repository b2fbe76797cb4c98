"""`exam-tui serve` in a real browser: the page is served, and a candidate signs in from headless Chromium.

The setup is `make demo`'s (init, import the shipped banks, demo), run as the real program; then
`exam-tui --db URL serve` on a free loopback port. Chromium (Debian's, driven through its chromedriver)
opens the page, clicks into the terminal and types as a candidate would. xterm.js draws the terminal on
a canvas, so the text is not in the page's DOM: a script installed before the page loads keeps a copy of
every frame the page's websocket receives (and of the size the page asks for), and pyte replays them
into a screen to read. A screenshot of the signed-in page is kept for the record: its path is printed.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyte
import pytest
from sqlalchemy import text

from exam_tui.services.runtime import connect
from exam_tui.services.sessions import roster
from tests.conftest import ROOT


def _find(*names: str) -> str | None:
    return next((path for name in names if (path := shutil.which(name))), None)


CHROMIUM = _find("chromium", "chromium-browser", "google-chrome")
CHROMEDRIVER = _find("chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="chromium and chromedriver are not installed (.ci/run installs Debian's chromium and chromium-driver)",
    ),
]

# Installed before any script of the page runs: a WebSocket that also keeps what it receives (base64)
# and the sizes the page asks for, in order, for the test to replay.
TAP = """
window.__tap = [];
const Native = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const socket = new Native(url, protocols);
  const size = new URL(url).searchParams;
  window.__tap.push(["size", Number(size.get("width")), Number(size.get("height"))]);
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") return;
    const bytes = new Uint8Array(event.data);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 8192) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    }
    window.__tap.push(["data", btoa(binary)]);
  });
  const send = socket.send.bind(socket);
  socket.send = (message) => {
    try {
      const [kind, body] = JSON.parse(message);
      if (kind === "resize") window.__tap.push(["size", body.width, body.height]);
    } catch (error) {}
    return send(message);
  };
  return socket;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
"""


class PageTerminal:
    """The terminal in the page, replayed from its websocket into a pyte screen."""

    def __init__(self, driver: object) -> None:
        self.driver = driver
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.seen = 0

    def text(self) -> str:
        events = self.driver.execute_script("return window.__tap.slice(arguments[0]);", self.seen)  # type: ignore[attr-defined]
        self.seen += len(events)
        for event in events:
            if event[0] == "size":
                self.screen.resize(lines=int(event[2]), columns=int(event[1]))
            else:
                self.stream.feed(base64.b64decode(event[1]))
        return "\n".join(self.screen.display)

    def wait_for(self, *needles: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.text()
            # A wide character takes two cells; pyte keeps the second as an empty string.
            if all(needle in screen.replace(" ", "") for needle in needles):
                return screen
            time.sleep(0.3)
        raise AssertionError(f"{needles!r} did not appear in the page's terminal; it showed:\n{screen}")


def _exam_tui(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("exam-tui")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=300)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    """`make demo`'s database: the first admin step skipped, the shipped banks, the demo organisation."""
    url = f"sqlite:///{tmp_path / 'exam.db'}"
    _exam_tui("--db", url, "init", "--no-admin", cwd=tmp_path)
    banks = sorted(str(p) for p in (ROOT / "question_banks").glob("*.yaml"))
    _exam_tui("--db", url, "bank", "import", *banks, cwd=tmp_path)
    _exam_tui("--db", url, "demo", cwd=tmp_path)
    return url


@pytest.fixture
def server(demo_url: str, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXAM_TUI_DATABASE")}
    log = (tmp_path / "serve.log").open("w")
    exe = Path(sys.executable).with_name("exam-tui")
    process = subprocess.Popen(
        [str(exe), "--db", demo_url, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        print(f"exam-tui serve's log: {tmp_path / 'serve.log'}")


def _chromium() -> object:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        "--lang=zh-CN",
        # Nothing but this machine: no name resolves, so no request can leave it.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


def test_serve_page_and_a_candidate_signs_in_from_chromium(
    demo_url: str, server: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, process = server
    with urllib.request.urlopen(base, timeout=10) as response:
        assert response.status == 200
        page = response.read().decode("utf-8")
    assert 'class="textual-terminal"' in page and f'data-session-websocket-url="ws://{base[7:]}ws"' in page
    assert "<title>廉政教育考试系统 — 考生端</title>" in page
    assert "googleapis" not in page  # the page calls no server but this one

    db = connect(demo_url)
    try:
        with db.read() as s:
            session_id, code = s.execute(text("SELECT id, access_code FROM exam_session")).one()
            number, name = s.execute(
                text(
                    "SELECT c.id_number, c.name FROM cadre c JOIN session_candidate sc ON sc.cadre_id = c.id "
                    "WHERE sc.session_id = :s ORDER BY c.id LIMIT 1"
                ),
                {"s": session_id},
            ).one()
    finally:
        db.dispose()

    driver = _chromium()
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TAP})  # type: ignore[attr-defined]
        driver.get(base)  # type: ignore[attr-defined]
        terminal = PageTerminal(driver)
        terminal.wait_for("考生登录", "身份证号", "准入码")
        driver.find_element(By.ID, "terminal").click()  # type: ignore[attr-defined]
        for keys in (number, Keys.TAB, code, Keys.ENTER):
            ActionChains(driver).send_keys(keys).perform()  # type: ignore[arg-type]
            time.sleep(0.3)  # a person's pace: the focus moves to the next field before the next key
        screen = terminal.wait_for("考场纪律", f"考生:{name}")
        assert "2026年新任领导干部任前廉政法规考试" in screen.replace(" ", "")
        shot = tmp_path / "serve-candidate-signed-in.png"
        assert driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    finally:
        driver.quit()  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    kept = ARTIFACTS / shot.name
    shutil.copyfile(shot, kept)
    print(f"screenshot of the signed-in page: {kept}")
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The tab's subprocess signed in on the database this command was given: the roster says so.
    db = connect(demo_url)
    try:
        checked_in = [entry.name for entry in roster(db, session_id) if entry.checked_in]
    finally:
        db.dispose()
    assert checked_in == [name]
    assert process.poll() is None  # the server outlives the tab
