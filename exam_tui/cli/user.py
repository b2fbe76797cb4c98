"""``exam-tui user``: staff accounts (add, list, passwd, disable, enable, assign, unassign), and the password
input that ``exam-tui init`` shares: a hidden prompt typed twice, or the first line of ``--password-file``
(``-`` for standard input). A password is never taken from the command line, where ``ps`` and the shell's
history would show it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from exam_tui.cli.common import AsJson, ByOption, default_actor, fail, password_from_file, state
from exam_tui.i18n import t

app = typer.Typer(
    help="Staff accounts: admin, proctor, grader, reviewer (candidates sign in with ID number and code).",
    no_args_is_help=True,
)

PasswordFile = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="Read the password from the first line of this file ('-': standard input) instead of a prompt.",
        dir_okay=False,
    ),
]


def read_password(path: Path | None) -> str:
    """The password from ``path`` (its first line), else typed twice at a hidden prompt on a terminal."""
    if path is not None:
        return password_from_file(path)
    if not sys.stdin.isatty():
        fail(t("cli.user.password_no_tty"))
    import getpass

    first = getpass.getpass(t("cli.user.password_prompt") + ": ")
    second = getpass.getpass(t("cli.user.password_again") + ": ")
    if first != second:
        fail(t("cli.user.password_mismatch"))
    return first


def _fail_on(exc: Exception) -> None:
    from exam_tui.services.sessions import SessionError

    if isinstance(exc, SessionError):
        fail(exc.message())
    raise exc


@app.command(name="add")
def add(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="Login name: 2–40 of a–z 0–9 . _ -", metavar="LOGIN")],
    role: Annotated[
        list[str],
        typer.Option(
            "--role", help="admin, proctor, grader or reviewer; repeat or comma-separate for several."
        ),
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Display name (default: the login name).")
    ] = None,
    password_file: PasswordFile = None,
    by: ByOption = None,
) -> None:
    """Add a staff account with one or more roles."""
    from exam_tui.services import accounts

    password = read_password(password_file)
    roles = [r for value in role for r in value.split(",")]
    try:
        view = accounts.add_user(
            state(ctx).db(), login, password, roles=roles, display_name=name, actor=by or default_actor()
        )
    except Exception as exc:
        _fail_on(exc)
    typer.echo(t("cli.user.added", login=view.login, roles=_roles(view.roles)))


@app.command(name="list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """The accounts: login, name, roles, state (active / disabled / locked) and assignments."""
    from exam_tui.services import accounts

    views = accounts.list_users(state(ctx).db())
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "login": v.login,
                        "name": v.display_name,
                        "roles": [r.value for r in v.roles],
                        "disabled": v.disabled,
                        "locked_until": v.locked_until.isoformat() if v.locked_until else None,
                        "last_login_at": v.last_login_at.isoformat() if v.last_login_at else None,
                        "assignments": [
                            {"role": a.role, "session": a.session_id, "exam": a.exam_ref}
                            for a in v.assignments
                        ],
                    }
                    for v in views
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not views:
        typer.echo(t("cli.user.none"))
        return
    for v in views:
        if v.disabled:
            status = t("cli.user.state_disabled")
        elif _future(v.locked_until):
            status = t("cli.user.state_locked", until=v.locked_until.astimezone().strftime("%H:%M"))
        else:
            status = t("cli.user.state_ok")
        targets = ", ".join(_target(a.session_id, a.exam_ref) for a in v.assignments)
        typer.echo(
            t(
                "cli.user.line",
                login=v.login,
                name=v.display_name,
                roles=_roles(v.roles),
                state=status,
                assignments=f"  {targets}" if targets else "",
            )
        )


def _future(moment: object) -> bool:
    from datetime import UTC, datetime

    return isinstance(moment, datetime) and moment > datetime.now(UTC)


@app.command(name="passwd")
def passwd(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    password_file: PasswordFile = None,
    by: ByOption = None,
) -> None:
    """Set a new password (it also lifts a lockout)."""
    from exam_tui.services import accounts

    password = read_password(password_file)
    try:
        accounts.set_password(state(ctx).db(), login, password, actor=by or default_actor())
    except Exception as exc:
        _fail_on(exc)
    typer.echo(t("cli.user.passwd_done", login=login.strip().lower()))


@app.command(name="disable")
def disable(
    ctx: typer.Context, login: Annotated[str, typer.Argument(metavar="LOGIN")], by: ByOption = None
) -> None:
    """Disable an account: it can no longer sign in (its records keep its name)."""
    _set_disabled(ctx, login, True, by)


@app.command(name="enable")
def enable(
    ctx: typer.Context, login: Annotated[str, typer.Argument(metavar="LOGIN")], by: ByOption = None
) -> None:
    """Enable a disabled account again (and lift its lockout)."""
    _set_disabled(ctx, login, False, by)


def _set_disabled(ctx: typer.Context, login: str, disabled: bool, by: str | None) -> None:
    from exam_tui.services import accounts

    try:
        accounts.set_disabled(state(ctx).db(), login, disabled, actor=by or default_actor())
    except Exception as exc:
        _fail_on(exc)
    typer.echo(t("cli.user.disabled" if disabled else "cli.user.enabled", login=login.strip().lower()))


SessionOption = Annotated[int | None, typer.Option("--session", help="A session (its id).")]
ExamOption = Annotated[str | None, typer.Option("--exam", help="An exam, BANK/EXAM: every session of it.")]
RoleOption = Annotated[
    str | None,
    typer.Option("--role", help="proctor or grader (default: proctor for --session, grader for --exam)."),
]


@app.command(name="assign")
def assign(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    session: SessionOption = None,
    exam: ExamOption = None,
    role: RoleOption = None,
    by: ByOption = None,
) -> None:
    """Give a proctor a session's console, or a grader a session's or an exam's grading queue."""
    _assign(ctx, login, session, exam, role, by, remove=False)


@app.command(name="unassign")
def unassign(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    session: SessionOption = None,
    exam: ExamOption = None,
    role: RoleOption = None,
    by: ByOption = None,
) -> None:
    """Take an assignment away again."""
    _assign(ctx, login, session, exam, role, by, remove=True)


def _assign(
    ctx: typer.Context,
    login: str,
    session: int | None,
    exam: str | None,
    role: str | None,
    by: str | None,
    *,
    remove: bool,
) -> None:
    from exam_tui.domain.accounts import Role
    from exam_tui.services import accounts

    try:
        chosen = Role(role.strip().lower()) if role else None
    except ValueError:
        fail(t("account.assign_role", role=role))
    try:
        accounts.assign(
            state(ctx).db(),
            login,
            session_id=session,
            exam_ref=exam,
            role=chosen,
            remove=remove,
            actor=by or default_actor(),
        )
    except Exception as exc:
        _fail_on(exc)
    typer.echo(
        t(
            "cli.user.unassigned" if remove else "cli.user.assigned",
            login=login.strip().lower(),
            target=_target(session, exam),
        )
    )


def _target(session: int | None, exam: str | None) -> str:
    if session is not None:
        return t("cli.user.target_session", session=session)
    return t("cli.user.target_exam", exam=exam)


def _roles(roles: object) -> str:
    return "、".join(t(f"role.{r}") for r in roles)  # type: ignore[attr-defined]


def init_admin(ctx: typer.Context, login: str, password_file: Path | None, *, interactive: bool) -> None:
    """``exam-tui init``'s first admin: from the file, or typed on a terminal; nothing when one exists."""
    from exam_tui.services import accounts

    db = state(ctx).db()
    if accounts.has_admin(db):
        if password_file is not None:
            typer.echo(t("cli.init.admin_exists"))
        return
    if password_file is None and not interactive:
        typer.echo(t("cli.init.admin_hint"))
        return
    if password_file is None:
        typer.echo(t("cli.init.admin_prompt", login=login))
    password = read_password(password_file)
    try:
        created = accounts.create_first_admin(db, login, password, actor=default_actor())
    except Exception as exc:
        _fail_on(exc)
    typer.echo(t("cli.init.admin_created" if created else "cli.init.admin_exists", login=login))
