"""Correcting a key on appeal: the reviewer's typed key (parse_key) and each paper's own letters for it."""

from __future__ import annotations

from typing import Any

import pytest

from exam_tui.domain.paper import (
    BlueprintSection,
    Paper,
    PaperItem,
    PaperSection,
    PoolQuestion,
    assemble_paper,
    bank_key,
    bank_options,
    shown_key,
    with_corrected_keys,
)
from exam_tui.domain.questions import BadKey, parse_key

ABCD = ("A", "B", "C", "D")
ABCDE = ("A", "B", "C", "D", "E")


@pytest.mark.parametrize(
    ("question_type", "text", "letters", "expected"),
    [
        pytest.param("single", "B", ABCD, "B", id="single"),
        pytest.param("single", "b", ABCD, "B", id="single-lower-case"),
        pytest.param("single", " ｂ ", ABCD, "B", id="single-full-width-with-spaces"),
        pytest.param("multiple", "A,C", ABCD, ["A", "C"], id="multiple-comma"),
        pytest.param("multiple", "AC", ABCD, ["A", "C"], id="multiple-run-together"),
        pytest.param("multiple", "ＡＣ", ABCD, ["A", "C"], id="multiple-full-width"),
        pytest.param("multiple", "C、A", ABCD, ["A", "C"], id="multiple-enumeration-comma-sorted"),
        pytest.param("multiple", "a c", ABCD, ["A", "C"], id="multiple-lower-spaced"),
        pytest.param("multiple", "Ａ，Ｃ，Ｅ", ABCDE, ["A", "C", "E"], id="multiple-full-width-commas"),
        pytest.param("multiple", "D;B", ABCD, ["B", "D"], id="multiple-semicolon"),
        pytest.param("true_false", "正确", (), True, id="tf-zhengque"),
        pytest.param("true_false", "错误", (), False, id="tf-cuowu"),
        pytest.param("true_false", "对", (), True, id="tf-dui"),
        pytest.param("true_false", "错", (), False, id="tf-cuo"),
        pytest.param("true_false", "√", (), True, id="tf-tick"),
        pytest.param("true_false", "×", (), False, id="tf-cross"),
        pytest.param("true_false", "true", (), True, id="tf-true"),
        pytest.param("true_false", "TRUE", (), True, id="tf-true-upper"),
        pytest.param("true_false", "False", (), False, id="tf-false"),
        pytest.param("true_false", "是", (), True, id="tf-shi"),
        pytest.param("true_false", "否", (), False, id="tf-fou"),
        pytest.param(
            "fill_blank", "一年/1年;二年", (), [["一年", "1年"], ["二年"]], id="blanks-with-variants"
        ),
        pytest.param(
            "fill_blank", " 一年 / 1年 ; 二年 ", (), [["一年", "1年"], ["二年"]], id="blanks-spaces"
        ),
        pytest.param(
            "fill_blank", "一年／1年；二年", (), [["一年", "1年"], ["二年"]], id="blanks-full-width"
        ),
        pytest.param(
            # The Excel template's form: | between blanks as well as ;
            "fill_blank",
            "六/6|十二/12",
            (),
            [["六", "6"], ["十二", "12"]],
            id="blanks-as-in-excel",
        ),
        pytest.param("fill_blank", "监察委员会", (), [["监察委员会"]], id="one-blank"),
    ],
)
def test_parse_key(question_type: str, text: str, letters: tuple[str, ...], expected: Any) -> None:
    assert parse_key(question_type, text, letters) == expected


@pytest.mark.parametrize(
    ("question_type", "text", "letters", "key", "params"),
    [
        pytest.param(
            "single",
            "E",
            ABCD,
            "answer_key.no_such_option",
            {"letters": "E", "options": "ABCD"},
            id="unknown",
        ),
        pytest.param(
            "multiple",
            "A,F,G",
            ABCD,
            "answer_key.no_such_option",
            {"letters": "FG", "options": "ABCD"},
            id="multiple-unknown",
        ),
        pytest.param(
            "multiple", "A", ABCD, "answer_key.multiple_two_letters", {}, id="one-letter-for-multiple"
        ),
        pytest.param("single", "AB", ABCD, "answer_key.single_one_letter", {}, id="two-letters-for-single"),
        pytest.param("single", "A,C", ABCD, "answer_key.single_one_letter", {}, id="list-for-single"),
        pytest.param("multiple", "A,A", ABCD, "answer_key.repeated_letter", {}, id="repeated"),
        pytest.param("single", "", ABCD, "answer_key.empty", {}, id="empty"),
        pytest.param("multiple", "   ", ABCD, "answer_key.empty", {}, id="blank"),
        pytest.param("true_false", "　", (), "answer_key.empty", {}, id="ideographic-space"),
        pytest.param("single", ",", ABCD, "answer_key.single_one_letter", {}, id="only-separators"),
        pytest.param("true_false", "也许", (), "answer_key.true_false", {}, id="tf-neither"),
        pytest.param("true_false", "A", (), "answer_key.true_false", {}, id="tf-a-letter"),
        pytest.param("fill_blank", "一年;;二年", (), "answer_key.empty_blank", {}, id="empty-blank"),
        pytest.param("fill_blank", "一年;/", (), "answer_key.empty_blank", {}, id="blank-of-slashes"),
        pytest.param("short_answer", "监督、调查", (), "answer_key.not_correctable", {}, id="short-answer"),
    ],
)
def test_parse_key_refuses(
    question_type: str, text: str, letters: tuple[str, ...], key: str, params: dict[str, object]
) -> None:
    with pytest.raises(BadKey) as refused:
        parse_key(question_type, text, letters)
    assert refused.value.key == key and refused.value.params == params


def _choice_item(question_type: str, bank_letters: tuple[str, ...], key: Any, number: int = 1) -> PaperItem:
    shown = "ABCDEFGH"[: len(bank_letters)]
    return PaperItem(
        number=number,
        section=0,
        question=f"q-{number}",
        type=question_type,
        stem="题干",
        points=2,
        options=tuple((letter, f"选项{bank}") for letter, bank in zip(shown, bank_letters, strict=True)),
        key=key,
        bank_letters=bank_letters,
    )


# Shown A, B, C, D carry the bank's C, A, D, B.
SHUFFLED = ("C", "A", "D", "B")


@pytest.mark.parametrize(
    ("bank_key", "expected"),
    [
        pytest.param("A", "B", id="bank-A-shown-B"),
        pytest.param("B", "D", id="bank-B-shown-D"),
        pytest.param("C", "A", id="bank-C-shown-A"),
        pytest.param("D", "C", id="bank-D-shown-C"),
    ],
)
def test_shown_key_single_follows_the_shuffle(bank_key: str, expected: str) -> None:
    assert shown_key(_choice_item("single", SHUFFLED, "A"), bank_key) == expected


def test_shown_key_multiple_is_sorted_in_shown_letters() -> None:
    item = _choice_item("multiple", SHUFFLED, ["A", "B"])
    assert shown_key(item, ["A", "D"]) == ["B", "C"]
    assert shown_key(item, ["B", "C", "D"]) == ["A", "C", "D"]


def test_shown_key_unshuffled_is_the_bank_key() -> None:
    item = _choice_item("single", ABCD, "A")
    assert shown_key(item, "C") == "C"


def test_shown_key_true_false_and_blanks() -> None:
    tf = PaperItem(number=1, section=0, question="tf", type="true_false", stem="s", points=2, key="A")
    assert shown_key(tf, True) == "A" and shown_key(tf, False) == "B"
    blank = PaperItem(number=2, section=0, question="fb", type="fill_blank", stem="s", points=2, key=[["x"]])
    assert shown_key(blank, ["一年", ["二年", "2年"]]) == [["一年"], ["二年", "2年"]]
    short = PaperItem(number=3, section=0, question="sa", type="short_answer", stem="s", points=10)
    with pytest.raises(ValueError):
        shown_key(short, "anything")


POOL = [
    PoolQuestion(
        slug=f"s-{n}",
        type="single",
        category="law",
        difficulty=3,
        stem=f"单选{n}",
        options={"A": "甲", "B": "乙", "C": "丙", "D": "丁"},
        answer="ABCD"[n % 4],
    )
    for n in range(6)
] + [
    PoolQuestion(
        slug=f"m-{n}",
        type="multiple",
        category="law",
        difficulty=3,
        stem=f"多选{n}",
        options={"A": "甲", "B": "乙", "C": "丙", "D": "丁", "E": "戊"},
        answer=["A", "C", "E"] if n % 2 else ["B", "D"],
    )
    for n in range(4)
]
BLUEPRINT = [BlueprintSection("一、单选", "single", 6, 2), BlueprintSection("二、多选", "multiple", 4, 3)]


@pytest.mark.parametrize("seed", ["00" * 32, "ab" * 32, "5e" * 32])
def test_shown_key_of_the_bank_key_is_the_drawn_key(seed: str) -> None:
    """Every drawn paper's key is the bank key in that paper's letters: the same mapping a correction uses."""
    paper = assemble_paper(seed, BLUEPRINT, POOL)
    pool = {q.slug: q for q in POOL}
    for item in paper.items:
        assert shown_key(item, pool[item.question].answer) == item.key
        assert sorted(item.bank_letters) == sorted(pool[item.question].options or {})


def test_corrections_on_differently_shuffled_papers_mean_the_same_option() -> None:
    papers = [assemble_paper(seed, BLUEPRINT, POOL) for seed in ("01" * 32, "02" * 32, "03" * 32)]
    letters = set()
    for paper in papers:
        corrected = with_corrected_keys(paper, {"s-0": "C"})
        item = next(i for i in corrected.items if i.question == "s-0")
        assert (
            dict(item.options)[item.key] == "丙"
        )  # bank option C, under whatever letter this paper shows it
        letters.add(item.key)
    assert len(letters) > 1  # the papers did shuffle it differently


def _paper(*items: PaperItem) -> Paper:
    return Paper(seed="00" * 32, sections=(PaperSection("一", "single", 2, 1, len(items)),), items=items)


def test_with_corrected_keys_changes_only_the_corrected_items() -> None:
    first = _choice_item("single", SHUFFLED, "B", number=1)  # bank key A
    second = _choice_item("single", ABCD, "D", number=2)
    paper = _paper(first, second)
    corrected = with_corrected_keys(paper, {"q-1": "C"})
    assert corrected.item(1).key == "A"  # bank C is shown first
    assert corrected.item(1).options == first.options and corrected.item(1).bank_letters == SHUFFLED
    assert corrected.item(2) is second
    assert paper.item(1).key == "B"  # the drawn paper is not changed
    assert corrected.seed == paper.seed and corrected.sections == paper.sections


def test_with_corrected_keys_returns_the_same_paper_when_nothing_applies() -> None:
    paper = _paper(_choice_item("single", SHUFFLED, "B", number=1))
    assert with_corrected_keys(paper, {}) is paper
    assert with_corrected_keys(paper, {"another-question": "A"}) is paper


def test_corrected_paper_survives_json() -> None:
    paper = _paper(_choice_item("multiple", SHUFFLED, ["A", "B"], number=1))
    corrected = with_corrected_keys(paper, {"q-1": ["A", "B", "C"]})
    assert corrected.item(1).key == ["A", "B", "D"]
    assert Paper.from_json(corrected.to_json()) == corrected


@pytest.mark.parametrize(
    ("question_type", "bank_letters", "key"),
    [
        pytest.param("single", SHUFFLED, "A", id="single"),
        pytest.param("multiple", SHUFFLED, ["B", "D"], id="multiple"),
        pytest.param("true_false", (), True, id="true-false-true"),
        pytest.param("true_false", (), False, id="true-false-false"),
    ],
)
def test_bank_key_undoes_shown_key(question_type: str, bank_letters: tuple[str, ...], key: Any) -> None:
    """What a reviewer reads off the paper goes back to the bank's terms, which a correction is typed in."""
    item = _choice_item(question_type, bank_letters, None)
    assert bank_key(item, shown_key(item, key)) == key


def test_bank_options_list_the_options_under_the_bank_letters_in_the_bank_order() -> None:
    item = _choice_item("single", SHUFFLED, "B")  # shown A B C D are bank C A D B
    assert bank_options(item) == [("A", "选项A"), ("B", "选项B"), ("C", "选项C"), ("D", "选项D")]
