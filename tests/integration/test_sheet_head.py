"""The audit chain's head on printed results sheets: what ``audit verify`` prints later is held against
the paper, and a chain that moved on (or was rewritten) since the printing ends somewhere else."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from exam_tui.services import audit
from exam_tui.services.runtime import Database
from exam_tui.store.models import AuditEventRow
from tests.conftest import SteppingClock
from tests.integration.conftest import unmask_args
from tests.integration.test_decisions_cli import _run_demo_session, run

ON_SHEET = re.compile(r"审计链末端 #(\d+) · ([0-9a-f]{16})…（前 16 位）")
VERIFIED = re.compile(r"主链末端 #(\d+) ([0-9a-f]{64})")


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


def verified_head(db: Database) -> tuple[int, str]:
    """The head as `exam-tui audit verify` prints it (exit 0: the chain holds)."""
    result = run(db, "audit", "verify")
    assert result.exit_code == 0, result.output
    found = VERIFIED.search(result.stdout)
    assert found, result.stdout
    return int(found.group(1)), found.group(2)


def sheet_head(text: str) -> tuple[int, str]:
    (found,) = ON_SHEET.findall(text)
    return int(found[0]), found[1]


def same(on_sheet: tuple[int, str], verified: tuple[int, str]) -> bool:
    return on_sheet[0] == verified[0] and verified[1].startswith(on_sheet[1])


def pdf_text(path: Path) -> str:
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return result.stdout


def test_head_is_one_read_of_the_verified_head(db: Database, clock: SteppingClock, demo) -> None:  # type: ignore[no-untyped-def]
    _run_demo_session(db, clock, demo)
    report = audit.verify(db)
    chain = audit.head(db)
    assert (chain.seq, chain.hash) == (report.head_seq, report.head_hash) == verified_head(db)
    assert chain.seq > 0 and chain.note() == f"审计链末端 #{chain.seq} · {chain.hash[:16]}…（前 16 位）"


def test_every_results_sheet_carries_the_head_audit_verify_prints(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    _run_demo_session(db, clock, demo)
    session = str(demo[0])
    table = run(db, "results", session)
    assert table.exit_code == 0
    assert table.stdout.splitlines()[-1].startswith("审计链末端")  # the table's last line
    sheets = {"table": sheet_head(table.stdout)}
    book = tmp_path / "成绩.xlsx"
    assert run(db, "results", session, "-o", str(book)).exit_code == 0
    workbook = load_workbook(book)
    heads = {ws.title: sheet_head(str(ws.cell(2 if ws.title != "汇总" else 1, 1).value)) for ws in workbook}
    assert len(heads) == 4 and len(set(heads.values())) == 1  # every sheet, the same head
    sheets["xlsx"] = heads["成绩"]
    sheet = tmp_path / "成绩.csv"
    assert run(db, "results", session, "-o", str(sheet)).exit_code == 0
    records = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"), newline="")))
    assert records[0] == [t_notice()] and len(records[1]) == 1  # the notice, the head, then the headers
    sheets["csv"] = sheet_head(records[1][0])

    verified = verified_head(db)
    assert all(same(head, verified) for head in sheets.values()), (sheets, verified)

    # The chain moves on: the paper no longer matches, and the difference shows.
    assert run(db, "setting", "set", "retake_gap_days", "0", "--by", "组织部").exit_code == 0
    later = verified_head(db)
    assert later[0] > verified[0] and not same(sheets["csv"], later)


def test_an_unmasked_sheet_carries_the_head_that_includes_its_own_unmasking(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    _run_demo_session(db, clock, demo)
    target = tmp_path / "whole.csv"
    written = run(db, "results", str(demo[0]), "-o", str(target), *unmask_args(db, tmp_path))
    assert written.exit_code == 0, written.output
    on_sheet = sheet_head(target.read_text(encoding="utf-8-sig"))
    with db.read() as s:
        event = s.execute(select(AuditEventRow).where(AuditEventRow.action == "pii.unmask")).scalar_one()
    assert (event.seq, event.hash[:16]) == on_sheet and same(on_sheet, verified_head(db))


def test_report_documents_carry_the_head_in_every_page_foot_and_above_their_headers(
    db: Database, clock: SteppingClock, demo: tuple[int, str, list[str]], tmp_path: Path
) -> None:
    _run_demo_session(db, clock, demo)
    year = str(clock().year)
    sheet = tmp_path / "coverage.csv"
    assert run(db, "report", "coverage", "--year", year, "-o", str(sheet)).exit_code == 0
    head_line, headers = sheet.read_text(encoding="utf-8-sig").splitlines()[:2]
    assert headers.startswith("单位")
    book = tmp_path / "coverage.xlsx"
    assert run(db, "report", "coverage", "--year", year, "-o", str(book)).exit_code == 0
    workbook = load_workbook(book)
    assert all(str(ws["A1"].value).startswith("审计链末端") for ws in workbook)  # no notice: row 1
    assert len(workbook["各单位"]._charts) == 1  # type: ignore[attr-defined]  # still finds its rows
    text = run(db, "report", "coverage", "--year", year).stdout
    heads = [sheet_head(head_line), sheet_head(str(workbook.worksheets[0]["A1"].value)), sheet_head(text)]
    verified = verified_head(db)
    assert all(same(head, verified) for head in heads)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: the text of the PDF is not checked")
    pdf = tmp_path / "coverage.pdf"
    assert run(db, "report", "coverage", "--year", year, "-o", str(pdf)).exit_code == 0
    pages = pdf_text(pdf).split("\f")
    printed = [page for page in pages if page.strip()]
    assert printed and all(same(sheet_head(page), verified) for page in printed)  # every page's foot


def t_notice() -> str:
    from exam_tui.i18n import t

    return t("export.pii_notice")


@pytest.mark.tampers
def test_verify_holds_a_printed_head_against_a_chain_rewritten_after_printing(
    db: Database, clock: SteppingClock, demo
) -> None:  # type: ignore[no-untyped-def]
    """Someone with the owner's rights rewrites an early event and every hash after it: the chain is
    consistent again (verify alone is green), but the head printed on yesterday's sheet is not a link."""
    from exam_tui.domain.audit_chain import link_hash, normalise_payload
    from exam_tui.store.models import AuditHeadRow

    _run_demo_session(db, clock, demo)
    printed = audit.head(db)
    note = printed.note()
    sheet = f"#{printed.seq} · {printed.hash[:16]}…"
    assert sheet.split(" · ")[0] in note
    ok = run(db, "audit", "verify", "--sheet", sheet, "--sheet", f"{printed.seq}:{printed.hash[:8]}")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.count("未被改写") == 2
    with db.write() as session:
        events = (
            session.execute(
                select(AuditEventRow).where(AuditEventRow.chain == "main").order_by(AuditEventRow.seq)
            )
            .scalars()
            .all()
        )
        previous = events[0].prev_hash
        for n, event in enumerate(events):
            if n == 1:
                event.actor = "someone-else"  # the forged change
            event.prev_hash = previous
            event.hash = link_hash(
                event.seq,  # type: ignore[arg-type]
                event.at,
                event.actor,
                event.action,
                event.entity,
                event.entity_id,
                normalise_payload(event.details),
                previous,  # type: ignore[arg-type]
                "main",
            )
            previous = event.hash
            session.add(event)
        head_row = session.get(AuditHeadRow, 1)
        assert head_row is not None
        head_row.hash = previous  # type: ignore[assignment]
        session.add(head_row)
    assert audit.verify(db).intact  # consistent again: verify alone cannot tell
    rewritten = run(db, "audit", "verify", "--sheet", sheet)
    assert rewritten.exit_code == 1
    assert "改写" in rewritten.stderr and f"#{printed.seq}" in rewritten.stderr
    missing = run(db, "audit", "verify", "--sheet", f"#{printed.seq + 10_000} · {printed.hash[:16]}")
    assert missing.exit_code == 1 and "没有第" in missing.stderr
    unreadable = run(db, "audit", "verify", "--sheet", "yesterday")
    assert unreadable.exit_code == 1 and "看不懂" in unreadable.output
