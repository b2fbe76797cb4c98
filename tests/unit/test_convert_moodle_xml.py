"""Moodle XML → bank: every question type Moodle exports, what is skipped and why, hostile files."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exam_tui.formats.convert.common import BankBuilder, Conversion, UnreadableSource, bank_yaml
from exam_tui.formats.convert.html_text import html_to_text
from exam_tui.formats.convert.moodle_xml import convert
from exam_tui.formats.yaml_bank import check_bank_text
from exam_tui.i18n import set_language, t
from tests.conftest import shared_samples


def samples_folder() -> Path | None:
    folder = shared_samples() / "moodle-xml"
    return folder if folder.is_dir() else None


def run(path: Path) -> Conversion:
    conv = convert(path, builder=BankBuilder(slug="moodle", title="Moodle 题库", default_category="未分类"))
    if conv.bank["questions"]:
        # Every converted bank is one the system accepts as it is.
        checked = check_bank_text(path, bank_yaml(conv.bank).encode())
        assert checked.problems == (), checked.problems
    try:
        for note in conv.notes:
            # Every note reads in both languages with the parameters it carries.
            for language in ("zh", "en"):
                set_language(language)
                assert "{" not in t("convert.note." + note.code, **note.params)
    finally:
        set_language("zh")
    return conv


def write(tmp_path: Path, body: str, name: str = "quiz.xml") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{body}\n</quiz>\n', encoding="utf-8")
    return path


def question(kind: str, text: str, rest: str = "", *, name: str = "", fmt: str = "html") -> str:
    return f"""<question type="{kind}">
<name><text>{name}</text></name>
<questiontext format="{fmt}"><text><![CDATA[{text}]]></text></questiontext>
{rest}
</question>"""


def answer(fraction: float, text: str, feedback: str = "") -> str:
    return (
        f'<answer fraction="{fraction}" format="html"><text><![CDATA[{text}]]></text>'
        f"<feedback><text><![CDATA[{feedback}]]></text></feedback></answer>"
    )


def category(path: str) -> str:
    return f'<question type="category"><category><text>{path}</text></category></question>'


def notes(conv: Conversion) -> list[tuple[str, str, bool]]:
    return [(n.location, n.code.removeprefix(""), n.skipped) for n in conv.notes]


def by_stem(conv: Conversion) -> dict[str, dict[str, Any]]:
    return {q["stem"]: q for q in conv.bank["questions"]}


# ---- Moodle's own reference exports -------------------------------------------------------------------


def test_the_moodle_reference_samples_convert() -> None:
    folder = samples_folder()
    if folder is None:
        pytest.skip("shared/samples/moodle-xml is not beside this checkout")
    choice = run(folder / "multiple-choiceRef.xml")
    assert [(q["type"], q["answer"], q["options"]["A"]) for q in choice.bank["questions"]] == [
        ("single", "A", "Correct answer 1"),
        ("single", "A", "Correct answer"),
    ]
    extended = choice.bank["questions"][1]
    assert extended["explanation"] == (
        "General feedback\nA: Feedback for option 1\nB: Feedback for option 2\nC: Feedback for option 3"
    )
    assert extended["points"] == 1
    # Both are named "Question title": the first keeps the name, the second gets a number.
    assert [q["id"] for q in choice.bank["questions"]] == ["question-title", "q0002"]
    # The 50% option cannot be half right in a single choice: said, not silently dropped.
    assert notes(choice) == [("question 2 (line 52)", "moodle_partial_dropped", False)]
    assert choice.notes[0].params == {"fractions": "50%"}
    assert (choice.converted, choice.skipped, choice.altered) == (2, 0, 1)

    truth = run(folder / "true-falseRef.xml")
    assert [(q["stem"], q["answer"]) for q in truth.bank["questions"]] == [
        ("Complete question", False),
        ("Minimal true question", True),
        ("Minimal false question", False),
    ]
    assert (
        truth.bank["questions"][0]["explanation"]
        == "General feedback\n√: Wrong feedback\n×: Correct feedback"
    )
    assert truth.notes == []


# ---- every type, in Chinese, with categories ----------------------------------------------------------

FULL_QUIZ = "\n".join(
    [
        category("$course$/top/廉政法规/纪律处分条例"),
        question(
            "multichoice",
            "<p>《中国共产党纪律处分条例》规定的党纪处分有几种?</p>",
            "<defaultgrade>2.0000000</defaultgrade><single>true</single>"
            "<shuffleanswers>0</shuffleanswers>"
            "<generalfeedback format='html'><text>&lt;p&gt;警告、严重警告、撤销党内职务、留党察看、开除党籍。&lt;/p&gt;"
            "</text></generalfeedback>"
            "<tags><tag><text>条例</text></tag><tag><text>处分</text></tag><tag><text>条例</text></tag></tags>"
            + answer(0, "三种")
            + answer(0, "四种")
            + answer(100, "五种", "正确")
            + answer(0, "六种"),
            name="dr-0001",
        ),
        question(
            "multichoice",
            "下列属于党纪处分种类的有:",
            "<single>false</single><shuffleanswers>1</shuffleanswers>"
            + answer(33.33333, "警告")
            + answer(-100, "记过")
            + answer(33.33333, "留党察看")
            + answer(33.33334, "开除党籍"),
        ),
        category("$system$/top/监察法"),
        question(
            "truefalse",
            "监察机关对所有行使公权力的公职人员进行监察。",
            answer(100, "true", "《监察法》第一条") + answer(0, "false"),
        ),
        question(
            "shortanswer",
            "留党察看的期限最长为____。",
            "<usecase>0</usecase>" + answer(100, "二年") + answer(100, "两年") + answer(100, "2年"),
        ),
        question("shortanswer", "监察委员会由哪一级人大产生?", answer(100, "本级人民代表大会")),
        question(
            "essay",
            "简述监察机关的三项主要职责。",
            "<defaultgrade>10</defaultgrade><graderinfo format='html'><text>&lt;p&gt;监督、调查、处置各占三分。"
            "&lt;/p&gt;</text></graderinfo>",
        ),
        category("$course$/top"),
        question("matching", "将条例与内容配对。"),
        question("numerical", "党纪处分共有几种?", answer(100, "5")),
        question("multianswer", "{1:SHORTANSWER:=监督} 是监察机关的第一职责。"),
        question("ddwtos", "拖放填空"),
        question("calculated", "计算题 {a} + {b}"),
        question("description", "以下为第二部分。"),
    ]
)


def test_every_type_converts_or_is_skipped_by_name(tmp_path: Path) -> None:
    conv = run(write(tmp_path, FULL_QUIZ))
    questions = by_stem(conv)
    assert conv.bank["categories"] == [
        {"id": "cat-1", "title": "廉政法规 / 纪律处分条例"},
        {"id": "cat-2", "title": "监察法"},
    ]

    single = questions["《中国共产党纪律处分条例》规定的党纪处分有几种?"]
    assert single == {
        "id": "dr-0001",
        "type": "single",
        "category": "cat-1",
        "points": 2,
        "stem": "《中国共产党纪律处分条例》规定的党纪处分有几种?",
        "options": {"A": "三种", "B": "四种", "C": "五种", "D": "六种"},
        "answer": "C",
        "explanation": "警告、严重警告、撤销党内职务、留党察看、开除党籍。\nC: 正确",
        "tags": ["条例", "处分"],
        "shuffle_options": False,
    }
    multiple = questions["下列属于党纪处分种类的有:"]
    assert (multiple["type"], multiple["answer"], multiple["category"]) == (
        "multiple",
        ["A", "C", "D"],
        "cat-1",
    )
    assert "shuffle_options" not in multiple  # shuffled, the bank's default

    truth = questions["监察机关对所有行使公权力的公职人员进行监察。"]
    assert (truth["type"], truth["answer"], truth["category"]) == ("true_false", True, "cat-2")
    assert truth["explanation"] == "√: 《监察法》第一条"

    fill = questions["留党察看的期限最长为____。"]
    assert (fill["type"], fill["answer"]) == ("fill_blank", [["二年", "两年", "2年"]])
    appended = questions["监察委员会由哪一级人大产生? ____"]
    assert appended["answer"] == ["本级人民代表大会"]

    essay = questions["简述监察机关的三项主要职责。"]
    assert (essay["type"], essay["rubric"], essay["points"]) == (
        "short_answer",
        "监督、调查、处置各占三分。",
        10,
    )

    assert notes(conv) == [
        ("question 5 (line 25)", "moodle_blank_added", False),
        ("question 7 (line 36)", "moodle_unsupported_type", True),
        ("question 8 (line 41)", "moodle_unsupported_type", True),
        ("question 9 (line 46)", "moodle_unsupported_type", True),
        ("question 10 (line 51)", "moodle_unsupported_type", True),
        ("question 11 (line 56)", "moodle_unsupported_type", True),
        ("question 12 (line 61)", "moodle_unsupported_type", True),
    ]
    skipped_types = [n.params["moodle_type"] for n in conv.notes if n.skipped]
    assert skipped_types == ["matching", "numerical", "multianswer", "ddwtos", "calculated", "description"]
    assert (conv.converted, conv.skipped, conv.altered) == (6, 6, 1)
    assert "matching" in t("convert.note." + conv.notes[1].code, **conv.notes[1].params)


def test_locations_name_the_line_of_the_question_tag(tmp_path: Path) -> None:
    path = write(tmp_path, FULL_QUIZ)
    lines = path.read_text(encoding="utf-8").splitlines()
    for note in run(path).notes:
        line = int(note.location.rsplit("line ", 1)[1].rstrip(")"))
        assert lines[line - 1].startswith("<question type=")


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("$course$/top/廉政法规/纪律处分条例", "廉政法规 / 纪律处分条例"),
        ("$system$/top/监察法", "监察法"),
        ("$course$/Default for 廉政课", "Default for 廉政课"),  # exports from before Moodle 3.5: no "top"
        ("$module$/top/Default for 测验", "Default for 测验"),
        ("$course$/top/法规//制度/第一章", "法规/制度 / 第一章"),  # "//" is a slash inside a name
        ("$course$/top", None),
        ("$course$/top/&lt;span lang='zh_cn' class='multilang'&gt;监察法&lt;//span&gt;", "监察法"),
        ("top", None),
        ("监察法/第一章", "监察法 / 第一章"),
    ],
)
def test_category_paths_become_titles(tmp_path: Path, path: str, title: str | None) -> None:
    conv = run(write(tmp_path, category(path) + question("truefalse", "题", answer(100, "true"))))
    assert [c["title"] for c in conv.bank["categories"]] == [title or "未分类"]


def test_questions_before_any_category_go_to_the_default(tmp_path: Path) -> None:
    body = (
        question("truefalse", "甲", answer(100, "false"))
        + category("$course$/top/乙类")
        + question("truefalse", "乙", answer(100, "true"))
    )
    conv = run(write(tmp_path, body))
    assert [(q["stem"], q["category"]) for q in conv.bank["questions"]] == [("甲", "cat-1"), ("乙", "cat-2")]
    assert conv.bank["categories"] == [{"id": "cat-1", "title": "未分类"}, {"id": "cat-2", "title": "乙类"}]


def test_moodle_import_defaults_are_followed(tmp_path: Path) -> None:
    # What Moodle's own importer assumes when a tag is missing: single choice, options in the order
    # written, question text in HTML, feedback in the question text's format.
    body = "\n".join(
        [
            "<question type='multichoice'><questiontext><text>&lt;b&gt;默认&lt;/b&gt;单选</text></questiontext>"
            + answer(100, "甲")
            + answer(0, "乙")
            + "</question>",
            question(
                "truefalse",
                "纯文本 <题干>",
                "<generalfeedback><text><![CDATA[见 <第一条>]]></text></generalfeedback>"
                + answer(100, "true"),
                fmt="plain_text",
            ),
        ]
    )
    q = by_stem(run(write(tmp_path, body)))
    assert (q["默认单选"]["type"], q["默认单选"]["shuffle_options"]) == ("single", False)
    assert q["纯文本 <题干>"]["explanation"] == "见 <第一条>"


def test_short_answers_and_true_false_labels_are_plain_text(tmp_path: Path) -> None:
    body = "\n".join(
        [
            question("shortanswer", "比较:3 ____ 5", answer(100, "<b>")),
            # Before Moodle 2.0 the labels were translated; Moodle then reads them as true, false.
            question("truefalse", "旧格式的判断题", answer(0, "正确") + answer(100, "错误", "见条例")),
        ]
    )
    q = by_stem(run(write(tmp_path, body)))
    assert q["比较:3 ____ 5"]["answer"] == ["<b>"]
    assert (q["旧格式的判断题"]["answer"], q["旧格式的判断题"]["explanation"]) == (False, "×: 见条例")


def test_essays_answered_by_upload(tmp_path: Path) -> None:
    rubric = "<graderinfo><text>要点</text></graderinfo>"
    body = "\n".join(
        [
            question(
                "essay",
                "上传心得体会",
                f"<responseformat>noinline</responseformat><attachments>1</attachments>{rubric}",
            ),
            question(
                "essay",
                "撰写心得体会",
                f"<responseformat>editor</responseformat><attachments>-1</attachments>{rubric}",
            ),
        ]
    )
    conv = run(write(tmp_path, body))
    assert [q["stem"] for q in conv.bank["questions"]] == ["撰写心得体会"]
    assert [code for _, code, _ in notes(conv)] == ["moodle_essay_upload_only", "moodle_essay_upload_dropped"]


# ---- HTML ---------------------------------------------------------------------------------------------


def test_html_becomes_readable_text(tmp_path: Path) -> None:
    html = (
        "<p>根据《监察法》,下列说法&nbsp;<strong>正确</strong>的是&hellip;</p>"
        "<ul><li>监察机关&amp;纪委合署办公</li><li><p>对象包括&lt;公职人员&gt;</p></li></ul>"
        '<ol start="3"><li>第三项<ol><li>其中一点</li></ol></li><li>第四项</li></ol>'
        "第一行<br>第二行<br/>第三行 &#x4E2D;&#20013;"
    )
    conv = run(write(tmp_path, question("essay", html, "<graderinfo><text>要点</text></graderinfo>")))
    assert conv.bank["questions"][0]["stem"] == (
        "根据《监察法》,下列说法 正确的是…\n"
        "• 监察机关&纪委合署办公\n"
        "• 对象包括<公职人员>\n"
        "3. 第三项\n"
        "  1. 其中一点\n"
        "4. 第四项\n"
        "第一行\n第二行\n第三行 中中"
    )
    # A multi-line stem is written as a block scalar, as a person would.
    assert "stem: |-\n" in bank_yaml(conv.bank)


def test_text_formats_other_than_html(tmp_path: Path) -> None:
    body = "\n".join(
        [
            question("truefalse", "第一行\n第二行 <b>粗</b>", answer(100, "true"), fmt="moodle_auto_format"),
            question("truefalse", "a < b & c", answer(100, "true"), fmt="plain_text"),
            question("truefalse", "**监察法** 第一条", answer(100, "false"), fmt="markdown"),
        ]
    )
    assert [q["stem"] for q in run(write(tmp_path, body)).bank["questions"]] == [
        "第一行\n第二行 粗",
        "a < b & c",
        "**监察法** 第一条",
    ]


def test_html_flattening_details() -> None:
    table = html_to_text(
        "<table><tr><th>处分</th><th>期限</th></tr><tr><td>留党察看</td><td>二年</td></tr></table>"
    )
    assert table.text == "处分 | 期限\n留党察看 | 二年"
    assert html_to_text("<p>a<script>alert(1)</script><style>p{}</style>b</p>").text == "ab"
    assert html_to_text("<pre>  缩进\n    保留</pre>").text == "  缩进\n    保留"
    assert html_to_text('看图:<img src="x.png" alt="图">').media == ("img",)
    # Text without markup follows HTML's white space rules too (a newline in the source is a space).
    assert html_to_text("  没有\n标记   的文字 ") == html_to_text("<p>没有\n标记   的文字</p>")
    assert html_to_text("").text == ""
    # Broken "<![" made Python 3.11's HTML parser raise AssertionError (found by fuzzing).
    assert html_to_text("a<![CDdback x]>b").text == "ab"
    assert html_to_text("<p>a<![CDATA[<b>c</b>]]>d</p>").text == "a<b>c</b>d"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/![]&;#x-=\"' \nabpliuoe题CDAT")), max_size=60))
def test_html_flattening_never_raises(html: str) -> None:
    flat = html_to_text(html)
    # Never an empty line or trailing blanks (a <pre> keeps its indentation, so not strip()).
    assert all(line.strip() and line == line.rstrip() for line in flat.text.splitlines())


# ---- images -------------------------------------------------------------------------------------------


def test_images_skip_the_question_or_are_left_out_of_the_feedback(tmp_path: Path) -> None:
    picture = '<img src="@@PLUGINFILE@@/chart.png" alt="组织结构图">'
    body = "\n".join(
        [
            question("truefalse", f"<p>根据下图判断:</p>{picture}", answer(100, "true")),
            question(
                "multichoice",
                "哪一个是正确的标志?",
                answer(100, '<img src="data:image/png;base64,AAAA">') + answer(0, "以上都不是"),
            ),
            # Moodle 2+ ships a question's files as <file> elements beside its text.
            '<question type="truefalse"><questiontext format="html"><text>附件中的文件</text>'
            '<file name="a.png" path="/" encoding="base64">AAAA</file></questiontext>'
            + answer(100, "true")
            + "</question>",
            question(
                "multichoice",
                "选出正确项",
                answer(100, '<a href="@@PLUGINFILE@@/doc.pdf">文件</a>') + answer(0, "乙"),
            ),
            # Before Moodle 2.0 a question's picture came in tags of its own.
            question(
                "truefalse",
                "旧式图片",
                "<image>a.png</image><image_base64>AAAA</image_base64>" + answer(100, "true"),
            ),
            question(
                "truefalse",
                "纪律处分条例自发布之日起施行。",
                f"<generalfeedback><text><![CDATA[<p>见第一条</p>{picture}]]></text></generalfeedback>"
                + answer(100, "true"),
            ),
        ]
    )
    conv = run(write(tmp_path, body))
    assert [code for _, code, _ in notes(conv)] == [
        "moodle_image",
        "moodle_image_option",
        "moodle_image",
        "moodle_image_option",
        "moodle_image",
        "moodle_image_feedback",
    ]
    assert [n.skipped for n in conv.notes] == [True, True, True, True, True, False]
    assert conv.notes[1].params == {"option": 1}
    (kept,) = conv.bank["questions"]
    assert kept["explanation"] == "见第一条"


# ---- answers that do not fit --------------------------------------------------------------------------


def test_missing_and_ambiguous_answers_are_skipped(tmp_path: Path) -> None:
    body = "\n".join(
        [
            question("multichoice", "没有选项"),
            question("multichoice", "没有正确答案", answer(50, "甲") + answer(0, "乙")),
            question("multichoice", "两个全对", answer(100, "甲") + answer(100, "乙") + answer(0, "丙")),
            question("multichoice", "只有一个选项", answer(100, "甲")),
            question(
                "multichoice", "九个选项", "".join(answer(100 if i == 0 else 0, f"选项{i}") for i in range(9))
            ),
            question("truefalse", "判断无答案", answer(0, "true") + answer(0, "false")),
            question("shortanswer", "只有部分分____", answer(50, "大概")),
            question("shortanswer", "通配____", answer(100, "监察*")),
            question("shortanswer", "两处空____和____", answer(100, "甲")),
            question("multichoice", "分值不是数字", '<answer fraction="abc"><text>甲</text></answer>'),
            question("multichoice", "分值无穷大", '<answer fraction="inf"><text>甲</text></answer>'),
            question("multichoice", "   ", answer(100, "甲") + answer(0, "乙")),
            question("essay", "无评分要点"),
            question("", "没有题型"),
        ]
    )
    conv = run(write(tmp_path, body))
    assert conv.bank["questions"] == []
    assert [(code, n.params) for (_, code, _), n in zip(notes(conv), conv.notes, strict=True)] == [
        ("moodle_no_answers", {}),
        ("moodle_no_right_answer", {}),
        ("moodle_single_many_right", {"count": 2}),
        ("moodle_option_count", {"count": 1}),
        ("moodle_option_count", {"count": 9}),
        ("moodle_no_right_answer", {}),
        ("moodle_no_right_answer", {}),
        ("moodle_wildcard_only", {"answers": "监察*"}),
        ("moodle_many_blanks", {"count": 2}),
        ("moodle_bad_fraction", {"fraction": "abc"}),
        ("moodle_bad_fraction", {"fraction": "inf"}),
        ("moodle_empty_stem", {}),
        ("moodle_essay_no_rubric", {}),
        ("moodle_unsupported_type", {"moodle_type": "?"}),
    ]
    assert conv.skipped == 14


def test_altered_questions_say_what_changed(tmp_path: Path) -> None:
    body = "\n".join(
        [
            question(
                "multichoice",
                "多选只有一个对",
                "<single>false</single>" + answer(100, "甲") + answer(0, "乙"),
            ),
            question(
                "multichoice",
                "权重不同",
                "<single>false</single>" + answer(60, "甲") + answer(40, "乙") + answer(-100, "丙"),
            ),
            question(
                "shortanswer",
                "填空____",
                "<usecase>1</usecase>" + answer(100, "ABC") + answer(100, "A*") + answer(100, "A\\*B"),
            ),
            question(
                "essay",
                "论述题",
                "<defaultgrade>0</defaultgrade><generalfeedback><text>参考答案</text></generalfeedback>",
            ),
        ]
    )
    conv = run(write(tmp_path, body))
    q = by_stem(conv)
    assert (q["多选只有一个对"]["type"], q["多选只有一个对"]["answer"]) == ("single", "A")
    assert (q["权重不同"]["type"], q["权重不同"]["answer"]) == ("multiple", ["A", "B"])
    assert q["填空____"]["answer"] == [["ABC", "A*B"]]  # \* is Moodle's literal star
    assert q["论述题"]["rubric"] == "参考答案"
    assert "points" not in q["论述题"]
    assert [(code, n.params) for (_, code, _), n in zip(notes(conv), conv.notes, strict=True)] == [
        ("moodle_multiple_one_right", {}),
        ("moodle_weights_dropped", {"fractions": "60%, 40%"}),
        ("moodle_wildcard_dropped", {"answers": "A*"}),
        ("moodle_case_ignored", {}),
        ("moodle_rubric_from_feedback", {}),
        ("moodle_points_dropped", {"points": "0"}),
    ]
    assert not any(n.skipped for n in conv.notes)
    assert conv.altered == 4


def test_duplicate_options(tmp_path: Path) -> None:
    body = "\n".join(
        [
            question(
                "multichoice", "重复的错项", answer(100, "甲") + answer(0, "乙") + answer(0, "<p>乙</p>")
            ),
            question("multichoice", "一对一错", answer(100, "甲") + answer(0, "甲") + answer(0, "乙")),
            question(
                "shortanswer",
                "重复的答案____",
                answer(100, "二年") + answer(100, "二 年") + answer(100, "２年"),
            ),
        ]
    )
    conv = run(write(tmp_path, body))
    q = by_stem(conv)
    assert q["重复的错项"]["options"] == {"A": "甲", "B": "乙"}
    # Answers the marking would treat as one (white space, full width) are one alternative.
    assert q["重复的答案____"]["answer"] == [["二年", "２年"]]
    assert notes(conv) == [
        ("question 1 (line 3)", "moodle_duplicate_option", False),
        ("question 2 (line 8)", "moodle_duplicate_option_conflict", True),
    ]


# ---- files that cannot be read ------------------------------------------------------------------------


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<quiz>\n<question type='truefalse'>\n<name><text>x</name>\n</question>\n</quiz>\n")
    with pytest.raises(UnreadableSource) as caught:
        convert(path, builder=BankBuilder(slug="b", title="B", default_category="C"))
    assert caught.value.location == "line 3"
    assert caught.value.code == "moodle_not_xml"
    assert caught.value.params["line"] == 3
    assert "mismatched tag" in t("convert.note." + caught.value.code, **caught.value.params)


@pytest.mark.parametrize(
    ("raw", "code", "location"),
    [
        (b"", "moodle_not_xml", "line 1"),
        (b'<?xml version="1.0"?>\n<html><body/></html>', "moodle_not_quiz", "line 2"),
        ("<quiz>题</quiz>".encode("gb18030"), "moodle_not_xml", "line 1"),
        (b'<?xml version="1.0" encoding="UTF8-BOM"?>\n<quiz/>', "moodle_encoding", "line 1"),
        ('<?xml version="1.0" encoding="GBK"?>\n<quiz>\n题</quiz>'.encode(), "moodle_bad_bytes", "line 3"),
    ],
)
def test_files_that_are_not_moodle_xml(tmp_path: Path, raw: bytes, code: str, location: str) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(raw)
    with pytest.raises(UnreadableSource) as caught:
        convert(path, builder=BankBuilder(slug="b", title="B", default_category="C"))
    assert (caught.value.code, caught.value.location) == ("" + code, location)
    assert t("convert.note." + caught.value.code, **caught.value.params)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<quiz><question type="truefalse"><questiontext><text>&lol9;</text></questiontext></question></quiz>
"""


def test_an_xml_bomb_is_refused_before_anything_is_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_bytes(BILLION_LAUGHS)
    started = time.perf_counter()
    with pytest.raises(UnreadableSource) as caught:
        convert(path, builder=BankBuilder(slug="b", title="B", default_category="C"))
    assert time.perf_counter() - started < 1.0
    assert (caught.value.code, caught.value.location) == ("moodle_entities", "line 3")


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY s SYSTEM "{secret.as_uri()}">]>\n'
        '<quiz><question type="truefalse"><questiontext><text>&s;</text></questiontext>'
        '<answer fraction="100"><text>true</text></answer></question></quiz>',
        encoding="utf-8",
    )
    with pytest.raises(UnreadableSource) as caught:
        convert(path, builder=BankBuilder(slug="b", title="B", default_category="C"))
    assert caught.value.code == "moodle_entities"
    assert "机密" not in str(caught.value.params)


def test_a_file_saved_as_gbk_converts(tmp_path: Path) -> None:
    # Expat reads no multi-byte encoding but UTF-8 and UTF-16; a bank saved on a Chinese Windows
    # machine says encoding="GBK" and still converts, with its lines where they were.
    path = tmp_path / "gbk.xml"
    text = (
        '<?xml version="1.0" encoding="GBK"?>\n<quiz>\n'
        + question("truefalse", "监察机关是行使国家监察职能的专责机关。", answer(100, "true")).replace(
            'format="html"', ""
        )
        + "\n"
        + question("matching", "配对题")
        + "\n</quiz>\n"
    )
    path.write_bytes(text.encode("gbk"))
    conv = run(path)
    assert conv.bank["questions"][0]["stem"] == "监察机关是行使国家监察职能的专责机关。"
    assert [n.location for n in conv.notes] == ["question 2 (line 8)"]


@pytest.mark.parametrize("name", ["x\0y.xml", "folder.xml", "missing/x.xml"])
def test_a_name_that_cannot_be_read_is_unreadable(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder.xml").mkdir()
    with pytest.raises(UnreadableSource) as caught:
        convert(tmp_path / name, builder=BankBuilder(slug="b", title="B", default_category="C"))
    assert caught.value.code == "moodle_unreadable"
    assert t("convert.note." + caught.value.code, **caught.value.params)


# ---- any mix of questions converts into a bank the system accepts ---------------------------------------

TEXTS = st.sampled_from(
    ["", " ", "甲", "<p>乙</p>", "丙 ____", "____", "<ul><li>丁</li></ul>", "a<br>b", "&amp;", "*", "二 年", "２年",
     '<img src="x.png">', "@@PLUGINFILE@@/a.png", "<p> </p>", "true", "false", "　"]
)  # fmt: skip
FRACTIONS = st.sampled_from(["100", "50", "0", "-50", "33.33333", "66.66667", "x", "", "100.0000000"])


@st.composite
def moodle_question(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["multichoice", "truefalse", "shortanswer", "essay", "matching", "category"]))
    if kind == "category":
        return category(
            draw(st.sampled_from(["$course$/top/甲", "$course$/top", "$system$/top/乙//丙/丁", "top/甲"]))
        )
    answers = "".join(
        f'<answer fraction="{draw(FRACTIONS)}"><text><![CDATA[{draw(TEXTS)}]]></text>'
        f"<feedback><text><![CDATA[{draw(TEXTS)}]]></text></feedback></answer>"
        for _ in range(draw(st.integers(0, 10)))
    )
    extras = "".join(
        draw(
            st.lists(
                st.sampled_from(
                    [
                        "<single>false</single>",
                        "<single>true</single>",
                        "<shuffleanswers>1</shuffleanswers>",
                        "<usecase>1</usecase>",
                        "<defaultgrade>2.5</defaultgrade>",
                        "<defaultgrade>0</defaultgrade>",
                        "<defaultgrade>1e9</defaultgrade>",
                        "<graderinfo><text>要点</text></graderinfo>",
                        "<generalfeedback><text><![CDATA[<p>解析</p>]]></text></generalfeedback>",
                        "<tags><tag><text> 标签 </text></tag><tag><text></text></tag></tags>",
                    ]
                ),
                max_size=4,
            )
        )
    )
    name = draw(st.sampled_from(["", "dr-0001", "Question title", "题目"]))
    return question(
        kind, draw(TEXTS), extras + answers, name=name, fmt=draw(st.sampled_from(["html", "plain_text"]))
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(moodle_question(), max_size=12))
def test_any_mix_converts_to_a_valid_bank_or_says_why(tmp_path: Path, entries: list[str]) -> None:
    conv = run(write(tmp_path, "\n".join(entries)))  # run() validates the bank and renders every note
    real = [e for e in entries if 'type="category"' not in e]
    # Every real question is either converted or skipped with a note, never lost.
    assert conv.converted + conv.skipped == len(real)
    skipped = [n.location for n in conv.notes if n.skipped]
    assert len(skipped) == len(set(skipped)) == conv.skipped  # one reason per skipped question
    for note in conv.notes:
        match = re.fullmatch(r"question (\d+) \(line (\d+)\)", note.location)
        assert match is not None and 1 <= int(match[1]) <= len(real)
