"""The spreadsheet layout of a question bank: the column names people use, and how cell values read.

Shared by the converter (which must recognise the many ways people title the same column) and by the
template and export writers (which write the canonical names, so that what they write reads back).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

from exam_tui.domain.questions import OPTION_LETTERS, fill_key_from_text, fill_key_text

# Canonical column names of the question sheet, in the order the template and the export write them.
OPTION_HEADERS = tuple(f"选项{letter}" for letter in OPTION_LETTERS)
QUESTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("type", "题型"),
    ("stem", "题干"),
    *((letter, header) for letter, header in zip(OPTION_LETTERS, OPTION_HEADERS, strict=True)),
    ("answer", "答案"),
    ("explanation", "解析"),
    ("points", "分值"),
    ("difficulty", "难度"),
    ("category", "分类"),
    ("source", "出处"),
    ("tags", "标签"),
    ("id", "ID"),
    ("shuffle_options", "选项乱序"),
    ("reviewed", "已复核"),
)
FIELDS = frozenset(f for f, _ in QUESTION_COLUMNS) | {"rubric"}

# Other titles of the same columns, compared after normalise_header. Mapping files may add more.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "试题编号", "题目编号", "试题id", "题目id", "题号"),
    "type": ("题型", "试题类型", "题目类型", "类型", "题型名称"),
    "stem": ("题干", "试题内容", "题目", "题目内容", "试题", "问题", "试题题干", "题目名称"),
    "answer": ("答案", "正确答案", "参考答案", "标准答案", "试题答案"),
    "explanation": ("解析", "试题解析", "答案解析", "题目解析", "解释", "答案说明"),
    "points": ("分值", "分数", "每题分值", "试题分值"),
    "difficulty": ("难度", "难易程度", "难易度", "难度等级"),
    "category": ("分类", "类别", "题目分类", "试题分类", "所属分类", "知识点", "章节"),
    "source": ("出处", "依据", "法规依据", "条文依据", "出题依据", "来源"),
    "tags": ("标签", "关键词", "关键字"),
    "rubric": ("评分要点", "评分标准", "评分细则"),
    "shuffle_options": ("选项乱序", "打乱选项"),
    "reviewed": ("已复核", "复核"),
}
# A second column titled for a field already taken: 知识点 beside 分类 becomes tags, not a clash.
SECONDARY = {"知识点": "tags", "章节": "tags"}
_OPTION = re.compile(r"^(?:选项)?([a-h])(?:选项|内容|选项内容)?$")
_BRACKETS = re.compile(r"[(\[【].*?[)\]】]")


def normalise_header(text: str) -> str:
    """The comparison form of a column title: NFKC (full-width → half-width), no white space, no
    required-field star or trailing colon, lower case."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text).strip("*:").lower()


_LOOKUP = {normalise_header(name): f for f, names in _SYNONYMS.items() for name in names}


def header_field(text: str, extra: dict[str, str] | None = None) -> str | None:
    """The field a column title names, or None. ``extra`` (from a mapping file) is consulted first."""
    key = normalise_header(text)
    if not key:
        return None
    if extra and key in extra:
        return extra[key]
    for candidate in (key, _BRACKETS.sub("", key)):  # 分值(分), 答案【必填】
        if candidate in _LOOKUP:
            return _LOOKUP[candidate]
        if m := _OPTION.match(candidate):
            return m.group(1).upper()
    return None


def field_name(value: str) -> str | None:
    """A mapping file's target: an internal field name (stem, option_a, A) or a canonical title."""
    key = normalise_header(value)
    if key in FIELDS:
        return key
    if m := re.fullmatch(r"(?:option_?)?([a-h])", key):
        return m.group(1).upper()
    return header_field(value)


# ---- question types ---------------------------------------------------------------------------------

TYPE_NAMES = {
    "single": "单选题",
    "multiple": "多选题",
    "true_false": "判断题",
    "fill_blank": "填空题",
    "short_answer": "简答题",
}
# "indefinite" is 不定项选择题: one or more right answers, a single or a multiple question by its key.
_TYPES = {
    **{name: key for key, name in TYPE_NAMES.items()},
    **{key: key for key in TYPE_NAMES},
    "单选": "single",
    "单项选择": "single",
    "单项选择题": "single",
    "多选": "multiple",
    "多项选择": "multiple",
    "多项选择题": "multiple",
    "不定项": "indefinite",
    "不定项选择": "indefinite",
    "不定项选择题": "indefinite",
    "判断": "true_false",
    "是非题": "true_false",
    "对错题": "true_false",
    "填空": "fill_blank",
    "简答": "short_answer",
    "问答": "short_answer",
    "问答题": "short_answer",
    "论述": "short_answer",
    "论述题": "short_answer",
    "主观题": "short_answer",
    "案例分析题": "short_answer",
}


def question_type(text: str) -> str | None:
    return _TYPES.get(normalise_header(text))


# ---- values ---------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell's value as the text a person sees: 5.0 → "5", line ends made \\n, ends trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


_TRUE = {"正确", "对", "是", "√", "✓", "✔", "t", "true", "y", "yes", "1", "正确的", "对的"}
_FALSE = {"错误", "错", "否", "×", "✗", "✘", "x", "f", "false", "n", "no", "0", "错误的", "错的", "不正确"}


def truth(value: Any) -> bool | None:
    """A true/false answer written any of the usual ways (正确/错误, 对/错, √/×, T/F, 是/否, 1/0)."""
    if isinstance(value, bool):
        return value
    key = normalise_header(cell_text(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


_LETTER_SEPARATORS = re.compile(r"[\s,，、;；/|.．]+")


def answer_letters(value: Any) -> list[str] | None:
    """Option letters from ``ABD``, ``A,B,D``, ``A、B``, ``a b`` (upper-cased, in the order written);
    None when the text is not letters A–H alone."""
    text = _LETTER_SEPARATORS.sub("", unicodedata.normalize("NFKC", cell_text(value))).upper()
    if not text or any(ch not in OPTION_LETTERS for ch in text):
        return None
    return list(text)


# Fill-in answers: blanks are separated by | or ; (half or full width), the alternatives accepted for
# one blank by / (half or full width). "一年/1年|二年/两年" is two blanks with two alternatives each.
# The template's example row and the export write | between blanks (the domain's text form of fill-in
# keys reads ; and | alike).
BLANK_SEPARATOR = "|"


def fill_answers(value: Any) -> list[list[str]]:
    """One list of accepted alternatives per blank; empty entries are kept (as "") to be reported."""
    return fill_key_from_text(cell_text(value))


def fill_cell(accepted: list[list[str]]) -> str:
    """The cell text of fill-in answers (the inverse of fill_answers)."""
    return fill_key_text(accepted, BLANK_SEPARATOR)


DIFFICULTY_WORDS = {1: "易", 2: "较易", 3: "中", 4: "较难", 5: "难"}
_DIFFICULTY = {
    "易": 1,
    "容易": 1,
    "简单": 1,
    "较易": 2,
    "较容易": 2,
    "较简单": 2,
    "中": 3,
    "中等": 3,
    "一般": 3,
    "适中": 3,
    "较难": 4,
    "难": 5,
    "困难": 5,
}


def difficulty(value: Any) -> int | None:
    """1 (easy) … 5 (hard) from a number or the words 易/较易/中/较难/难; None when neither."""
    text = normalise_header(cell_text(value))
    if text in _DIFFICULTY:
        return _DIFFICULTY[text]
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and 1 <= number <= 5 else None


def points(value: Any) -> float | int | None:
    """Points from 5, 5.0, "5", "5分", "2.5"; None when not a number in (0, 1000]."""
    text = normalise_header(cell_text(value)).removesuffix("分")
    try:
        number = float(text)
    except ValueError:
        return None
    if not 0 < number <= 1000:
        return None
    return int(number) if number.is_integer() else number


_TAG_SEPARATORS = re.compile(r"[,，、;；|]")


def tags(value: Any) -> list[str]:
    return [tag.strip() for tag in _TAG_SEPARATORS.split(cell_text(value)) if tag.strip()]


TAG_JOINER = "，"


# Blanks written the ways people write them in a fill-in stem: empty brackets, short runs of
# underscores (four or more is already the bank format's blank), full-width underscores.
_STEM_BLANK = re.compile(r"（\s*）|\(\s*\)|【\s*】|\[\s*\]|(?<!_)_{1,3}(?!_)|＿+")


def normalise_blanks(stem: str) -> str:
    return _STEM_BLANK.sub("____", stem)


# ---- the sheets beside the questions (written by the export, read back by the converter) -----------

INFO_SHEET, CATEGORY_SHEET, EXAM_SHEET, HELP_SHEET = "题库信息", "分类", "考试", "填写说明"
QUESTION_SHEET = "题目"
INFO_KEYS = (("bank", "题库标识"), ("title", "题库名称"), ("version", "版本"), ("language", "语言"))
CATEGORY_COLUMNS = ("分类ID", "分类名称")
EXAM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "考试ID"),
    ("title", "考试名称"),
    ("kind", "考试类型"),
    ("duration_minutes", "时长(分钟)"),
    ("pass_score", "及格分"),
    ("shuffle_questions", "题目乱序"),
    ("review", "交卷后显示"),
    ("max_attempts", "最多参考次数"),
    ("grades", "等级"),
    ("double_marking", "双评"),
    ("marking_margin", "双评分差"),
    ("retake_gap_days", "补考间隔(天)"),
    ("section.title", "大题名称"),
    ("section.type", "大题题型"),
    ("section.draw", "抽题数"),
    ("section.points", "每题分值"),
    ("section.from", "抽题分类"),
    ("section.difficulty.min", "最低难度"),
    ("section.difficulty.max", "最高难度"),
    ("section.partial_credit", "少选得半分"),
)
KIND_NAMES = {
    "pre_appointment": "任前考试",
    "qualification": "资格考试",
    "training": "培训考试",
    "competition": "知识竞赛",
    "practice": "练习",
}
REVIEW_NAMES = {"none": "不显示", "score": "仅显示成绩", "full": "显示答案与解析"}
