"""The bank validator: every class of error, with the line and column it must point at."""

from __future__ import annotations

from pathlib import Path

import pytest

from exam_tui.formats.yaml_bank import MAX_FILE_BYTES, BankFile, check_bank_text, read_bank_file
from exam_tui.i18n import set_language
from exam_tui.services.banks import describe, problem_lines

VALID = """\
bank: demo-bank
title: 演示题库
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
  - id: q2
    type: multiple
    category: law
    stem: 下列属于政务处分的有：
    options: {A: 警告, B: 记过, C: 罚款, D: 开除}
    answer: [A, B, D]
  - id: q3
    type: true_false
    category: rules
    stem: 监察机关是行使国家监察职能的专责机关。
    answer: true
  - id: q4
    type: fill_blank
    category: rules
    stem: 警告的处分期间为____个月。
    answer: [[六, "6"]]
  - id: q5
    type: short_answer
    category: rules
    stem: 简述监察机关的职责。
    rubric: 监督、调查、处置。
exams:
  - id: paper
    title: 测试试卷
    kind: practice
    duration_minutes: 30
    pass_score: 6
    sections:
      - {title: 单选, type: single, draw: 1, points: 5}
      - {title: 多选, type: multiple, draw: 1, points: 5, partial_credit: true}
"""


def check(text: str | bytes, name: str = "bank.yaml") -> BankFile:
    raw = text.encode() if isinstance(text, str) else text
    return check_bank_text(Path(name), raw)


def found(text: str | bytes) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.problem.code) for p in check(text).problems]


def at(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based line and column of ``needle`` (which must occur once) plus ``offset`` characters."""
    assert text.count(needle) == 1, needle
    index = text.index(needle) + offset
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def test_valid_bank_has_no_problems() -> None:
    result = check(VALID)
    assert result.ok
    assert result.bank is not None
    assert [q.type for q in result.bank.questions] == [
        "single",
        "multiple",
        "true_false",
        "fill_blank",
        "short_answer",
    ]
    assert result.bank.exams[0].total_points == 10


def test_shipped_banks_are_valid() -> None:
    banks = sorted((Path(__file__).parents[2] / "question_banks").glob("*.yaml"))
    assert banks
    for path in banks:
        result = read_bank_file(path)
        assert result.ok, problem_lines(result)


def test_malformed_yaml_points_at_the_line() -> None:
    text = VALID.replace("    stem: 政务处分的种类有几种？", "    stem: [unclosed")
    [(line, _col, code)] = found(text)
    assert code == "yaml.syntax"
    assert line in (10, 11)  # libyaml reports where it noticed: the end of the flow sequence or the next line


def test_colon_at_end_of_plain_scalar_is_a_syntax_error_on_its_line() -> None:
    text = VALID.replace("下列属于政务处分的有：", "下列属于政务处分的有:")
    assert found(text) == [(*at(text, "有:", 1), "yaml.syntax")]


def test_wrong_type_points_at_the_value() -> None:
    text = VALID.replace("    answer: C\n", "    answer: C\n    difficulty: hard\n")
    assert found(text) == [(*at(text, "hard"), "wrong_type")]


def test_unknown_key_points_at_the_key() -> None:
    text = VALID.replace("    answer: true\n", "    answer: true\n    colour: red\n")
    assert found(text) == [(*at(text, "colour"), "unknown_key")]


def test_unknown_key_does_not_hide_a_wrong_answer() -> None:
    text = VALID.replace("    answer: C\n", "    answer: E\n    colour: red\n")
    assert found(text) == [(*at(text, "E\n"), "answer_not_an_option"), (*at(text, "colour"), "unknown_key")]


def test_missing_key_points_at_the_item() -> None:
    text = VALID.replace("    rubric: 监督、调查、处置。\n", "")
    assert found(text) == [(*at(text, "id: q5"), "missing_key")]


def test_duplicate_question_id_names_the_first() -> None:
    text = VALID.replace("  - id: q2", "  - id: q1")
    [problem] = check(text).problems
    second = at(text, "q1\n    type: multiple")
    assert (problem.line, problem.column, problem.problem.code) == (*second, "duplicate_question")
    first_line = at(VALID, "q1")[0]
    assert problem.see_also_line == first_line
    assert f"第 {first_line} 行" in describe(problem)


def test_answer_that_names_no_option() -> None:
    text = VALID.replace("answer: [A, B, D]", "answer: [A, B, F]")
    assert found(text) == [(*at(text, "F]"), "answer_not_an_option")]


def test_answer_letter_not_a_letter() -> None:
    text = VALID.replace("    answer: C\n", "    answer: c\n")
    assert found(text) == [(*at(text, "c\n"), "bad_letter")]


def test_option_letters_must_be_consecutive() -> None:
    text = VALID.replace("{A: 四种, B: 五种, C: 六种, D: 七种}", "{A: 四种, B: 五种, C: 六种, E: 七种}")
    assert found(text) == [(*at(text, "{A: 四种"), "option_letters")]


def test_fill_blank_counts_blanks() -> None:
    text = VALID.replace('answer: [[六, "6"]]', 'answer: [六, "6"]')
    assert found(text) == [(*at(text, '[六, "6"]'), "blank_count")]


def test_unknown_question_type() -> None:
    text = VALID.replace("type: true_false", "type: yes_no")
    assert found(text) == [(*at(text, "yes_no"), "bad_question_type")]


def test_unknown_category() -> None:
    text = VALID.replace("category: rules\n    stem: 监察", "category: rulez\n    stem: 监察")
    assert found(text) == [(*at(text, "rulez"), "unknown_category")]


def test_section_asking_for_more_than_the_bank_holds() -> None:
    text = VALID.replace("{title: 单选, type: single, draw: 1,", "{title: 单选, type: single, draw: 3,")
    assert found(text) == [(*at(text, "draw: 3", 6), "not_enough_questions")]


def test_sections_sharing_a_pool_cannot_draw_the_same_question_twice() -> None:
    text = VALID.replace(
        "      - {title: 多选, type: multiple, draw: 1, points: 5, partial_credit: true}\n",
        "      - {title: 单选二, type: single, draw: 1, points: 5}\n",
    )
    assert found(text) == [(*at(text, "单选二, type: single, draw: 1", 25), "sections_share_pool")]


def test_pass_score_above_total() -> None:
    text = VALID.replace("pass_score: 6", "pass_score: 60")
    assert found(text) == [(*at(text, "60"), "pass_above_total")]


def test_partial_credit_only_for_multiple() -> None:
    text = VALID.replace(
        "type: single, draw: 1, points: 5}", "type: single, draw: 1, points: 5, partial_credit: true}"
    )
    assert found(text) == [
        (*at(text, "5, partial_credit: true}\n      - {title: 多选", 19), "partial_credit_not_multiple")
    ]


def test_duplicate_yaml_key() -> None:
    text = VALID.replace("    answer: C\n", "    answer: C\n    answer: D\n")
    assert found(text) == [(*at(text, "answer: D"), "yaml.duplicate_key")]


def test_non_utf8_bytes_point_at_the_line() -> None:
    raw = VALID.encode().replace("演示题库".encode(), "演示题库".encode("gbk"))
    assert found(raw) == [(2, 8, "file.not_utf8")]


def test_utf8_bom_is_accepted() -> None:
    assert check(b"\xef\xbb\xbf" + VALID.encode()).ok


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    [problem] = read_bank_file(path).problems
    assert problem.problem.code == "file.too_large"


def test_missing_file(tmp_path: Path) -> None:
    [problem] = read_bank_file(tmp_path / "nope.yaml").problems
    assert problem.problem.code == "file.not_found"


def test_billion_laughs_is_refused_without_expanding() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(ord("b"), ord("j") + 1):
        prev = chr(i - 1)
        lines.append(f"{chr(i)}: &{chr(i)} [{','.join(['*' + prev] * 9)}]")
    [(line, _col, code)] = found("\n".join(lines) + "\n")
    assert code == "yaml.alias"
    assert line == 1


def test_python_tags_are_refused() -> None:
    text = VALID.replace("title: 演示题库", "title: !!python/object/apply:os.system ['echo hi']")
    assert found(text) == [(2, 8, "yaml.tag")]


def test_custom_tags_are_refused() -> None:
    assert found(VALID.replace("title: 演示题库", "title: !secret 演示题库")) == [(2, 8, "yaml.tag")]


def test_deep_nesting_is_refused() -> None:
    assert found("a: " + "[" * 100 + "]" * 100 + "\n")[0][2] == "yaml.too_deep"


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    assert found(text) == [(1, 1, "not_a_mapping")]


def test_all_problems_in_a_file_in_one_run() -> None:
    text = (
        VALID.replace("    answer: C\n", "    answer: E\n")
        .replace("type: true_false", "type: yes_no")
        .replace("pass_score: 6", "pass_score: 60")
    )
    assert [code for _, _, code in found(text)] == [
        "answer_not_an_option",
        "bad_question_type",
        "pass_above_total",
    ]


def test_numbers_in_options_and_fill_answers_are_text() -> None:
    text = VALID.replace("{A: 四种, B: 五种, C: 六种, D: 七种}", "{A: 4, B: 5, C: 6, D: 7}").replace(
        'answer: [[六, "6"]]', "answer: [[六, 6]]"
    )
    result = check(text)
    assert result.ok
    assert result.bank is not None
    assert result.bank.questions[0].options == {"A": "4", "B": "5", "C": "6", "D": "7"}


def test_messages_in_english_and_chinese() -> None:
    result = check(VALID.replace("    answer: C\n", "    answer: E\n"))
    assert problem_lines(result) == ["bank.yaml:12:13: 题目 q1: 答案 “E” 不是本题的选项(选项为 ABCD)"]
    set_language("en")
    assert problem_lines(result) == [
        "bank.yaml:12:13: question q1: answer 'E' is not one of the options (ABCD)"
    ]


def test_content_hash_ignores_comments_and_layout() -> None:
    a = check(VALID).bank
    b = check(
        "# a comment\n"
        + VALID.replace(
            "{A: 四种, B: 五种, C: 六种, D: 七种}",
            "\n      A: 四种\n      B: 五种\n      C: 六种\n      D: 七种",
        )
    ).bank
    c = check(VALID.replace("answer: C", "answer: B")).bank
    assert a and b and c
    assert a.content_hash() == b.content_hash() != c.content_hash()
