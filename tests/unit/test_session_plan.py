"""Session plan files: every class of problem at the line and column it must point at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from exam_tui.domain.idnumber import with_check_digit
from exam_tui.formats import session_plan
from exam_tui.formats.session_plan import PlanFile, read_plan
from exam_tui.services.session_control import plan_lines
from tests.unit.test_bank_schema import at

ID_A = with_check_digit("11010519840715701")  # 110105198407157018
ID_B = with_check_digit("11010519840715712")  # 110105198407157122
ID_X = "11010519840715700X"  # valid, with the check digit X

VALID = f"""\
# 考试安排
exam: integrity-regulations/pre-appointment
title: 2026年第四批新任领导干部任前廉政法规考试
room: 第一机房
starts_at: 2026-11-23T14:30:00+08:00
allow_late_minutes: 10
candidates:
  - "{ID_A}"
  - {ID_B}
  - {ID_X.lower()}
"""


def read(tmp_path: Path, text: str | bytes, name: str = "plan.yaml") -> PlanFile:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return read_plan(path)


def found(tmp_path: Path, text: str | bytes) -> list[tuple[int, int, str]]:
    result = read(tmp_path, text)
    assert result.plan is None
    return [(p.line, p.column, p.key) for p in result.problems]


def test_valid_plan(tmp_path: Path) -> None:
    result = read(tmp_path, VALID)
    assert result.problems == () and result.plan is not None
    plan = result.plan
    assert plan.exam == "integrity-regulations/pre-appointment"
    assert plan.title == "2026年第四批新任领导干部任前廉政法规考试" and plan.room == "第一机房"
    assert plan.starts_at == datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    assert plan.starts_at.utcoffset() == timedelta(hours=8)
    assert plan.allow_late_minutes == 10
    assert plan.roster_file is None
    assert plan.id_numbers == (ID_A, ID_B, ID_X)  # normalised: upper-case X


def test_optional_keys_have_defaults(tmp_path: Path) -> None:
    text = VALID.replace("room: 第一机房\n", "").replace("allow_late_minutes: 10\n", "")
    plan = read(tmp_path, text).plan
    assert plan is not None and plan.room is None and plan.allow_late_minutes == 15


def test_roster_file_is_resolved_against_the_plan_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "roster.csv").write_text("身份证号,姓名,单位\n", encoding="utf-8")
    (tmp_path / "plans" / "plan.yaml").write_text(
        VALID.split("candidates:")[0] + "candidates: roster.csv\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)  # the working directory has no roster.csv; the plan's folder does
    result = read_plan(Path("plans/plan.yaml"))
    assert result.plan is not None
    assert result.plan.roster_file == (tmp_path / "plans" / "roster.csv").resolve()
    assert result.plan.id_numbers == ()


def test_shipped_example_plans_are_valid() -> None:
    folder = Path(__file__).parents[2] / "sessions"
    with_roster = read_plan(folder / "plan-example.yaml")
    assert with_roster.plan is not None, with_roster.problems
    assert with_roster.plan.roster_file == (folder / "roster-example.csv").resolve()
    with_ids = read_plan(folder / "plan-ids-example.yaml")
    assert with_ids.plan is not None, with_ids.problems
    assert len(with_ids.plan.id_numbers) == 3
    for plan in (with_roster.plan, with_ids.plan):
        assert plan.exam == "integrity-regulations/pre-appointment"
        assert plan.starts_at.utcoffset() == timedelta(hours=8)


# ---- the file ------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    result = read_plan(tmp_path / "nope.yaml")
    assert [(p.line, p.column, p.key) for p in result.problems] == [(1, 1, "file.not_found")]


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "folder.yaml").mkdir()
    result = read_plan(tmp_path / "folder.yaml")
    assert [(p.line, p.column, p.key) for p in result.problems] == [(1, 1, "file.unreadable")]
    assert result.problems[0].params["detail"]


def test_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_plan, "MAX_FILE_BYTES", 100)
    assert found(tmp_path, VALID) == [(1, 1, "file.too_large")]


def test_not_utf8(tmp_path: Path) -> None:
    raw = VALID.replace("第一机房", "ROOM").encode("utf-8").replace(b"ROOM", "第一机房".encode("gbk"))
    assert found(tmp_path, raw) == [(*at(VALID, "第一机房"), "file.not_utf8")]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    text = VALID.replace("room: 第一机房", "room: [第一机房")
    [(line, _col, key)] = found(tmp_path, text)
    assert key == "yaml.syntax" and line >= at(text, "room")[0]


def test_duplicate_key(tmp_path: Path) -> None:
    text = VALID.replace("room: 第一机房\n", "room: 第一机房\nroom: 第二机房\n")
    assert found(tmp_path, text) == [(*at(text, "room: 第二"), "yaml.duplicate_key")]


@pytest.mark.parametrize("text", ["", "# 只有注释\n", "- exam: a/b\n", "考试\n"])
def test_not_a_mapping(tmp_path: Path, text: str) -> None:
    assert found(tmp_path, text) == [(1, 1, "plan.not_a_mapping")]


# ---- the keys ------------------------------------------------------------------------------------


def test_unknown_key_points_at_the_key(tmp_path: Path) -> None:
    text = VALID.replace("room: 第一机房\n", "room: 第一机房\nproctor: 王老师\n")
    assert found(tmp_path, text) == [(*at(text, "proctor"), "bank.unknown_key")]


def test_missing_key_points_at_the_document(tmp_path: Path) -> None:
    text = VALID.replace("title: 2026年第四批新任领导干部任前廉政法规考试\n", "")
    result = read(tmp_path, text)
    assert [(p.line, p.column, p.key, p.params) for p in result.problems] == [
        (*at(text, "exam:"), "bank.missing_key", {"key": "title"})
    ]


@pytest.mark.parametrize("key", ["exam", "title", "starts_at", "candidates"])
def test_required_key_left_empty_points_at_the_key(tmp_path: Path, key: str) -> None:
    lines = VALID.split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    lines[index] = f"{key}:"
    if key == "candidates":
        lines = [line for line in lines if not line.startswith("  - ")]
    text = "\n".join(lines)
    result = read(tmp_path, text)
    assert [(p.line, p.column, p.key, p.params) for p in result.problems] == [
        (index + 1, 1, "bank.missing_key", {"key": key})
    ]


@pytest.mark.parametrize("value", ["123", '"  "', "[第一机房]"])
def test_text_keys_must_be_text(tmp_path: Path, value: str) -> None:
    text = VALID.replace("room: 第一机房", f"room: {value}")
    assert found(tmp_path, text) == [(*at(text, value), "plan.not_text")]


@pytest.mark.parametrize("ref", ["integrity-regulations", "a/b/c", "/pre-appointment", "bank/"])
def test_exam_reference(tmp_path: Path, ref: str) -> None:
    text = VALID.replace("integrity-regulations/pre-appointment", ref)
    assert found(tmp_path, text) == [(*at(text, f"exam: {ref}", 6), "plan.exam_ref")]


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01T14:30:00+08:00", "14:30"])
def test_bad_time(tmp_path: Path, value: str) -> None:
    text = VALID.replace("2026-11-23T14:30:00+08:00", value)
    assert found(tmp_path, text) == [(*at(text, value), "plan.bad_time")]


@pytest.mark.parametrize("value", ["2026-11-23T14:30:00", "2026-11-23 14:30", "2026-11-23"])
def test_time_without_offset(tmp_path: Path, value: str) -> None:
    text = VALID.replace("2026-11-23T14:30:00+08:00", value)
    assert found(tmp_path, text) == [(*at(text, value), "plan.no_offset")]


def test_time_in_another_zone_is_kept_exact(tmp_path: Path) -> None:
    text = VALID.replace("2026-11-23T14:30:00+08:00", "2026-11-23 06:30:00Z")
    plan = read(tmp_path, text).plan
    assert plan is not None and plan.starts_at == datetime(
        2026, 11, 23, 14, 30, tzinfo=timezone(timedelta(hours=8))
    )


@pytest.mark.parametrize("value", ["-1", "241", "true", '"15"', "1.5"])
def test_late_minutes_range(tmp_path: Path, value: str) -> None:
    text = VALID.replace("allow_late_minutes: 10", f"allow_late_minutes: {value}")
    assert found(tmp_path, text) == [(*at(text, f": {value}", 2), "plan.late_range")]


def test_late_minutes_bounds_are_allowed(tmp_path: Path) -> None:
    for value in (0, 240):
        plan = read(tmp_path, VALID.replace("allow_late_minutes: 10", f"allow_late_minutes: {value}")).plan
        assert plan is not None and plan.allow_late_minutes == value


# ---- the candidates ------------------------------------------------------------------------------


def test_missing_roster_file(tmp_path: Path) -> None:
    text = VALID.split("candidates:")[0] + "candidates: nobody.csv\n"
    result = read(tmp_path, text)
    assert [(p.line, p.column, p.key, p.params) for p in result.problems] == [
        (*at(text, "nobody.csv"), "plan.no_roster", {"file": "nobody.csv"})
    ]


@pytest.mark.parametrize("name", ["x\\0y.csv", "a" * 5000], ids=["nul", "too-long"])
def test_roster_name_no_file_can_have_is_not_found(tmp_path: Path, name: str) -> None:
    # Found by fuzzing: a NUL byte raised ValueError and a 5,000-character name OSError out of read_plan.
    text = VALID.split("candidates:")[0] + f'candidates: "{name}"\n'
    result = read(tmp_path, text)
    assert [(p.line, p.key) for p in result.problems] == [(at(text, "candidates: ")[0], "plan.no_roster")]


def test_bad_id_number_points_at_the_entry(tmp_path: Path) -> None:
    bad = ID_B[:-1] + ("0" if ID_B[-1] != "0" else "1")
    text = VALID.replace(f"  - {ID_B}\n", f"  - {bad}\n  - 12345\n")
    result = read(tmp_path, text)
    assert [(p.line, p.column, p.key, p.params["reason"]) for p in result.problems] == [
        (*at(text, bad), "plan.bad_id", "id.checksum"),
        (*at(text, "12345"), "plan.bad_id", "id.length"),
    ]


def test_duplicate_id_number_names_the_first_line(tmp_path: Path) -> None:
    text = VALID.replace(f"  - {ID_X.lower()}\n", f"  - {ID_X.lower()}\n  - {ID_A}\n")
    first = at(text, f'"{ID_A}"')
    second = at(text, f"  - {ID_A}\n", 4)
    result = read(tmp_path, text)
    assert [(p.line, p.column, p.key, p.params) for p in result.problems] == [
        (*second, "plan.duplicate_id", {"value": ID_A, "line": first[0]})
    ]


@pytest.mark.parametrize("value", ["[]", "42", "{file: roster.csv}", '"  "'])
def test_candidates_of_the_wrong_kind(tmp_path: Path, value: str) -> None:
    text = VALID.split("candidates:")[0] + f"candidates: {value}\n"
    assert found(tmp_path, text) == [(*at(text, f"candidates: {value}", 12), "plan.candidates")]


def test_every_problem_is_reported_in_file_order(tmp_path: Path) -> None:
    text = (
        VALID.replace("integrity-regulations/pre-appointment", "pre-appointment")
        .replace("2026-11-23T14:30:00+08:00", "2026-11-23T14:30:00")
        .replace("allow_late_minutes: 10", "allow_late_minutes: 500")
        .replace("  - 11010519840715700x", "  - 110105")
        + "colour: red\n"
    )
    result = read(tmp_path, text)
    assert [(p.line, p.key) for p in result.problems] == [
        (at(text, "pre-appointment")[0], "plan.exam_ref"),
        (at(text, "T14:30")[0], "plan.no_offset"),
        (at(text, "500")[0], "plan.late_range"),
        (at(text, "  - 110105\n")[0], "plan.bad_id"),
        (at(text, "colour")[0], "bank.unknown_key"),
    ]
    lines = plan_lines(result)
    assert lines[0] == f"{result.path}:2:7: “pre-appointment” 不是 题库/考试 形式的考试标识"
    assert lines[3].endswith("身份证号 “110105” 无效:应为 18 位")


def test_shipped_qualification_plan_is_valid() -> None:
    folder = Path(__file__).parents[2] / "sessions"
    result = read_plan(folder / "plan-qualification-example.yaml")
    assert result.plan is not None, result.problems
    assert result.plan.exam == "discipline-inspection-qualification/qualification"
    assert len(result.plan.id_numbers) == 2


def test_a_written_plan_reads_back_as_written(tmp_path: Path) -> None:
    starts = datetime(2026, 12, 9, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    numbers = [with_check_digit("11010119800101001"), with_check_digit("11010119800101002")]
    text = session_plan.plan_text(
        exam="integrity-regulations/pre-appointment",
        title='任前考试(补考): "第二批"',  # quotes and a colon, as a title may have
        starts_at=starts,
        room="第一机房",
        candidates=[(numbers[0], "张三 市财政局 # 缺考"), (numbers[1], "李四 市教育局")],
        header=["补考安排", "exam-tui session open plan.yaml"],
    )
    plan = read(tmp_path, text).plan
    assert plan is not None
    assert (plan.exam, plan.title, plan.room, plan.starts_at) == (
        "integrity-regulations/pre-appointment",
        '任前考试(补考): "第二批"',
        "第一机房",
        starts,
    )
    assert plan.id_numbers == tuple(numbers)
    assert text.startswith("# 补考安排\n") and "# 张三 市财政局 # 缺考" in text
