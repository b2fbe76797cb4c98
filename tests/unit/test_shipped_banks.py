"""The question banks we ship: valid, at full size, every question cited, explained and reviewed, and every
citation of a state law pointing at an article (and paragraph) that exists in the official text.

The official texts are read from the shared regulations folder when it is present (``EXAM_TUI_REGULATIONS``,
else a ``shared/regulations`` folder beside or above the checkout); without it the citation test is skipped
and says why. The texts are read, never copied into the project.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from exam_tui.domain.bank import Bank
from exam_tui.formats.yaml_bank import read_bank_file
from exam_tui.services.banks import problem_lines

ROOT = Path(__file__).resolve().parents[2]
BANKS = ROOT / "question_banks"
INTEGRITY = BANKS / "integrity-regulations.yaml"
QUALIFICATION = BANKS / "discipline-inspection-qualification.yaml"

# Which official text a cited title refers to (full titles and the short names stems use).
LAW_FILES = {
    "中华人民共和国监察法": "supervision-law-2024.md",
    "监察法": "supervision-law-2024.md",
    "中华人民共和国公职人员政务处分法": "public-official-sanctions-law-2020.md",
    "公职人员政务处分法": "public-official-sanctions-law-2020.md",
    "政务处分法": "public-official-sanctions-law-2020.md",
    "中华人民共和国监察官法": "supervisory-officials-law-2021.md",
    "监察官法": "supervisory-officials-law-2021.md",
    "中华人民共和国公务员法": "civil-servant-law-2018.md",
    "公务员法": "civil-servant-law-2018.md",
    "中华人民共和国刑法": "criminal-law-consolidated-2023.md",
    "刑法": "criminal-law-consolidated-2023.md",
    "国有企业管理人员处分条例": "soe-managers-sanctions-regulation-2024.md",
}
# The 2016 interpretation is cited by its long title or a shortened form of it.
INTERPRETATION_FILE = "corruption-bribery-judicial-interpretation-2016.md"
# Texts that are not in the shared folder: Party regulations and other normative documents. A citation of
# one of these cannot be checked here (the bank review covers them); any other unknown title fails.
NOT_IN_FOLDER = (
    "中国共产党章程",
    "中国共产党廉洁自律准则",
    "中国共产党纪律处分条例",
    "中央八项规定",
    "八项规定",
    "中共中央政治局贯彻落实中央八项规定实施细则",
    "关于办理受贿刑事案件适用法律若干问题的意见",
    "中国共产党纪律检查机关监督执纪工作规则",
    "中国共产党党内监督条例",
    "中国共产党问责条例",
)

DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100}
NUMERAL = "[零一二两三四五六七八九十百]+"
ARTICLE_HEAD = re.compile(rf"^第({NUMERAL})条(之({NUMERAL}))?[ \u3000]")
CITATION = re.compile(rf"第({NUMERAL})条(?:之({NUMERAL}))?|第({NUMERAL})款")


def chinese_number(text: str) -> int:
    """一百零七 → 107, 三百八十八 → 388, 十二 → 12, 四十 → 40."""
    total, digit = 0, 0
    for char in text:
        if char in DIGITS:
            digit = DIGITS[char]
        else:
            total += (digit or 1) * UNITS[char]
            digit = 0
    return total + digit


def test_chinese_numbers() -> None:
    cases = {"一": 1, "十": 10, "十二": 12, "四十": 40, "一百零七": 107, "三百八十八": 388, "二百": 200}
    assert {text: chinese_number(text) for text in cases} == cases


# ---- the official texts ------------------------------------------------------------------------------------


def regulations_folder() -> Path | None:
    given = os.environ.get("EXAM_TUI_REGULATIONS")
    if given:
        return Path(given)
    for parent in ROOT.parents:
        candidate = parent / "shared" / "regulations"
        if candidate.is_dir():
            return candidate
    return None


@cache
def articles(path: Path) -> dict[tuple[int, int], int]:
    """(article, 之 suffix or 0) → how many paragraphs (款) it has. A paragraph is a line of the article
    that is not an item (（一）…) and not a heading; items belong to the paragraph before them."""
    found: dict[tuple[int, int], int] = {}
    current: tuple[int, int] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("<!--"):
            continue
        head = ARTICLE_HEAD.match(line)
        if head:
            current = (chinese_number(head.group(1)), chinese_number(head.group(3)) if head.group(3) else 0)
            found[current] = 1
        elif line.startswith("#") or re.match(rf"^第{NUMERAL}[章节编]", line):
            current = None
        elif current is not None and not line.startswith(("（", "(")):
            found[current] += 1
    return found


@dataclass(frozen=True)
class Citation:
    question: str
    title: str
    article: int
    suffix: int
    paragraph: int | None

    def __str__(self) -> str:
        suffix = f"之{self.suffix}" if self.suffix else ""
        paragraph = f"第{self.paragraph}款" if self.paragraph else ""
        return f"{self.question}: 《{self.title}》第{self.article}条{suffix}{paragraph}"


def citations(question: str, source: str) -> Iterator[Citation]:
    """Every article (and paragraph) a ``source`` cites, with the title it is cited under. A bare 第N款 after
    an article is that article's paragraph (第四十八条第一款、第二款)."""
    parts = re.split(r"《([^》]+)》", source)
    for title, text in zip(parts[1::2], parts[2::2], strict=True):
        # Stop at the next regulation named without guillemets or at a sentence about something else.
        last: Citation | None = None
        for match in CITATION.finditer(text):
            if match.group(1):
                if last is not None:
                    yield last
                suffix = chinese_number(match.group(2)) if match.group(2) else 0
                last = Citation(question, title, chinese_number(match.group(1)), suffix, None)
            elif last is not None:
                if last.paragraph is not None:
                    yield last
                last = Citation(question, title, last.article, last.suffix, chinese_number(match.group(3)))
        if last is not None:
            yield last


def test_citations_are_read_with_their_paragraphs() -> None:
    source = (
        "《中华人民共和国监察法》第四十八条第一款、第二款；《刑法》第三百八十八条之一，第三百九十条第三款"
    )
    assert [str(c) for c in citations("q", source)] == [
        "q: 《中华人民共和国监察法》第48条第1款",
        "q: 《中华人民共和国监察法》第48条第2款",
        "q: 《刑法》第388条之1",
        "q: 《刑法》第390条第3款",
    ]


def law_file(title: str) -> str | None:
    """The official text a title refers to; None for a text that is not in the folder; fails on a title it
    does not know (a misspelt law would otherwise never be checked)."""
    name = title.strip()
    if name in LAW_FILES:
        return LAW_FILES[name]
    if "贪污贿赂刑事案件" in name and "解释" in name:
        return INTERPRETATION_FILE
    if any(known in name for known in NOT_IN_FOLDER):
        return None
    raise AssertionError(f"《{title}》: not a text this test knows; add it to LAW_FILES or NOT_IN_FOLDER")


# ---- the banks -----------------------------------------------------------------------------------------------


@cache
def shipped(path: Path) -> Bank:
    result = read_bank_file(path)
    assert result.ok and result.bank is not None, problem_lines(result)
    return result.bank


SHIPPED = [INTEGRITY, QUALIFICATION]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_question_is_cited_explained_and_reviewed(path: Path) -> None:
    bank = shipped(path)
    missing = [
        f"{q.id}: {', '.join(k for k in ('source', 'explanation') if not getattr(q, k))}"
        for q in bank.questions
        if not (q.source and q.explanation)
    ]
    assert not missing, missing
    unreviewed = [q.id for q in bank.questions if not q.reviewed]
    assert not unreviewed, f"not reviewed by a second examiner: {unreviewed}"


# "A、C、D 正确", "B项", "选C": meaningless once the options are shuffled and relabelled for each candidate.
OPTION_LETTER = re.compile(
    r"(?<![A-Za-z0-9])[A-H](?:项|选项|、[A-H]|[,，和与及][A-H]|错误|正确)|选项?[A-H](?![A-Za-z])"
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_no_text_refers_to_a_shuffled_option_by_its_letter(path: Path) -> None:
    found = [
        f"{q.id}: …{match.group(0)}…"
        for q in shipped(path).questions
        if getattr(q, "options", None) and q.shuffle_options
        for text in (q.stem, q.explanation or "")
        if (match := OPTION_LETTER.search(text))
    ]
    assert not found, found


def test_option_letters_are_caught() -> None:
    caught = ["A、C、D 三种情形", "B项错误", "故选C", "选项D与规定相反", "A和B"]
    passed = ["ABC公司", "第A款", "PDF文件", "B超检查"]
    assert all(OPTION_LETTER.search(text) for text in caught)
    assert not [text for text in passed if OPTION_LETTER.search(text)]


def test_the_integrity_bank_is_full_size() -> None:
    bank = shipped(INTEGRITY)
    per_category = Counter(q.category for q in bank.questions)
    assert len(bank.questions) >= 200
    assert len(per_category) >= 6 and min(per_category.values()) >= 10, per_category
    assert {q.type for q in bank.questions} == {
        "single",
        "multiple",
        "true_false",
        "fill_blank",
        "short_answer",
    }
    assert {q.difficulty for q in bank.questions} == {1, 2, 3, 4, 5}
    exams = {e.id: e for e in bank.exams}
    pre = exams["pre-appointment"]
    assert (pre.kind, pre.duration_minutes, pre.total_points, pre.pass_score, pre.max_attempts) == (
        "pre_appointment",
        60,
        100,
        80,
        2,
    )
    assert exams["training-closing"].duration_minutes == 30
    assert exams["training-closing"].kind == "training"
    # A competition's preliminary and semi-final are two exams, so the same entrant can sit both.
    for slug in ("competition-preliminary", "competition-semi-final"):
        assert (exams[slug].kind, exams[slug].total_points) == ("competition", 100)


def test_the_qualification_bank_is_full_size_and_grades_its_candidates() -> None:
    bank = shipped(QUALIFICATION)
    assert len(bank.questions) >= 120
    assert {q.type for q in bank.questions} == {
        "single",
        "multiple",
        "true_false",
        "fill_blank",
        "short_answer",
    }
    (exam,) = [e for e in bank.exams if e.id == "qualification"]
    assert (exam.kind, exam.duration_minutes, exam.total_points) == ("qualification", 90, 100)
    assert [(g.min, g.level) for g in exam.grades] == [(90, "一级"), (80, "二级"), (70, "三级")]
    assert exam.pass_score == 70  # below the lowest band: not qualified


def test_question_ids_are_unique_across_the_shipped_banks() -> None:
    ids = Counter(q.id for path in SHIPPED for q in shipped(path).questions)
    assert not [i for i, n in ids.items() if n > 1]


def test_every_cited_article_exists_in_the_official_text() -> None:
    folder = regulations_folder()
    if folder is None:
        pytest.skip(
            "the official texts (shared/regulations) are not on this machine; set EXAM_TUI_REGULATIONS"
        )
    checked, wrong = 0, []
    for path in SHIPPED:
        for q in shipped(path).questions:
            for cited in citations(q.id, q.source or ""):
                name = law_file(cited.title)
                if name is None:
                    continue
                paragraphs = articles(folder / name).get((cited.article, cited.suffix))
                if paragraphs is None:
                    wrong.append(f"{cited}: no such article in {name}")
                elif cited.paragraph is not None and cited.paragraph > paragraphs:
                    wrong.append(f"{cited}: the article has {paragraphs} paragraph(s) in {name}")
                checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked >= 200  # the state-law questions are cited by article
