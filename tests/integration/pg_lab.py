"""The lab of the least-privilege tests (test_pg_roles, test_lab_desk): a fresh PostgreSQL database with
the roles of ``init --roles`` under a prefix of their own (roles are the whole cluster's), a demo session
started with two candidates begun, and LOGIN users in the candidate and proctor roles made from a
password file, as an admin would. Dropped, roles and all, at the end of the module.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from exam_tui.cli import app
from exam_tui.services import admission, attempts, banks, roles
from exam_tui.services.demo import seed_demo
from exam_tui.services.runtime import Database, connect
from exam_tui.services.session_control import start_session
from tests.conftest import PG_URL, STARTER_BANK
from tests.integration.conftest import roster_numbers

BEIJING = timezone(timedelta(hours=8))
PASSWORD = "lab-a-" + "x7Qk2mP9vR4t"


@dataclass
class Lab:
    admin: Database  # a superuser's connection: the admin machine
    candidate: Database  # the lab machine: a LOGIN user in the candidate role
    proctor: Database
    names: roles.RoleNames
    attempt_ids: list[int]
    tokens: list[str]


def _as_user(url: str, user: str) -> str:
    return make_url(url).set(username=user, password=PASSWORD).render_as_string(hide_password=False)


@pytest.fixture(scope="module", params=[pytest.param("postgresql", marks=pytest.mark.pg)])
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    if not PG_URL:
        pytest.skip("EXAM_TUI_TEST_PG_URL is not set")
    server = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    tag = uuid.uuid4().hex[:8]
    name, prefix = f"exam_tui_roles_{tag}", f"et{tag}"
    logins = {"candidate": f"{prefix}_lab_a", "proctor": f"{prefix}_proctor_1", "cli": f"{prefix}_lab_b"}
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    admin = connect(url)
    opened: list[Database] = [admin]
    try:
        names = roles.init_roles(admin, prefix=prefix)
        assert roles.init_roles(admin, prefix=prefix) == names  # idempotent
        password_file = tmp_path_factory.mktemp("secret") / "lab-a.password"
        password_file.write_text(PASSWORD + "\n")
        password_file.chmod(0o600)
        for group, login in list(logins.items())[:2]:
            assert roles.add_login(admin, name=login, group=group, password_file=password_file, prefix=prefix)
        assert not roles.add_login(
            admin, name=logins["candidate"], group="candidate", password_file=password_file, prefix=prefix
        )
        banks.import_files(admin, [STARTER_BANK])
        demo = seed_demo(admin, tz=BEIJING)
        start_session(admin, demo.session.id)
        numbers = roster_numbers(admin, demo.session.id)[:2]
        begun = []
        for number in numbers:
            admitted = admission.admit(admin, login=number, access_code=demo.session.access_code)
            begun.append(
                attempts.begin(
                    admin,
                    session_id=admitted.session.id,
                    cadre_id=admitted.candidate.cadre_id,
                    hostname="lab-a",
                )
            )
        # The lab machine opens the database without migrating: it may not even read the schema version.
        candidate = connect(_as_user(url, logins["candidate"]), migrate=False)
        proctor = connect(_as_user(url, logins["proctor"]), migrate=False)
        opened += [candidate, proctor]
        cli_args = ["--db", url, "init", "--roles", "--role-prefix", prefix, "--login", logins["cli"]]
        refused = CliRunner().invoke(app, [*cli_args, "--group", "candidate"])
        assert refused.exit_code == 1 and "--password-file" in refused.output
        made = CliRunner().invoke(
            app, [*cli_args, "--group", "candidate", "--password-file", str(password_file)]
        )
        assert made.exit_code == 0, made.output
        assert f"{prefix}_candidate" in made.output and logins["cli"] in made.output
        assert PASSWORD not in made.output
        yield Lab(
            admin, candidate, proctor, names, [b.attempt_id for b in begun], [b.token or "" for b in begun]
        )
    finally:
        for database in opened:
            database.dispose()
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in [*logins.values(), f"{prefix}_candidate", f"{prefix}_proctor", f"{prefix}_owner"]:
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        server.dispose()
