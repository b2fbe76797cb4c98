"""What every command shares: settings, the database handle, failing with one clear line."""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from exam_tui.config import Settings
from exam_tui.i18n import t

if TYPE_CHECKING:
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


def default_actor() -> str:
    """Until accounts exist, the person acting is the login name of whoever runs the command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


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
