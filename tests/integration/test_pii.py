"""Personal information in every export: no whole ID number unless asked for, the notice at the top, and
every unmasking recorded in the audit trail (``pii.unmask``)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from exam_tui.domain.idnumber import mask
from exam_tui.i18n import t
from exam_tui.services.report_document import ReportChart, ReportDocument, ReportTable, export, render
from exam_tui.services.runtime import Database
from exam_tui.store.models import AuditEventRow
from tests.conftest import SteppingClock
from tests.integration.conftest import unmask_args
from tests.integration.test_decisions_cli import _run_demo_session, run
from tests.integration.test_training_cli import _course, office  # noqa: F401 (a fixture)

WHOLE_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
NOTICE = "本表含个人信息,仅限工作需要使用,不得外传"
FORMATS = ("table", "csv", "json")
SUFFIXES = (".txt", ".csv", ".json", ".xlsx")


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


def workbook_text(path: Path) -> tuple[str, dict[str, object]]:
    """All cells of the workbook as text, and each sheet's A1."""
    book = load_workbook(path)
    cells = [
        str(v)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    return "\n".join(cells), {ws.title: ws["A1"].value for ws in book.worksheets}


def check_text(text: str, fmt: str, *, whole: bool = False) -> None:
    """The notice at the top of a text export, and whole ID numbers only when asked for."""
    assert bool(WHOLE_ID.search(text)) is whole, text[:400]
    if fmt == "json":
        document = json.loads(text)
        assert list(document)[:2] == ["personal_information", "notice"]
        assert document["personal_information"] is True and document["notice"] == NOTICE
    elif fmt == "csv":
        assert text.startswith("\ufeff")
        first = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
        assert first == [NOTICE]
    else:
        assert text.splitlines()[0] == NOTICE


def check_file(path: Path, *, whole: bool = False, without_notice: tuple[str, ...] = ()) -> None:
    if path.suffix == ".xlsx":
        text, tops = workbook_text(path)
        assert bool(WHOLE_ID.search(text)) is whole
        assert tops and all(
            (top == NOTICE) is (title not in without_notice) for title, top in tops.items()
        ), tops
    else:
        fmt = {".txt": "table", ".csv": "csv", ".json": "json"}[path.suffix]
        check_text(path.read_text(encoding="utf-8"), fmt, whole=whole)


def unmask_events(db: Database) -> list[AuditEventRow]:
    with db.read() as s:
        return list(
            s.execute(
                select(AuditEventRow).where(AuditEventRow.action == "pii.unmask").order_by(AuditEventRow.id)
            )
            .scalars()
            .all()
        )


def test_the_notice_is_the_catalogs() -> None:
    assert t("export.pii_notice") == NOTICE


def test_every_decision_and_results_export_masks_and_says_so(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    _run_demo_session(db, clock, demo)
    session = str(demo[0])
    summary = t("export.summary.sheet")
    lists = {
        "results": ["results", session],
        "deferred": ["deferred"],
        "appointments": ["appointment", "list"],
        "qualifications": ["qualifications"],
    }
    for name, command in lists.items():
        for fmt in FORMATS:
            result = run(db, *command, "--format", fmt)
            assert result.exit_code == 0, result.output
            if not (name == "qualifications" and fmt == "table"):  # none held: a sentence, no table
                check_text(result.stdout, fmt)
            assert not WHOLE_ID.search(result.stdout)
        for suffix in SUFFIXES:
            path = tmp_path / f"{name}{suffix}"
            written = run(db, *command, "-o", str(path))
            assert written.exit_code == 0, written.output
            check_file(path, without_notice=(summary,) if name == "results" else ())
    shown = run(db, "session", "show", session, "--json")
    assert not WHOLE_ID.search(shown.stdout) and json.loads(shown.stdout)["personal_information"] is True
    assert not WHOLE_ID.search(run(db, "session", "show", session).stdout)
    number = demo[2][1]
    for extra in ([], ["--json"]):
        record = run(db, "cadre", "show", number, *extra)
        assert record.exit_code == 0 and mask(number) in record.stdout and not WHOLE_ID.search(record.stdout)
    assert unmask_events(db) == []  # nothing was unmasked, nothing recorded


def test_unmasked_exports_are_audited(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    _run_demo_session(db, clock, demo)
    session_id, _, numbers = demo
    path = tmp_path / "成绩.csv"
    written = run(db, "results", str(session_id), "-o", str(path), *unmask_args(db, tmp_path, "wang"))
    assert written.exit_code == 0 and "审计" in written.stderr
    check_file(path, whole=True)
    assert set(numbers) <= set(WHOLE_ID.findall(path.read_text(encoding="utf-8")))
    shown = run(db, "deferred", "--format", "json", *unmask_args(db, tmp_path, "wang"))
    check_text(shown.stdout, "json", whole=True)
    assert json.loads(shown.stdout)["id_numbers_masked"] is False
    book = tmp_path / "all.xlsx"
    assert run(db, "appointment", "list", "-o", str(book), *unmask_args(db, tmp_path, "li")).exit_code == 0
    check_file(book, whole=True)
    session = run(db, "session", "show", str(session_id), "--json", *unmask_args(db, tmp_path, "li"))
    assert set(numbers) <= {c["id_number"] for c in json.loads(session.stdout)["candidates"]}
    plan = tmp_path / "retake.yaml"
    assert (
        run(db, "deferred", "--retake-plan", str(plan), *unmask_args(db, tmp_path, "li")[1:]).exit_code == 0
    )
    assert plan.read_text(encoding="utf-8").startswith(f"# {NOTICE}")

    shown = run(db, "audit", "show", "--subject", f"exam_session:{session_id}")
    assert shown.exit_code == 0 and "pii.unmask" in shown.stdout and "wang" in shown.stdout
    assert run(db, "audit", "verify").exit_code == 0  # the events are chained like every other
    events = [(e.actor, e.entity, e.entity_id, e.details) for e in unmask_events(db)]
    deferred = len(numbers) - 1  # one passed
    assert events == [
        (
            "wang",
            "exam_session",
            str(session_id),
            {"export": "results.csv", "rows": len(numbers), "file": "成绩.csv"},
        ),
        (
            "wang",
            "appointments",
            "deferred",
            {"export": "appointments.json", "rows": deferred, "file": None},
        ),
        (
            "li",
            "appointments",
            "all",
            {"export": "appointments.xlsx", "rows": len(numbers), "file": "all.xlsx"},
        ),
        (
            "li",
            "exam_session",
            str(session_id),
            {"export": "session_show.json", "rows": len(numbers), "file": None},
        ),
        (
            "li",
            "appointments",
            "deferred",
            {"export": "retake_plan", "rows": deferred, "file": "retake.yaml"},
        ),
    ]


def test_course_records_and_points_notices_mask_and_say_so(office: Database, tmp_path: Path) -> None:  # noqa: F811
    db = office
    _course(db)
    assert run(db, "training", "close", "1", "--by", "纪委办").exit_code == 0
    for fmt in ("table", "json"):  # the course record has no CSV
        shown = run(db, "training", "show", "1", "--format", fmt)
        assert shown.exit_code == 0, shown.output
        check_text(shown.stdout, fmt)
    record = tmp_path / "course.xlsx"
    assert run(db, "training", "show", "1", "-o", str(record)).exit_code == 0
    check_file(record)
    for suffix in (".xlsx", ".json"):
        notice = tmp_path / f"notice{suffix}"
        written = run(db, "points", "notice", "--unit", "市财政局", "--year", "2026", "-o", str(notice))
        assert written.exit_code == 0, written.output
        check_file(notice)
    # The printable 公示 is made to be posted: masked, and without the notice.
    page = tmp_path / "notice.txt"
    assert run(db, "points", "notice", "--unit", "市财政局", "--year", "2026", "-o", str(page)).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert not WHOLE_ID.search(text) and NOTICE not in text


def test_audit_show_masks_the_people_its_events_name(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    passed, _ = _run_demo_session(db, clock, demo)
    number = demo[2][0]
    for extra in ([], ["--json"]):
        shown = run(db, "audit", "show", "--subject", f"cadre:{number}", *extra)
        assert shown.exit_code == 0, shown.output
        assert mask(number) in shown.stdout and not WHOLE_ID.search(shown.stdout)
    assert unmask_events(db) == []
    whole = run(
        db, "audit", "show", "--subject", f"attempt:{passed}", "--json", *unmask_args(db, tmp_path, "auditor")
    )
    assert number in whole.stdout
    ((actor, entity, details),) = [(e.actor, e.entity_id, e.details) for e in unmask_events(db)]
    assert (actor, entity, details["export"]) == ("auditor", f"attempt:{passed}", "audit_show.json")


def test_a_report_about_people_says_so_in_all_five_formats(tmp_path: Path) -> None:
    """No report names people today (analysis and coverage are aggregates); one that does sets ``personal``."""
    people = ReportTable("考生", ["身份证号", "姓名", "成绩"], [[mask("110105198407157691"), "王一", 95]])
    document = ReportDocument(
        title="成绩报告",
        subtitle=None,
        facts=[("考生", 1)],
        tables=[people],
        data={"candidates": 1},
        charts=[ReportChart("考生", "成绩", 1, 2)],
        personal=True,
    )
    for fmt in FORMATS:
        check_text(render(document, fmt), fmt)
    book = tmp_path / "r.xlsx"
    export(document, book, "xlsx")
    check_file(book)
    assert load_workbook(book)["考生"]._charts  # the chart still finds its rows below the notice
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: the text of the PDF is not checked")
    pdf = tmp_path / "r.pdf"
    export(document, pdf, "pdf")
    lines = [
        line.strip()
        for line in subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        if line.strip()
    ]
    assert lines[:2] == ["成绩报告", NOTICE]  # the line under the title
    plain = ReportDocument(title="分析", subtitle=None, facts=[], tables=[people], data={})
    assert NOTICE not in render(plain, "table") and "personal_information" not in render(plain, "json")
