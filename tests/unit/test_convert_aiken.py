"""Aiken → bank: Moodle's documented form (our own examples), the Chinese variants (A、 A． 答案：),
multi-line stems, several right answers, and every malformed question skipped with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from exam_tui.formats.convert import aiken
from exam_tui.formats.convert.common import Conversion, UnreadableSource
from tests.unit.convert_text_support import check_never_raises, new_builder, notes, questions, run, write


def convert(tmp_path: Path, text: str | bytes) -> Conversion:
    return run(aiken.convert, write(tmp_path, text, "questions.txt"))


DOCUMENTED = """\
Which body supervises all public officials who exercise public power?
A. The audit office
B. The supervisory commissions
C. The courts
D. The procuratorates
ANSWER: B

Gifts above the limit must be handed in within how many days?
A) 7
B) 14
C) 30
ANSWER: C
"""


def test_documented_form(tmp_path: Path) -> None:
    conversion = convert(tmp_path, DOCUMENTED)
    assert notes(conversion) == []
    first, second = questions(conversion)
    assert first == {
        "id": "q0001",
        "type": "single",
        "category": "cat-1",
        "stem": "Which body supervises all public officials who exercise public power?",
        "options": {
            "A": "The audit office",
            "B": "The supervisory commissions",
            "C": "The courts",
            "D": "The procuratorates",
        },
        "answer": "B",
    }
    assert second["options"] == {"A": "7", "B": "14", "C": "30"} and second["answer"] == "C"
    assert conversion.bank["categories"] == [{"id": "cat-1", "title": "综合"}]  # the builder's default


CHINESE = """\
《中国共产党纪律处分条例》规定的党纪处分有几种？
A、三种
B、四种
C、五种
D、六种
答案：C
解析：警告、严重警告、撤销党内职务、留党察看、开除党籍。

下列属于党纪处分种类的有（　　）。
Ａ．警告
Ｂ．记过
Ｃ．留党察看
Ｄ．开除党籍
答案：ＡＣＤ

某干部在下列哪种情形下
应当主动报告？
A. 收受礼金
B. 亲属经商办企业，
   且与本人管辖业务有关
C. 参加单位团建
ANSWER: A、B
"""


def test_chinese_variants(tmp_path: Path) -> None:
    conversion = convert(tmp_path, CHINESE)
    assert notes(conversion) == []
    single, multiple, wrapped = questions(conversion)
    assert single["options"] == {"A": "三种", "B": "四种", "C": "五种", "D": "六种"}
    assert single["answer"] == "C"
    assert single["explanation"] == "警告、严重警告、撤销党内职务、留党察看、开除党籍。"
    # Full-width letters and marks; full-width answer letters name several options.
    assert multiple["type"] == "multiple"
    assert multiple["options"] == {"A": "警告", "B": "记过", "C": "留党察看", "D": "开除党籍"}
    assert multiple["answer"] == ["A", "C", "D"]
    # A stem over two lines keeps its break; a wrapped option is joined without a space in Chinese.
    assert wrapped["stem"] == "某干部在下列哪种情形下\n应当主动报告？"
    assert wrapped["options"]["B"] == "亲属经商办企业，且与本人管辖业务有关"
    assert wrapped["answer"] == ["A", "B"]


def test_questions_may_follow_without_blank_lines_and_options_out_of_order(tmp_path: Path) -> None:
    text = "First?\nA. one\nC. three\nB. two\nANSWER: c\nSecond?\nA. yes\nB. no\nANSWER: B\n"
    first, second = questions(convert(tmp_path, text))
    assert first["options"] == {"A": "one", "B": "two", "C": "three"} and first["answer"] == "C"
    assert second["stem"] == "Second?" and second["answer"] == "B"


def test_abbreviations_are_not_options(tmp_path: Path) -> None:
    text = "A.B. Smith asked:\nWhich law applies?\nA. The U.S. law\nB. None\nANSWER: B\n"
    [q] = questions(convert(tmp_path, text))
    assert q["stem"] == "A.B. Smith asked:\nWhich law applies?"
    assert q["options"] == {"A": "The U.S. law", "B": "None"}


MALFORMED = """\
No answer line here.
A. one
B. two

Answer not an option?
A. one
B. two
ANSWER: E

Only one option?
A. only
ANSWER: A

Letters twice?
A. one
B. two
B. again
ANSWER: A

Letters with a gap?
A. one
B. two
D. four
ANSWER: A

Empty option?
A.
B. two
ANSWER: B

Answer not letters?
A. one
B. two
ANSWER: 1

A. options without a stem
B. two
ANSWER: A

ANSWER: B

Nine options?
A. 1
B. 2
C. 3
D. 4
E. 5
F. 6
G. 7
H. 8
I. 9
ANSWER: A

Still fine after all that?
A. yes
B. no
ANSWER: A
EXPLANATION: Every other question above is skipped.
"""


def test_malformed_questions_are_skipped_with_line_and_reason(tmp_path: Path) -> None:
    conversion = convert(tmp_path, MALFORMED)
    assert notes(conversion) == [
        ("line 1", "aiken_no_answer", True),
        ("line 5", "aiken_answer_not_option", True),
        ("line 10", "aiken_too_few_options", True),
        ("line 14", "aiken_duplicate_letter", True),
        ("line 20", "aiken_letters_gap", True),
        ("line 26", "aiken_empty_option", True),
        ("line 31", "aiken_bad_answer", True),
        ("line 36", "aiken_empty_stem", True),
        ("line 40", "aiken_stray_answer", True),
        ("line 42", "aiken_too_many_options", True),
    ]
    params = {n.code.removeprefix(""): n.params for n in conversion.notes}
    assert params["aiken_answer_not_option"] == {"letter": "E", "letters": "AB"}
    assert params["aiken_duplicate_letter"] == {"letter": "B"}
    assert params["aiken_letters_gap"] == {"letters": "ABD"}
    assert params["aiken_bad_answer"] == {"value": "1"}
    [q] = questions(conversion)
    assert q["stem"] == "Still fine after all that?"
    assert q["explanation"] == "Every other question above is skipped."


def test_missing_answer_at_the_end_of_the_file(tmp_path: Path) -> None:
    conversion = convert(tmp_path, "Fine?\nA. yes\nB. no\nANSWER: A\n\nLast one?\nA. x\nB. y")
    assert len(questions(conversion)) == 1
    assert notes(conversion) == [("line 6", "aiken_no_answer", True)]


def test_explanation_of_a_skipped_question_is_dropped_with_it(tmp_path: Path) -> None:
    text = "Bad?\nA. x\nANSWER: A\n解析：不应挂到别的题上。\n\nGood?\nA. x\nB. y\nANSWER: B\n"
    conversion = convert(tmp_path, text)
    [q] = questions(conversion)
    assert q["stem"] == "Good?" and "explanation" not in q
    assert notes(conversion) == [("line 1", "aiken_too_few_options", True)]


def test_crlf_and_bom(tmp_path: Path) -> None:
    text = "\ufeff问题一？\r\nA．是\r\nB．否\r\n答案：A\r\n"
    [q] = questions(convert(tmp_path, text.encode("utf-8")))
    assert q["stem"] == "问题一？" and q["options"] == {"A": "是", "B": "否"}


@pytest.mark.parametrize(
    ("content", "code", "location"),
    [
        (b"", "text_empty", "line 1"),
        (b"\r\n  \r\n", "text_empty", "line 1"),
        ("题目？\nA、是\nB、否\n答案：A\n".encode("gb18030"), "text_not_utf8", "line 1"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, code: str, location: str) -> None:
    with pytest.raises(UnreadableSource) as caught:
        aiken.convert(write(tmp_path, content, "bad.txt"), builder=new_builder())
    assert (caught.value.location, caught.value.code) == (location, code)


def test_random_files_convert_or_are_refused(tmp_path: Path) -> None:
    check_never_raises(aiken.convert, tmp_path, examples=300)


def test_a_file_that_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    for path in (tmp_path / "missing.txt", tmp_path / "folder.txt", tmp_path / "nul\0name.txt"):
        with pytest.raises(UnreadableSource) as caught:
            aiken.convert(path, builder=new_builder())
        assert caught.value.code == "text_unreadable" and caught.value.params["detail"]
