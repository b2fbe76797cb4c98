"""What every command shares: settings, the database handle, failing with one clear line."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from exam_tui.config import Settings
from exam_tui.i18n import t

if TYPE_CHECKING:
    from exam_tui.services.pii import Unmasking
    from exam_tui.services.runtime import Database


@dataclass
class CliState:
    settings: Settings
    _db: Database | None = field(default=None, repr=False)

    def db(self) -> Database:
        if self._db is None:
            self._db = open_database(self.settings.database_url)
        return self._db


# Ids and counts typed on the command line end up in 64-bit integer columns (SQLite and PostgreSQL
# alike); outside that range the parser refuses a number with the option's name (exit 2) instead of
# the database driver raising in the middle of a command.
MAX_INT = 2**63 - 1
# Years of the days and times the commands take. Outside them a date is a typo, and near datetime's
# own ends (years 1 and 9999) adding a day or a time zone overflows.
MIN_YEAR, MAX_YEAR = 1900, 2999

AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output (fields in docs/cli.md).")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who is acting (recorded); default: your login name.")
]
UnmaskedOption = Annotated[
    bool,
    typer.Option(
        "--unmasked",
        help="Full ID numbers (personal data) instead of masked ones: admins only (--by ADMIN and its "
        "password); recorded in the audit trail.",
    ),
]
AdminOption = Annotated[
    str | None,
    typer.Option("--by", help="Who is acting (recorded); with --unmasked an admin's login name (required)."),
]
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help="With --unmasked: the admin's password on this file's first line ('-': standard input) "
        "instead of a hidden prompt (never on the command line).",
    ),
]


def default_actor() -> str:
    """Until accounts exist, the person acting is the login name of whoever runs the command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def password_from_file(path: Path) -> str:
    """The first line of ``path`` (``-``: standard input), or exit 1 naming the file."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(t("cli.user.password_file", path=str(path), detail=getattr(exc, "strerror", None) or exc))
    password = text.splitlines()[0] if text else ""
    if not password:
        fail(t("cli.user.password_empty", path=str(path)))
    return password


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def admin_unmasking(
    ctx: typer.Context, unmasked: bool, by: str | None, password_file: Path | None
) -> Unmasking | None:
    """None unless ``unmasked``; then the verified admin named by ``--by`` (exit 1 with the reason if not).

    The password comes from ``--password-file`` or a hidden prompt on a terminal, never from argv
    (which every user of the machine can read); the check, its lockout and its audit events are
    ``services.pii.admin_unmasking``'s.
    """
    if not unmasked:
        return None
    if not by or not by.strip():
        fail(t("cli.pii.no_by"))
    if password_file is not None:
        password = password_from_file(password_file)
    elif stdin_is_terminal():
        password = typer.prompt(t("cli.pii.password_prompt", login=by), hide_input=True)
    else:
        fail(t("cli.pii.no_tty", login=by))
    from exam_tui.services import pii
    from exam_tui.services.sessions import SessionError

    try:
        return pii.admin_unmasking(state(ctx).db(), by, password)
    except SessionError as exc:  # AccountError, UnmaskRefused
        fail(t("cli.pii.refused", reason=exc.message()))


def day_value(value: str, option: str) -> date:
    """A ``YYYY-MM-DD`` option's day, or exit 1 saying which option is wrong."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(t("cli.training.bad_day", option=option, value=value))
    check_year(day, value)
    return day


def aware_time(value: str) -> datetime:
    """An ISO 8601 time with its UTC offset (a planned start), or exit 1."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(t("cli.training.bad_time", value=value))
    if moment.tzinfo is None:
        fail(t("cli.training.bad_time", value=value))
    check_year(moment, value)
    return moment


def check_year(moment: date, value: str) -> None:
    """Exit 1 when a day or time typed as ``value`` lies outside MIN_YEAR to MAX_YEAR."""
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        fail(t("cli.error.year_range", value=value, first=MIN_YEAR, last=MAX_YEAR))


def fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def fail_with_lines(lines: Iterable[str], summary: str) -> NoReturn:
    """Every located problem (FILE:LINE: …) on stderr, then the summary, exit 1."""
    for line in lines:
        typer.echo(line, err=True)
    fail(summary)


def open_database(url: str) -> Database:
    """The database for a command; exits with one line when it cannot be opened."""
    from exam_tui.services.runtime import DatabaseError

    try:
        return connect_or_explain(url)
    except DatabaseError as exc:
        fail(str(exc))


def connect_or_explain(url: str) -> Database:
    """The database at ``url``; a DatabaseError whose text is the one line to show the user.

    Imported lazily (here, not at the top) so that the candidate terminal paints its first screen
    before SQLAlchemy is loaded; the TUI calls this in a worker.
    """
    from exam_tui.services.runtime import DatabaseError, NetworkFilesystemError, connect

    try:
        return connect(url)
    except NetworkFilesystemError as exc:
        raise DatabaseError(t("cli.error.network_fs", path=exc.path, fs=exc.fstype)) from exc
    except DatabaseError as exc:
        detail = str(exc).strip().splitlines()[0]
        raise DatabaseError(t("cli.error.database", url=redact(url), detail=detail)) from exc


def redact(url: str) -> str:
    """Never print a password from a database URL."""
    head, sep, tail = url.partition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}" if ":" in credentials else url


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj
