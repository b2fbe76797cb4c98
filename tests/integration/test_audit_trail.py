"""The audit trail: intact after real work, and broken — found by ``audit verify`` — by every way of editing
the database behind the application's back (both backends)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.domain.audit_chain import link_hash
from exam_tui.services import answers, attempts, audit, banks
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database
from exam_tui.services.session_control import start_session
from tests.conftest import STARTER_BANK, SteppingClock
from tests.integration.conftest import roster_numbers, sign_in_and_begin

BEIJING = timezone(timedelta(hours=8))
SHIPPED_BANKS = Path(__file__).parents[2] / "question_banks"


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def worked(db: Database, clock: SteppingClock) -> dict[str, int]:
    """A bank imported, the demo seeded, a session started, one candidate handed in and one still
    answering (Chinese text among the answers)."""
    banks.import_files(db, [STARTER_BANK], actor="admin")
    demo = seed_demo(db, tz=BEIJING, clock=clock)
    session_id, code = demo.session.id, demo.session.access_code
    numbers = roster_numbers(db, session_id)
    start_session(db, session_id, clock=clock, actor="proctor")
    ids = {}
    for name, number in (("handed_in", numbers[0]), ("answering", numbers[1])):
        state = sign_in_and_begin(db, clock, code, number)
        for revision, answer in ((1, "A"), (2, "B")):
            for item in state.paper.items[:6]:
                clock.advance(seconds=3)
                given: Any = answer if item.type != "fill_blank" else ["廉洁"]
                answers.save_answer(
                    db,
                    state.attempt_id,
                    item=item.number,
                    answer=given,
                    flagged=False,
                    revision=revision,
                    clock=clock,
                )
        ids[name] = state.attempt_id
    attempts.hand_in(db, ids["handed_in"], clock=clock)
    return ids


def _verify(db: Database) -> audit.AuditReport:
    return audit.verify(db)


def test_real_work_verifies_and_the_cli_says_so(db: Database, worked: dict[str, int]) -> None:
    report = _verify(db)
    assert report.intact, report.problems
    assert report.events > 40 and report.chains == 3 and report.sealed_rows > 20
    result = CliRunner().invoke(app, ["--db", db.url, "audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "完整" in result.output and f"#{report.head_seq} {report.head_hash}" in result.output
    shown = CliRunner().invoke(
        app, ["--db", db.url, "audit", "show", "--subject", f"attempt:{worked['handed_in']}"]
    )
    assert shown.exit_code == 0, shown.output
    assert (
        "attempt.begin" in shown.output
        and "response.write" in shown.output
        and "attempt.hand_in" in shown.output
    )


def _one(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params).scalar_one()


def _answer_text(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(
        text("UPDATE response SET answer = :a WHERE attempt_id = :id AND item = 2"),
        {"a": '"D"', "id": ids["answering"]},
    )


def _score(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(text("UPDATE attempt SET score = score + 10 WHERE id = :id"), {"id": ids["handed_in"]})


def _decision(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(
        text(
            "UPDATE appointment SET effective_status = 'cleared' WHERE id = (SELECT min(id) FROM appointment)"
        )
    )


def _deadline(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(
        text("UPDATE attempt SET extra_minutes = extra_minutes + 30 WHERE id = :id"), {"id": ids["answering"]}
    )


def _deleted_event(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(text("DELETE FROM audit_event WHERE chain = 'main' AND seq = 3"))


def _deleted_last_event(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(text("DELETE FROM audit_event WHERE chain = 'main' AND seq = (SELECT seq FROM audit_head)"))


def _reordered_events(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(text("UPDATE audit_event SET seq = -seq WHERE chain = 'main' AND seq IN (4, 5)"))
    conn.execute(text("UPDATE audit_event SET seq = 9 - (-seq) WHERE chain = 'main' AND seq IN (-4, -5)"))


def _edited_payload(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(
        text("UPDATE audit_event SET details = :d WHERE action = 'attempt.hand_in'"),
        {"d": '{"reason": "candidate", "score": 100.0, "state": "graded"}'},
    )


def _edited_actor(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(text("UPDATE audit_event SET actor = 'someone else' WHERE action = 'session.start'"))


def _deleted_answer_event(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(
        text("DELETE FROM audit_event WHERE chain = :c AND seq = 2"), {"c": f"attempt:{ids['answering']}"}
    )


def _deleted_answer(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(text("DELETE FROM response WHERE attempt_id = :id AND item = 1"), {"id": ids["answering"]})


def _inserted_answer(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(
        text(
            "INSERT INTO response (attempt_id, item, answer, flagged, revision, saved_at) "
            "SELECT attempt_id, 9, answer, flagged, revision, saved_at FROM response WHERE attempt_id = :id AND item = 1"
        ),
        {"id": ids["answering"]},
    )


def _forged_event(conn: Connection, ids: dict[str, int]) -> None:
    conn.execute(
        text(
            "INSERT INTO audit_event (at, actor, action, entity, entity_id, details, chain) "
            "SELECT at, 'admin', 'attempt.mark', 'attempt', entity_id, details, 'main' FROM audit_event "
            "WHERE action = 'attempt.hand_in'"
        )
    )


def _rebuilt_answer_chain(conn: Connection, ids: dict[str, int]) -> None:
    """A careful forger: changes a handed-in answer, rewrites its event and recomputes the whole answer
    chain and its head. The hand-in's record of the chain head still catches it."""
    attempt_id = ids["handed_in"]
    chain = f"attempt:{attempt_id}"
    conn.execute(
        text("UPDATE response SET answer = :a WHERE attempt_id = :id AND item = 1"),
        {"a": '"C"', "id": attempt_id},
    )
    rows = conn.execute(
        text(
            "SELECT id, seq, at, actor, action, entity, entity_id, details FROM audit_event WHERE chain = :c ORDER BY seq"
        ),
        {"c": chain},
    ).all()
    import json
    from datetime import UTC, datetime

    prev = "0" * 64
    for row in rows:
        details = row.details if isinstance(row.details, dict) else json.loads(row.details)
        if row.entity_id == f"{attempt_id}:1":
            details["answer"] = "C"
        at = (
            row.at
            if isinstance(row.at, datetime)
            else datetime.fromisoformat(str(row.at)).replace(tzinfo=UTC)
        )
        digest = link_hash(
            row.seq, at, row.actor, row.action, row.entity, row.entity_id, details, prev, chain
        )
        conn.execute(
            text("UPDATE audit_event SET details = :d, prev_hash = :p, hash = :h WHERE id = :id"),
            {"d": json.dumps(details, ensure_ascii=False), "p": prev, "h": digest, "id": row.id},
        )
        prev = digest
    conn.execute(text("UPDATE attempt SET audit_hash = :h WHERE id = :id"), {"h": prev, "id": attempt_id})


TAMPERINGS: dict[str, tuple[Callable[[Connection, dict[str, int]], None], str]] = {
    "answer text": (_answer_text, "audit.seal.changed"),
    "score": (_score, "audit.seal.changed"),
    "appointment decision": (_decision, "audit.seal.changed"),
    "extra time": (_deadline, "audit.seal.changed"),
    "event deleted": (_deleted_event, "audit.break.missing"),
    "last event deleted": (_deleted_last_event, "audit.break.head"),
    "events reordered": (_reordered_events, "audit.break"),
    "event payload edited": (_edited_payload, "audit.break.hash"),
    "event actor edited": (_edited_actor, "audit.break.hash"),
    "answer event deleted": (_deleted_answer_event, "audit.break.missing"),
    "answer deleted": (_deleted_answer, "audit.seal.missing"),
    "answer inserted": (_inserted_answer, "audit.seal.unrecorded"),
    "event forged": (_forged_event, "audit.break.unchained"),
    "answer chain rebuilt": (_rebuilt_answer_chain, "audit.anchor.answers"),
}


@pytest.mark.tampers
@pytest.mark.parametrize("how", list(TAMPERINGS))
def test_every_tampering_is_caught(db: Database, worked: dict[str, int], how: str) -> None:
    tamper, reason = TAMPERINGS[how]
    assert _verify(db).intact
    with db.engine.begin() as conn:
        tamper(conn, worked)
    report = _verify(db)
    assert not report.intact
    assert any(p.reason.startswith(reason) for p in report.problems), report.problems
    result = CliRunner().invoke(app, ["--db", db.url, "audit", "verify"])
    assert result.exit_code == 1
    assert "审计校验未通过" in result.output


def test_concurrent_appends_never_fork_the_chain(
    db: Database, worked: dict[str, int], clock: SteppingClock
) -> None:
    """Eight threads each write events on the main chain and answers on their own attempt at once."""
    import threading

    from exam_tui.services.settings import SETTINGS, set_setting

    key = next(iter(SETTINGS))
    low = SETTINGS[key].low

    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(5):
                set_setting(db, key, str(low + i), actor=f"admin{n}")
                answers.save_answer(
                    db,
                    worked["answering"],
                    item=1,
                    answer=f"A{n}",
                    flagged=False,
                    revision=100 + n * 10 + i,
                    clock=clock,
                )
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    report = _verify(db)
    assert report.intact, report.problems


def test_the_demo_verifies(tmp_path: Path) -> None:
    """What `make demo` builds (both shipped banks, the demo organisation, a graded session to analyse)
    passes `audit verify`; one score changed behind its back does not."""
    url = f"sqlite:///{tmp_path / 'exam.db'}"
    runner = CliRunner()
    for command in (
        ["init"],
        ["bank", "import", *sorted(str(p) for p in SHIPPED_BANKS.glob("*.yaml"))],
        ["demo"],
        ["demo", "--analysis", "40"],
    ):
        result = runner.invoke(app, ["--db", url, *command])
        assert result.exit_code == 0, (command, result.output)
    verified = runner.invoke(app, ["--db", url, "audit", "verify"])
    assert verified.exit_code == 0, verified.output
    with sqlite3.connect(tmp_path / "exam.db") as conn:
        conn.execute("UPDATE attempt SET passed = 1 - passed WHERE id = (SELECT max(id) FROM attempt)")
    broken = runner.invoke(app, ["--db", url, "audit", "verify"])
    assert broken.exit_code == 1 and "passed" in broken.output
