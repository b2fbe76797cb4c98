"""The candidate-terminal role's way to the sign-in desk (services.desk): SECURITY DEFINER functions,
installed by ``init --roles`` with the others of store.roles, through which a lab terminal asks to be
admitted, to begin or resume, to hand in and for its result, and reads the answer back.

Each request carries the SHA-256 of a secret the terminal drew itself (the same secret becomes the
attempt's terminal token when the desk begins the attempt). Asking to begin names an admission this
secret was given; handing in and the result name an attempt this secret holds the token of; reading an
outcome needs the secret. A terminal may have at most ``PENDING_LIMIT`` requests waiting, and every text
it sends is bounded, so a lab machine cannot flood the desk's queue.
"""

from __future__ import annotations

CHANNEL = "exam_tui_desk"
PENDING_LIMIT = 8
FUNCTIONS = {
    "exam_tui_desk_ask": "text, text, integer, json, text",
    "exam_tui_desk_outcome": "integer, text",
    "exam_tui_session_state": "integer, text",
    "exam_tui_schema_revision": "",
}


def functions_sql(schema_q: str) -> list[str]:
    """``schema_q``: the quoted schema the functions pin as their search_path."""
    head = f"SECURITY DEFINER SET search_path = {schema_q}, pg_temp"
    digest = "encode(sha256(convert_to(p_token, 'UTF8')), 'hex')"
    return [
        f"""
CREATE OR REPLACE FUNCTION exam_tui_desk_ask(
    p_kind text, p_token text, p_attempt integer, p_params json, p_hostname text
) RETURNS integer
LANGUAGE plpgsql {head} AS $$
DECLARE
    v_hash text;
    v_id integer;
    v_params jsonb := COALESCE(p_params::jsonb, '{{}}'::jsonb);
BEGIN
    IF p_token IS NULL OR length(p_token) NOT BETWEEN 32 AND 100 THEN
        RAISE EXCEPTION 'a terminal secret of 32 to 100 characters is needed' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_typeof(v_params) <> 'object' OR length(v_params::text) > 1000 OR length(p_hostname) > 100 THEN
        RAISE EXCEPTION 'request parameters are an object of at most 1000 characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_hash := {digest};
    IF (SELECT count(*) FROM terminal_request WHERE token_hash = v_hash AND done_at IS NULL) >= {PENDING_LIMIT} THEN
        RAISE EXCEPTION 'too many requests waiting for the desk' USING ERRCODE = 'program_limit_exceeded';
    END IF;
    IF p_kind = 'admit' THEN
        IF p_attempt IS NOT NULL THEN
            RAISE EXCEPTION 'an admission names no attempt' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v_params := jsonb_strip_nulls(jsonb_build_object(
            'login', left(v_params ->> 'login', 40), 'access_code', left(v_params ->> 'access_code', 40),
            'name', left(v_params ->> 'name', 100),
            'session', CASE WHEN jsonb_typeof(v_params -> 'session') = 'number'
                            THEN (v_params ->> 'session')::numeric::integer END));
    ELSIF p_kind = 'begin' THEN
        IF NOT EXISTS (SELECT 1 FROM terminal_request r
                       WHERE r.id = (CASE WHEN jsonb_typeof(v_params -> 'admit') = 'number'
                                          THEN (v_params ->> 'admit')::numeric::integer END)
                         AND r.kind = 'admit' AND r.token_hash = v_hash AND (r.outcome::jsonb) ? 'ok') THEN
            RAISE EXCEPTION 'no admission for this terminal' USING ERRCODE = 'insufficient_privilege';
        END IF;
        v_params := jsonb_build_object('admit', (v_params ->> 'admit')::numeric::integer);
    ELSIF p_kind IN ('hand_in', 'result') THEN
        PERFORM exam_tui_check_token(p_attempt, p_token);
        v_params := CASE WHEN p_kind = 'hand_in'
                         THEN jsonb_build_object('reason', CASE WHEN v_params ->> 'reason' = 'time_up'
                                                                THEN 'time_up' ELSE 'candidate' END)
                         ELSE '{{}}'::jsonb END;
    ELSE
        RAISE EXCEPTION 'the desk does not serve % requests', p_kind USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO terminal_request (kind, token_hash, attempt_id, hostname, params, created_at)
    VALUES (p_kind, v_hash, p_attempt, left(p_hostname, 100), v_params::json, clock_timestamp())
    RETURNING id INTO v_id;
    PERFORM pg_notify('{CHANNEL}', v_id::text);
    RETURN v_id;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION exam_tui_desk_outcome(p_request integer, p_token text) RETURNS json
LANGUAGE plpgsql STABLE {head} AS $$
DECLARE
    v_outcome json;
    v_hash text;
BEGIN
    SELECT outcome, token_hash INTO v_outcome, v_hash FROM terminal_request WHERE id = p_request;
    IF p_token IS NULL OR v_hash IS DISTINCT FROM {digest} THEN
        RAISE EXCEPTION 'permission denied for request %', p_request USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_outcome;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION exam_tui_session_state(p_admit integer, p_token text) RETURNS text
LANGUAGE plpgsql STABLE {head} AS $$
DECLARE
    v_session integer;
BEGIN
    SELECT (r.params ->> 'session')::integer INTO v_session FROM terminal_request r
    WHERE r.id = p_admit AND r.kind = 'admit' AND r.token_hash = {digest} AND (r.outcome::jsonb) ? 'ok';
    IF v_session IS NULL THEN
        RAISE EXCEPTION 'no admission for this terminal' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN (SELECT state FROM exam_session WHERE id = v_session);
END $$""",
        f"""
CREATE OR REPLACE FUNCTION exam_tui_schema_revision() RETURNS text
LANGUAGE sql STABLE {head} AS $$ SELECT version_num FROM alembic_version LIMIT 1 $$""",
    ]
