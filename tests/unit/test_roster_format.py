"""Reading roster files as HR staff produce them: encodings, delimiters, headers, Excel's habits, problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from exam_tui.domain.idnumber import normalise_id_number, with_check_digit
from exam_tui.formats.roster import RosterFile, RosterProblem, RosterRow, column_letter, read_roster
from tests.conftest import ROOT

HEADER_ZH = "身份证号,姓名,单位,职级,现任职务,拟任职务"
HEADER_EN = "id_number,name,unit,rank,position,proposed_post"


def ident(n: int) -> str:
    return normalise_id_number(with_check_digit(f"11010519800101{n:03d}"))


ID1, ID2, ID3 = ident(1), ident(2), ident(3)
ID_X = ident(18)  # check digit X
assert ID_X.endswith("X")


def write_csv(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, cells: dict[str, Any], *, name: str = "roster.xlsx") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for ref, value in cells.items():
        sheet[ref] = value
    path = tmp_path / name
    workbook.save(path)
    return path


def only_problem(roster: RosterFile) -> RosterProblem:
    assert len(roster.problems) == 1, roster.problems
    return roster.problems[0]


def problems(roster: RosterFile) -> list[tuple[int, str]]:
    return [(p.row, p.key) for p in roster.problems]


# ---- what is read -----------------------------------------------------------------------------


def test_utf8_chinese_headers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        f"{HEADER_ZH}\n{ID1},王建国,市纪委监委机关,四级调研员,第三监督检查室副主任,第三监督检查室主任\n"
        f"{ID2},李晓燕,市财政局,,,\n",
    )
    roster = read_roster(path)
    assert roster.ok and roster.problems == []
    assert roster.rows == [
        RosterRow(
            2, ID1, "王建国", "市纪委监委机关", "四级调研员", "第三监督检查室副主任", "第三监督检查室主任"
        ),
        RosterRow(3, ID2, "李晓燕", "市财政局", None, None, None),
    ]
    assert roster.columns == {"id_number", "name", "unit", "rank", "position", "proposed_post"}


def test_utf8_bom_english_headers_in_any_order_loosely_matched(tmp_path: Path) -> None:
    header = " Unit\u3000, NAME ,ID_Number,Proposed Post,position,ＲＡＮＫ"
    path = write_csv(
        tmp_path,
        f"{header}\r\n市财政局,刘芳,{ID1},国库科科长,国库科副科长,一级主任科员\r\n",
        encoding="utf-8-sig",
    )
    roster = read_roster(path)
    assert roster.problems == []
    assert roster.rows == [
        RosterRow(2, ID1, "刘芳", "市财政局", "一级主任科员", "国库科副科长", "国库科科长")
    ]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_from_excel_on_chinese_windows(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path, f"{HEADER_ZH}\r\n{ID1},张志强,市财政局,副处长级,预算科科长,副局长\r\n", encoding=encoding
    )
    roster = read_roster(path)
    assert roster.problems == []
    assert (roster.rows[0].name, roster.rows[0].unit, roster.rows[0].rank) == (
        "张志强",
        "市财政局",
        "副处长级",
    )


def test_utf16_unicode_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path, f"身份证号\t姓名\t单位\n{ID1}\t张志强\t市财政局\n", encoding="utf-16")
    assert read_roster(path).rows == [RosterRow(2, ID1, "张志强", "市财政局")]


@pytest.mark.parametrize("delimiter", ["\t", ";", ","])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    lines = [HEADER_ZH, f"{ID1},王建国,市纪委监委机关,四级调研员,监督检查室副主任,监督检查室主任"]
    path = write_csv(tmp_path, "\n".join(line.replace(",", delimiter) for line in lines) + "\n")
    roster = read_roster(path)
    assert roster.problems == []
    assert roster.rows[0].position == "监督检查室副主任"


def test_quoted_fields_keep_commas(tmp_path: Path) -> None:
    path = write_csv(tmp_path, f'{HEADER_ZH}\n{ID1},王建国,市财政局,,"办公室主任,党组成员",\n')
    assert read_roster(path).rows[0].position == "办公室主任,党组成员"


def test_blank_lines_and_empty_rows_skipped_row_numbers_kept(tmp_path: Path) -> None:
    text = f"\n{HEADER_ZH}\n{ID1},甲,市财政局,,,\n\n,,,,,\n  \n{ID2},乙,市财政局,,,\n"
    roster = read_roster(write_csv(tmp_path, text))
    assert roster.problems == []
    assert [(r.row, r.name) for r in roster.rows] == [(3, "甲"), (7, "乙")]


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    roster = read_roster(write_csv(tmp_path, f"姓名,身份证号,单位\n甲,{ID1},市财政局\n"))
    assert roster.rows == [RosterRow(2, ID1, "甲", "市财政局")]
    assert roster.columns == {"id_number", "name", "unit"}


def test_id_number_forms_accepted(tmp_path: Path) -> None:
    fullwidth = ID2.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    text = (
        f"{HEADER_ZH}\n{ID_X.lower()},甲,市财政局,,,\n {fullwidth} ,乙,市财政局,,,\n'{ID3},丙,市财政局,,,\n"
    )
    roster = read_roster(write_csv(tmp_path, text))
    assert roster.problems == []
    assert [r.id_number for r in roster.rows] == [ID_X, ID2, ID3]


def test_values_are_trimmed_including_fullwidth_spaces(tmp_path: Path) -> None:
    roster = read_roster(write_csv(tmp_path, f"{HEADER_ZH}\n{ID1},\u3000王建国 ,  市财政局\u3000, ,\t,\n"))
    assert roster.rows == [RosterRow(2, ID1, "王建国", "市财政局")]


def test_row_number_column_is_ignored(tmp_path: Path) -> None:
    # Templates number their rows in advance; rows holding only the number are empty rows.
    text = f"序号,{HEADER_ZH}\n1,{ID1},甲,市财政局,,,\n2,,,,,,\n3,,,,,,\n"
    roster = read_roster(write_csv(tmp_path, text))
    assert roster.problems == []
    assert [r.row for r in roster.rows] == [2]


def test_sample_roster_is_valid() -> None:
    roster = read_roster(ROOT / "sessions" / "roster-example.csv")
    assert roster.problems == []
    assert len(roster.rows) == 12
    assert all(r.id_number.startswith("11") for r in roster.rows)
    assert all(r.rank and r.position and r.proposed_post for r in roster.rows)


# ---- Excel workbooks --------------------------------------------------------------------------


def test_xlsx_header_is_first_non_empty_row_and_rows_are_sheet_rows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "B3": "身份证号",
            "C3": "姓名",
            "D3": "单位",
            "E3": "拟任职务",
            "B4": ID1,
            "C4": "王建国",
            "D4": "市纪委监委机关",
            "E4": "第三监督检查室主任",
            "B7": ID_X.lower(),
            "C7": "李晓燕",
            "D7": "市财政局",
        },
    )
    roster = read_roster(path)
    assert roster.problems == []
    assert roster.rows == [
        RosterRow(4, ID1, "王建国", "市纪委监委机关", proposed_post="第三监督检查室主任"),
        RosterRow(7, ID_X, "李晓燕", "市财政局"),
    ]
    assert roster.columns == {"id_number", "name", "unit", "proposed_post"}


def test_xlsx_numeric_id_cell_says_format_as_text(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "A1": "id_number",
            "B1": "name",
            "C1": "unit",
            "A2": float(ID1[:15] + "000"),  # what Excel keeps: 15 significant digits
            "B2": "王建国",
            "C2": "市财政局",
            "A3": int(ID2),
            "B3": "李晓燕",
            "C3": "市财政局",
        },
    )
    roster = read_roster(path)
    assert problems(roster) == [(2, "roster.id_is_number"), (3, "roster.id_is_number")]
    assert roster.problems[0].params == {"value": ID1[:15] + "000"}
    assert roster.problems[1].params["value"].startswith(ID2[:15])
    assert roster.rows == []


def test_xlsx_numbers_in_text_columns_read_as_excel_shows_them(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        {
            "A1": "身份证号",
            "B1": "姓名",
            "C1": "单位",
            "D1": "职级",
            "A2": ID1,
            "B2": "甲",
            "C2": 2024,
            "D2": 3.0,
        },
    )
    row = read_roster(path).rows[0]
    assert (row.unit, row.rank) == ("2024", "3")


def test_xlsx_reads_the_first_sheet(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(["身份证号", "姓名", "单位"])
    first.append([ID1, "甲", "市财政局"])
    other = workbook.create_sheet("说明")
    other.append(["填表说明"])
    workbook.active = 1
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    assert [r.name for r in read_roster(path).rows] == ["甲"]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old .xls renamed")
    problem = only_problem(read_roster(path))
    assert (problem.row, problem.key) == (0, "roster.not_xlsx")
    assert problem.params["detail"]


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    path = write_csv(tmp_path, f"{HEADER_ZH}\n{ID1},甲,市财政局,,,\n", name="ROSTER.CSV")
    assert read_roster(path).ok


# ---- problems, each with the row the user sees -------------------------------------------------


def test_bad_id_numbers(tmp_path: Path) -> None:
    wrong_check = ID1[:-1] + ("0" if ID1[-1] != "0" else "1")
    bad_date = with_check_digit("11010519801301001")
    text = (
        f"{HEADER_ZH}\n{wrong_check},甲,市财政局,,,\n{ID1[:-1]},乙,市财政局,,,\n"
        f"1.10105E+17,丙,市财政局,,,\n{bad_date},丁,市财政局,,,\n"
    )
    roster = read_roster(write_csv(tmp_path, text))
    assert [(p.row, p.key, p.params) for p in roster.problems] == [
        (2, "roster.bad_id", {"value": wrong_check, "reason": "id.checksum"}),
        (3, "roster.bad_id", {"value": ID1[:-1], "reason": "id.length"}),
        (4, "roster.id_is_number", {"value": "1.10105E+17"}),
        (5, "roster.bad_id", {"value": bad_date, "reason": "id.date"}),
    ]
    assert roster.rows == []


def test_missing_required_values_name_the_column(tmp_path: Path) -> None:
    text = f"{HEADER_ZH}\n,甲,市财政局,,,\n{ID1},,市财政局,,,\n{ID2},乙,,,,\n{ID3},丙\n"
    roster = read_roster(write_csv(tmp_path, text))
    assert [(p.row, p.key, p.params) for p in roster.problems] == [
        (2, "roster.missing_value", {"column": "id_number"}),
        (3, "roster.missing_value", {"column": "name"}),
        (4, "roster.missing_value", {"column": "unit"}),
        (5, "roster.missing_value", {"column": "unit"}),
    ]


@pytest.mark.parametrize(
    ("column", "limit"),
    [("name", 100), ("unit", 200), ("rank", 100), ("position", 200), ("proposed_post", 200)],
)
def test_over_long_values(tmp_path: Path, column: str, limit: int) -> None:
    values = {
        "id_number": ID1,
        "name": "甲",
        "unit": "市财政局",
        "rank": "",
        "position": "",
        "proposed_post": "",
    }
    header = ",".join(values)
    values[column] = "长" * limit
    ok = read_roster(write_csv(tmp_path, header + "\n" + ",".join(values.values()) + "\n"))
    assert ok.problems == []
    values[column] = "长" * (limit + 1)
    roster = read_roster(write_csv(tmp_path, header + "\n\n" + ",".join(values.values()) + "\n"))
    problem = only_problem(roster)
    assert (problem.row, problem.key) == (3, "roster.too_long")
    assert problem.params == {"column": column, "length": limit + 1, "limit": limit}


def test_duplicate_id_number_is_reported_on_the_later_row(tmp_path: Path) -> None:
    text = f"{HEADER_ZH}\n{ID1},甲,市财政局,,,\n{ID2},乙,市财政局,,,\n{ID1.lower()},丙,市教育局,,,\n{ID1},,市教育局,,,\n"
    roster = read_roster(write_csv(tmp_path, text))
    assert [(p.row, p.key, p.params) for p in roster.problems] == [
        (4, "roster.duplicate_id", {"first": 2}),
        (5, "roster.missing_value", {"column": "name"}),
        (5, "roster.duplicate_id", {"first": 2}),
    ]
    assert [r.row for r in roster.rows] == [2, 3]
    assert not roster.ok


def test_unknown_columns_are_named(tmp_path: Path) -> None:
    text = f"身份证号,姓名,单位,性别,拟任 职位\n{ID1},甲,市财政局,男,副局长\n"
    problem = only_problem(read_roster(write_csv(tmp_path, text)))
    assert (problem.row, problem.key, problem.params) == (
        1,
        "roster.unknown_columns",
        {"headers": ["性别", "拟任 职位"]},
    )


def test_missing_required_columns_and_unknown_ones_together(tmp_path: Path) -> None:
    roster = read_roster(write_csv(tmp_path, f"\n身份证号,名字\n{ID1},甲\n"))
    assert [(p.row, p.key, p.params) for p in roster.problems] == [
        (2, "roster.unknown_columns", {"headers": ["名字"]}),
        (2, "roster.missing_columns", {"fields": ["name", "unit"]}),
    ]


def test_same_column_twice(tmp_path: Path) -> None:
    problem = only_problem(
        read_roster(write_csv(tmp_path, f"身份证号,姓名,单位,name\n{ID1},甲,市财政局,甲\n"))
    )
    assert (problem.row, problem.key, problem.params) == (1, "roster.duplicate_column", {"column": "name"})


def test_values_without_a_header_once_per_column(tmp_path: Path) -> None:
    text = (
        f"身份证号,姓名,,单位\n{ID1},甲,,市财政局\n{ID2},乙,备注,市财政局,多余\n{ID3},丙,备注,市财政局,多余\n"
    )
    roster = read_roster(write_csv(tmp_path, text))
    assert [(p.row, p.key, p.params) for p in roster.problems] == [
        (3, "roster.unnamed_column", {"letter": "C"}),
        (3, "roster.unnamed_column", {"letter": "E"}),
    ]


@pytest.mark.parametrize("text", ["", "\n\n", ",,,\n,,,\n", "\ufeff"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    problem = only_problem(read_roster(write_csv(tmp_path, text)))
    assert (problem.row, problem.key) == (0, "roster.empty")


def test_header_only(tmp_path: Path) -> None:
    problem = only_problem(read_roster(write_csv(tmp_path, f"\n{HEADER_ZH}\n,,,,,\n")))
    assert (problem.row, problem.key) == (2, "roster.no_rows")


def test_empty_workbook(tmp_path: Path) -> None:
    problem = only_problem(read_roster(write_xlsx(tmp_path, {})))
    assert (problem.row, problem.key) == (0, "roster.empty")


@pytest.mark.parametrize("name", ["roster.xls", "roster.txt", "roster"])
def test_other_file_types(tmp_path: Path, name: str) -> None:
    path = write_csv(tmp_path, f"{HEADER_ZH}\n", name=name)
    problem = only_problem(read_roster(path))
    assert (problem.row, problem.key) == (0, "roster.bad_extension")


def test_missing_file(tmp_path: Path) -> None:
    problem = only_problem(read_roster(tmp_path / "nope.csv"))
    assert (problem.row, problem.key) == (0, "file.not_found")


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    problem = only_problem(read_roster(tmp_path / "folder.csv"))
    assert (problem.row, problem.key) == (0, "file.unreadable")


def test_undecodable_and_binary_files(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xff\xff\xff\xff")
    assert only_problem(read_roster(path)).key == "roster.encoding"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    assert only_problem(read_roster(path)).key == "roster.not_text"


def test_csv_error_names_the_row(tmp_path: Path) -> None:
    huge = "长" * 200_000  # past the csv module's field size limit
    problem = only_problem(
        read_roster(write_csv(tmp_path, f"{HEADER_ZH}\n{ID1},甲,市财政局,,,\n{ID2},{huge},x\n"))
    )
    assert (problem.row, problem.key) == (3, "roster.csv_syntax")


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
