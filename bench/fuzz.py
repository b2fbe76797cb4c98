"""Fuzz the loaders and the command line for a given time, with fresh random inputs.

    python bench/fuzz.py [--minutes 3] [--target NAME ...] [--atheris]

Runs the targets of tests/fuzzing.py and tests/fuzzing_cli.py (the suite runs the same checks on a few
hundred fixed inputs) in batches of fresh random inputs until the time is up, the time split evenly
between targets, and prints per target the inputs tried, the failures found (each shrunk to a minimal
input by hypothesis and printed), the elapsed time and the slowest input. Exits 1 if any failed.

``--atheris`` fuzzes the bank loader with atheris (coverage-guided, libFuzzer) instead, for the same
time, when atheris is installed (``pip install atheris``); it stops at the first failure.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the targets live with the tests

from tests.fuzzing import LOADER_TARGETS, Tally, Target, run_target  # noqa: E402

TARGET_NAMES = [t.name for t in LOADER_TARGETS] + ["cli argv", "cli imports"]
BATCH = 100  # inputs per hypothesis run; each run draws from a new random seed


def fuzz(target: Target, seconds: float) -> tuple[Tally, list[str], float]:
    """Inputs tried and the slowest, failures (their reports) and seconds spent on ``target``."""
    tally = Tally()
    failures: list[str] = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        try:
            run_target(target, max_examples=BATCH, derandomize=False, tally=tally)
        except Exception as exc:
            report = "".join(traceback.format_exception(exc, limit=-6))
            failures.append(report)
            print(f"--- {target.name}: failure\n{report}", file=sys.stderr, flush=True)
    return tally, failures, time.perf_counter() - start


def run_atheris(seconds: float) -> int:
    try:
        import atheris
    except ImportError:
        print("atheris is not installed (pip install atheris); nothing fuzzed.")
        return 0
    import shutil
    import tempfile

    # Only our code and PyYAML's Python side are instrumented: instrumenting every loaded module
    # (atheris.instrument_all) takes minutes before the first input.
    with atheris.instrument_imports(include=["exam_tui", "yaml"]):
        import exam_tui.formats.yaml_bank
        import exam_tui.services.banks  # noqa: F401 - check_bank imports both, instrumented now
    from tests.fuzzing import BANK_SEEDS, check_bank

    # libFuzzer adds the inputs it finds to the first corpus folder and writes a crashing input to
    # the working directory: both go to a scratch folder, never into question_banks/.
    work = Path(tempfile.mkdtemp(prefix="exam-tui-atheris-"))
    corpus = work / "corpus"
    corpus.mkdir()
    for seed in BANK_SEEDS:
        shutil.copy(seed, corpus / seed.name)
    print(f"atheris: the bank loader for {seconds:.0f} s; corpus and crashes in {work}", flush=True)
    atheris.Setup(
        [
            sys.argv[0],
            f"-max_total_time={int(seconds)}",
            "-max_len=65536",
            "-timeout=20",
            f"-artifact_prefix={work}/",
            str(corpus),
        ],
        check_bank,
    )
    atheris.Fuzz()  # exits the process: 0 when the time is up, non-zero with the crashing input saved
    return 0  # pragma: no cover


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=3.0, help="total time (default 3)")
    parser.add_argument("--target", action="append", choices=TARGET_NAMES, help="only these")
    parser.add_argument("--atheris", action="store_true", help="the bank loader under atheris instead")
    args = parser.parse_args()
    if args.atheris:
        return run_atheris(args.minutes * 60)
    # Imported here: the CLI targets load the whole program, which atheris must not instrument.
    from tests.fuzzing_cli import CLI_TARGETS

    targets = [t for t in [*LOADER_TARGETS, *CLI_TARGETS] if not args.target or t.name in args.target]
    share = args.minutes * 60 / len(targets)
    print(
        f"{'target':<18} {'inputs':>8} {'failures':>9} {'seconds':>8} {'inputs/s':>9} {'slowest s':>10}",
        flush=True,
    )
    failed = 0
    for target in targets:
        tally, failures, elapsed = fuzz(target, share)
        failed += len(failures)
        print(
            f"{target.name:<18} {tally.inputs:>8} {len(failures):>9} {elapsed:>8.1f} "
            f"{tally.inputs / elapsed:>9.1f} {tally.slowest:>10.2f}",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
