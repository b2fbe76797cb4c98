"""Moodle GIFT → bank: the sample files, the examples of Moodle's GIFT documentation (our own, in that
style, in English and Chinese), escapes, multi-line questions, what is skipped and what is altered."""

from __future__ import annotations

from pathlib import Path

import pytest

from exam_tui.formats.convert import gift
from exam_tui.formats.convert.common import Conversion, UnreadableSource
from tests.unit.convert_text_support import (
    SAMPLES,
    category_titles,
    check_never_raises,
    new_builder,
    notes,
    questions,
    run,
    write,
)

GIFT_SAMPLES = SAMPLES / "gift"


def convert(tmp_path: Path, text: str | bytes) -> Conversion:
    return run(gift.convert, write(tmp_path, text, "questions.gift"))


def sample(name: str) -> Path:
    path = GIFT_SAMPLES / name
    if not path.exists():
        pytest.skip(f"the shared GIFT samples are not beside the project ({path} is absent)")
    return path


# --- the sample files ------------------------------------------------------------------------------


def test_sample_multiple_choice() -> None:
    conversion = run(gift.convert, sample("mc1.gift"))
    assert notes(conversion) == []
    [q] = questions(conversion)
    assert q["type"] == "single"
    assert q["stem"] == "Who's buried in Grant's tomb?"
    assert q["options"] == {"A": "Grant", "B": "Jefferson", "C": "no one"}
    assert q["answer"] == "C"


def test_sample_missing_word_choice_puts_the_blank_where_the_answers_were() -> None:
    [q] = questions(run(gift.convert, sample("mc2.gift")))
    assert q["stem"] == "Grant is ____ in Grant's tomb."
    assert q["answer"] == "B" and q["options"]["B"] == "entombed"


def test_sample_multiple_answers_with_fractional_weights() -> None:
    conversion = run(gift.convert, sample("multipleAnswersFloat.gift"))
    [q] = questions(conversion)
    assert q["type"] == "multiple"
    assert q["stem"] == "Select all of the options below which name a continent:"  # \: unescaped
    assert q["options"] == {"A": "Africa", "B": "Asia", "C": "China", "D": "Antarctica", "E": "America"}
    assert q["answer"] == ["A", "B", "D"]
    assert notes(conversion) == []  # equal weights: nothing lost


def test_sample_true_false() -> None:
    [q] = questions(run(gift.convert, sample("tf1.gift")))
    assert q["type"] == "true_false" and q["answer"] is False
    assert q["stem"] == "Grant is buried in Grant's tomb."


def test_sample_short_answers() -> None:
    conversion = run(gift.convert, sample("shortAnswer1.gift"))
    first, second = questions(conversion)
    # The answers close the first question: a blank is appended, and the report says so.
    assert first["stem"] == "Who's buried in Grant's tomb? ____"
    assert first["answer"] == [["no one", "nobody"]]
    # The second is a missing-word question: the blank goes where the answers were.
    assert second["stem"] == "Two plus two equals ____."
    assert second["answer"] == [["four", "4"]]
    assert notes(conversion) == [("line 3", "gift_blank_appended", False)]
    assert conversion.altered == 1 and conversion.skipped == 0


def test_sample_escapes_of_every_control_character() -> None:
    conversion = run(gift.convert, sample("escapeAll.gift"))
    [q] = questions(conversion)
    assert q["id"] == "gift-control-characters"  # from the ::title::
    assert q["options"] == {"A": "~", "B": "=", "C": "#", "D": "{", "E": "}", "F": ":", "G": "\\"}
    assert q["answer"] == "G"
    # Per-answer feedback goes to the explanation, the two-line one joined into one line.
    assert q["explanation"].splitlines()[0] == "A: ~ is a control character."
    assert q["explanation"].splitlines()[-1] == (
        "G: Correct! \\ (backslash) is not a control character. BUT, it is used to escape the control characters."
    )


def test_sample_essay_without_rubric_is_skipped_with_its_line() -> None:
    conversion = run(gift.convert, sample("essay1.gift"))
    assert conversion.converted == 0
    assert notes(conversion) == [("line 1", "gift_essay_no_rubric", True)]


def test_sample_matching_is_skipped_with_its_line() -> None:
    conversion = run(gift.convert, sample("matching1.gift"))
    assert conversion.converted == 0
    assert notes(conversion) == [("line 3", "gift_matching", True), ("line 9", "gift_matching", True)]


def test_sample_numerical_is_skipped_with_each_line() -> None:
    conversion = run(gift.convert, sample("numerical1.gift"))
    assert conversion.converted == 0
    lines = [3, 5, 7, 9, 11, 13, 15, 17, 19, 23]  # the last one starts at its ::title:: line
    assert notes(conversion) == [(f"line {n}", "gift_numerical", True) for n in lines]


def test_sample_with_only_a_category_has_nothing_to_convert() -> None:
    with pytest.raises(UnreadableSource) as caught:
        gift.convert(sample("category1.gift"), builder=new_builder())
    assert caught.value.code == "gift_no_questions"


def test_every_sample_converts_without_failing() -> None:
    files = sorted(GIFT_SAMPLES.glob("*.gift")) if GIFT_SAMPLES.is_dir() else []
    if not files:
        pytest.skip(f"the shared GIFT samples are not beside the project ({GIFT_SAMPLES} is absent)")
    converted = skipped = 0
    for path in files:
        try:
            conversion = run(gift.convert, path)
        except UnreadableSource as exc:
            assert path.name == "category1.gift", (path, exc)
            continue
        converted += conversion.converted
        skipped += conversion.skipped
    assert (converted, skipped) == (7, 13)


# --- Moodle's documented forms, in our own words -----------------------------------------------------

DOC_STYLE = """\
// A quiz in the style of Moodle's GIFT documentation.
$CATEGORY: $course$/top/Integrity/Rules

::Q1 gifts::A civil servant may accept a gift worth more than the limit when{
  ~it is offered after office hours#No: the time does not matter.
  =never#Right.
  ~the giver is a friend
####The rules forbid gifts above the limit in every case.}

::Q2 report::The deadline to report a gift is {~one month =14 days ~a year} after receiving it.

::Q3 tf::Declaring assets is required every year.{TRUE#Wrong: the rule is yearly.#Correct.}

::Q4 fill::Which body audits party discipline?{=CCDI =Central Commission for Discipline Inspection}

::Q5 weights::Which are forms of corruption?{
  ~%50%bribery
  ~%50%embezzlement
  ~%-100%volunteering
}

::Q6 match::Match each office with its duty.{
  =Audit -> checks accounts
  =Discipline -> handles violations
}

::Q7 number::In what year was the law passed?{#2018}

::Q8 essay::Describe the duties of a discipline inspector.{####Names supervision, investigation and handling.}

::Q9 essay without rubric::Write about integrity.{}

Just a description line, without any answer.

::Q10 partial::Who signs the report?{=the head ~%50%the deputy ~the clerk}

::Q11 html::[html]<p>Which is <b>not</b> allowed?</p><img src="x.png" alt="chart">{=cash gifts ~training}

::Q12 markdown::[markdown]Pick the **right** one.{~wrong =right}
"""


def test_documented_forms(tmp_path: Path) -> None:
    conversion = convert(tmp_path, DOC_STYLE)
    by_id = {q["id"]: q for q in questions(conversion)}
    assert list(by_id) == [
        "q1-gifts",
        "q2-report",
        "q3-tf",
        "q4-fill",
        "q5-weights",
        "q8-essay",
        "q10-partial",
        "q11-html",
        "q12-markdown",
    ]
    assert category_titles(conversion) == {"integrity-rules": "Integrity / Rules"}
    assert {q["category"] for q in by_id.values()} == {"integrity-rules"}

    q1 = by_id["q1-gifts"]
    assert q1["stem"] == "A civil servant may accept a gift worth more than the limit when"
    assert q1["answer"] == "B"
    assert q1["explanation"] == (
        "The rules forbid gifts above the limit in every case.\nA: No: the time does not matter.\nB: Right."
    )
    assert by_id["q2-report"]["stem"] == "The deadline to report a gift is ____ after receiving it."
    q3 = by_id["q3-tf"]
    assert q3["answer"] is True
    assert q3["explanation"] == "Correct.\nWrong: the rule is yearly."  # right feedback first
    assert by_id["q4-fill"]["answer"] == [["CCDI", "Central Commission for Discipline Inspection"]]
    assert by_id["q5-weights"]["type"] == "multiple" and by_id["q5-weights"]["answer"] == ["A", "B"]
    q8 = by_id["q8-essay"]
    assert q8["type"] == "short_answer"
    assert q8["rubric"] == "Names supervision, investigation and handling."
    assert "explanation" not in q8  # the rubric is for graders only
    assert by_id["q10-partial"]["answer"] == "A"
    q11 = by_id["q11-html"]
    assert q11["stem"] == "Which is not allowed?\n[chart]"
    assert by_id["q12-markdown"]["stem"] == "Pick the **right** one."

    assert notes(conversion) == [
        ("line 14", "gift_blank_appended", False),
        ("line 22", "gift_matching", True),
        ("line 27", "gift_numerical", True),
        ("line 31", "gift_essay_no_rubric", True),
        ("line 33", "gift_description", True),
        ("line 35", "gift_partial_credit_dropped", False),
        ("line 37", "gift_html_image", False),
    ]
    assert (conversion.converted, conversion.skipped, conversion.altered) == (9, 4, 3)


CHINESE = """\
$CATEGORY: $course$/top/廉政法规/纪律处分条例

// 单选题
::纪律处分::《中国共产党纪律处分条例》规定的党纪处分有几种？{~三种 ~四种 =五种#警告、严重警告、撤销党内职务、留党察看、开除党籍。 ~六种}

// 多选题：分值相同的几个正确选项
下列属于党纪处分种类的有：{
  ~%33.33333%警告
  ~%-100%记过
  ~%33.33333%留党察看
  ~%33.33333%开除党籍
}

监察机关对所有行使公权力的公职人员进行监察。{T}

留党察看最长不超过{=二年 =两年 =2年}。

中国共产党的根本宗旨是{=全心全意为人民服务}

$CATEGORY: $course$/top/廉政法规/监察法

简述监察机关的主要职责。{####监督、调查、处置各占三分，表述完整加一分。}
"""


def test_chinese_questions(tmp_path: Path) -> None:
    conversion = convert(tmp_path, CHINESE)
    single, multiple, tf, fill_mid, fill_end, essay = questions(conversion)
    titles = category_titles(conversion)
    assert list(titles.values()) == ["廉政法规 / 纪律处分条例", "廉政法规 / 监察法"]
    assert titles[single["category"]] == "廉政法规 / 纪律处分条例"
    assert titles[essay["category"]] == "廉政法规 / 监察法"
    assert single["id"] == "q0001"  # a Chinese title has nothing to make a slug of
    assert single["answer"] == "C"
    assert single["explanation"] == "C: 警告、严重警告、撤销党内职务、留党察看、开除党籍。"
    assert multiple["type"] == "multiple" and multiple["answer"] == ["A", "C", "D"]
    assert tf["type"] == "true_false" and tf["answer"] is True
    assert fill_mid["stem"] == "留党察看最长不超过____。"
    assert fill_mid["answer"] == [["二年", "两年", "2年"]]
    # Appended to Chinese text: no space before the blank.
    assert fill_end["stem"] == "中国共产党的根本宗旨是____"
    assert essay["rubric"] == "监督、调查、处置各占三分，表述完整加一分。"
    assert notes(conversion) == [("line 18", "gift_blank_appended", False)]


# --- escapes, lines, formats ------------------------------------------------------------------------


def test_escapes_in_stems_options_and_titles(tmp_path: Path) -> None:
    text = (
        "::a\\:b::Solve x \\= 1 \\{set\\} \\# \\~ done\\nsecond line{=one \\= uno ~two\\#2 ~back\\\\slash}\n"
    )
    [q] = questions(convert(tmp_path, text))
    assert q["id"] == "a-b"
    assert q["stem"] == "Solve x = 1 {set} # ~ done\nsecond line"
    assert q["options"] == {"A": "one = uno", "B": "two#2", "C": "back\\slash"}


def test_multi_line_question_with_comments_and_crlf(tmp_path: Path) -> None:
    text = (
        "// first comment\r\n"
        "\r\n"
        "::long::The first paragraph of the question\r\n"
        "// a comment inside the question is dropped\r\n"
        "continues here.\r\n"
        "\r\n"  # a blank line ends a question, so the next one starts at line 7
        "第二题的题干写了\r\n"
        "两行。{\r\n"
        "  =对的选项，内容也\r\n"
        "     折成了两行\r\n"
        "  ~错的选项\r\n"
        "}\r\n"
    )
    conversion = convert(tmp_path, text)
    assert notes(conversion) == [("line 3", "gift_description", True)]
    [q] = questions(conversion)
    assert q["stem"] == "第二题的题干写了\n两行。"
    assert q["options"]["A"] == "对的选项，内容也折成了两行"  # no space between Chinese characters


def test_bom_is_ignored(tmp_path: Path) -> None:
    [q] = questions(convert(tmp_path, "\ufeff::t::Is this true?{T}\n".encode()))
    assert q["id"] == "t" and q["answer"] is True


def test_html_answers_and_entities(tmp_path: Path) -> None:
    text = "[html]<p>A &amp; B</p><p>second&nbsp;paragraph</p>{=<b>yes</b>#<i>good</i> ~no}\n"
    [q] = questions(convert(tmp_path, text))
    assert q["stem"] == "A & B\nsecond paragraph"
    assert q["options"] == {"A": "yes", "B": "no"}
    assert q["explanation"] == "A: good"


def test_duplicate_titles_fall_back_to_numbers(tmp_path: Path) -> None:
    text = "::same::One?{T}\n\n::same::Two?{F}\n"
    assert [q["id"] for q in questions(convert(tmp_path, text))] == ["same", "q0002"]


def test_equal_short_answers_are_kept_once(tmp_path: Path) -> None:
    [q] = questions(convert(tmp_path, "The capital is ____.{=Beijing =beijing =ＢＥＩＪＩＮＧ}\n"))
    assert q["answer"] == ["Beijing"]  # compared as the grader compares: NFKC, case-folded
    assert q["stem"] == "The capital is ____."  # the author's own blank is used, nothing appended


# --- what is skipped, and why -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Pick one.{~a ~b ~c}", "gift_no_right_answer"),
        ("Pick one.{=a =b ~c}", "gift_several_right"),
        ("Pick all.{~%-50%a ~%0%b}", "gift_no_right_answer"),
        ("Only one option.{=a}", None),  # all "=": a short answer, not a choice
        ("One option.{~a}", "gift_too_few_options"),
        ("Empty option.{=a ~}", "gift_empty_option"),
        ("Nine.{=1 ~2 ~3 ~4 ~5 ~6 ~7 ~8 ~9}", "gift_too_many_options"),
        ("Open brace {=a", "gift_braces"),
        ("Closing first } then {=a}", "gift_braces"),
        ("Two {=a} blocks {=b}.", "gift_several_answer_blocks"),
        ("{=a =b}", "gift_empty_stem"),
        ("Garbage in the block {oops =a}", "gift_answer_unreadable"),
        ("Two blanks ____ and ____ {=a}", "gift_blank_count"),
        ("Empty answer {= =b}", "gift_empty_answer"),
    ],
)
def test_skipped_with_reason(tmp_path: Path, text: str, code: str | None) -> None:
    conversion = convert(tmp_path, f"// comment line\n{text}\n")
    if code is None:
        assert conversion.converted == 1 and conversion.skipped == 0
    else:
        assert conversion.converted == 0
        assert notes(conversion) == [("line 2", code, True)]


def test_multiple_with_one_scoring_option_becomes_single(tmp_path: Path) -> None:
    conversion = convert(tmp_path, "Pick.{~%100%a ~%-100%b ~c}\n")
    [q] = questions(conversion)
    assert q["type"] == "single" and q["answer"] == "A"
    assert notes(conversion) == [("line 1", "gift_single_from_multiple", False)]


def test_unequal_weights_are_reported(tmp_path: Path) -> None:
    conversion = convert(tmp_path, "Pick.{~%70%a ~%30%b ~c}\n")
    assert questions(conversion)[0]["answer"] == ["A", "B"]
    assert notes(conversion) == [("line 1", "gift_weights_dropped", False)]


def test_partial_short_answer_is_dropped_and_reported(tmp_path: Path) -> None:
    conversion = convert(tmp_path, "Capital of China is {=Beijing =%50%Peking} today.\n")
    assert questions(conversion)[0]["answer"] == ["Beijing"]
    assert notes(conversion) == [("line 1", "gift_partial_credit_dropped", False)]


# --- files that cannot be converted at all ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code", "location"),
    [
        (b"", "text_empty", "line 1"),
        (b"  \n\n\t\n", "text_empty", "line 1"),
        ("// only a comment\n\n$CATEGORY: top/空\n".encode(), "gift_no_questions", "line 1"),
        ("第一行\n第二行{=答案}\n".encode("gbk"), "text_not_utf8", "line 1"),
        (b"fine line\n\nsecond \xff{T}\n", "text_not_utf8", "line 3"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, code: str, location: str) -> None:
    with pytest.raises(UnreadableSource) as caught:
        gift.convert(write(tmp_path, content, "bad.gift"), builder=new_builder())
    assert (caught.value.location, caught.value.code) == (location, code)


def test_random_files_convert_or_are_refused(tmp_path: Path) -> None:
    check_never_raises(gift.convert, tmp_path, examples=300)
