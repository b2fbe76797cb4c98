"""Paper assembly: reproducible draws, per-candidate orders, keys mapped to shown letters."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from exam_tui.domain.bank import Bank
from exam_tui.domain.paper import (
    BlueprintSection,
    CannotDraw,
    Paper,
    PoolQuestion,
    SeedStream,
    assemble_paper,
    derive_seed,
    shuffled,
)
from exam_tui.formats.yaml_bank import read_bank_file
from tests.conftest import STARTER_BANK

SECRET = "5e" * 32


def _starter() -> tuple[Bank, list[PoolQuestion]]:
    bank = read_bank_file(STARTER_BANK).bank
    assert bank is not None
    pool = [
        PoolQuestion(
            slug=q.id,
            type=q.type,
            category=q.category,
            difficulty=q.difficulty,
            stem=q.stem,
            options=getattr(q, "options", None),
            answer=getattr(q, "answer", None),
            shuffle_options=q.shuffle_options,
            explanation=q.explanation,
            source=q.source,
            rubric=getattr(q, "rubric", None),
        )
        for q in bank.questions
    ]
    return bank, pool


def _paper(candidate: str) -> Paper:
    bank, pool = _starter()
    exam = next(e for e in bank.exams if e.id == "pre-appointment")
    blueprint = [BlueprintSection.from_json(s.model_dump(by_alias=True)) for s in exam.sections]
    return assemble_paper(derive_seed(SECRET, 7, candidate, 1), blueprint, pool)


def test_stream_is_pinned() -> None:
    # SHA-256 counter stream: these numbers must never change, or old papers could not be re-drawn.
    stream = SeedStream("00" * 32, "draw:0")
    first_block = hashlib.sha256(bytes(32) + b"\x00draw:0\x00" + bytes(8)).digest()
    assert int.from_bytes(first_block[:8], "big") % 10 == 8  # the stream is what the docstring says
    assert [stream.below(10) for _ in range(8)] == [8, 9, 5, 4, 4, 6, 2, 2]
    assert shuffled(range(6), SeedStream("ab" * 32, "x")) == [0, 5, 1, 2, 3, 4]


def test_stream_is_uniform_enough() -> None:
    stream = SeedStream("01" * 32, "u")
    counts = Counter(stream.below(6) for _ in range(6000))
    assert set(counts) == set(range(6))
    assert all(850 < n < 1150 for n in counts.values())


def test_one_paper_is_pinned() -> None:
    paper = _paper("110105198407157691")
    assert [item.question for item in paper.items[:6]] == PINNED_FIRST_SIX
    assert [(s.title, s.first, s.count) for s in paper.sections] == [
        ("一、单项选择题", 1, 20),
        ("二、多项选择题", 21, 10),
        ("三、判断题", 31, 10),
        ("四、填空题", 41, 5),
    ]
    assert paper.total_points == 100
    first = paper.items[0]
    assert [letter for letter, _ in first.options] == ["A", "B", "C", "D"]
    assert first.bank_letters == PINNED_FIRST_BANK_LETTERS


PINNED_FIRST_SIX = ["bc-0006", "ps-0005", "ps-0002", "ps-0003", "bc-0005", "ps-0001"]
PINNED_FIRST_BANK_LETTERS = ("D", "B", "C", "A")


def test_same_seed_same_paper_and_json_round_trip() -> None:
    a, b = _paper("110105198407157691"), _paper("110105198407157691")
    assert a == b
    assert Paper.from_json(a.to_json()) == a


def test_forty_neighbours_get_forty_orders() -> None:
    orders = {tuple(item.question for item in _paper(f"cand-{i}").items) for i in range(40)}
    assert len(orders) == 40


def test_key_follows_the_shown_letters() -> None:
    bank, _ = _starter()
    by_id = {q.id: q for q in bank.questions}
    paper = _paper("someone")
    shown_any_shuffle = False
    for item in paper.items:
        q = by_id[item.question]
        if item.type == "single":
            shown = dict(item.options)
            assert shown[item.key] == q.options[q.answer]
            shown_any_shuffle |= item.bank_letters != tuple(sorted(q.options))
        elif item.type == "multiple":
            shown = dict(item.options)
            assert sorted(shown[k] for k in item.key) == sorted(q.options[a] for a in q.answer)
        elif item.type == "true_false":
            assert item.key == ("A" if q.answer else "B")
            assert item.options == ()
        elif item.type == "fill_blank":
            assert item.blanks == len(item.key) >= 1
    assert shown_any_shuffle


def _q(slug: str, category: str = "c", qtype: str = "true_false", difficulty: int = 3) -> PoolQuestion:
    return PoolQuestion(slug, qtype, category, difficulty, f"stem {slug}", None, True)


def test_unshuffled_exam_keeps_bank_order_within_sections() -> None:
    pool = [_q(f"q{i}") for i in range(10)]
    paper = assemble_paper(
        "aa" * 32, [BlueprintSection("s", "true_false", 4, 5)], pool, shuffle_questions=False
    )
    slugs = [item.question for item in paper.items]
    assert slugs == sorted(slugs, key=lambda s: int(s[1:]))


def test_fixed_option_order_is_kept() -> None:
    q = PoolQuestion(
        "q", "single", "c", 3, "stem", {"A": "甲", "B": "乙", "C": "以上都对"}, "C", shuffle_options=False
    )
    for i in range(10):
        item = assemble_paper(f"{i:02x}" * 32, [BlueprintSection("s", "single", 1, 1)], [q]).items[0]
        assert item.options == (("A", "甲"), ("B", "乙"), ("C", "以上都对")) and item.key == "C"


def test_sections_sharing_a_pool_never_fail() -> None:
    # Section 1 may take any question; section 2 only q0 and q1. A naive draw fails whenever section 1
    # takes q0 or q1; the matching-aware draw must succeed for every seed.
    pool = [_q("q0", "narrow"), _q("q1", "narrow"), _q("q2", "wide"), _q("q3", "wide")]
    blueprint = [
        BlueprintSection("all", "true_false", 2, 1),
        BlueprintSection("narrow", "true_false", 2, 1, categories=("narrow",)),
    ]
    for i in range(64):
        paper = assemble_paper(f"{i:02x}" * 32, blueprint, pool)
        assert sorted(item.question for item in paper.items[2:]) == ["q0", "q1"]
        assert len({item.question for item in paper.items}) == 4


def test_difficulty_band_and_categories_limit_the_draw() -> None:
    pool = [_q(f"e{i}", difficulty=1) for i in range(5)] + [_q(f"h{i}", difficulty=5) for i in range(5)]
    section = BlueprintSection("hard", "true_false", 3, 1, difficulty_min=4, difficulty_max=5)
    paper = assemble_paper("cd" * 32, [section], pool)
    assert all(item.question.startswith("h") for item in paper.items)
    with pytest.raises(CannotDraw):
        assemble_paper("cd" * 32, [BlueprintSection("x", "true_false", 6, 1, difficulty_min=4)], pool)


def test_seed_depends_on_every_input() -> None:
    base = derive_seed(SECRET, 1, "c", 1)
    assert len(base) == 64
    assert (
        len(
            {
                base,
                derive_seed(SECRET, 2, "c", 1),
                derive_seed(SECRET, 1, "d", 1),
                derive_seed(SECRET, 1, "c", 2),
                derive_seed("00" * 32, 1, "c", 1),
            }
        )
        == 5
    )
