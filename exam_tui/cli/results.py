"""``exam-tui results``: a session's results as a table, CSV, an Excel workbook or JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from exam_tui.cli.common import (
    MAX_INT,
    AdminOption,
    PasswordFileOption,
    UnmaskedOption,
    admin_unmasking,
    fail,
    state,
)
from exam_tui.i18n import t


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


SUFFIX_FORMATS = {".txt": Format.TABLE, ".csv": Format.CSV, ".xlsx": Format.XLSX, ".json": Format.JSON}


def results(
    ctx: typer.Context,
    session_id: Annotated[
        int, typer.Argument(help="Session number (see `session list`).", metavar="ID", min=1, max=MAX_INT)
    ],
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="table (default), csv, xlsx or json; taken from the -o file's extension when not given.",
            case_sensitive=False,
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file instead of the screen.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the -o file if it exists.")] = False,
    unmasked: UnmaskedOption = False,
    by: AdminOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """A session's results: one row per candidate on its roster (fields in docs/cli.md)."""
    from exam_tui.services import results_export
    from exam_tui.services.sessions import SessionError

    if fmt is None:
        fmt = Format.TABLE if output is None else SUFFIX_FORMATS.get(output.suffix.lower())
        if fmt is None:
            fail(t("cli.results.unknown_extension", path=output))
    if fmt == Format.XLSX and output is None:
        fail(t("cli.results.xlsx_needs_file"))
    # Here, before the database is opened, so that the refusal can name --force.
    if output is not None and output.exists() and not force:
        fail(t("cli.results.exists", path=output))
    db = state(ctx).db()
    whole = admin_unmasking(ctx, unmasked, by, password_file)
    try:
        if output is None:
            text = results_export.render_results(db, session_id, fmt, unmasked=whole)
            typer.echo(text, nl=False)
            if whole is not None:
                typer.echo(t("export.pii_unmasked", actor=whole.actor), err=True)
            return
        written = results_export.export_results(db, session_id, fmt, output, unmasked=whole, overwrite=force)
    except SessionError as exc:  # an unknown session, or the file could not be written
        fail(exc.message())
    typer.echo(t("cli.results.written", id=session_id, count=written.candidates, path=output))
    if whole is not None:
        typer.echo(t("export.pii_unmasked", actor=whole.actor), err=True)
