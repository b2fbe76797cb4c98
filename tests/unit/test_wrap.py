"""CJK line breaking (tui.wrap): where lines break, hanging indents, and properties over any text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from exam_tui.domain.line_breaks import NO_LINE_END as NO_END
from exam_tui.domain.line_breaks import NO_LINE_START as NO_START
from exam_tui.tui.wrap import hang_of, line_spans, wrap_lines

STEM = "根据《中国共产党纪律处分条例》，对于严重违犯党纪、本身又不能纠正的党组织，由谁在查明核实后，根据情节严重的程度予以改组或者解散？"


def test_a_chinese_stem_breaks_between_characters_and_fills_each_line() -> None:
    lines = wrap_lines(STEM, 40)
    assert "".join(lines) == STEM
    assert all(cell_len(line) <= 40 for line in lines)
    assert all(cell_len(line) >= 38 for line in lines[:-1])  # no ragged gaps: a line is full to a mark


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        pytest.param("一二三四五，六七", 10, ["一二三四", "五，六七"], id="a-comma-takes-its-character-down"),
        pytest.param(
            "一二三四，六七八", 10, ["一二三四，", "六七八"], id="comma-at-the-margin-takes-its-character"
        ),
        pytest.param("一二三四“五六”", 10, ["一二三四", "“五六”"], id="opening-quote-goes-with-what-follows"),
        pytest.param(
            "甲乙丙丁“表示感谢”。", 12, ["甲乙丙丁“表", "示感谢”。"], id="an-opening-quote-never-ends-a-line"
        ),
        pytest.param("受贿50万元以上", 8, ["受贿50万", "元以上"], id="a-number-is-not-split"),
        pytest.param("see the word", 8, ["see the", "word"], id="latin-breaks-at-spaces"),
        pytest.param("abcdefghijkl", 5, ["abcde", "fghij", "kl"], id="a-word-longer-than-a-line-is-cut"),
        pytest.param("一\n\n二", 10, ["一", "", "二"], id="paragraphs-and-blank-lines-stay"),
        pytest.param("", 10, [""], id="empty"),
    ],
)
def test_breaks(text: str, width: int, expected: list[str]) -> None:
    assert wrap_lines(text, width, hang=0) == expected


def test_an_option_wraps_under_its_own_text_not_under_the_letter() -> None:
    option = "( ) A. 不再给予政务处分，但是可以对其立案调查；依法应当予以降级、撤职、开除的，应当按照规定相应调整其享受的待遇"
    lines = wrap_lines(option, 50, hang=7)
    assert lines[0].startswith("( ) A. 不再给予")  # the letter keeps its text (Textual alone leaves it alone)
    assert all(line.startswith(" " * 7) and not line[7].isspace() for line in lines[1:])
    assert all(cell_len(line) <= 50 for line in lines)


@pytest.mark.parametrize(
    ("text", "hang"),
    [
        pytest.param("1. 要点", 3, id="number-dot"),
        pytest.param("12、要点", 4, id="number-ideographic-comma"),
        pytest.param("（二）要点", 6, id="chinese-number-in-parentheses"),
        pytest.param("A. 选项", 3, id="letter"),
        pytest.param("一、要点", 4, id="chinese-number"),
        pytest.param("根据条例", 0, id="no-enumerator"),
        pytest.param("2026年", 0, id="a-year-is-no-enumerator"),
    ],
)
def test_hang_of(text: str, hang: int) -> None:
    assert hang_of(text) == hang


def test_rubric_points_hang_after_their_numbers() -> None:
    rubric = "1. 数额较大（2分）：贪污或者受贿数额在三万元以上不满二十万元。\n2. 其他较重情节（3分）：贪污数额一万元以上不满三万元。"
    lines = wrap_lines(rubric, 30)
    assert lines[0].startswith("1. ") and lines[1].startswith("   ") and not lines[1][3].isspace()
    second = next(i for i, line in enumerate(lines) if line.startswith("2. "))
    assert lines[second + 1].startswith("   ")


def test_a_hang_that_leaves_no_room_is_dropped() -> None:
    assert wrap_lines("( ) A. 一二三四五六", 12, hang=7) == ["( ) A. 一二", "三四五六"]


texts = st.text(
    alphabet=st.sampled_from(list("一二三四五六七八九十甲乙丙，。、；：？！“”（）《》ab 12")), max_size=120
)


@given(text=texts, width=st.integers(min_value=4, max_value=60))
def test_every_line_fits_and_no_character_is_lost(text: str, width: int) -> None:
    lines = wrap_lines(text, width, hang=0)
    assert all(cell_len(line) <= width for line in lines)
    # Only spaces at a break are dropped.
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


# Text as it is written: a character with at most one mark after it, an opening mark before one, a
# number, a space. (A run of marks wider than a line has to be cut somewhere; that is not prose.)
tokens = st.one_of(
    st.sampled_from(list("一二三四五六七八九十甲乙丙")),
    st.tuples(st.sampled_from(list("甲乙丙")), st.sampled_from(list("，。、；：？！”）》"))).map("".join),
    st.tuples(st.sampled_from(list("“（《")), st.sampled_from(list("甲乙丙"))).map("".join),
    st.sampled_from(["12", "3", " "]),
)
prose = st.lists(tokens, max_size=60).map("".join)


@given(text=prose, width=st.integers(min_value=8, max_value=60))
def test_no_line_but_the_first_starts_with_a_closing_mark_or_ends_with_an_opening_one(
    text: str, width: int
) -> None:
    spans = line_spans(text, width)
    for k, (start, end) in enumerate(spans):
        line = text[start:end]
        if not line:
            continue
        if k > 0:
            assert line[0] not in NO_START, (text, width, spans)
        if k < len(spans) - 1:
            assert line[-1] not in NO_END, (text, width, spans)


@pytest.mark.parametrize(
    "text",
    [
        "某县住建局副局长张某分管一项市政工程的招标评审工作，他发现自己亲弟弟经营的公司参与了投标。"
        "根据《公务员法》，张某正确的做法是：",
        "Integrity education 廉政教育 for officials（第八条）。",
        "遵守规定，坚决反对（形式主义）。～〖附〗",
    ],
)
def test_the_screen_and_the_pdf_break_a_stem_in_the_same_places(text: str) -> None:
    # One set of rules (domain.line_breaks): at the same width in cells, the same lines.
    from exam_tui.formats.pdf_report import break_lines

    for width in range(6, 60):
        assert wrap_lines(text, width, hang=0) == break_lines(text, width, lambda s: float(cell_len(s)))
