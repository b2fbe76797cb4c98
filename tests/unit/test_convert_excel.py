"""The Excel converter on workbooks built here with openpyxl: one per edge case an admin's sheet has."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from exam_tui.formats.convert import excel
from exam_tui.formats.convert.common import BankBuilder, Conversion, UnreadableSource, bank_yaml
from exam_tui.formats.yaml_bank import check_bank_text

HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分值", "难度", "分类", "出处"]


def workbook(path: Path, rows: list[list[Any]], *, header: list[str] | None = None, above: int = 0) -> Path:
    wb = Workbook()
    ws = wb.active
    for _ in range(above):
        ws.append(["廉政法规题库(内部资料)"])
    ws.append(header or HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def convert(path: Path, **options: Any) -> Conversion:
    builder = BankBuilder(slug="t", title="t", default_category="未分类", options=options)
    return excel.convert(path, builder=builder)


def questions(conversion: Conversion) -> list[dict[str, Any]]:
    return conversion.bank["questions"]


def notes(conversion: Conversion) -> list[tuple[str, str, bool]]:
    return [(n.location, n.code, n.skipped) for n in conversion.notes if n.question]


def assert_valid(conversion: Conversion) -> None:
    checked = check_bank_text(Path("x.yaml"), bank_yaml(conversion.bank).encode())
    assert checked.ok, checked.problems


def test_one_row_per_type_with_a_header_below_a_title_row(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "a.xlsx",
        [
            [
                "单选题",
                "党纪处分有几种?",
                "三种",
                "四种",
                "五种",
                "六种",
                "C",
                "五种",
                2,
                "易",
                "条例",
                "第八条",
            ],
            [
                "多选",
                "属于政务处分的有",
                "警告",
                "记过",
                "留党察看",
                "开除",
                "A、B,D",
                None,
                "3",
                "较难",
                "政务处分法",
            ],
            [
                "判断题",
                "记大过的处分期间为十八个月。",
                None,
                None,
                None,
                None,
                "√",
                None,
                1.0,
                2,
                "政务处分法",
            ],
            [
                "填空题",
                "记过的处分期间为____个月。",
                None,
                None,
                None,
                None,
                "十二/12",
                None,
                None,
                None,
                None,
            ],
            ["问答题", "简述监察委员会的职责。", None, None, None, None, "监督、调查、处置", None, 10, "难"],
        ],
        above=2,
    )
    c = convert(path)
    qs = questions(c)
    assert [q["type"] for q in qs] == ["single", "multiple", "true_false", "fill_blank", "short_answer"]
    assert qs[0]["answer"] == "C" and qs[0]["points"] == 2 and qs[0]["difficulty"] == 1
    assert qs[0]["source"] == "第八条" and qs[0]["explanation"] == "五种"
    assert qs[1]["answer"] == ["A", "B", "D"] and qs[1]["points"] == 3 and qs[1]["difficulty"] == 4
    assert qs[2]["answer"] is True and qs[2]["points"] == 1 and isinstance(qs[2]["points"], int)
    assert qs[3]["answer"] == [["十二", "12"]]
    assert qs[4]["rubric"] == "监督、调查、处置" and "answer" not in qs[4]
    assert [c["title"] for c in c.bank["categories"]] == ["条例", "政务处分法", "未分类"]
    assert qs[1]["category"] == qs[2]["category"]
    assert c.notes == []
    assert [q["id"] for q in qs] == ["q0001", "q0002", "q0003", "q0004", "q0005"]
    assert_valid(c)


def test_header_names_matched_loosely(tmp_path: Path) -> None:
    # Full-width letters, spaces, a required-field star, synonyms and a unit in brackets.
    header = [
        "试题类型",
        " 题目内容 *",
        "选项Ａ",
        "Ｂ",
        "参考答案",
        "试题解析",
        "分值(分)",
        "难易程度",
        "知识点",
        "依据",
    ]
    path = workbook(
        tmp_path / "b.xlsx",
        [["单选", "问?", "甲", "乙", "b", "因为", "5分", "中", "章一", "法"]],
        header=header,
    )
    (q,) = questions(convert(path))
    assert q == {
        "id": "q0001",
        "type": "single",
        "category": "cat-1",
        "difficulty": 3,
        "points": 5,
        "stem": "问?",
        "options": {"A": "甲", "B": "乙"},
        "answer": "B",
        "explanation": "因为",
        "source": "法",
    }


@pytest.mark.parametrize(
    ("written", "expected"),
    [("正确", True), ("错误", False), ("对", True), ("错", False), ("√", True), ("×", False), ("T", True),
     ("f", False), ("是", True), ("否", False), (1, True), (0, False), (True, True), ("Ｔ", True)],
)  # fmt: skip
def test_true_false_answers(tmp_path: Path, written: Any, expected: bool) -> None:
    path = workbook(tmp_path / "tf.xlsx", [["判断", "说法。", None, None, None, None, written]])
    assert questions(convert(path))[0]["answer"] is expected


def test_true_false_answered_by_the_letter_of_an_option(tmp_path: Path) -> None:
    path = workbook(tmp_path / "tf.xlsx", [["判断", "说法。", "正确", "错误", None, None, "B"]])
    c = convert(path)
    assert questions(c)[0]["answer"] is False and "options" not in questions(c)[0]


@pytest.mark.parametrize("written", ["ABD", "A,B,D", "A、B、D", "a b d", "D,A,B", "ＡＢＤ", "A;B;D"])
def test_multiple_answer_forms(tmp_path: Path, written: str) -> None:
    path = workbook(tmp_path / "m.xlsx", [["多选题", "选出", "1", "2", "3", "4", written]])
    assert questions(convert(path))[0]["answer"] == ["A", "B", "D"]


def test_numbers_as_text_and_numbers_in_options_points_and_answers(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "n.xlsx",
        [
            ["单选", "金额起点?", 3000, 5000.0, "10000", 20000, "B", None, "5", 3.0],
            ["填空", "期间为____个月。", None, None, None, None, 12, None, 2.5, "4"],
        ],
    )
    single, fill = questions(convert(path))
    assert single["options"] == {"A": "3000", "B": "5000", "C": "10000", "D": "20000"}
    assert single["points"] == 5 and single["difficulty"] == 3
    assert fill["answer"] == ["12"] and fill["points"] == 2.5 and fill["difficulty"] == 4


def test_empty_rows_are_skipped_silently_and_rows_report_their_sheet_row(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "e.xlsx",
        [
            ["单选", "一?", "a", "b", None, None, "A"],
            [None] * 12,
            [None, "  ", None, None, None, None, None],
            ["单选", "二?", "a", "b", None, None, "B"],
        ],
        above=1,
    )
    c = convert(path)
    assert len(questions(c)) == 2 and c.notes == []
    assert c.locations == ["row 3", "row 6"]


def test_skipped_rows_with_reasons(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "s.xlsx",
        [
            ["单选", "没有答案?", "a", "b"],  # row 2
            ["单选", "越界?", "a", "b", None, None, "E"],  # row 3
            ["单选", "重复?", "同一项", "同一项 ", "c", None, "A"],  # row 4
            ["单选", "两个?", "a", "b", None, None, "AB"],  # row 5
            ["多选", "一个?", "a", "b", None, None, "A"],  # row 6
            ["单选", "缺口?", "a", None, "c", None, "A"],  # row 7
            ["判断", "不明?", None, None, None, None, "也许"],  # row 8
            ["填空", "没有空。", None, None, None, None, "甲"],  # row 9
            ["填空", "一个____空。", None, None, None, None, "甲|乙"],  # row 10
            ["简答", "没有要点?"],  # row 11
            ["连线题", "?", None, None, None, None, "A"],  # row 12
            [None, None, None, None, None, None, "A"],  # row 13: content but no stem
            ["多选", "重复字母", "a", "b", "c", None, "AAB"],  # row 14
            ["单选", "怪答案", "a", "b", None, None, "甲"],  # row 15
            ["填空", "空答案____和____", None, None, None, None, "甲|"],  # row 16
        ],
    )
    c = convert(path)
    assert questions(c) == []
    assert notes(c) == [
        ("row 2", "excel_no_answer", True),
        ("row 3", "excel_answer_not_option", True),
        ("row 4", "excel_duplicate_options", True),
        ("row 5", "excel_single_many", True),
        ("row 6", "excel_multiple_one", True),
        ("row 7", "excel_option_gap", True),
        ("row 8", "excel_bad_truth", True),
        ("row 9", "excel_no_blanks", True),
        ("row 10", "excel_blank_count", True),
        ("row 11", "excel_no_rubric", True),
        ("row 12", "excel_unknown_type", True),
        ("row 13", "excel_no_stem", True),
        ("row 14", "excel_answer_repeats", True),
        ("row 15", "excel_bad_letters", True),
        ("row 16", "excel_empty_blank_answer", True),
    ]
    assert c.skipped == 15 and c.altered == 0
    by_code = {n.code: n.params for n in c.notes}
    assert by_code["excel_answer_not_option"] == {"letter": "E", "options": "AB"}
    assert by_code["excel_duplicate_options"] == {"first": "A", "second": "B", "text": "同一项"}
    assert by_code["excel_blank_count"] == {"blanks": 1, "answers": 2}


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("党纪处分有（ ）种,政务处分有( )种。", "党纪处分有____种,政务处分有____种。"),
        ("记过期间为___个月,记大过为_个月。", "记过期间为____个月,记大过为____个月。"),
        ("期间为（）个月和＿＿个月。", "期间为____个月和____个月。"),
    ],
)
def test_fill_blanks_written_as_brackets_or_short_underscores_become_blanks(
    tmp_path: Path, stem: str, expected: str
) -> None:
    path = workbook(tmp_path / "f.xlsx", [["填空题", stem, None, None, None, None, "五;六"]])
    c = convert(path)
    assert questions(c)[0]["stem"] == expected and questions(c)[0]["answer"] == ["五", "六"]
    assert notes(c) == [("row 2", "excel_blanks_marked", False)]
    assert c.altered == 1 and c.skipped == 0
    assert_valid(c)


def test_fill_answers_separators(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "f.xlsx",
        [["填空", "____、____和____", None, None, None, None, "一年/1年|二年／两年；三"]],
    )
    assert questions(convert(path))[0]["answer"] == [["一年", "1年"], ["二年", "两年"], "三"]


def test_a_brackets_in_a_choice_stem_are_left_alone(tmp_path: Path) -> None:
    path = workbook(tmp_path / "c.xlsx", [["单选", "下列说法正确的是( )", "a", "b", None, None, "A"]])
    assert questions(convert(path))[0]["stem"] == "下列说法正确的是( )"


def test_short_answer_rubric_column_wins_over_answer(tmp_path: Path) -> None:
    header = ["题型", "题干", "答案", "评分要点"]
    path = workbook(
        tmp_path / "r.xlsx",
        [["论述题", "论述。", "参考", "要点一二"], ["简答题", "简述。", None, "要点"]],
        header=header,
    )
    c = convert(path)
    assert [q["rubric"] for q in questions(c)] == ["要点一二", "要点"]
    assert notes(c) == [("row 2", "excel_answer_dropped", False)]


def test_merged_cells_fill_every_row_they_span(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["题型", "题干", "选项A", "选项B", "答案", "分类"])
    ws.append(["单选题", "一?", "a", "b", "A", "监察法"])
    ws.append([None, "二?", "a", "b", "B", None])
    ws.append([None, "三?", "a", "b", "A", None])
    ws.append(["判断题", "四。", None, None, "对", "政务处分法"])
    ws.merge_cells("A2:A4")
    ws.merge_cells("F2:F4")
    wb.save(tmp_path / "m.xlsx")
    qs = questions(convert(tmp_path / "m.xlsx"))
    assert [q["type"] for q in qs] == ["single", "single", "single", "true_false"]
    assert [q["category"] for q in qs] == ["cat-1", "cat-1", "cat-1", "cat-2"]


def test_a_header_in_two_rows_with_the_options_grouped_under_one_title(tmp_path: Path) -> None:
    # A common template: a title row, then 选项 merged over the option columns, whose letters are in the
    # row below; the other titles merged down over both rows.
    wb = Workbook()
    ws = wb.active
    ws.append(["廉政法规题库"])
    ws.append(["序号", "题型", "题干", "选项", None, None, None, "答案", "解析"])
    ws.append([None, None, None, "A", "B", "C", "D", None, None])
    ws.append([1, "单选题", "党纪处分有几种?", "三种", "四种", "五种", "六种", "C", "第八条"])
    ws.append([2, "多选题", "哪些属于违反廉洁纪律?", "甲", "乙", "丙", None, "AB", None])
    ws.merge_cells("A1:I1")
    ws.merge_cells("D2:G2")
    for column in "ABCHI":
        ws.merge_cells(f"{column}2:{column}3")
    wb.save(tmp_path / "two.xlsx")
    c = convert(tmp_path / "two.xlsx")
    assert_valid(c)
    qs = questions(c)
    assert [q["type"] for q in qs] == ["single", "multiple"]
    assert qs[0]["options"] == {"A": "三种", "B": "四种", "C": "五种", "D": "六种"}
    assert qs[0]["answer"] == "C" and qs[1]["answer"] == ["A", "B"] and qs[0]["explanation"] == "第八条"
    assert notes(c) == []
    file_notes = [(n.location, n.code, n.params["column"]) for n in c.notes if not n.question]
    assert file_notes == [("row 2", "excel_unknown_column", "序号")]


def test_a_first_data_row_is_not_taken_for_a_second_header_row(tmp_path: Path) -> None:
    # Row 2 holds only letters where the options go, but also the stem: data, not titles.
    header = ["题干", "选项A", "选项B", "答案"]
    path = workbook(tmp_path / "d.xlsx", [["A 还是 B?", "A", "B", "A"]], header=header)
    qs = questions(convert(path))
    assert len(qs) == 1 and qs[0]["stem"] == "A 还是 B?"


def test_formulas_are_read_as_their_cached_values(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "f.xlsx",
        [["多选", "算?", "1", "2", "3", None, '=CONCATENATE("A","C")', None, "=2+3"]],
    )
    # openpyxl writes formulas without results; put in the values Excel would have cached.
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("<f>2+3</f><v />", "<f>2+3</f><v>5</v>")
    sheet = re.sub(r'<c r="G2"><f>(.*?)</f><v />', r'<c r="G2" t="str"><f>\1</f><v>AC</v>', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    (q,) = questions(convert(path))
    assert q["answer"] == ["A", "C"] and q["points"] == 5


def test_type_inferred_and_indefinite_choice(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "i.xlsx",
        [
            [None, "单?", "a", "b", None, None, "B"],
            [None, "多?", "a", "b", "c", None, "AC"],
            [None, "判断。", None, None, None, None, "错误"],
            ["不定项选择题", "不定项一?", "a", "b", None, None, "A"],
        ],
    )
    c = convert(path)
    assert [q["type"] for q in questions(c)] == ["single", "multiple", "true_false", "single"]
    assert [n[1] for n in notes(c)] == ["excel_type_inferred"] * 3
    assert c.altered == 3


def test_bad_optional_values_are_dropped_with_a_note(tmp_path: Path) -> None:
    header = [*HEADER, "选项乱序"]
    path = workbook(
        tmp_path / "o.xlsx",
        [["单选", "?", "a", "b", None, None, "A", None, "五分", "很难", None, None, "否"]],
        header=header,
    )
    c = convert(path)
    (q,) = questions(c)
    assert "points" not in q and "difficulty" not in q and q["shuffle_options"] is False
    assert [n[1] for n in notes(c)] == ["excel_bad_points", "excel_bad_difficulty"]
    assert c.altered == 1


def test_ids_kept_when_they_are_slugs_else_renumbered_with_a_note(tmp_path: Path) -> None:
    header = ["ID", "题型", "题干", "选项A", "选项B", "答案"]
    path = workbook(
        tmp_path / "id.xlsx",
        [["sl-0001", "单选", "?", "a", "b", "A"], ["sl-0001", "单选", "?", "a", "b", "B"], ["DR 7", "判断", "。", None, None, "对"]],
        header=header,
    )  # fmt: skip
    c = convert(path)
    assert [q["id"] for q in questions(c)] == ["sl-0001", "q0002", "dr-7"]
    assert [(n.location, n.params) for n in c.notes] == [
        ("row 3", {"given": "sl-0001", "id": "q0002"}),
        ("row 4", {"given": "DR 7", "id": "dr-7"}),
    ]


def test_unknown_and_duplicate_columns_are_reported_once_per_sheet(tmp_path: Path) -> None:
    header = ["序号", "题型", "题干", "选项A", "选项B", "答案", "正确答案", "备注"]
    path = workbook(tmp_path / "u.xlsx", [[1, "单选", "?", "a", "b", "A", "B", "x"]], header=header)
    c = convert(path)
    file_notes = [(n.location, n.code, n.params["column"]) for n in c.notes if not n.question]
    assert file_notes == [
        ("row 1", "excel_unknown_column", "序号"),
        ("row 1", "excel_duplicate_column", "正确答案"),
        ("row 1", "excel_unknown_column", "备注"),
    ]
    assert questions(c)[0]["answer"] == "A" and c.skipped == 0 and c.altered == 0


def test_a_mapping_names_other_columns(tmp_path: Path) -> None:
    header = ["种类", "试题正文", "甲项", "乙项", "标准选项"]
    path = workbook(tmp_path / "map.xlsx", [["单选", "?", "a", "b", "B"]], header=header)
    with pytest.raises(UnreadableSource):
        convert(path)
    mapping = {"种类": "type", "试题正文": "stem", "甲项": "A", "乙项": "B", "标准选项": "answer"}
    (q,) = questions(convert(path, mapping=mapping))
    assert q["options"] == {"A": "a", "B": "b"} and q["answer"] == "B"


def test_every_sheet_with_a_header_is_read_and_locations_name_the_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "单选"
    wb.active.append(["题干", "选项A", "选项B", "答案"])
    wb.active.append(["?", "a", "b", "A"])
    notes_sheet = wb.create_sheet("说明")
    notes_sheet.append(["本表为说明"])
    tf = wb.create_sheet("判断")
    tf.append(["题型", "题干", "答案"])
    tf.append(["判断", "。", None])
    wb.save(tmp_path / "s.xlsx")
    c = convert(tmp_path / "s.xlsx")
    assert [q["type"] for q in questions(c)] == ["single"]
    assert notes(c) == [("判断 row 2", "excel_no_answer", True)]


def test_a_workbook_without_a_header_or_not_a_workbook_is_unreadable(tmp_path: Path) -> None:
    path = workbook(tmp_path / "n.xlsx", [["a", "b"]], header=["姓名", "单位"])
    with pytest.raises(UnreadableSource) as no_header:
        convert(path)
    assert no_header.value.code == "excel_no_header"
    fake = tmp_path / "old.xlsx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0 an old binary workbook")
    with pytest.raises(UnreadableSource) as not_xlsx:
        convert(fake)
    assert not_xlsx.value.code == "excel_not_xlsx"
