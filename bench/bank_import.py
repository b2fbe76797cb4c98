"""Bank validation and import speed against a bare YAML parse of the same file, measured in one run.

    python bench/bank_import.py [--questions 10000] [--repeat 5]

Generates a synthetic bank (fixed seed), then times, each ``--repeat`` times, interleaved:
  parse     yaml.load(text, Loader=CSafeLoader)               the baseline
  validate  exam_tui.services.banks.check_files([path])        read + compose + checks
  import    exam_tui.services.banks.import_files(db, [path])   validate + write into a fresh SQLite file
and prints the median seconds of each and its ratio to the median parse. Targets (issue 2):
validate <= 2.5x, import into SQLite <= 5x.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from exam_tui.services import banks
from exam_tui.services.runtime import connect

CATEGORIES = [f"cat-{i:02d}" for i in range(20)]
WORDS = [
    "监察",
    "机关",
    "公职",
    "人员",
    "政务",
    "处分",
    "警告",
    "记过",
    "降级",
    "撤职",
    "开除",
    "留置",
    "调查",
    "处置",
    "廉洁",
    "纪律",
    "规定",
    "条例",
    "受贿",
    "贪污",
]


def _sentence(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(n)) + "。"


def synthetic_bank(questions: int, seed: int = 20261123) -> str:
    rng = random.Random(seed)
    lines = ["bank: bench-bank", "title: 基准测试题库", 'version: "1"', "categories:"]
    lines += [f"  - {{id: {c}, title: 分类{c[-2:]}}}" for c in CATEGORIES]
    lines.append("questions:")
    kinds = ["single", "multiple", "true_false", "fill_blank", "short_answer"]
    for i in range(questions):
        kind = kinds[i % len(kinds)]
        lines += [
            f"  - id: q-{i:05d}",
            f"    type: {kind}",
            f"    category: {rng.choice(CATEGORIES)}",
            f"    difficulty: {rng.randint(1, 5)}",
        ]
        if kind == "fill_blank":
            lines.append(f"    stem: {_sentence(rng, 6)}____{_sentence(rng, 3)}")
        else:
            lines += ["    stem: |", f"      {_sentence(rng, 12)}", f"      {_sentence(rng, 8)}"]
        if kind in ("single", "multiple"):
            lines.append("    options:")
            lines += [f"      {letter}: {_sentence(rng, 3)}" for letter in "ABCD"]
            lines.append("    answer: B" if kind == "single" else "    answer: [A, C]")
        elif kind == "true_false":
            lines.append(f"    answer: {rng.choice(['true', 'false'])}")
        elif kind == "fill_blank":
            lines.append(f"    answer: [[{rng.choice(WORDS)}, {rng.choice(WORDS)}]]")
        else:
            lines.append(f"    rubric: {_sentence(rng, 10)}")
        lines += [f"    explanation: {_sentence(rng, 10)}", f"    source: 《条例》第{rng.randint(1, 99)}条"]
    lines += [
        "exams:",
        "  - id: bench",
        "    title: 基准试卷",
        "    kind: practice",
        "    duration_minutes: 60",
        "    pass_score: 60",
        "    sections:",
        "      - {title: 单选, type: single, draw: 50, points: 1}",
        "      - {title: 多选, type: multiple, draw: 25, points: 2}",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(synthetic_bank(args.questions), encoding="utf-8")
        size_mb = path.stat().st_size / 1024 / 1024
        times: dict[str, list[float]] = {"parse": [], "validate": [], "import": []}
        for run in range(args.repeat):
            start = time.perf_counter()
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            times["parse"].append(time.perf_counter() - start)

            start = time.perf_counter()
            [checked] = banks.check_files([path])
            times["validate"].append(time.perf_counter() - start)
            assert checked.ok, banks.problem_lines(checked)[:3]

            db = connect(f"sqlite:///{tmp}/bench-{run}.db")  # migrated before the clock starts
            start = time.perf_counter()
            [outcome] = banks.import_files(db, [path])
            times["import"].append(time.perf_counter() - start)
            assert outcome.changed and outcome.questions == args.questions
            db.dispose()

    base = statistics.median(times["parse"])
    print(f"bank: {args.questions} questions, {size_mb:.1f} MB; median of {args.repeat} runs")
    for name, label in (
        ("parse", "yaml CSafeLoader parse"),
        ("validate", "validate"),
        ("import", "import into SQLite"),
    ):
        median = statistics.median(times[name])
        print(f"{label:24s} {median:7.3f} s   {median / base:5.2f}x parse")


if __name__ == "__main__":
    main()
