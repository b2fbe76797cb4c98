"""The decision commands as an admin runs them: deferred, appointment, cadre show, appeal, grade, setting."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.domain.idnumber import mask
from exam_tui.services import answers, attempts, banks, session_control
from exam_tui.services.runtime import Database
from exam_tui.services.sessions import schedule_session
from exam_tui.store.models import QuestionRow
from tests.conftest import WRITTEN_BANK, SteppingClock
from tests.integration.conftest import sign_in_and_begin, unmask_args

runner = CliRunner()


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


def run(db: Database, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", db.url, *args], catch_exceptions=False)


def _sit(db: Database, clock: SteppingClock, code: str, number: str, *, right: bool) -> int:
    state = sign_in_and_begin(db, clock, code, number)
    if right:
        for item in state.paper.items:
            answers.save_answer(
                db,
                state.attempt_id,
                item=item.number,
                answer=item.key,
                flagged=False,
                revision=1,
                clock=clock,
            )
    attempts.hand_in(db, state.attempt_id, clock=clock)
    return state.attempt_id


def _run_demo_session(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]]
) -> tuple[int, int]:
    """The first candidate passes, the second hands in a blank paper, the rest never come."""
    session_id, code, numbers = demo
    session_control.start_session(db, session_id, clock=clock)
    passed = _sit(db, clock, code, numbers[0], right=True)
    failed = _sit(db, clock, code, numbers[1], right=False)
    clock.advance(minutes=90)
    session_control.close_session(db, session_id, clock=clock)
    return passed, failed


def test_deferred_lists_the_failed_and_the_absent_in_every_format(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    _run_demo_session(db, clock, demo)
    numbers = demo[2]
    listed = json.loads(run(db, "deferred", "--format", "json", *unmask_args(db, tmp_path)).stdout)[
        "appointments"
    ]
    by_number = {d["id_number"]: d for d in listed}
    assert numbers[0] not in by_number
    assert by_number[numbers[1]]["reason"] == "failed" and by_number[numbers[1]]["score"] == 0
    assert {by_number[n]["reason"] for n in numbers[2:]} == {"absent"}
    assert all(d["status"] == "deferred" and d["retake_from"] for d in listed)
    table = run(db, "deferred").stdout
    assert "暂缓任用" in table and "考试不合格" in table and "缺考" in table
    assert numbers[1] not in table  # masked unless asked
    out = tmp_path / "deferred.xlsx"
    written = run(db, "deferred", "-o", str(out))
    assert written.exit_code == 0 and str(out) in written.stdout
    sheet = load_workbook(out).active
    assert sheet.title == "暂缓任用名单" and sheet.max_row == len(listed) + 2  # the notice, the headers
    assert run(db, "deferred", "-o", str(out)).exit_code == 1  # exists, no --force
    unknown = run(db, "deferred", "--unit", "不存在的单位")
    assert unknown.exit_code == 1 and "不存在的单位" in unknown.stderr


def test_override_needs_a_reason_and_shows_in_the_history(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    _run_demo_session(db, clock, demo)
    failed_number = demo[2][1]
    record = next(
        d
        for d in json.loads(run(db, "deferred", "--format", "json", *unmask_args(db, tmp_path)).stdout)[
            "appointments"
        ]
        if d["id_number"] == failed_number
    )
    number = str(record["id"])
    blank = run(db, "appointment", "override", number, "--status", "cleared", "--reason", "  ")
    assert blank.exit_code == 1 and "理由" in blank.stderr
    done = run(
        db,
        "appointment",
        "override",
        number,
        "--status",
        "cleared",
        "--reason",
        "经组织研究",
        "--by",
        "王部长",
    )
    assert done.exit_code == 0
    assert failed_number not in run(db, "deferred", "--format", "json", *unmask_args(db, tmp_path)).stdout
    shown = run(db, "appointment", "show", number).stdout
    assert "王部长" in shown and "人工改定" in shown and "经组织研究" in shown and "考试不合格" in shown
    lifted = run(db, "appointment", "override", number, "--lift", "--reason", "改定有误", "--by", "王部长")
    assert lifted.exit_code == 0
    history = json.loads(run(db, "appointment", "show", number, "--json").stdout)
    assert history["status"] == "deferred" and history["override"] is None
    assert [h["source"] for h in history["history"]][-2:] == ["override", "override_lifted"]
    assert (
        run(db, "appointment", "override", number, "--status", "cleared", "--lift", "--reason", "x").exit_code
        == 1
    )


def test_cadre_show_has_the_sittings_and_decisions(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]]
) -> None:
    passed, _ = _run_demo_session(db, clock, demo)
    number = demo[2][0]
    record = json.loads(run(db, "cadre", "show", number, "--json").stdout)
    assert record["id_number"] == mask(number)  # masked: whoever typed the number, others see the screen
    assert [s["attempt"] for s in record["sittings"]] == [passed]
    assert record["sittings"][0]["passed"] is True
    (appointment,) = record["appointments"]
    assert appointment["status"] == "cleared" and appointment["history"][-1]["reason"] == "passed"
    text = run(db, "cadre", "show", number).stdout
    assert "通过" in text and "考试合格" in text
    missing = run(db, "cadre", "show", "110101199001011237")
    assert missing.exit_code == 1


def test_appeal_correcting_a_key_changes_the_result_and_is_recorded(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]]
) -> None:
    passed, failed = _run_demo_session(db, clock, demo)
    filed = run(db, "appeal", "file", str(passed), "--reason", "第1题答案有误", "--by", "李干事")
    assert filed.exit_code == 0
    detail = json.loads(run(db, "appeal", "show", "1", "--json").stdout)
    first = detail["items"][0]
    assert first["answer"] == first["key"]  # the paper as the candidate saw it, answered right
    wrong = next(letter for letter, _ in first["options"] if letter != first["key"])
    assert first["type"] == "single"
    # The corrected key is typed in the bank's letters; any other letter makes this candidate's answer wrong.
    with db.read() as s:
        bank_letter = s.execute(
            select(QuestionRow.answer).where(QuestionRow.slug == first["question"])
        ).scalar_one()
    other = next(letter for letter in "ABCD" if letter != bank_letter)
    # `appeal show` gives each option's bank letter next to the letter the candidate saw.
    shown_key_line = next(
        line for line in run(db, "appeal", "show", "1").stdout.splitlines() if line.startswith("   ✓")
    )
    assert shown_key_line.endswith(f"〔题库 {bank_letter}〕")
    corrected = run(
        db,
        "appeal",
        "correct-key",
        "1",
        "--question",
        first["question"],
        "--key",
        other,
        "--reason",
        "依据条例原文",
    )
    assert corrected.exit_code == 0, corrected.output
    assert "重新评分" in corrected.stdout and str(passed) in corrected.stdout
    decided = run(db, "appeal", "decide", "1", "--note", "答案更正,成绩相应调整", "--by", "复核组")
    assert decided.exit_code == 0 and "结果已更正" in decided.stdout
    shown = run(db, "appeal", "show", "1").stdout
    assert "复核组" in shown and "更正答案" in shown and "原答案" in shown and wrong
    # The steps in words, as the reviewer's screen words them (no key=value).
    steps = shown.split("经过:\n")[1].split("\n\n")[0].splitlines()
    assert [line.split("  ")[-1].split(":")[0] for line in steps] == ["登记申诉", "更正答案", "作出决定"]
    assert not any("=" in line for line in steps)
    assert run(db, "appeal", "regrade", "1", "--item", "1", "--points", "1").exit_code == 1  # decided
    run(db, "appeal", "file", str(failed), "--reason", "对成绩有异议")
    upheld = run(db, "appeal", "decide", "2", "--note", "经复核,评分无误")
    assert "维持原结果" in upheld.stdout
    listing = json.loads(run(db, "appeal", "list", "--json").stdout)
    assert [(a["id"], a["outcome"]) for a in listing] == [(1, "changed"), (2, "upheld")]


def test_grade_queue_next_and_mark(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]]
) -> None:
    banks.import_files(db, [WRITTEN_BANK])
    numbers = demo[2][:2]
    view = schedule_session(
        db,
        exam_ref="written-test/written",
        title="简答",
        room=None,
        starts_at=clock(),
        id_numbers=numbers,
        open_now=True,
        clock=clock,
    )
    session_control.start_session(db, view.id, clock=clock)
    attempt_ids = []
    for number in numbers:
        state = sign_in_and_begin(db, clock, view.access_code, number)
        short = next(i for i in state.paper.items if i.type == "short_answer")
        answers.save_answer(
            db,
            state.attempt_id,
            item=short.number,
            answer="监督、调查、处置",
            flagged=False,
            revision=1,
            clock=clock,
        )
        attempts.hand_in(db, state.attempt_id, clock=clock)
        attempt_ids.append(state.attempt_id)
    queue = run(db, "grade", "queue", str(view.id), "--by", "阅卷甲").stdout
    assert "sa-1" in queue
    shown = run(db, "grade", "next", str(view.id), "sa-1", "--by", "阅卷甲").stdout
    assert f"答卷 {attempt_ids[0]}" in shown and "监督、调查、处置" in shown
    assert bad_mark(db, attempt_ids[0]) == 1
    for attempt_id in attempt_ids:
        marked = run(db, "grade", "mark", str(attempt_id), "--item", "2", "--points", "8.5", "--by", "阅卷甲")
        assert marked.exit_code == 0 and "全部评定" in marked.stdout
    assert "没有您可以评的答卷" in run(db, "grade", "next", str(view.id), "sa-1", "--by", "阅卷甲").stdout


def bad_mark(db: Database, attempt_id: int) -> int:
    result = run(db, "grade", "mark", str(attempt_id), "--item", "2", "--points", "8.3", "--by", "阅卷甲")
    assert "7.5" in result.stderr  # says what a half point looks like
    return result.exit_code


def test_setting_set_and_show(db: Database) -> None:
    assert "retake_gap_days\t7" in run(db, "setting", "show").stdout
    assert run(db, "setting", "set", "retake_gap_days", "3", "--by", "管理员").exit_code == 0
    assert "retake_gap_days\t3" in run(db, "setting", "show").stdout
    assert run(db, "setting", "set", "retake_gap_days", "x").exit_code == 1
    assert run(db, "setting", "set", "no_such", "1").exit_code == 1


def test_closing_from_the_command_line_records_who_closed_on_the_deferrals_it_makes(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    session_id, _, numbers = demo
    assert run(db, "session", "start", str(session_id), "--by", "监考员张").exit_code == 0
    assert run(db, "session", "close", str(session_id), "--by", "监考员张").exit_code == 0
    listed = json.loads(run(db, "deferred", "--format", "json", *unmask_args(db, tmp_path)).stdout)[
        "appointments"
    ]
    absent = next(d for d in listed if d["id_number"] == numbers[0])
    history = json.loads(run(db, "appointment", "show", str(absent["id"]), "--json").stdout)["history"]
    assert history[-1]["actor"] == "监考员张" and history[-1]["reason"] == "absent"


def _today(db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]]) -> str:
    """The demo session run now, not at the fixed test time: the commands judge retakes by the database's
    clock. Returns the ID number of the candidate who failed."""
    clock.now = datetime.now(UTC)
    _run_demo_session(db, clock, demo)
    return demo[2][1]


def test_opening_a_retake_too_soon_names_who_sign_in_will_refuse(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    failed_number = _today(db, clock, demo)
    plan = tmp_path / "retake.yaml"
    plan.write_text(
        "exam: integrity-regulations/pre-appointment\n"
        "title: 补考\n"
        f"starts_at: {clock().isoformat()}\n"
        f'candidates: ["{failed_number}", "{demo[2][0]}"]\n',
        encoding="utf-8",
    )
    opened = run(db, "session", "open", str(plan))
    assert opened.exit_code == 0 and "准入码" in opened.stdout  # opened all the same
    warning = opened.stderr.splitlines()
    assert len(warning) == 2 and "1 名考生" in warning[0]
    assert failed_number[-4:] in warning[1] and "补考须在" in warning[1]


def test_a_retake_plan_from_the_deferred_list_opens_and_clears_the_one_who_passes(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    failed_number = _today(db, clock, demo)
    plan = tmp_path / "retake.yaml"
    too_soon = run(
        db,
        "deferred",
        "--retake-plan",
        str(plan),
        "--on",
        clock().date().isoformat(),
        *unmask_args(db, tmp_path)[1:],
    )
    assert too_soon.exit_code == 1 and not plan.exists()
    assert "未列入" in too_soon.stderr and "还没有人可以补考" in too_soon.stderr
    assert run(db, "setting", "set", "retake_gap_days", "0", "--by", "组织部").exit_code == 0
    written = run(db, "deferred", "--retake-plan", str(plan), *unmask_args(db, tmp_path)[1:])
    assert written.exit_code == 0 and "exam-tui session open" in written.stdout
    text = plan.read_text(encoding="utf-8")
    assert f'"{failed_number}"' in text and "考试不合格" in text and f'"{demo[2][0]}"' not in text
    assert len([line for line in text.splitlines() if line.startswith("  - ")]) == len(demo[2]) - 1
    assert (
        run(db, "deferred", "--retake-plan", str(plan), *unmask_args(db, tmp_path)[1:]).exit_code == 1
    )  # exists, no --force
    opened = json.loads(run(db, "session", "open", str(plan), "--json").stdout)
    assert opened["candidates"] == len(demo[2]) - 1
    session_control.start_session(db, opened["id"])
    clock.now = datetime.now(UTC)
    _sit(db, clock, opened["access_code"], failed_number, right=True)
    listed = {
        d["id_number"]
        for d in json.loads(run(db, "deferred", "--format", "json", *unmask_args(db, tmp_path)).stdout)[
            "appointments"
        ]
    }
    assert failed_number not in listed and len(listed) == len(demo[2]) - 2
