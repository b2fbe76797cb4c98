"""`bank stats` on an imported bank: numbers counted again from the YAML file, the command's output."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.domain.bank_stats import ExamSections, question_stats
from exam_tui.services import banks
from exam_tui.services.bank_stats import BankNotFound, BankStats, bank_stats, render_stats, stats_to_json
from exam_tui.services.runtime import Database
from tests.conftest import STARTER_BANK

BANK = "integrity-regulations"
runner = CliRunner()


def _doc(path: Path = STARTER_BANK) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _expected_counts(doc: dict[str, Any]) -> Counter[tuple[str, str, int]]:
    return Counter((q["category"], q["type"], q.get("difficulty", 3)) for q in doc["questions"])


def _expected_pool(doc: dict[str, Any], section: dict[str, Any]) -> int:
    band = section.get("difficulty") or {}
    return sum(
        1
        for q in doc["questions"]
        if q["type"] == section["type"]
        and (not section.get("from") or q["category"] in section["from"])
        and band.get("min", 1) <= q.get("difficulty", 3) <= band.get("max", 5)
    )


def _by_difficulty(
    counts: Counter[tuple[str, str, int]], category: str | None, qtype: str | None
) -> list[int]:
    return [
        sum(
            n
            for (c, t, d), n in counts.items()
            if d == level and (category is None or c == category) and (qtype is None or t == qtype)
        )
        for level in range(1, 6)
    ]


def test_counts_and_pools_match_the_file(db: Database) -> None:
    banks.import_files(db, [STARTER_BANK])
    doc = _doc()
    expected = _expected_counts(doc)
    stats = bank_stats(db, BANK)
    assert (stats.slug, stats.title, stats.version, stats.label) == (BANK, doc["title"], 1, doc["version"])
    assert list(stats.category_titles.items()) == [(c["id"], c["title"]) for c in doc["categories"]]

    s = stats.stats
    assert s.total.total == len(doc["questions"]) == 54
    assert list(s.total.by_difficulty) == _by_difficulty(expected, None, None)
    types_in_file = {q["type"] for q in doc["questions"]}
    assert set(s.by_type) == types_in_file
    for qtype, counts in s.by_type.items():
        assert list(counts.by_difficulty) == _by_difficulty(expected, None, qtype), qtype
    pairs = [(r.category, r.type) for r in s.rows]
    assert len(set(pairs)) == len(pairs)  # one row per category and type
    assert list(dict.fromkeys(c for c, _ in pairs)) == [c["id"] for c in doc["categories"]]
    assert set(pairs) == {(c, t) for c, t, _ in expected}
    for row in s.rows:
        assert list(row.counts.by_difficulty) == _by_difficulty(expected, row.category, row.type)

    assert [e.id for e in s.exams] == [e["id"] for e in doc["exams"]]
    for exam, exam_doc in zip(s.exams, doc["exams"], strict=True):
        assert exam.title == exam_doc["title"]
        assert [(x.title, x.type, x.pool, x.draw) for x in exam.sections] == [
            (sec["title"], sec["type"], _expected_pool(doc, sec), sec["draw"]) for sec in exam_doc["sections"]
        ]
        assert exam.enough
    # hand-checked against the file: 22 single-choice questions, the pre-appointment exam draws 20
    assert (s.exams[0].sections[0].pool, s.exams[0].sections[0].draw) == (22, 20)


def test_stats_read_the_newest_version(db: Database, tmp_path: Path) -> None:
    banks.import_files(db, [STARTER_BANK])
    doc = _doc()
    dropped = next(q for q in doc["questions"] if q["type"] == "short_answer")  # no exam draws these
    doc["questions"].remove(dropped)
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    banks.import_files(db, [smaller])
    stats = bank_stats(db, BANK)
    assert stats.version == 2
    assert stats.stats.total.total == 53
    assert stats.stats.by_type["short_answer"].total == 1


def test_unknown_bank(db: Database) -> None:
    with pytest.raises(BankNotFound):
        bank_stats(db, "nope")
    banks.import_files(db, [STARTER_BANK])
    with pytest.raises(banks.BankNotFound):  # the same error as show_bank
        bank_stats(db, "nope")


def test_json_document(db: Database) -> None:
    banks.import_files(db, [STARTER_BANK])
    doc = _doc()
    expected = _expected_counts(doc)
    data = stats_to_json(bank_stats(db, BANK))
    assert (data["bank"], data["version"], data["questions"]) == (BANK, 1, 54)
    assert data["difficulties"] == [1, 2, 3, 4, 5]
    assert data["by_difficulty"] == _by_difficulty(expected, None, None)
    assert data["by_type"]["single"] == {
        "questions": 22,
        "by_difficulty": _by_difficulty(expected, None, "single"),
    }
    assert [c["id"] for c in data["categories"]] == [c["id"] for c in doc["categories"]]
    for c in data["categories"]:
        assert c["questions"] == sum(n for (cat, _, _), n in expected.items() if cat == c["id"])
        assert sum(v["questions"] for v in c["by_type"].values()) == c["questions"]
    first = data["exams"][0]
    assert (first["ref"], first["enough"]) == (f"{BANK}/pre-appointment", True)
    assert first["sections"][0] == {
        "title": "一、单项选择题",
        "type": "single",
        "from": None,
        "difficulty": {"min": 1, "max": 5},
        "pool": 22,
        "draw": 20,
        "enough": True,
    }


def test_short_pool_is_marked() -> None:
    exam = ExamSections(
        "e",
        "考试",
        [
            {"title": "一、单选", "type": "single", "draw": 3, "points": 1, "from": ["a"]},
            {
                "title": "二、判断",
                "type": "true_false",
                "draw": 1,
                "points": 1,
                "difficulty": {"min": 2, "max": 4},
            },
        ],
    )
    stats = BankStats(
        slug="b",
        title="题库",
        version=1,
        label=None,
        imported_at=datetime(2026, 1, 1, tzinfo=UTC),
        category_titles={"a": "甲"},
        stats=question_stats([("a", "single", 3), ("a", "single", 2), ("a", "true_false", 3)], ["a"], [exam]),
    )
    text = render_stats(stats)
    lines = text.splitlines()
    single = next(line for line in lines if "一、单选" in line)
    assert single.split() == ["一、单选", "单选题", "a", "2", "3", "题量不足"]
    tf = next(line for line in lines if "二、判断" in line)
    assert tf.split() == ["二、判断", "判断题", "全部分类;", "难度", "2–4", "1", "1"]
    assert all(line == line.rstrip() for line in lines)
    assert stats_to_json(stats)["exams"][0]["enough"] is False


# ---- the command ---------------------------------------------------------------------------------


def run(db: Database, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", db.url, *args], catch_exceptions=False)


def test_cli_plain(db: Database) -> None:
    banks.import_files(db, [STARTER_BANK])
    doc = _doc()
    expected = _expected_counts(doc)
    result = run(db, "bank", "stats", BANK)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"题库 {BANK}《{doc['title']}》版本 1(2026.1)")
    assert lines[1].split() == ["分类", "题型", "难度1", "难度2", "难度3", "难度4", "难度5", "合计"]
    grand = next(line for line in lines if "全部题型" in line)
    assert grand.split() == ["合计", "全部题型", *map(str, _by_difficulty(expected, None, None)), "54"]
    sl_single = next(line for line in lines if line.startswith("supervision-law") and "单选题" in line)
    counts = _by_difficulty(expected, "supervision-law", "single")
    assert sl_single.split() == ["supervision-law", "单选题", *map(str, counts), str(sum(counts))]
    assert f"考试 {BANK}/pre-appointment《新任领导干部任前廉政法规考试》:" in lines
    header = next(line for line in lines if "可抽题数" in line)
    assert header.split() == ["部分", "题型", "抽题范围", "可抽题数", "抽取题数"]
    section = next(line for line in lines if "四、填空题" in line)
    assert section.split() == ["四、填空题", "填空题", "全部分类", "6", "5"]
    assert "题量不足" not in result.stdout


def test_cli_json_and_english(db: Database) -> None:
    banks.import_files(db, [STARTER_BANK])
    result = run(db, "bank", "stats", BANK, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == stats_to_json(bank_stats(db, BANK))
    english = run(db, "--lang", "en", "bank", "stats", BANK).stdout
    assert "Diff 1" in english and "Available" in english and "all categories" in english


def test_cli_unknown_bank_exits_1(db: Database) -> None:
    result = run(db, "bank", "stats", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == "没有题库 “nope”"
    assert result.stderr == run(db, "bank", "show", "nope").stderr
