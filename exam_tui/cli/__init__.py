"""The ``exam-tui`` command. Exit codes: 0 ok, 1 a user error (one clear line on stderr), 2 usage."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from exam_tui.cli import (
    appeal,
    audit,
    bank,
    cadre,
    competition,
    decisions,
    demo,
    grading,
    points,
    report,
    results,
    serve,
    session,
    training,
    user,
)
from exam_tui.cli.common import MAX_INT, CliState, connect_or_explain, fail, redact, state
from exam_tui.config import resolve_settings
from exam_tui.i18n import set_language, t


class _RootGroup(TyperGroup):
    """The root command, which refuses an argument that is not text before any command can use it.

    Python hands bytes of argv that are not UTF-8 over as lone surrogates (surrogateescape); such a
    string cannot be printed, stored in the database or compared with stored names, and would fail
    deep inside whichever command got it.
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        for arg in args:
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                typer.echo(t("cli.error.not_utf8", arg=shown), err=True)
                raise typer.Exit(2) from None
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RootGroup,
    name="exam-tui",
    help="廉政教育考试系统 — terminal exams for integrity education. Without a command: open the TUI.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL (default sqlite:///sessions/exam.db; env EXAM_TUI_DATABASE_URL)."
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="UI language: zh (default) or en (env EXAM_TUI_LANG).")
    ] = None,
) -> None:
    try:
        settings = resolve_settings(db=db, lang=lang)
    except ValueError:
        fail(t("cli.error.language", lang=lang or ""))
    set_language(settings.language)
    ctx.obj = CliState(settings)
    if ctx.invoked_subcommand is None:
        _run_tui(settings.database_url)


@app.command()
def init(
    ctx: typer.Context,
    admin: Annotated[str, typer.Option("--admin", help="Login name of the first admin account.")] = "admin",
    admin_password_file: Annotated[
        Path | None,
        typer.Option(
            "--admin-password-file",
            help="Create the first admin with the password on this file's first line ('-': stdin).",
            dir_okay=False,
        ),
    ] = None,
    no_admin: Annotated[
        bool, typer.Option("--no-admin", help="Only create or upgrade the database; never ask for an admin.")
    ] = False,
    roles: Annotated[
        bool,
        typer.Option(
            "--roles",
            help="PostgreSQL: create the owner, proctor and candidate-terminal roles and their grants "
            "(run as a superuser; again after each upgrade). See docs/deployment.md.",
        ),
    ] = False,
    role_prefix: Annotated[
        str,
        typer.Option(
            "--role-prefix", help="Names of the roles: PREFIX_owner, PREFIX_proctor, PREFIX_candidate."
        ),
    ] = "exam_tui",
    login: Annotated[
        str | None, typer.Option("--login", help="With --roles: also create (or reset) this LOGIN user…")
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="…in this role group: owner, proctor or candidate…")
    ] = None,
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file", help="…with the password on the first line of this file (never in argv)."
        ),
    ] = None,
) -> None:
    """Create the database or upgrade it to the newest schema; then the first admin account, if there is
    none yet: typed in on a terminal, or from --admin-password-file (harmless to run again); with
    --roles, the PostgreSQL roles for least privilege too."""
    from exam_tui.services.runtime import schema_revision

    cli = state(ctx)
    typer.echo(t("cli.init.done", url=redact(cli.settings.database_url), revision=schema_revision(cli.db())))
    if not no_admin:
        user.init_admin(ctx, admin, admin_password_file, interactive=sys.stdin.isatty())
    if roles or login:
        _init_roles(cli, role_prefix, login, group, password_file)


def _init_roles(
    cli: CliState, prefix: str, login: str | None, group: str | None, password_file: Path | None
) -> None:
    from exam_tui.services import roles as role_service
    from exam_tui.services.sessions import SessionError

    try:
        names = role_service.init_roles(cli.db(), prefix=prefix)
        typer.echo(t("cli.roles.done", owner=names.owner, proctor=names.proctor, candidate=names.candidate))
        if login is None:
            return
        if group is None or password_file is None:
            fail(t("roles.login_needs_group"))
        created = role_service.add_login(
            cli.db(), name=login, group=group, password_file=password_file, prefix=prefix
        )
    except SessionError as exc:
        fail(exc.message())
    typer.echo(
        t(
            "cli.roles.login_created" if created else "cli.roles.login_updated",
            name=login,
            group=names.group(group),
        )
    )


@app.command()
def sit(
    ctx: typer.Context,
    session: Annotated[
        int | None,
        typer.Option("--session", help="Only admit candidates of this session (its id).", min=1, max=MAX_INT),
    ] = None,
) -> None:
    """The candidate terminal: sign in, sit the exam, hand in. Nothing else is reachable from it."""
    _run_tui(state(ctx).settings.database_url, candidate=True, session_id=session)


@app.command()
def proctor(
    ctx: typer.Context,
    session: Annotated[
        int | None,
        typer.Option("--session", help="Open this session's console (its id) directly.", min=1, max=MAX_INT),
    ] = None,
) -> None:
    """The proctor's console after the staff sign-in: pick a session (those you are assigned), watch every
    candidate live, start, extend, terminate, close."""
    _run_tui(state(ctx).settings.database_url, proctor=True, session_id=session)


@app.command()
def desk(ctx: typer.Context) -> None:
    """签到服务 (the sign-in desk), on the proctor's machine: signs in, begins, hands in and shows results for
    lab machines signed in as the candidate-terminal role (PostgreSQL, init --roles), which cannot. Any
    proctor console on PostgreSQL serves too; run this where none stays open. Ctrl+C stops it."""
    import signal
    import threading
    from datetime import datetime

    from exam_tui.services import desk as desk_service

    db = state(ctx).db()
    if db.backend != "postgresql":
        fail(t("cli.desk.sqlite"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    typer.echo(t("cli.desk.serving"))

    def served(count: int) -> None:
        typer.echo(t("cli.desk.served", time=datetime.now().strftime("%H:%M:%S"), count=count))

    try:
        desk_service.run(db, stop, on_served=served)
    except KeyboardInterrupt:
        stop.set()
    typer.echo(t("cli.desk.stopped"))


@app.command()
def practice(ctx: typer.Context) -> None:
    """练习: practise from a bank with the answer after each question, or from your wrong-answer book."""
    _run_tui(state(ctx).settings.database_url, start="practice")


final_app = typer.Typer(
    help="The competition's final, played live: the host's screen and the teams' terminals.",
    no_args_is_help=True,
)


@final_app.command(name="host")
def final_host(
    ctx: typer.Context,
    competition: Annotated[
        int, typer.Option("--competition", help="The competition whose final to host.", min=1, max=MAX_INT)
    ],
) -> None:
    """The big screen (after an admin's sign-in): each question to every team, the countdown, the scoreboard."""
    from exam_tui.services import final
    from exam_tui.services.sessions import SessionError

    try:
        round_id = final.final_round_id(state(ctx).db(), competition)
    except SessionError as exc:
        fail(exc.message())
    _run_tui(
        state(ctx).settings.database_url,
        start="final_host",
        round_id=round_id,
    )


@final_app.command(name="team")
def final_team(ctx: typer.Context) -> None:
    """A team's terminal: join with the team's code, answer each question before its countdown ends."""
    _run_tui(state(ctx).settings.database_url, start="final_team")


def _run_tui(
    url: str,
    *,
    candidate: bool = False,
    proctor: bool = False,
    session_id: int | None = None,
    start: str | None = None,
    round_id: int | None = None,
) -> None:
    from exam_tui.tui.app import make_app

    # The first screen is painted first and the database opened behind it (cold start on a lab machine);
    # if it cannot be opened, the app exits with the same one line a command would print.
    tui = make_app(
        lambda: connect_or_explain(url),
        candidate=candidate,
        proctor=proctor,
        session_id=session_id,
        start=start,
        round_id=round_id,
    )
    tui.run()
    if tui.return_code:
        raise typer.Exit(tui.return_code)


app.add_typer(bank.app, name="bank")
app.add_typer(cadre.app, name="cadre")
app.add_typer(session.app, name="session")
app.command(name="demo")(demo.demo)
app.command(name="results")(results.results)
app.add_typer(decisions.appointment_app, name="appointment")
app.command(name="deferred")(decisions.deferred)
app.command(name="qualifications")(decisions.qualifications)
app.add_typer(grading.app, name="grade")
app.add_typer(appeal.app, name="appeal")
app.add_typer(decisions.setting_app, name="setting")
app.add_typer(training.app, name="training")
app.add_typer(points.app, name="points")
app.add_typer(competition.app, name="competition")
app.add_typer(final_app, name="final")
app.add_typer(report.app, name="report")
app.add_typer(audit.app, name="audit")
app.add_typer(user.app, name="user")
app.command(name="serve")(serve.serve)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["app", "main"]
