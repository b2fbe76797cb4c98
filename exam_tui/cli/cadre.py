"""``exam-tui cadre``: import a roster of cadres (CSV or Excel) and list them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from exam_tui.cli.common import AsJson, ByOption, default_actor, fail, fail_with_lines, state
from exam_tui.i18n import t

app = typer.Typer(help="Cadres: import a roster (CSV or Excel), list, show one.", no_args_is_help=True)


@app.command(name="import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Roster file (.csv or .xlsx).", metavar="FILE")],
    as_json: AsJson = False,
    by: ByOption = None,
) -> None:
    """Check a roster, then add or update all its cadres at once, or none if any row is wrong."""
    from exam_tui.services import cadres

    db = state(ctx).db()
    try:
        result = cadres.import_roster(db, file, actor=by or default_actor())
    except cadres.RosterImportError as exc:
        fail_with_lines(exc.lines, t("cli.cadre.import_failed", count=len(exc.lines)))
    if as_json:
        typer.echo(json.dumps(cadres.import_to_json(result), ensure_ascii=False, indent=2))
        return
    typer.echo(
        t(
            "cli.cadre.imported",
            file=result.path,
            total=result.total,
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            units_created=result.units_created,
        )
    )


@app.command(name="list")
def list_(
    ctx: typer.Context,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Only the cadres of this unit (exact name).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The cadres in the database, unit by unit; ID numbers are masked."""
    from exam_tui.services import cadres

    try:
        views = cadres.list_cadres(state(ctx).db(), unit)
    except cadres.UnitNotFound as exc:
        fail(t("cli.cadre.unit_not_found", unit=exc.name))
    if as_json:
        typer.echo(json.dumps([cadres.cadre_to_json(v) for v in views], ensure_ascii=False, indent=2))
        return
    if not views:
        typer.echo(t("cli.cadre.none"))
        return
    typer.echo(t("cli.cadre.list_header"))
    for v in views:
        fields = (v.id_number_masked, v.name, v.unit, v.rank, v.position, v.proposed_post)
        typer.echo("\t".join(f or "" for f in fields))


@app.command(name="show")
def show(
    ctx: typer.Context,
    id_number: Annotated[str, typer.Argument(help="The cadre's ID number.", metavar="ID_NUMBER")],
    as_json: AsJson = False,
) -> None:
    """A cadre's record: every sitting and score, absences, appointment decisions with their history,
    qualifications held and appeals."""
    from exam_tui.cli.decision_text import cadre_json, cadre_lines
    from exam_tui.services.decision_reports import cadre_record
    from exam_tui.services.sessions import SessionError

    try:
        record = cadre_record(state(ctx).db(), id_number)
    except SessionError as exc:
        fail(exc.message())
    if as_json:
        typer.echo(json.dumps(cadre_json(record), ensure_ascii=False, indent=2))
        return
    typer.echo("\n".join(cadre_lines(record)))
