"""Searching a bank's questions: on SQLite, and on PostgreSQL when EXAM_TUI_TEST_PG_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from exam_tui.services import banks
from exam_tui.services.bank_search import search_questions
from exam_tui.services.runtime import Database

# Tags, options and explanations in Chinese and English, and a second version that drops a question.
TAGGED_BANK = """\
bank: tagged-bank
title: 标签测试题库
version: "2026.2"
categories:
  - {id: law, title: 法律}
  - {id: rules, title: 规定}
questions:
  - id: q1
    type: single
    category: law
    stem: 政务处分的种类有几种？
    options: {A: 四种, B: 五种, C: 六种, D: 七种}
    answer: C
    explanation: 政务处分法第七条列举了警告、记过、记大过、降级、撤职、开除六种。
    tags: [政务处分, 第七条]
  - id: q2
    type: multiple
    category: law
    stem: 下列属于政务处分的有：
    options: {A: 警告, B: 记过, C: 罚款, D: 开除}
    answer: [A, B, D]
    tags: [政务处分]
  - id: q3
    type: true_false
    category: rules
    stem: 监察机关是行使国家监察职能的专责机关。
    answer: true
    explanation: Supervision Law, Article 3.
    tags: [监察法, Key-Point]
  - id: q4
    type: fill_blank
    category: rules
    stem: 警告的处分期间为____个月。
    answer: [[六, "6"]]
    tags: [政务处分期间]
  - id: q5
    type: short_answer
    category: rules
    stem: 简述监察机关的职责。
    rubric: 监督、调查、处置。
"""


@pytest.fixture
def tagged(db: Database, tmp_path: Path, clock) -> Database:
    path = tmp_path / "tagged.yaml"
    path.write_text(TAGGED_BANK, encoding="utf-8")
    banks.import_files(db, [path], clock=clock)
    return db


def slugs(db: Database, **criteria: str | None) -> list[str]:
    return [q.slug for q in search_questions(db, "tagged-bank", **criteria)]


def test_text_searches_stem_options_and_explanation(tagged: Database) -> None:
    assert slugs(tagged, text="监察机关") == ["q3", "q5"]  # stems
    assert slugs(tagged, text="罚款") == ["q2"]  # an option
    assert slugs(tagged, text="第七条") == ["q1"]  # the explanation
    assert slugs(tagged, text="政务处分 六种") == ["q1"]  # every word must occur
    assert slugs(tagged, text="ＡＲＴＩＣＬＥ") == ["q3"]  # case and width do not matter
    assert slugs(tagged, text="监督、调查") == []  # a rubric is not searched
    assert slugs(tagged, text="  ") == ["q1", "q2", "q3", "q4", "q5"]


def test_category_type_and_tag(tagged: Database) -> None:
    assert slugs(tagged, category="law") == ["q1", "q2"]
    assert slugs(tagged, type="true_false") == ["q3"]
    assert slugs(tagged, tag="政务处分") == ["q1", "q2", "q4"]  # a tag containing the words
    assert slugs(tagged, tag="key-point") == ["q3"]
    assert slugs(tagged, category="rules", tag="政务处分") == ["q4"]
    assert slugs(tagged, text="处分", type="multiple") == ["q2"]
    assert slugs(tagged, category="law", type="short_answer") == []
    assert slugs(tagged, category="nope") == []


def test_search_reads_the_current_version(tagged: Database, tmp_path: Path, clock) -> None:
    path = tmp_path / "tagged.yaml"
    path.write_text(TAGGED_BANK.replace("tags: [政务处分期间]", "tags: [期间]"), encoding="utf-8")
    [outcome] = banks.import_files(tagged, [path], clock=clock)
    assert outcome.version == 2
    assert slugs(tagged, tag="政务处分") == ["q1", "q2"]
    result = search_questions(tagged, "tagged-bank", tag="期间")
    assert [(q.slug, q.tags) for q in result] == [("q4", ["期间"])]
    with pytest.raises(banks.BankNotFound):
        search_questions(tagged, "no-such-bank", text="x")
