"""Least privilege on PostgreSQL: the database roles of a training centre, and the functions through
which a lab machine signed in as the candidate-terminal role reaches its own attempt and nothing else.

Three group roles (NOLOGIN; people and machines log in as LOGIN users that are members):

- ``<prefix>_owner`` owns every table, sequence and function of the schema. Admin machines log in as its
  members (with ``SET ROLE`` to it by default, so that a migration's new tables belong to it too).
- ``<prefix>_proctor`` reads everything and may insert and update the tables of sittings and their
  results (sessions, rosters of a session, attempts, answers, incidents, the audit trail, appointments,
  terminal tokens): what the proctor's console writes when it starts, extends, terminates and closes a
  session, and what the sign-in desk (services.desk) writes for the lab terminals. It may not change
  banks, cadres, settings, marks or appeals, and may delete nothing.
- ``<prefix>_candidate`` (lab machines) is granted no table, no sequence and no column at all: only
  EXECUTE on the ``exam_tui_*`` functions below. Each is SECURITY DEFINER (it runs as the owner), pins its
  ``search_path``, and first checks the attempt's terminal token (``attempt_token``: the SHA-256 of a
  random token issued to the terminal that began or last resumed the attempt): a wrong token, or
  another attempt's id with this token, is refused with ``insufficient_privilege`` like any table.

The functions: the attempt's paper without keys (every item's ``key``, ``explanation``, ``source``, ``rubric``
and ``bank_letters`` removed), its answers, an answer save, the heartbeat and an incident. The save is the
statement every terminal runs today (``answer_writes._SAVE_PG``: open, within the grace after the
deadline, the item on the paper, the revision newer; the response and its hash-chained
``response.write`` event in one statement), generated from that very text, with the time always the
server's and the event's payload built in SQL: ``exam_tui_canonical`` writes JSON exactly as
``audit_log.canonical_json`` does for the answers a terminal can give (strings, booleans, null and
lists of them), and refuses anything else. What a candidate role cannot do on its own — hand in and
grade, which read the keys — is asked of the sign-in desk (store.desk_functions, services.desk), a
process with the proctor's rights.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from exam_tui.store import desk_functions
from exam_tui.store.answer_writes import _SAVE_PG

DEFAULT_PREFIX = "exam_tui"
GROUPS = ("owner", "proctor", "candidate")
# What the candidate's terminal may record itself (late writes and time-up are the server's to record).
CANDIDATE_INCIDENTS = ("focus_lost", "focus_back", "resize", "resume", "quit")
# Item fields a candidate must not see before hand-in: the key, what explains it (the explanation and
# the regulation it cites, shown with the key in review and practice), the rubric, and the bank's
# letters behind the shown ones (a paper's shuffle is nobody's business but the appeal's).
KEY_FIELDS = ("key", "explanation", "source", "rubric", "bank_letters")
# The tables a proctor's console writes (start, extend, terminate, close: hand-ins, grading, decisions).
PROCTOR_WRITES = (
    "exam_session",
    "session_candidate",
    "attempt",
    "response",
    "incident",
    "audit_event",
    "audit_head",
    "appointment",
    "appointment_decision",
    "attempt_token",
    "terminal_request",  # the sign-in desk (services.desk) serves the lab terminals' requests
)
FUNCTIONS = {
    "exam_tui_paper": "integer, text",
    "exam_tui_responses": "integer, text",
    "exam_tui_save": "integer, text, integer, json, boolean, integer, integer",
    "exam_tui_heartbeat": "integer, text, integer",
    "exam_tui_incident": "integer, text, text, json",
}
_PRIVATE = {"exam_tui_check_token": "integer, text", "exam_tui_canonical": "jsonb"}
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,47}\Z")
_LOCK_KEY = 7_305_512_042  # serialises two `init --roles` run at once


class RoleNameError(ValueError):
    pass


@dataclass(frozen=True)
class RoleNames:
    owner: str
    proctor: str
    candidate: str

    @classmethod
    def with_prefix(cls, prefix: str = DEFAULT_PREFIX) -> RoleNames:
        check_name(prefix)
        return cls(f"{prefix}_owner", f"{prefix}_proctor", f"{prefix}_candidate")

    def group(self, kind: str) -> str:
        if kind not in GROUPS:
            raise RoleNameError(kind)
        return str(getattr(self, kind))


def check_name(name: str) -> str:
    """A role name used in DDL: lower-case letters, digits and ``_`` only (no quoting games)."""
    if not _NAME.match(name):
        raise RoleNameError(name)
    return name


def _q(name: str) -> str:
    return '"' + check_name(name) + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------- DDL


def _save_body(open_state: str, grace_s: float) -> str:
    """``_SAVE_PG`` as a PL/pgSQL statement: its parameters become the function's, the clock the server's,
    the results the function's variables."""
    values = {
        "now": "NULL",
        "id": "p_attempt",
        "open_state": _literal(open_state),
        "grace_s": repr(float(grace_s)),
        "item": "p_item",
        "answer": "p_answer",
        "flagged": "p_flagged",
        "revision": "p_revision",
        "current_item": "v_current_item",
        "details_head": "v_details_head",
        # The function has checked the token already (exam_tui_check_token), as its first statement.
        "token_hash": "NULL",
    }
    body = re.sub(r"%\((\w+)\)s", lambda m: values[m.group(1)], _SAVE_PG).rstrip()
    assert "%(" not in body and body.endswith("\nFROM head"), "answer_writes._SAVE_PG changed shape"
    into = "\nINTO attempt_state, hand_in_reason, deadline, items, server_now, accepted, stored_revision"
    return body[: -len("\nFROM head")] + into + "\nFROM head"


def _functions_sql(schema: str, open_state: str, grace_s: float) -> list[str]:
    head = f"SECURITY DEFINER SET search_path = {_q(schema)}, pg_temp"
    strip = "ARRAY[" + ", ".join(_literal(f) for f in KEY_FIELDS) + "]"
    kinds = ", ".join(_literal(k) for k in CANDIDATE_INCIDENTS)
    return [
        f"""
CREATE OR REPLACE FUNCTION exam_tui_check_token(p_attempt integer, p_token text) RETURNS void
LANGUAGE plpgsql STABLE {head} AS $$
BEGIN
    IF p_attempt IS NULL OR p_token IS NULL OR NOT EXISTS (
        SELECT 1 FROM attempt_token
        WHERE attempt_id = p_attempt AND token_hash = encode(sha256(convert_to(p_token, 'UTF8')), 'hex')
    ) THEN
        RAISE EXCEPTION 'permission denied for attempt %', p_attempt USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION exam_tui_canonical(v jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = {_q(schema)}, pg_temp AS $$
BEGIN
    CASE jsonb_typeof(v)
        WHEN 'string' THEN RETURN to_json(v #>> '{{}}')::text;
        WHEN 'array' THEN
            RETURN '[' || COALESCE((SELECT string_agg(exam_tui_canonical(e.value), ',' ORDER BY e.n)
                                    FROM jsonb_array_elements(v) WITH ORDINALITY AS e(value, n)), '') || ']';
        WHEN 'boolean' THEN RETURN v::text;
        WHEN 'null' THEN RETURN 'null';
        ELSE RAISE EXCEPTION 'an answer holds text, true/false and lists of them, not %', jsonb_typeof(v)
             USING ERRCODE = 'invalid_parameter_value';
    END CASE;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION exam_tui_paper(p_attempt integer, p_token text) RETURNS json
LANGUAGE plpgsql {head} AS $$
DECLARE
    v_paper jsonb;
    v_state text;
BEGIN
    PERFORM exam_tui_check_token(p_attempt, p_token);
    SELECT paper::jsonb, state INTO v_paper, v_state FROM attempt WHERE id = p_attempt;
    IF v_state IS DISTINCT FROM {_literal(open_state)} THEN
        RAISE EXCEPTION 'attempt % is handed in', p_attempt USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN jsonb_set(v_paper, '{{items}}', COALESCE(
        (SELECT jsonb_agg(e.item - {strip} ORDER BY e.n)
         FROM jsonb_array_elements(v_paper -> 'items') WITH ORDINALITY AS e(item, n)), '[]'::jsonb))::json;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION exam_tui_responses(p_attempt integer, p_token text)
RETURNS TABLE (item integer, answer json, flagged boolean, revision integer)
LANGUAGE plpgsql {head} AS $$
BEGIN
    PERFORM exam_tui_check_token(p_attempt, p_token);
    RETURN QUERY SELECT r.item, r.answer, r.flagged, r.revision FROM response r
                 WHERE r.attempt_id = p_attempt ORDER BY r.item;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION exam_tui_save(
    p_attempt integer, p_token text, p_item integer, p_answer json, p_flagged boolean, p_revision integer,
    p_current_item integer
) RETURNS TABLE (
    attempt_state text, hand_in_reason text, deadline timestamptz, items integer, server_now timestamptz,
    accepted boolean, stored_revision integer
)
LANGUAGE plpgsql {head} AS $$
DECLARE
    v_details_head text;
    v_current_item integer;
BEGIN
    PERFORM exam_tui_check_token(p_attempt, p_token);
    IF p_item IS NULL OR p_revision IS NULL OR p_flagged IS NULL OR length(p_answer::text) > 20000 THEN
        RAISE EXCEPTION 'an answer needs an item, a revision and a mark, and at most 20000 characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_details_head := '{{"answer":' || exam_tui_canonical(p_answer::jsonb) || ',"attempt_id":' || p_attempt
        || ',"flagged":' || CASE WHEN p_flagged THEN 'true' ELSE 'false' END || ',"item":' || p_item
        || ',"revision":' || p_revision;
    v_current_item := CASE WHEN p_current_item >= 1 THEN p_current_item END;
    {_save_body(open_state, grace_s)};
    IF accepted AND stored_revision IS NULL THEN  -- a newer revision is stored: it stands
        SELECT r.revision INTO stored_revision FROM response r WHERE r.attempt_id = p_attempt AND r.item = p_item;
    ELSIF NOT accepted AND attempt_state = {_literal(open_state)}
          AND server_now > deadline + interval '{float(grace_s)} seconds' THEN
        -- too late: recorded for the proctor; handing the attempt in (and grading) is the server's
        INSERT INTO incident (session_id, attempt_id, kind, created_at, details)
        SELECT a.session_id, a.id, 'late_write', server_now,
               json_build_object('item', p_item, 'revision', p_revision,
                                 'late_by_s', extract(epoch FROM server_now - a.deadline_at))
        FROM attempt a WHERE a.id = p_attempt;
    END IF;
    RETURN NEXT;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION exam_tui_heartbeat(p_attempt integer, p_token text, p_current_item integer)
RETURNS TABLE (server_now timestamptz, deadline timestamptz, attempt_state text, current_item integer)
LANGUAGE plpgsql {head} AS $$
DECLARE
    v_items integer;
BEGIN
    PERFORM exam_tui_check_token(p_attempt, p_token);
    server_now := clock_timestamp();
    SELECT a.deadline_at, a.state, a.current_item, a.item_count
    INTO deadline, attempt_state, current_item, v_items
    FROM attempt a WHERE a.id = p_attempt FOR UPDATE;
    IF attempt_state = {_literal(open_state)} AND server_now < deadline THEN
        IF p_current_item BETWEEN 1 AND v_items THEN
            current_item := p_current_item;
        END IF;
        UPDATE attempt a SET last_heartbeat_at = server_now, current_item = exam_tui_heartbeat.current_item
        WHERE a.id = p_attempt;
    END IF;
    RETURN NEXT;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION exam_tui_incident(p_attempt integer, p_token text, p_kind text, p_details json)
RETURNS void
LANGUAGE plpgsql {head} AS $$
DECLARE
    v_row attempt%ROWTYPE;
BEGIN
    PERFORM exam_tui_check_token(p_attempt, p_token);
    IF p_kind IS NULL OR p_kind NOT IN ({kinds}) THEN
        RAISE EXCEPTION 'a terminal does not record % incidents', p_kind USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_details IS NOT NULL AND (json_typeof(p_details) <> 'object' OR length(p_details::text) > 4000) THEN
        RAISE EXCEPTION 'incident details are an object of at most 4000 characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO v_row FROM attempt WHERE id = p_attempt FOR UPDATE;
    IF p_kind = 'focus_lost' AND v_row.state = {_literal(open_state)} THEN
        UPDATE attempt SET focus_losses = focus_losses + 1 WHERE id = p_attempt;
    END IF;
    INSERT INTO incident (session_id, attempt_id, kind, created_at, details)
    VALUES (v_row.session_id, p_attempt, p_kind, clock_timestamp(),
            (jsonb_build_object('hostname', v_row.hostname) || COALESCE(p_details::jsonb, '{{}}'::jsonb))::json);
END $$""",
    ]


def _statements(
    names: RoleNames, database: str, schema: str, open_state: str, grace_s: float
) -> Iterable[str]:
    owner, proctor, candidate = _q(names.owner), _q(names.proctor), _q(names.candidate)
    db, sch = _q_any(database), _q(schema)
    for role in (names.owner, names.proctor, names.candidate):
        yield (
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {_literal(role)}) "
            f"THEN CREATE ROLE {_q(role)} NOLOGIN; END IF; END $$"
        )
    # The database: only these roles (and superusers) connect; nobody makes temporary tables.
    yield f"REVOKE ALL ON DATABASE {db} FROM PUBLIC"
    yield f"GRANT CONNECT ON DATABASE {db} TO {owner}, {proctor}, {candidate}"
    yield f"GRANT TEMPORARY ON DATABASE {db} TO {owner}"
    yield f"REVOKE ALL ON SCHEMA {sch} FROM PUBLIC"
    yield f"GRANT USAGE, CREATE ON SCHEMA {sch} TO {owner}"
    yield f"GRANT USAGE ON SCHEMA {sch} TO {proctor}, {candidate}"
    # Everything of the schema belongs to the owner role (ALTER TABLE moves a table's sequences with it).
    yield (
        "DO $$ DECLARE r record; BEGIN "
        f"FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = {_literal(schema)} LOOP "
        f"EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', {_literal(schema)}, r.tablename, {_literal(names.owner)}); "
        "END LOOP; END $$"
    )
    yield from _functions_sql(schema, open_state, grace_s)
    yield from desk_functions.functions_sql(sch)
    for name, args in {**FUNCTIONS, **desk_functions.FUNCTIONS, **_PRIVATE}.items():
        yield f"ALTER FUNCTION {sch}.{name}({args}) OWNER TO {owner}"
    # Nothing for anyone but the owner, then what each group needs.
    for kind in ("TABLES", "SEQUENCES", "FUNCTIONS"):
        yield f"REVOKE ALL ON ALL {kind} IN SCHEMA {sch} FROM PUBLIC, {proctor}, {candidate}"
    yield f"GRANT SELECT ON ALL TABLES IN SCHEMA {sch} TO {proctor}"
    yield f"GRANT INSERT, UPDATE ON {', '.join(f'{sch}.{t}' for t in PROCTOR_WRITES)} TO {proctor}"
    yield f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {proctor}"
    for name, args in {**FUNCTIONS, **desk_functions.FUNCTIONS}.items():
        yield f"GRANT EXECUTE ON FUNCTION {sch}.{name}({args}) TO {candidate}"
    # What a later migration adds (run by the owner role) is the proctor's to read and nobody's to call.
    yield f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC"
    yield f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {sch} GRANT SELECT ON TABLES TO {proctor}"


def _q_any(name: str) -> str:
    """A database name (may hold any character) as an identifier."""
    return '"' + name.replace('"', '""') + '"'


def install(conn: Connection, names: RoleNames, *, open_state: str, grace_s: float) -> None:
    """Create the group roles if missing, and (again) their grants and the candidate's functions in the
    connection's database and schema. Idempotent; run again after every upgrade of exam-tui."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    database, schema = conn.execute(text("SELECT current_database(), current_schema()")).one()
    raw = conn.execution_options(no_parameters=True)  # the text goes as is: no placeholders in it
    for statement in _statements(names, database, schema, open_state, grace_s):
        raw.exec_driver_sql(statement)


def add_login(conn: Connection, name: str, group: str, scram_verifier: str) -> bool:
    """A LOGIN user in ``group`` with the password given as its SCRAM verifier (the password itself never
    reaches the server); an owner's member acts as the owner role by default. True if created."""
    if not scram_verifier.startswith("SCRAM-SHA-256$") or "'" in scram_verifier:
        raise ValueError("not a SCRAM-SHA-256 verifier")
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": check_name(name)}).first()
    verb = "ALTER" if exists else "CREATE"
    raw = conn.execution_options(no_parameters=True)
    raw.exec_driver_sql(f"{verb} ROLE {_q(name)} LOGIN PASSWORD '{scram_verifier}'")
    conn.exec_driver_sql(f"GRANT {_q(group)} TO {_q(name)}")
    conn.exec_driver_sql(f"ALTER ROLE {_q(name)} SET role = {_q(group)}")
    return not exists


def terminal_role(engine: Engine) -> bool:
    """This connection's user may not read the attempts (the candidate-terminal role), on a database
    whose schema exists."""
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT to_regclass('attempt') IS NOT NULL "
                    "AND NOT has_table_privilege(current_user, 'attempt', 'SELECT')"
                )
            ).scalar_one()
        )


def terminal_schema_revision(engine: Engine) -> str | None:
    """The schema's revision as the candidate-terminal role may learn it (it cannot read the table)."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT exam_tui_schema_revision()")).scalar_one()
