"""What every command shares: settings, the database handle, failing with one clear line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, NoReturn

import typer

from exam_tui.config import Settings
from exam_tui.i18n import t
from exam_tui.services.runtime import Database, DatabaseError, NetworkFilesystemError, connect


@dataclass
class CliState:
    settings: Settings
    _db: Database | None = field(default=None, repr=False)

    def db(self) -> Database:
        if self._db is None:
            self._db = open_database(self.settings.database_url)
        return self._db


AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output (fields in docs/cli.md).")]


def fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def fail_with_lines(lines: Iterable[str], summary: str) -> NoReturn:
    """Every located problem (FILE:LINE: …) on stderr, then the summary, exit 1."""
    for line in lines:
        typer.echo(line, err=True)
    fail(summary)


def open_database(url: str) -> Database:
    try:
        return connect(url)
    except NetworkFilesystemError as exc:
        fail(t("cli.error.network_fs", path=exc.path, fs=exc.fstype))
    except DatabaseError as exc:
        fail(t("cli.error.database", url=redact(url), detail=str(exc).strip().splitlines()[0]))


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
