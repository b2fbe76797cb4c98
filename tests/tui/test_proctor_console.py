"""The proctor's console against a real session driven through the services, as candidates would."""

from __future__ import annotations

import asyncio
import csv
import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from rich.cells import cell_len
from sqlalchemy import text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from exam_tui.domain.idnumber import mask, with_check_digit
from exam_tui.i18n import t
from exam_tui.services import accounts, admission, answers, attempts, proctoring
from exam_tui.services.accounts import DEMO_PASSWORD
from exam_tui.services.cadres import import_roster
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import close_session, session_detail, start_session
from exam_tui.services.sessions import list_sessions, schedule_session
from exam_tui.tui.app import ExamApp, make_app
from exam_tui.tui.screens.home import HomeScreen
from exam_tui.tui.screens.proctor.console import ConsoleScreen
from exam_tui.tui.screens.proctor.picker import SessionPickerScreen
from exam_tui.tui.screens.proctor.summary import SummaryScreen
from exam_tui.tui.screens.proctor.widgets import RosterTable
from tests.conftest import SteppingClock
from tests.tui.conftest import BEIJING, staff

SIZE = (100, 30)
SMALL = (80, 24)
DEMO_EXAM = "integrity-regulations/pre-appointment"
ROLES = (
    "waiting",
    "answering",
    "handed_in",
    "terminated",
    "absent",
    "not_signed_in",
    "time_up",
    "silent",
    "restless",
    "late",
)


# ---- a session in every state, made with the services --------------------------------------------------


@dataclass
class Sitting:
    session_id: int
    code: str
    number: dict[str, str]  # role -> ID number
    attempt: dict[str, attempts.AttemptState] = field(default_factory=dict)
    name: dict[str, str] = field(default_factory=dict)


def begin(db: Database, clock: SteppingClock, code: str, number: str, host: str) -> attempts.AttemptState:
    admitted = admission.admit(db, login=number, access_code=code, clock=clock)
    return attempts.begin(
        db, session_id=admitted.session.id, cadre_id=admitted.candidate.cadre_id, hostname=host, clock=clock
    )


def pin_secret(db: Database) -> None:
    # A session's secret is drawn from the OS; pinned, every run draws the same papers (same scores).
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE exam_session SET secret = :secret"), {"secret": "5e" * 32})


def live_sitting(db: Database, clock: SteppingClock) -> Sitting:
    """The demo session started, its ten candidates in every state a running session has."""
    pin_secret(db)
    (session,) = list_sessions(db)
    detail = session_detail(db, session.id)
    ordered = sorted(detail.candidates, key=lambda c: c.id_number)
    s = Sitting(
        session.id, session.access_code, {r: c.id_number for r, c in zip(ROLES, ordered, strict=True)}
    )
    s.name = {r: c.name for r, c in zip(ROLES, ordered, strict=True)}
    admission.admit(db, login=s.number["waiting"], access_code=s.code, clock=clock)
    start_session(db, s.session_id, clock=clock)
    for i, role in enumerate(("answering", "handed_in", "terminated", "time_up", "silent", "restless"), 2):
        s.attempt[role] = begin(db, clock, s.code, s.number[role], f"lab-{i:02d}")
    for item, letter in ((1, "A"), (2, "B")):
        answers.save_answer(
            db,
            s.attempt["answering"].attempt_id,
            item=item,
            answer=letter,
            flagged=False,
            revision=1,
            clock=clock,
        )
    attempts.hand_in(db, s.attempt["handed_in"].attempt_id, clock=clock)
    proctoring.terminate_attempt(
        db, s.session_id, s.number["terminated"], reason="夹带", actor="p", clock=clock
    )
    proctoring.mark_absent(db, s.session_id, s.number["absent"], reason="病假", actor="p", clock=clock)
    for _ in range(2):
        answers.record_incident(db, s.attempt["restless"].attempt_id, "focus_lost", clock=clock)
    begin(db, clock, s.code, s.number["restless"], "lab-10")  # resumed on another machine
    return s


def mixed_sitting(db: Database, clock: SteppingClock) -> Sitting:
    """Live, then an hour on: one paper timed out, one terminal silent, the others heard from."""
    from exam_tui.services.session_control import extend_time

    s = live_sitting(db, clock)
    for role in ("answering", "silent", "restless"):
        extend_time(db, s.session_id, minutes=30, id_number=s.number[role], clock=clock)
    clock.advance(minutes=61)
    for role in ("time_up", "answering", "restless"):
        answers.heartbeat(db, s.attempt[role].attempt_id, clock=clock)
    return s


def proctor_app(
    db: Database, clock: SteppingClock, session_id: int | None = None, login: str = "proctor"
) -> ExamApp:
    """Signed in as the demo's ``login``; the services hold its stored roles and assignments (the demo
    proctor has the demo session), not the test's SignedIn."""
    return make_app(db, clock=clock, tz=BEIJING, proctor=True, session_id=session_id, user=staff(login))


@pytest.fixture
def demo_db(demo_db_each_backend: Database) -> Database:
    # The console's reads and the interventions' writes differ by backend: run every test on each.
    return demo_db_each_backend


@pytest.fixture
def stepping() -> SteppingClock:
    return SteppingClock()


@pytest.fixture(autouse=True)
def _still_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # The console's clock runs between reads on monotonic time; standing still, every read looks alike.
    monkeypatch.setattr(ConsoleScreen, "monotonic", staticmethod(lambda: 0.0))


async def settle(pilot: Pilot) -> None:
    """Wait for the reads and actions under way and the messages they post (the refresh timer keeps
    starting reads, so wait for the running ones only)."""
    for _ in range(3):
        for _ in range(250):
            busy = [w for w in pilot.app.workers if w.is_running]
            if not busy:
                break
            await asyncio.sleep(0.02)
        await pilot.pause()


def console(app: ExamApp) -> ConsoleScreen:
    screen = app.screen
    assert isinstance(screen, ConsoleScreen), type(screen).__name__
    return screen


def table_of(app: ExamApp) -> RosterTable:
    return console(app).query_one(RosterTable)


def row_cells(app: ExamApp, number: str) -> dict[str, str]:
    table = table_of(app)
    values = table.get_row(number)
    return {
        str(column.key.value): str(value) for column, value in zip(table.ordered_columns, values, strict=True)
    }


def shown_keys(app: ExamApp) -> list[str]:
    return [str(row.key.value) for row in table_of(app).ordered_rows]


async def highlight(pilot: Pilot, number: str) -> None:
    table = table_of(pilot.app)
    table.move_cursor(row=table.get_row_index(number))
    await pilot.pause()


def text_of(app: ExamApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def states(db: Database, session_id: int) -> dict[str, str]:
    return {c.id_number: c.state for c in session_detail(db, session_id).candidates}


def incidents(db: Database, session_id: int, kind: str) -> list[tuple[str | None, str | None, dict]]:
    """The session's incidents of one kind, oldest first (details decoded: a JSON column reads back as
    text from SQLite and as a dict from PostgreSQL)."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "select reason, actor, details from incident"
                " where session_id = :session and kind = :kind order by id"
            ),
            {"session": session_id, "kind": kind},
        )
        return [
            (reason, actor, json.loads(details) if isinstance(details, str) else details)
            for reason, actor, details in rows
        ]


async def open_console(pilot: Pilot) -> None:
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConsoleScreen)


# ---- what the console shows ------------------------------------------------------------------------------


async def test_console_shows_every_candidate_state_with_machine_time_and_silence(
    demo_db: Database, stepping: SteppingClock
) -> None:
    s = mixed_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        assert table_of(app).row_count == 10
        row = {role: row_cells(app, s.number[role]) for role in ROLES}
        expected_states = {
            "waiting": "等待开考",
            "answering": "作答中",
            "handed_in": "已交卷",
            "terminated": "违纪终止",
            "absent": "缺考",
            "not_signed_in": "未登录",
            "time_up": "超时交卷",
            "silent": "作答中",
            "restless": "作答中",
            "late": "未登录",
        }
        assert {role: cells["state"] for role, cells in row.items()} == expected_states
        assert {role: cells["name"] for role, cells in row.items()} == s.name
        # 09:00 start, 60 minutes, +30 for three of them, read at 10:01
        assert row["answering"] | {"name": "", "unit": ""} == {
            "mark": "",
            "machine": "lab-02",
            "name": "",
            "unit": "",
            "state": "作答中",
            "answered": "2/45",
            "time_left": "29:00",
            "focus": "0",
            "resumes": "0",
            "heartbeat": "0秒",
        }
        assert (row["restless"]["machine"], row["restless"]["focus"], row["restless"]["resumes"]) == (
            "lab-10",
            "2",
            "1",
        )
        assert (row["silent"]["mark"], row["silent"]["heartbeat"]) == ("!", "1时")  # heard from at 09:00
        assert [role for role in ROLES if row[role]["mark"]] == ["silent"]
        for role in ("waiting", "absent", "not_signed_in"):
            assert row[role]["machine"] == row[role]["answered"] == row[role]["time_left"] == ""
        assert row["handed_in"]["answered"] == "0/45" and row["handed_in"]["time_left"] == ""
        assert " ".join(s.code) in text_of(app, "#access-code")
        clock_line = text_of(app, "#console-clock")
        assert clock_line.startswith("已开考") and "时钟 10:01:00" in clock_line
        assert "考试 09:00–10:00" in clock_line and "超时 01:00" in clock_line
        counts_line = text_of(app, "#console-counts")
        assert counts_line.startswith("共 10 人 · 静默 1 · 作答中 3 · 等待开考 1 · 未登录 2")
        assert "显示 10/10" in text_of(app, "#console-view")


async def test_before_the_start_the_console_shows_the_planned_times(
    demo_db: Database, stepping: SteppingClock
) -> None:
    (session,) = list_sessions(demo_db)
    app = proctor_app(demo_db, stepping, session.id)
    async with app.run_test(size=SMALL) as pilot:
        await open_console(pilot)
        clock_line = text_of(app, "#console-clock")
        assert clock_line.startswith("已开放") and "时钟 09:00:00" in clock_line
        assert "计划 14:30–15:30" in clock_line and "剩余" not in clock_line
        assert {
            row_cells(app, c.id_number)["state"] for c in session_detail(demo_db, session.id).candidates
        } == {"未登录"}


async def test_an_unknown_session_says_so(demo_db: Database, stepping: SteppingClock) -> None:
    app = proctor_app(demo_db, stepping, 999, login="admin")
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        assert text_of(app, "#console-empty") == "没有编号为 999 的考试场次"
        assert "没有编号为 999 的考试场次" in text_of(app, "#console-message")
        assert not console(app).check_action("close", ())
    # A proctor is told only that the session is not theirs, whether it exists or not.
    app = proctor_app(demo_db, stepping, 999)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        assert text_of(app, "#console-empty") == t("access.not_assigned", login="proctor", session=999)


async def test_an_assignment_removed_while_the_console_is_open_refuses_the_next_action(
    demo_db: Database, stepping: SteppingClock
) -> None:
    s = live_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        assert len(console(app).rows) == len(ROLES)
        # The admin takes the session away from this proctor while the console is on the screen.
        accounts.assign(demo_db, "proctor", session_id=s.session_id, remove=True, actor="admin")
        await pilot.press("E")
        assert app.screen.id == "extend-all"
        await pilot.press("5", "enter")
        await settle(pilot)
        refusal = t("access.not_assigned", login="proctor", session=s.session_id)
        assert refusal in text_of(app, "#console-message")
        assert session_detail(demo_db, s.session_id).extra_minutes == 0


# ---- sorting and filtering ---------------------------------------------------------------------------------


async def test_sort_and_filter_change_the_rows_shown(demo_db: Database, stepping: SteppingClock) -> None:
    s = mixed_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    role_of = {number: role for role, number in s.number.items()}
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        roster_order = [c.id_number for c in session_detail(demo_db, s.session_id).candidates]
        assert shown_keys(app) == roster_order  # unit, then name: the roster as the service lists it
        await pilot.press("o")
        by_state = [role_of[k] for k in shown_keys(app)]
        assert by_state[0] == "silent"  # the silent terminal first, then the others answering
        assert set(by_state[1:3]) == {"answering", "restless"}
        assert by_state[3] == "waiting" and set(by_state[4:6]) == {"not_signed_in", "late"}
        assert by_state[-1] == "absent" and by_state[-2] == "terminated"
        assert "排序:状态" in text_of(app, "#console-view")
        for _ in range(3):  # name, answered, time left
            await pilot.press("o")
        assert "排序:剩余时间" in text_of(app, "#console-view")
        assert {role_of[k] for k in shown_keys(app)[:3]} == {"answering", "silent", "restless"}

        await pilot.press("f")
        assert {role_of[k] for k in shown_keys(app)} == {"answering", "silent", "restless"}
        await pilot.press("f")
        assert {role_of[k] for k in shown_keys(app)} == {"handed_in", "terminated", "time_up"}
        await pilot.press("f")
        assert {role_of[k] for k in shown_keys(app)} == {"waiting", "not_signed_in", "late"}
        await pilot.press("f")
        assert [role_of[k] for k in shown_keys(app)] == ["silent"]
        assert "筛选:静默 · 单位:全部 · 显示 1/10" in text_of(app, "#console-view")
        await pilot.press("f")
        assert len(shown_keys(app)) == 10

        candidates = session_detail(demo_db, s.session_id).candidates
        units = sorted({c.unit for c in candidates})
        await pilot.press("u")
        first_unit = [c.id_number for c in candidates if c.unit == units[0]]
        assert sorted(shown_keys(app)) == sorted(first_unit)
        assert f"单位:{units[0]}" in text_of(app, "#console-view")
        for _ in units:
            await pilot.press("u")
        assert len(shown_keys(app)) == 10  # round the units and back to all


# ---- actions ----------------------------------------------------------------------------------------------


async def test_start_the_session(demo_db: Database, stepping: SteppingClock) -> None:
    (session,) = list_sessions(demo_db)
    app = proctor_app(demo_db, stepping, session.id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        await pilot.press("s")
        assert app.screen.id == "start"
        assert "尚未登录 10 人" in str(app.screen.query_one(".dialog-body", Static).render())
        await pilot.press("n")  # back: nothing happens
        await settle(pilot)
        assert list_sessions(demo_db)[0].state == "open"
        await pilot.press("s", "y")
        await settle(pilot)
        assert list_sessions(demo_db)[0].state == "started"
        assert text_of(app, "#console-message") == t("console.done.start")
        assert text_of(app, "#console-clock").startswith("已开考")
        assert console(app).check_action("start", ()) is False  # once started, not offered again


async def test_extend_one_candidate(demo_db: Database, stepping: SteppingClock) -> None:
    s = live_sitting(demo_db, stepping)
    before = s.attempt["answering"].deadline_at
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SMALL) as pilot:
        await open_console(pilot)
        await highlight(pilot, s.number["answering"])
        await pilot.press("e")
        assert app.screen.id == "extend"
        await pilot.press("0", "enter")
        assert "1 至 240" in str(app.screen.query_one("#form-error", Static).render())
        app.screen.query_one(Input).value = ""
        await pilot.press("1", "0", "enter")
        await settle(pilot)
        records = {c.id_number: c for c in session_detail(demo_db, s.session_id).candidates}
        assert records[s.number["answering"]].deadline_at == before + timedelta(minutes=10)
        assert records[s.number["silent"]].deadline_at == s.attempt["silent"].deadline_at  # the others not
        assert row_cells(app, s.number["answering"])["time_left"] == "70:00"
        assert text_of(app, "#console-message") == f"已为 {s.name['answering']} 延长 10 分钟"


async def test_extend_everyone(demo_db: Database, stepping: SteppingClock) -> None:
    s = live_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        await pilot.press("E")
        assert app.screen.id == "extend-all"
        await pilot.press("5", "enter")
        await settle(pilot)
        detail = session_detail(demo_db, s.session_id)
        assert detail.extra_minutes == 5
        for role in ("answering", "time_up", "silent", "restless"):
            record = next(c for c in detail.candidates if c.id_number == s.number[role])
            assert record.deadline_at == s.attempt[role].deadline_at + timedelta(minutes=5)
        assert "4 份正在作答的试卷" in text_of(app, "#console-message")


async def test_terminate_asks_for_a_reason_and_records_it(demo_db: Database, stepping: SteppingClock) -> None:
    s = live_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        await highlight(pilot, s.number["answering"])
        await pilot.press("x")
        body = str(app.screen.query_one(".dialog-body", Static).render())
        assert s.name["answering"] in body and "lab-02" in body and "********" in body
        await pilot.press("enter")  # no reason: refused, the dialog stays
        assert app.screen.id == "terminate"
        assert "请填写原因" in str(app.screen.query_one("#form-error", Static).render())
        await pilot.press(*"使用手机", "enter")
        await settle(pilot)
        assert states(demo_db, s.session_id)[s.number["answering"]] == "terminated"
        assert incidents(demo_db, s.session_id, "terminated")[-1][:2] == ("使用手机", "proctor")
        assert row_cells(app, s.number["answering"])["state"] == "违纪终止"


async def test_reopen_a_mistaken_hand_in(demo_db: Database, stepping: SteppingClock) -> None:
    s = live_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        await highlight(pilot, s.number["answering"])
        assert not console(app).check_action("reopen", ())  # only a handed-in paper can be reopened
        await highlight(pilot, s.number["handed_in"])
        assert not console(app).check_action("terminate", ())
        await pilot.press("x")  # not offered: no dialog
        assert isinstance(app.screen, ConsoleScreen)
        await pilot.press("r", *"误触交卷", "enter")
        await settle(pilot)
        assert states(demo_db, s.session_id)[s.number["handed_in"]] == "in_progress"
        assert incidents(demo_db, s.session_id, "reopened")[-1][0] == "误触交卷"


async def test_mark_absent(demo_db: Database, stepping: SteppingClock) -> None:
    s = live_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        await highlight(pilot, s.number["late"])
        await pilot.press("a")
        assert app.screen.id == "absent"
        await pilot.press("escape")  # cancelled: nothing recorded
        await settle(pilot)
        assert states(demo_db, s.session_id)[s.number["late"]] == "not_signed_in"
        await pilot.press("a", *"请假", "enter")
        await settle(pilot)
        assert states(demo_db, s.session_id)[s.number["late"]] == "absent"
        assert incidents(demo_db, s.session_id, "absent")[-1][0] == "请假"
        assert row_cells(app, s.number["late"])["state"] == "缺考"


async def test_move_machine_with_a_note(demo_db: Database, stepping: SteppingClock) -> None:
    s = live_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SMALL) as pilot:
        await open_console(pilot)
        await highlight(pilot, s.number["answering"])
        await pilot.press("m", *"lab-17", "enter")  # Enter in the first field goes to the note
        assert app.screen.id == "move"
        await pilot.press(*"键盘故障", "enter")
        await settle(pilot)
        reason, actor, details = incidents(demo_db, s.session_id, "moved")[-1]
        assert (reason, actor) == ("键盘故障", "proctor")
        assert (details["from_machine"], details["to_machine"]) == ("lab-02", "lab-17")
        assert text_of(app, "#console-message") == f"已记录 {s.name['answering']} 换到机位 lab-17"


async def test_a_refused_action_shows_the_services_message(
    demo_db: Database, stepping: SteppingClock
) -> None:
    s = live_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        await highlight(pilot, s.number["answering"])
        await pilot.press("x")
        # While the proctor types, the candidate hands in on the terminal.
        await asyncio.to_thread(attempts.hand_in, demo_db, s.attempt["answering"].attempt_id, clock=stepping)
        await pilot.press(*"违纪", "enter")
        await settle(pilot)
        expected = t("proctor.not_in_progress", id_number=mask(s.number["answering"]))
        assert text_of(app, "#console-message") == expected
        assert states(demo_db, s.session_id)[s.number["answering"]] == "handed_in"
        assert row_cells(app, s.number["answering"])["state"] == "已交卷"  # refreshed after the refusal


# ---- exporting the results --------------------------------------------------------------------------------

RESULT_HEADERS = [
    "身份证号",
    "姓名",
    "单位",
    "职级",
    "状态",
    "成绩",
    "是否及格",
    "等级",
    "开始作答时间",
    "交卷时间",
    "异常事件数",
]


def record_notes(app: ExamApp, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = []

    def notify(message: str, **kwargs: object) -> None:
        notes.append((message, str(kwargs.get("severity", "information"))))

    monkeypatch.setattr(app, "notify", notify)
    return notes


def footer_keys(app: ExamApp) -> list[str]:
    return [str(key.render()) for key in app.screen.query("FooterKey")]


async def test_export_writes_the_workbook_under_sessions_exports(
    demo_db: Database, stepping: SteppingClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = live_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    notes = record_notes(app, monkeypatch)
    async with app.run_test(size=SMALL) as pilot:
        await open_console(pilot)
        assert "p 导出" not in footer_keys(app)  # the footer is full while the session runs
        await pilot.press("p")
        await settle(pilot)
        path = Path("sessions", "exports", f"{s.session_id}-20261123-090000.xlsx")  # the app's clock, Beijing
        expected = f"已导出成绩(10 名考生)到 {path}"
        assert text_of(app, "#console-message") == expected
        assert notes == [(expected, "information")]

        await asyncio.to_thread(close_session, demo_db, s.session_id, clock=stepping)
        await pilot.press("escape")  # to the list, and back into the closed session's console
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "p 导出" in footer_keys(app)

    assert [p.name for p in (tmp_path / "sessions" / "exports").iterdir()] == [path.name]
    workbook = openpyxl.load_workbook(tmp_path / path)
    assert workbook.sheetnames == ["成绩", "逐题得分", "题目", "汇总"]
    sheet = workbook["成绩"]
    assert sheet["A1"].value == t("export.pii_notice") and [c.value for c in sheet[3]] == RESULT_HEADERS
    assert str(sheet["A2"].value).startswith("审计链末端 #")  # the audit chain's head, as `results -o` has it
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert sorted(r[1] for r in rows) == sorted(s.name.values())  # one row per candidate
    state_of = {r[1]: r[4] for r in rows}
    assert (state_of[s.name["answering"]], state_of[s.name["handed_in"]]) == ("作答中", "已交卷")
    assert not any(number in str(rows) for number in s.number.values())  # ID numbers masked


async def test_export_failures_show_in_the_status_line(
    demo_db: Database, stepping: SteppingClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (session,) = list_sessions(demo_db)
    app = proctor_app(demo_db, stepping, session.id)
    notes = record_notes(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("p")  # within the same second: the first export is not replaced
        await settle(pilot)
        first = Path("sessions", "exports", f"{session.id}-20261123-090000.xlsx")
        refused = f"文件 {first} 已存在,未覆盖"
        assert text_of(app, "#console-message") == refused and notes[-1] == (refused, "error")
        assert [p.name for p in (tmp_path / "sessions" / "exports").iterdir()] == [first.name]

        for p in (tmp_path / "sessions" / "exports").iterdir():
            p.unlink()
        (tmp_path / "sessions" / "exports").rmdir()
        (tmp_path / "sessions" / "exports").write_text("a file, not a folder", encoding="utf-8")
        stepping.advance(seconds=1)
        await pilot.press("p")
        await settle(pilot)
        failed = text_of(app, "#console-message")
        assert failed.startswith(f"无法写入 {first.with_name(f'{session.id}-20261123-090001.xlsx')}:")
        assert notes[-1] == (failed, "error")
        assert isinstance(app.screen, ConsoleScreen)


# ---- live refresh ------------------------------------------------------------------------------------------


async def test_refresh_shows_candidates_acting_in_place(
    demo_db: Database, stepping: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ConsoleScreen, "REFRESH_SECONDS", 0.05)
    s = live_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)

    async def until(condition: Callable[[], bool]) -> bool:
        for _ in range(100):
            if condition():
                return True
            await pilot.pause(0.05)
        return False

    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        screen = console(app)
        await highlight(pilot, s.number["waiting"])
        rebuilds = table_of(app).rebuilds
        # Candidates act on their terminals (other threads) between the console's reads.
        await asyncio.to_thread(
            answers.save_answer,
            demo_db,
            s.attempt["answering"].attempt_id,
            item=3,
            answer="C",
            flagged=False,
            revision=1,
            clock=stepping,
        )
        await asyncio.to_thread(
            admission.admit, demo_db, login=s.number["late"], access_code=s.code, clock=stepping
        )
        assert await until(lambda: row_cells(app, s.number["answering"])["answered"] == "3/45")
        assert await until(lambda: row_cells(app, s.number["late"])["state"] == "等待开考")
        stepping.advance(seconds=31)
        assert await until(lambda: row_cells(app, s.number["silent"])["mark"] == "!")
        assert table_of(app).rebuilds == rebuilds  # the same rows: updated cell by cell
        assert screen.highlighted_key() == s.number["waiting"]  # the cursor stayed on its candidate
        assert "静默 4" in text_of(app, "#console-counts")  # nobody's terminal was heard from for 31 s


# ---- after 收卷 -------------------------------------------------------------------------------------------


def answer_right(db: Database, clock: SteppingClock, state: attempts.AttemptState, right: int) -> None:
    for item in state.paper.items:
        correct = [a[0] for a in item.key] if item.type == "fill_blank" else item.key
        wrong = (
            ["?"] if item.type == "fill_blank" else ("Z" if item.type in ("single", "true_false") else ["Z"])
        )
        answers.save_answer(
            db,
            state.attempt_id,
            item=item.number,
            answer=correct if item.number <= right else wrong,
            flagged=False,
            revision=1,
            clock=clock,
        )


def graded_sitting(db: Database, clock: SteppingClock) -> Sitting:
    """Six papers with different numbers of right answers; one handed in, one terminated, the rest
    answering until the proctor closes; one absent, one waiting, two who never came."""
    s = live_sitting(db, clock)
    for role, right in (("answering", 45), ("time_up", 40), ("silent", 36), ("restless", 20)):
        answer_right(db, clock, s.attempt[role], right)
    return s


async def test_close_then_the_summary_matches_a_hand_count(
    demo_db: Database, stepping: SteppingClock
) -> None:
    s = graded_sitting(demo_db, stepping)
    app = proctor_app(demo_db, stepping, s.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        await pilot.press("c")
        assert "正在作答的 4 人" in str(app.screen.query_one(".dialog-body", Static).render())
        await pilot.press(*"AAAAAA", "enter")  # the wrong code: refused
        assert app.screen.id == "close"
        assert "准入码不符" in str(app.screen.query_one("#form-error", Static).render())
        app.screen.query_one(Input).value = ""
        await pilot.press(*s.code.lower(), "enter")
        await settle(pilot)
        assert list_sessions(demo_db)[0].state == "closed"
        assert isinstance(app.screen, SummaryScreen)
        numbers = text_of(app, "#summary-numbers")
        below = app.screen.query_one("#summary-below", DataTable)
        plot_text = app.screen.query_one("#summary-plot").render().plain  # type: ignore[union-attr]
        assert isinstance(app.screen, SummaryScreen) and app.screen.summary is not None
        histogram = [b.count for b in app.screen.summary.histogram]

    detail = session_detail(demo_db, s.session_id)
    papers = [c for c in detail.candidates if c.attempt_id is not None]
    scores = sorted(attempts.result(demo_db, c.attempt_id).score or 0.0 for c in papers)  # type: ignore[arg-type]
    assert len(scores) == 6
    mean, median = statistics.fmean(scores), statistics.median(scores)

    def shown_number(x: float) -> str:
        return f"{x:.1f}".removesuffix(".0")

    passed = sum(1 for x in scores if x >= detail.pass_score)
    assert "应考 10 人 · 交卷 6 人 · 缺考 4 人" in numbers  # absent, waiting and the two who never came
    assert "已评分 6 份 · 待阅卷 0 份" in numbers
    assert f"平均分 {shown_number(mean)} · 中位数 {shown_number(median)}" in numbers
    assert f"最高分 {shown_number(scores[-1])} · 最低分 {shown_number(scores[0])}" in numbers
    assert f"合格 {passed}/6 人 · 合格率 {passed / 6 * 100:.1f}%" in numbers
    below_rows = [[str(v) for v in below.get_row_at(i)] for i in range(below.row_count)]
    failing = sorted(
        (c for c in papers if (c.score or 0) < detail.pass_score), key=lambda c: (c.score, c.unit, c.name)
    )
    assert [(r[0], r[1], r[3]) for r in below_rows] == [
        (c.name, c.unit, shown_number(c.score or 0)) for c in failing
    ]
    assert histogram == [sum(1 for x in scores if min(int(x // 10), 9) == band) for band in range(10)]
    assert "90-100" in plot_text and "0-10" in plot_text


# ---- 200 candidates on 80×24 ----------------------------------------------------------------------------

UNITS = ("市住房和城乡建设局", "市发展和改革委员会", "市自然资源和规划局", "市卫生健康委员会", "市财政局")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "欧阳明", "建国")


def big_roster(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "roster.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["身份证号", "姓名", "单位"])
        for i in range(count):
            number = with_check_digit(f"110105{1970 + i % 30}{1 + i % 12:02d}{1 + i % 28:02d}{i:03d}")
            writer.writerow(
                [number, SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)], UNITS[i % len(UNITS)]]
            )
    return path


async def test_two_hundred_candidates_fit_80x24_and_keep_their_place(
    demo_db: Database, stepping: SteppingClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ConsoleScreen, "REFRESH_SECONDS", 0.1)
    numbers = import_roster(demo_db, big_roster(tmp_path, 200), clock=stepping).id_numbers
    view = schedule_session(
        demo_db,
        exam_ref=DEMO_EXAM,
        title="二百人场次",
        room="大机房",
        starts_at=stepping(),
        id_numbers=numbers,
        open_now=True,
        clock=stepping,
    )
    start_session(demo_db, view.id, clock=stepping)
    accounts.assign(demo_db, "proctor", session_id=view.id, actor="admin", clock=stepping)
    for i, number in enumerate(numbers[:30]):
        begin(demo_db, stepping, view.access_code, number, f"exam-lab-pc-{i:03d}")
    app = proctor_app(demo_db, stepping, view.id)
    async with app.run_test(size=SMALL) as pilot:
        await open_console(pilot)
        table = table_of(app)
        assert table.row_count == 200
        widths = [c.width for c in table.ordered_columns]
        assert sum(widths) + 2 * len(widths) + 1 <= 80  # padding each side, one cell of scrollbar
        for column in table.ordered_columns:
            assert column.width >= cell_len(str(column.label)), column.key
        assert dict(zip([str(c.key.value) for c in table.ordered_columns], widths, strict=True))["unit"] >= 6
        table.move_cursor(row=150)
        await settle(pilot)
        scroll_y, rebuilds = table.scroll_y, table.rebuilds
        assert scroll_y > 0
        await asyncio.to_thread(
            answers.save_answer,
            demo_db,
            begin(demo_db, stepping, view.access_code, numbers[0], "x").attempt_id,
            item=1,
            answer="A",
            flagged=False,
            revision=1,
            clock=stepping,
        )
        for _ in range(60):
            if row_cells(app, numbers[0])["answered"] == "1/45":
                break
            await pilot.pause(0.05)
        assert row_cells(app, numbers[0])["answered"] == "1/45"
        assert (table.scroll_y, table.cursor_row, table.rebuilds) == (scroll_y, 150, rebuilds)
        await pilot.press("ctrl+end")
        await pilot.wait_for_animation()
        assert table.cursor_row == 199 and table.scroll_y == table.max_scroll_y > scroll_y


# ---- the way in -------------------------------------------------------------------------------------------


async def test_picker_lists_today_first_and_opens_a_console(
    demo_db: Database, stepping: SteppingClock
) -> None:
    (today,) = list_sessions(demo_db)
    detail = session_detail(demo_db, today.id)
    someone = [detail.candidates[0].id_number]
    for title, days in (("昨天的场次", -1), ("明天的场次", 1), ("下周的场次", 7)):
        schedule_session(
            demo_db,
            exam_ref=DEMO_EXAM,
            title=title,
            room=None,
            starts_at=today.starts_at + timedelta(days=days),
            id_numbers=someone,
            clock=stepping,
        )
    app = proctor_app(demo_db, stepping)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SessionPickerScreen)
        table = app.screen.query_one("#sessions", DataTable)
        titles = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert titles == [today.title, "明天的场次", "下周的场次", "昨天的场次"]
        assert str(table.get_row_at(0)[0]) == "今天 14:30"
        assert str(table.get_row_at(1)[0]) == "2026-11-24 14:30"
        assert "计划开考 2026-11-23 14:30" in text_of(app, "#picker-detail")
        await pilot.press("escape")  # the first screen of `exam-tui proctor`: nothing to go back to
        assert isinstance(app.screen, SessionPickerScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert console(app).session_id == today.id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionPickerScreen)


async def test_home_key_2_opens_the_picker(app: ExamApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the staff sign-in first: the demo's proctor
        await settle(pilot)
        await pilot.press(*"proctor", "enter", *DEMO_PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionPickerScreen)
        assert app.screen.query_one("#sessions", DataTable).row_count == 1  # the session assigned
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_a_console_opened_directly_goes_back_to_the_picker(
    demo_db: Database, stepping: SteppingClock
) -> None:
    (session,) = list_sessions(demo_db)
    app = proctor_app(demo_db, stepping, session.id)
    async with app.run_test(size=SIZE) as pilot:
        await open_console(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SessionPickerScreen)
        assert app.screen.query_one("#sessions", DataTable).row_count == 1


def test_the_proctor_command_starts_the_console(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from exam_tui.cli import app as cli

    started: list[dict[str, object]] = []

    class Stub:
        return_code = 0

        def run(self) -> None:
            pass

    def fake_make_app(db: object, **kwargs: object) -> Stub:
        started.append(kwargs)
        return Stub()

    monkeypatch.setattr("exam_tui.tui.app.make_app", fake_make_app)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert CliRunner().invoke(cli, ["--db", url, "proctor", "--session", "3"]).exit_code == 0
    assert CliRunner().invoke(cli, ["--db", url, "proctor"]).exit_code == 0
    assert [(s["proctor"], s["session_id"], s["candidate"]) for s in started] == [
        (True, 3, False),
        (True, None, False),
    ]


def test_a_long_machine_name_keeps_the_end_that_tells_seats_apart() -> None:
    from exam_tui.tui.screens.proctor.rows import MACHINE_WIDTH, machine_label

    assert machine_label(None) == "" and machine_label("lab-a-pc-017") == "lab-a-pc-017"
    assert machine_label("web:10.20.101.117") == "….20.101.117"
    assert machine_label("web:10.20.101.118") != machine_label("web:10.20.101.117")
    assert len(machine_label("training-centre-room-3-pc-42")) == MACHINE_WIDTH[1]
    assert machine_label("廉政教育中心三号机房第四十二号机").endswith("号机")
    assert cell_len(machine_label("廉政教育中心三号机房第四十二号机")) <= MACHINE_WIDTH[1]
