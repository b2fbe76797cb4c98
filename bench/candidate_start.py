"""Cold start of the candidate terminal (``exam-tui sit``) to its sign-in screen, against a bare Textual app
that shows one label, both measured in the same run.

    python bench/candidate_start.py [--runs 10] [--poll-ms 20] [--timeout 30]

Each sample is a fresh process (a cold interpreter: imports count) in a real pseudo-terminal: a detached
tmux session of 100x30 on a private tmux server (its socket in a temporary directory), polled with
``tmux capture-pane -p`` every ``--poll-ms`` until the screen shows the expected text; the time from
launching the session to that poll is the sample, and the session is killed afterwards.

  sit       ``exam-tui --db sqlite:///<tmp>/bench.db --lang zh sit``, timed until the sign-in title
            ``t("login.title")`` is on the screen. The database is created and migrated with
            ``exam-tui init`` before any timing, so the sample covers the up-to-date-schema check
            that every start makes, not the migrations.
  baseline  a script written to a temporary directory: a bare ``textual.app.App`` whose compose yields
            one ``Label("基线 baseline ready")``, timed until the label is on the screen.

Both run with this interpreter (``sys.executable``; the ``exam-tui`` console script next to it is run
through it), alternating (A B A B ...) after one untimed warm-up of each (writes bytecode caches, fills
the page cache). It prints the median, min and max of each, and median(sit) / median(baseline) against
the target <= 2.5x (PASS/MISS). The exit status is 0 either way (this is a report), 1 when tmux is
missing or a program did not reach its screen.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from exam_tui.i18n import set_language, t

TARGET_RATIO = 2.5
WIDTH, HEIGHT = 100, 30
BASELINE_TEXT = "基线 baseline ready"
BASELINE_APP = f'''"""The baseline: a bare Textual app that shows one label."""

from textual.app import App, ComposeResult
from textual.widgets import Label


class Baseline(App[None]):
    def compose(self) -> ComposeResult:
        yield Label({BASELINE_TEXT!r})


if __name__ == "__main__":
    Baseline().run()
'''


class BenchError(Exception):
    """A program did not reach its screen; the message carries what the pane showed."""


@dataclass(frozen=True)
class Program:
    label: str
    argv: list[str]
    needle: str


class Tmux:
    """A private tmux server (socket in ``workdir``) kept up by an idle session: its start is not timed."""

    def __init__(self, workdir: Path) -> None:
        self.socket = str(workdir / "tmux.sock")
        self.workdir = workdir
        self._count = 0
        self._run("new-session", "-d", "-s", "keeper", "-x", str(WIDTH), "-y", str(HEIGHT), "cat")
        # Keep a crashed program's pane (and its traceback) around to show it.
        self._run("set-option", "-g", "remain-on-exit", "on")

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-S", self.socket, *args], capture_output=True, text=True, encoding="utf-8", check=False
        )

    def sample(self, program: Program, poll: float, timeout: float) -> float:
        """Seconds from launching ``program`` in a new session to the first poll that shows its text."""
        self._count += 1
        name = f"run{self._count}"
        size = ("-x", str(WIDTH), "-y", str(HEIGHT))
        try:
            start = time.perf_counter()
            launched = self._run(
                "new-session", "-d", "-s", name, *size, "-c", str(self.workdir), *program.argv
            )
            if launched.returncode != 0:
                raise BenchError(f"tmux new-session failed: {launched.stderr.strip()}")
            while True:
                # One tmux call per poll: the screen, then whether the program has exited.
                shown = self._run(
                    "capture-pane", "-p", "-t", name, ";", "display-message", "-p", "-t", name, "#{pane_dead}"
                )
                screen, _, dead = shown.stdout.rstrip("\n").rpartition("\n")
                if program.needle in screen:
                    return time.perf_counter() - start
                if dead.strip() == "1" or time.perf_counter() - start > timeout:
                    why = (
                        "exited"
                        if dead.strip() == "1"
                        else f"did not show {program.needle!r} in {timeout:g} s"
                    )
                    raise BenchError(f"{program.label} {why}; the screen:\n{screen}")
                time.sleep(poll)
        finally:
            self._run("kill-session", "-t", name)

    def close(self) -> None:
        self._run("kill-server")


def exam_tui_argv() -> list[str]:
    """The real entry point, run by this interpreter: the console script if installed next to it."""
    script = Path(sys.executable).with_name("exam-tui")
    if script.is_file():
        return [sys.executable, str(script)]
    return [
        sys.executable,
        "-c",
        "import sys; from exam_tui.cli import main; sys.argv[0] = 'exam-tui'; main()",
    ]


def prepare_database(argv: list[str], url: str, workdir: Path) -> str:
    done = subprocess.run(
        [*argv, "--db", url, "--lang", "zh", "init", "--no-admin"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"exam-tui init failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def summary(label: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"{label:10s} median {statistics.median(ms):7.1f} ms   min {min(ms):7.1f} ms   max {max(ms):7.1f} ms"
        f"   (n={len(ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10, help="samples of each program (alternating)")
    parser.add_argument("--poll-ms", type=float, default=20.0, help="milliseconds between screen polls")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds a program may take to show its text"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if shutil.which("tmux") is None:
        print("candidate_start: tmux is not installed; it is needed to run the programs in a real terminal.")
        sys.exit(1)

    set_language("zh")
    login_title = t("login.title")
    poll = args.poll_ms / 1000
    print(
        f"candidate start: cold process to first screen in tmux {WIDTH}x{HEIGHT}, median of {args.runs} "
        f"runs (alternating, after 1 untimed warm-up each); {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(
        f"screen polled every {args.poll_ms:g} ms with tmux capture-pane: adds up to ~{args.poll_ms:g} ms "
        "(plus one capture) to every sample of both programs"
    )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "baseline_app.py").write_text(BASELINE_APP, encoding="utf-8")
        url = f"sqlite:///{workdir / 'bench.db'}"
        exam_tui = exam_tui_argv()
        try:
            init_line = prepare_database(exam_tui, url, workdir)
        except BenchError as exc:
            print(f"candidate_start: {exc}")
            sys.exit(1)
        print(f"database created and migrated before timing (not timed): {init_line}")
        sit = Program("sit", [*exam_tui, "--db", url, "--lang", "zh", "sit"], login_title)
        baseline = Program("baseline", [sys.executable, str(workdir / "baseline_app.py")], BASELINE_TEXT)
        print(f"sit        {' '.join(sit.argv[1:])}   until {login_title!r}")
        print(f"baseline   bare textual App + one Label   until {BASELINE_TEXT!r}")
        sys.stdout.flush()

        times: dict[str, list[float]] = {"sit": [], "baseline": []}
        tmux = Tmux(workdir)
        try:
            for program in (sit, baseline):
                tmux.sample(program, poll, args.timeout)  # warm-up, not counted
            for _ in range(args.runs):
                for program in (sit, baseline):
                    times[program.label].append(tmux.sample(program, poll, args.timeout))
        except BenchError as exc:
            print(f"candidate_start: {exc}")
            sys.exit(1)
        finally:
            tmux.close()

    print(summary("sit", times["sit"]))
    print(summary("baseline", times["baseline"]))
    ratio = statistics.median(times["sit"]) / statistics.median(times["baseline"])
    verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
    print(f"ratio      {ratio:5.2f}x baseline   target <= {TARGET_RATIO:g}x: {verdict}")


if __name__ == "__main__":
    main()
