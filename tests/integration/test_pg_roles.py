"""Least privilege on PostgreSQL: a lab machine signed in as the candidate-terminal role reaches its own
attempt through the exam_tui_* functions with its token, and the database refuses it everything else.

The lab (tests/integration/pg_lab.py): a fresh database and roles made with ``init --roles`` as an admin
would, a demo session with two candidates begun, LOGIN users in the candidate and proctor roles; every
refusal below comes from the server itself.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.domain.paper import Paper, PaperItem
from exam_tui.services import admission, answers, attempts, audit, roles
from exam_tui.services.attempts import AttemptClosed
from exam_tui.services.runtime import Database, connect
from exam_tui.services.sessions import SessionError
from exam_tui.store.roles import KEY_FIELDS
from tests.integration.pg_lab import Lab


def _refused(db: Database, sql: str, **values: object) -> str:
    """Run ``sql`` on its own connection; the SQLSTATE it was refused with."""
    with (
        pytest.raises(DBAPIError) as caught,
        db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
    ):
        conn.execute(text(sql), values)
    return str(getattr(caught.value.orig, "sqlstate", None))


PERMISSION_DENIED = "42501"


def test_the_candidate_role_is_refused_keys_other_attempts_rosters_and_scores(lab: Lab) -> None:
    own, other = lab.attempt_ids
    with lab.candidate.engine.connect() as conn:  # signed in as the lab's user, acting as the group
        who = conn.execute(text("SELECT session_user, current_user")).one()
    assert tuple(who) == (f"{lab.names.candidate.removesuffix('_candidate')}_lab_a", lab.names.candidate)
    for sql in (
        "SELECT paper FROM attempt WHERE id = :own",  # its own paper, with the keys
        "SELECT id, state FROM attempt WHERE id = :other",  # another attempt
        "SELECT answer FROM question",  # the bank's keys
        "SELECT * FROM response WHERE attempt_id = :other",  # another candidate's answers
        "SELECT * FROM response WHERE attempt_id = :own",  # even its own, but through the function
        "SELECT * FROM cadre",  # the roster
        "SELECT * FROM session_candidate",
        "SELECT secret FROM exam_session",  # the session secret that derives the papers' seeds
        "SELECT * FROM attempt_token",
        "SELECT * FROM audit_event",
        "UPDATE attempt SET score = 100, passed = true WHERE id = :own",
        "UPDATE response SET answer = '\"A\"' WHERE attempt_id = :own",
        "DELETE FROM incident",
        "INSERT INTO audit_event (at, action, entity, chain) VALUES (now(), 'forged', 'attempt', 'main')",
        "INSERT INTO response (attempt_id, item, answer, flagged, revision, saved_at) "
        "VALUES (:own, 1, '\"A\"', false, 99, now())",
        "SELECT exam_tui_check_token(:own, 'x')",  # the owner's helpers are not the candidate's to call
        "SELECT exam_tui_canonical('1'::jsonb)",
        "CREATE TABLE mine (x int)",
        "CREATE TEMPORARY TABLE mine (x int)",
    ):
        assert _refused(lab.candidate, sql, own=own, other=other) == PERMISSION_DENIED, sql


def test_a_wrong_token_or_another_attempts_token_is_refused(lab: Lab) -> None:
    (own, other), (own_token, other_token) = lab.attempt_ids, lab.tokens
    for attempt_id, token in ((other, own_token), (own, other_token), (own, "guessed"), (own, "")):
        gateway = roles.CandidateGateway(lab.candidate, attempt_id, token)
        with pytest.raises(roles.TokenRefused):
            gateway.paper()
        with pytest.raises(roles.TokenRefused):
            gateway.save(item=1, answer="A", flagged=False, revision=50)
        with pytest.raises(roles.TokenRefused):
            gateway.heartbeat()
        with pytest.raises(roles.TokenRefused):
            gateway.incident("focus_lost")
        with pytest.raises(roles.TokenRefused):
            gateway.answers()
    with lab.admin.read() as s:
        assert s.execute(text("SELECT count(*) FROM response WHERE revision = 50")).scalar_one() == 0


def test_its_own_paper_comes_without_keys(lab: Lab) -> None:
    own = lab.attempt_ids[0]
    with lab.candidate.engine.connect() as conn:
        raw = conn.execute(
            text("SELECT exam_tui_paper(:a, :t)::text"), {"a": own, "t": lab.tokens[0]}
        ).scalar_one()
    for field in KEY_FIELDS:
        assert f'"{field}"' not in raw
    paper = roles.CandidateGateway(lab.candidate, own, lab.tokens[0]).paper()
    with lab.admin.read() as s:
        full = Paper.from_json(
            s.execute(text("SELECT paper FROM attempt WHERE id = :a"), {"a": own}).scalar_one()
        )
    assert [(i.number, i.stem, i.options, i.points) for i in paper.items] == [
        (i.number, i.stem, i.options, i.points) for i in full.items
    ]
    assert all(i.key is None and i.explanation is None and i.source is None for i in paper.items)
    assert any(i.key is not None for i in full.items)


def test_answers_heartbeats_and_incidents_go_through_and_the_audit_trail_holds(lab: Lab) -> None:
    own, other = lab.attempt_ids
    gateway = roles.CandidateGateway(lab.candidate, own, lab.tokens[0])
    given = {
        1: "A",
        2: ["A", "C"],
        3: '引号"与\\反斜杠\n换行\t和 emoji 😀',
        4: None,
        5: [["一年"], ""],
        6: True,
    }
    for item, answer in given.items():
        ack = gateway.save(item=item, answer=answer, flagged=item == 2, revision=1, current_item=item)
        assert (ack.item, ack.revision) == (item, 1)
    # An older revision arriving late changes nothing; the newer stands.
    assert gateway.save(item=1, answer="B", flagged=False, revision=3).revision == 3
    assert gateway.save(item=1, answer="C", flagged=False, revision=2).revision == 3
    stored = gateway.answers()
    assert stored.answers[1] == "B" and stored.answers[3] == given[3] and 4 not in stored.answers
    assert stored.flagged == {2} and stored.revisions[1] == 3
    with pytest.raises(ValueError, match="not on this paper"):
        gateway.save(item=999, answer="A", flagged=False, revision=1)
    with pytest.raises(DBAPIError):  # a number is no answer a terminal gives
        gateway.save(item=7, answer=1.5, flagged=False, revision=1)
    tick = gateway.heartbeat(current_item=4)
    assert tick.state == "in_progress" and tick.deadline_at > tick.server_now
    gateway.incident("focus_lost", {"seconds": 3})
    with pytest.raises(DBAPIError):
        gateway.incident("late_write")  # the server's to record
    with lab.admin.read() as s:
        row = s.execute(
            text("SELECT focus_losses, current_item FROM attempt WHERE id = :a"), {"a": own}
        ).one()
        assert tuple(row) == (1, 4)
        details = s.execute(
            text("SELECT details FROM incident WHERE attempt_id = :a AND kind = 'focus_lost'"), {"a": own}
        ).scalar_one()
        assert details == {"hostname": "lab-a", "seconds": 3}
        assert (
            s.execute(text("SELECT count(*) FROM response WHERE attempt_id = :a"), {"a": other}).scalar_one()
            == 0
        )
    report = audit.verify(lab.admin)
    assert report.intact, report.problems
    # The admin's service reads back what the candidate's function wrote, and grades it at hand-in.
    result = attempts.hand_in(lab.admin, own)
    assert result.state in ("graded", "pending_grading")
    assert audit.verify(lab.admin).intact
    with pytest.raises(AttemptClosed):
        gateway.save(item=1, answer="D", flagged=False, revision=9)
    with pytest.raises(AttemptClosed):
        gateway.paper()


def test_a_resume_elsewhere_replaces_the_token(lab: Lab) -> None:
    other = lab.attempt_ids[1]
    with lab.admin.read() as s:
        session_id, cadre_id = s.execute(
            text("SELECT session_id, cadre_id FROM attempt WHERE id = :a"), {"a": other}
        ).one()
    resumed = attempts.begin(lab.admin, session_id=session_id, cadre_id=cadre_id, hostname="lab-b")
    assert resumed.resumed and resumed.token and resumed.token != lab.tokens[1]
    with pytest.raises(roles.TokenRefused):
        roles.CandidateGateway(lab.candidate, other, lab.tokens[1]).heartbeat()
    assert (
        roles.CandidateGateway(lab.candidate, other, resumed.token)
        .save(item=1, answer="A", flagged=False, revision=1)
        .revision
        == 1
    )
    lab.tokens[1] = resumed.token


def test_the_proctor_role_reads_sittings_but_changes_no_bank_roster_or_token(lab: Lab) -> None:
    with lab.proctor.read() as s:
        assert s.execute(text("SELECT count(*) FROM attempt")).scalar_one() == 2
    for sql in (
        "UPDATE question SET answer = '\"B\"'",
        "UPDATE cadre SET name = 'x'",
        "DELETE FROM response",
        "DELETE FROM audit_event",
        "TRUNCATE incident",
        "CREATE TABLE mine (x int)",
    ):
        assert _refused(lab.proctor, sql) == PERMISSION_DENIED, sql


def test_the_direct_sit_path_and_the_desks_services_run_under_the_proctor_role(lab: Lab) -> None:
    """The sign-in desk runs as a proctor user, and a terminal signed in as one sits directly: sign in,
    begin, save, heartbeat, incident, hand in and grade, through the services as they are."""
    with lab.admin.read() as s:
        session_id, code, number = s.execute(
            text(
                "SELECT es.id, es.access_code, c.id_number FROM exam_session es "
                "JOIN session_candidate sc ON sc.session_id = es.id JOIN cadre c ON c.id = sc.cadre_id "
                "WHERE NOT EXISTS (SELECT 1 FROM attempt a WHERE a.cadre_id = c.id) ORDER BY c.id_number LIMIT 1"
            )
        ).one()
    db = connect(lab.proctor.url)  # migrate=True: it reads the schema version, finds it current
    try:
        admitted = admission.admit(db, login=number, access_code=code)
        state = attempts.begin(
            db, session_id=session_id, cadre_id=admitted.candidate.cadre_id, hostname="lab-c"
        )
        answers.save_answer(db, state.attempt_id, item=1, answer="A", flagged=False, revision=1)
        answers.heartbeat(db, state.attempt_id, current_item=2)
        answers.record_incident(db, state.attempt_id, "resize")
        assert attempts.hand_in(db, state.attempt_id).state in ("graded", "pending_grading")
    finally:
        db.dispose()
    assert audit.verify(lab.admin).intact


def test_every_field_of_a_paper_item_is_shown_or_stripped_on_purpose() -> None:
    """A field added to PaperItem must be put on one side: a candidate sees it before hand-in, or not."""
    shown = {f.name for f in fields(PaperItem)} - set(KEY_FIELDS)
    assert shown == {
        "number",
        "section",
        "question",
        "type",
        "stem",
        "points",
        "options",
        "partial_credit",
        "blanks",
    }


def test_init_roles_on_sqlite_says_why_and_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'exam.db'}", "init", "--roles"])
    assert result.exit_code == 1
    assert "PostgreSQL" in result.output


def test_roles_services_refuse_sqlite_and_bad_names(tmp_path: Path) -> None:
    db = connect(f"sqlite:///{tmp_path / 'exam.db'}")
    try:
        with pytest.raises(SessionError, match=r"roles\.sqlite"):
            roles.init_roles(db)
    finally:
        db.dispose()
    with pytest.raises(SessionError, match=r"roles\.bad_name"):
        roles._names('x"; DROP ROLE postgres; --')
