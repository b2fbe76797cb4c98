"""``bank convert``, ``bank template`` and ``bank export`` as an admin runs them: exit codes, the report on
stderr, files written whole or not at all, and banks that import and can be sat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.formats.yaml_bank import read_bank_file
from exam_tui.services import answers, attempts, bank_convert, banks, session_control, sessions
from exam_tui.services.runtime import Database
from tests.conftest import STARTER_BANK, SteppingClock
from tests.integration.conftest import sign_in_and_begin

runner = CliRunner()
SHIPPED = sorted(STARTER_BANK.parent.glob("*.yaml"))


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def sheet(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["题型", "题干", "选项A", "选项B", "选项C", "答案", "分类"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_convert_reports_every_skipped_and_altered_row_and_writes_a_valid_bank(tmp_path: Path) -> None:
    source = sheet(
        tmp_path / "题库.xlsx",
        [
            ["单选", "党纪处分有几种?", "四种", "五种", "六种", "B", "纪律处分条例"],
            ["单选", "没有答案?", "a", "b"],
            [None] * 7,
            ["填空", "期间为( )个月。", None, None, None, "六/6", "政务处分法"],
            ["单选", "越界?", "a", "b", None, "D"],
        ],
    )
    out = tmp_path / "out" / "bank.yaml"
    result = run("bank", "convert", str(source), "-o", str(out), "--bank", "migrated", "--title", "迁移题库")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{source}:第 3 行: 跳过:有题干但没有答案",
        f"{source}:第 5 行: 改动:题干中的 1 个空(括号或短下划线)已改为 ____",
        f"{source}:第 6 行: 跳过:答案中的 D 超出所给选项(AB)",
        "已转换 2 题,跳过 2 题,改动 1 题",
    ]
    assert "migrated" in result.stdout
    assert run("bank", "validate", str(out)).exit_code == 0
    bank = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert bank["bank"] == "migrated" and bank["title"] == "迁移题库"
    assert [q["answer"] for q in bank["questions"]] == ["B", [["六", "6"]]]
    assert [p.name for p in out.parent.iterdir()] == ["bank.yaml"]  # no temporary file left


def test_nothing_converted_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    source = sheet(tmp_path / "a.xlsx", [["单选", "没有答案?", "a", "b"]])
    out = tmp_path / "a.yaml"
    result = run("bank", "convert", str(source), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "已转换 0 题,跳过 1 题,改动 0 题",
        f"{source}: 没有可转换的题目,未写出文件",
    ]
    assert not out.exists()


def test_a_bank_the_validator_refuses_is_not_written_and_the_old_file_stays(tmp_path: Path) -> None:
    source = sheet(tmp_path / "x.xlsx", [["单选", "一?", "a", "b", None, "A", None]])
    wb = load_workbook(source)
    exams = wb.create_sheet("考试")
    exams.append(
        [
            "考试ID",
            "考试名称",
            "考试类型",
            "时长(分钟)",
            "及格分",
            "大题名称",
            "大题题型",
            "抽题数",
            "每题分值",
        ]
    )
    exams.append(["quiz", "测验", "练习", 30, 6, "一、单选", "单选题", 5, 2])
    wb.save(source)
    out = tmp_path / "x.yaml"
    out.write_text("old: content\n", encoding="utf-8")
    result = run("bank", "convert", str(source), "-o", str(out))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{source}:考试 第 2 行: 考试 quiz") and "5" in lines[0]
    assert lines[-1] == f"转换结果未通过题库校验,未写出 {out}"
    assert out.read_text(encoding="utf-8") == "old: content\n"


def test_unreadable_sources_and_unknown_formats(tmp_path: Path) -> None:
    fake = tmp_path / "old.xlsx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0 not a zip")
    result = run("bank", "convert", str(fake), "-o", str(tmp_path / "o.yaml"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{fake}:file: 不是 .xlsx 工作簿(旧版 .xls 请另存为 .xlsx)"
    csv = tmp_path / "q.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    assert "--from" in run("bank", "convert", str(csv), "-o", str(tmp_path / "o.yaml")).stderr
    bad_from = run("bank", "convert", str(fake), "-o", str(tmp_path / "o.yaml"), "--from", "docx")
    assert bad_from.exit_code == 1 and "docx" in bad_from.stderr
    missing = run("bank", "convert", str(tmp_path / "none.xlsx"), "-o", str(tmp_path / "o.yaml"))
    assert missing.exit_code == 1 and "文件不存在" in missing.stderr
    assert "Traceback" not in result.output + missing.output
    assert not (tmp_path / "o.yaml").exists()


def test_a_converter_module_that_is_missing_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(bank_convert.FORMATS, "gift", "no_such_converter")
    source = tmp_path / "q.gift"
    source.write_text("::q1:: 1+1? {=2 ~3}\n", encoding="utf-8")
    result = run("bank", "convert", str(source), "-o", str(tmp_path / "o.yaml"))
    assert result.exit_code == 1
    assert result.stderr.strip() == "本程序未安装 gift 格式的转换器(缺少模块 no_such_converter)"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.txt", "1+1=?\nA. 2\nB. 3\nANSWER: A\n", "aiken"),
        ("g.txt", "::q1:: 1+1? {=2 ~3}\n", "gift"),
        ("g.TXT", "1+1? {=2 ~3}\n", "gift"),
        ("m.xml", "<quiz/>", "moodle-xml"),
        ("b.gift", "", "gift"),
        ("s.xlsx", "", "xlsx"),
    ],
)
def test_format_detection(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert bank_convert.detect_format(path) == expected


def test_a_mapping_file_names_other_columns(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["种类", "试题正文", "甲", "乙", "标准选项"])
    wb.active.append(["单选", "?", "对", "错", "B"])
    wb.save(tmp_path / "m.xlsx")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "种类: 题型\n试题正文: stem\n甲: option_a\n乙: B\n标准选项: answer\n", encoding="utf-8"
    )
    out = tmp_path / "m.yaml"
    without = run("bank", "convert", str(tmp_path / "m.xlsx"), "-o", str(out))
    assert without.exit_code == 1 and "没有找到表头" in without.stderr
    result = run("bank", "convert", str(tmp_path / "m.xlsx"), "-o", str(out), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["questions"][0]["answer"] == "B"
    mapping.write_text("种类: 题目的种类\n", encoding="utf-8")
    bad = run("bank", "convert", str(tmp_path / "m.xlsx"), "-o", str(out), "--mapping", str(mapping))
    assert bad.exit_code == 1 and "“题目的种类” 不是已知字段" in bad.stderr


def test_the_template_converts_validates_and_has_its_dropdowns(tmp_path: Path) -> None:
    template = tmp_path / "template.xlsx"
    made = run("bank", "template", "-o", str(template))
    assert made.exit_code == 0, made.output
    wb = load_workbook(template)
    assert wb.sheetnames == ["题目", "填写说明"]
    ws = wb["题目"]
    assert ws.freeze_panes == "A2" and ws["A1"].value == "题型" and ws["B1"].value == "题干"
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"单选题,多选题,判断题,填空题,简答题"' in lists and '"易,较易,中,较难,难"' in lists
    out = tmp_path / "template.yaml"
    converted = run("bank", "convert", str(template), "-o", str(out), "--bank", "example")
    assert converted.exit_code == 0 and converted.stderr.strip() == "已转换 5 题,跳过 0 题,改动 0 题"
    bank = read_bank_file(out).bank
    assert bank is not None
    assert [q.type for q in bank.questions] == [
        "single",
        "multiple",
        "true_false",
        "fill_blank",
        "short_answer",
    ]
    assert bank.questions[0].source == "《中国共产党纪律处分条例》第八条"
    assert run("bank", "template", "-o", str(tmp_path / "t.xls")).exit_code == 1


def _fields(question: Any) -> dict[str, Any]:
    # A fill-in entry with one accepted answer reads back as a plain string: the same answer.
    dump = question.model_dump()
    if question.type == "fill_blank":
        dump["answer"] = question.accepted()
    return dump


@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda p: p.stem)
def test_export_then_convert_gives_back_the_shipped_bank(tmp_path: Path, shipped: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert run("--db", url, "bank", "import", str(shipped)).exit_code == 0
    original = read_bank_file(shipped).bank
    assert original is not None
    xlsx, back = tmp_path / "bank.xlsx", tmp_path / "bank.yaml"
    exported = run("--db", url, "bank", "export", original.slug, "-o", str(xlsx))
    assert exported.exit_code == 0 and exported.stderr == ""
    assert (
        f"{len(original.questions)} 题" in exported.stdout
        and f"{len(original.exams)} 场考试" in exported.stdout
    )
    converted = run("bank", "convert", str(xlsx), "-o", str(back))
    assert converted.exit_code == 0 and converted.stderr.strip().endswith("跳过 0 题,改动 0 题")
    again = read_bank_file(back).bank
    assert again is not None
    assert (again.slug, again.title, again.version, again.language) == (
        original.slug,
        original.title,
        original.version,
        original.language,
    )
    assert again.categories == original.categories
    assert [q.id for q in again.questions] == [q.id for q in original.questions]
    assert [_fields(q) for q in again.questions] == [_fields(q) for q in original.questions]
    assert again.exams == original.exams
    # The converted file imports over the bank it came from.
    reimported = run("--db", url, "bank", "import", str(back))
    assert reimported.exit_code == 0 and original.slug in reimported.stdout
    assert run("--db", url, "bank", "export", "no-such-bank", "-o", str(xlsx)).exit_code == 1


def test_a_converted_bank_with_exams_added_imports_and_can_be_sat(
    db: Database, demo: tuple[int, str, list[str]], clock: SteppingClock, tmp_path: Path
) -> None:
    template, out = tmp_path / "t.xlsx", tmp_path / "t.yaml"
    assert run("bank", "template", "-o", str(template)).exit_code == 0
    assert run("bank", "convert", str(template), "-o", str(out), "--bank", "converted").exit_code == 0
    bank = yaml.safe_load(out.read_text(encoding="utf-8"))
    bank["exams"] = [
        {
            "id": "check",
            "title": "转换题库测验",
            "kind": "practice",
            "duration_minutes": 20,
            "pass_score": 8,
            "sections": [
                {"title": "一、单选", "type": "single", "draw": 1, "points": 2},
                {"title": "二、多选", "type": "multiple", "draw": 1, "points": 2},
                {"title": "三、判断", "type": "true_false", "draw": 1, "points": 2},
                {"title": "四、填空", "type": "fill_blank", "draw": 1, "points": 4},
            ],
        }
    ]
    out.write_text(yaml.safe_dump(bank, allow_unicode=True, sort_keys=False), encoding="utf-8")
    banks.import_files(db, [out])
    _, _, numbers = demo
    view = sessions.schedule_session(
        db,
        exam_ref="converted/check",
        title="转换题库测验",
        room=None,
        starts_at=clock(),
        id_numbers=numbers[:1],
        open_now=True,
        clock=clock,
    )
    session_control.start_session(db, view.id, clock=clock)
    state = sign_in_and_begin(db, clock, view.access_code, numbers[0])
    assert [item.type for item in state.paper.items] == ["single", "multiple", "true_false", "fill_blank"]
    for item in state.paper.items:
        # The fill-in answered with one alternative of each blank's cell (六/6|十二/12).
        key = ["6", "十二"] if item.type == "fill_blank" else item.key
        answers.save_answer(
            db, state.attempt_id, item=item.number, answer=key, flagged=False, revision=1, clock=clock
        )
    outcome = attempts.hand_in(db, state.attempt_id, clock=clock)
    assert outcome.state == "graded" and outcome.score == 10 and outcome.passed
