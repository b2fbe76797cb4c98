"""``exam-tui points``: the integrity-education points ledger (廉政教育积分) — a cadre's points, the unit's
public notice (登记公示), the ranking, manual postings and reversals, the rules in force."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from exam_tui.cli.common import (
    MAX_INT,
    MAX_YEAR,
    MIN_YEAR,
    AsJson,
    ByOption,
    day_value,
    default_actor,
    fail,
    fail_with_lines,
    state,
)
from exam_tui.i18n import t

app = typer.Typer(
    help="The points ledger: show, notice, rank, add, reverse, post, rules.", no_args_is_help=True
)
rules_app = typer.Typer(help="The points rules in force: show, export, import.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

YearOption = Annotated[
    int | None, typer.Option("--year", help="The year (default: this year).", min=MIN_YEAR, max=MAX_YEAR)
]


def _year(year: int | None) -> int:
    return year if year is not None else date.today().year


@app.command()
def show(
    ctx: typer.Context,
    id_number: Annotated[str, typer.Argument(metavar="ID_NUMBER")],
    year: YearOption = None,
    as_json: AsJson = False,
) -> None:
    """A cadre's ledger for the year: every entry with where it came from, totals by category (capped)."""
    import json

    from exam_tui.services import points
    from exam_tui.services.points_exports import ledger_text
    from exam_tui.services.sessions import SessionError

    try:
        p = points.cadre_points(state(ctx).db(), id_number, year=_year(year))
    except SessionError as exc:
        fail(exc.message())
    if as_json:
        document = {
            "id_number": p.id_number_masked,
            "name": p.name,
            "unit": p.unit,
            "year": p.year,
            "entries": [
                {
                    "id": e.id,
                    "posted_at": e.posted_at.isoformat(),
                    "category": e.category,
                    "points": e.points,
                    "kind": e.kind,
                    "rule": e.rule_id,
                    "source": e.source,
                    "course": e.course,
                    "reverses": e.reverses_id,
                    "reason": e.reason,
                    "posted_by": e.posted_by,
                }
                for e in p.entries
            ],
            "totals": {
                c: {"raw": v.raw, "counted": v.counted, "capped": v.capped} for c, v in p.totals.items()
            },
            "total": p.total,
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    typer.echo(ledger_text(p), nl=False)


@app.command()
def notice(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", help="The unit (exact name).")],
    year: YearOption = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="txt (the printable page, default), xlsx, json.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (.txt, .xlsx, .json).")
    ] = None,
    posted_on: Annotated[
        str | None, typer.Option("--posted-on", help="First day of the notice (default: today).")
    ] = None,
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """登记公示: the unit's cadres and their points by category for the year, to post and to file."""
    from exam_tui.services import points
    from exam_tui.services.points_exports import export_notice, notice_json, notice_page
    from exam_tui.services.results_export import ExportError
    from exam_tui.services.sessions import SessionError

    the_year = _year(year)
    day = day_value(posted_on, "--posted-on") if posted_on else date.today()
    try:
        rows = points.notice(state(ctx).db(), unit=unit, year=the_year)
    except SessionError as exc:
        fail(exc.message())
    if output is not None:
        if fmt is not None and output.suffix.lower() != f".{fmt}":
            fail(t("cli.points.format_and_suffix", fmt=fmt, path=output))
        try:
            export_notice(rows, output, unit=unit, year=the_year, posted_on=day, overwrite=force)
        except ExportError as exc:
            fail(exc.message())
        typer.echo(t("cli.points.notice_written", path=output, count=len(rows)))
        return
    if fmt in (None, "txt"):
        typer.echo(notice_page(rows, unit=unit, year=the_year, posted_on=day), nl=False)
    elif fmt == "json":
        typer.echo(notice_json(rows, unit=unit, year=the_year), nl=False)
    elif fmt == "xlsx":
        fail(t("cli.results.xlsx_needs_file"))
    else:
        fail(t("cli.training.bad_format", fmt=fmt))


@app.command()
def rank(
    ctx: typer.Context,
    year: YearOption = None,
    top: Annotated[int, typer.Option("--top", help="How many people to list.", min=0, max=MAX_INT)] = 20,
) -> None:
    """Units by their cadres' mean points, and the people with the most points (shared places for ties)."""
    from exam_tui.services import points
    from exam_tui.services.points_exports import ranking_text

    the_year = _year(year)
    people, units = points.ranking(state(ctx).db(), year=the_year)
    typer.echo(ranking_text(people, units, year=the_year, top=top), nl=False)


@app.command()
def add(
    ctx: typer.Context,
    id_number: Annotated[str, typer.Argument(metavar="ID_NUMBER")],
    category: Annotated[
        str, typer.Option("--category", help="self_education, higher_education or organising.")
    ],
    amount: Annotated[float, typer.Option("--points")],
    reason: Annotated[str, typer.Option("--reason", help="Why (what activity, which record).")],
    year: YearOption = None,
    by: ByOption = None,
) -> None:
    """A manual posting: points no record in the system carries. The reason is required and kept."""
    from exam_tui.services import points
    from exam_tui.services.sessions import SessionError

    try:
        entry = points.post_manual(
            state(ctx).db(),
            id_number,
            year=_year(year),
            category=category,
            points=amount,
            reason=reason,
            actor=by or default_actor(),
        )
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.points.added", id=entry))


@app.command()
def reverse(
    ctx: typer.Context,
    entry: Annotated[
        int,
        typer.Argument(help="The entry's number (see `points show`).", metavar="ENTRY", min=1, max=MAX_INT),
    ],
    reason: Annotated[str, typer.Option("--reason")],
    by: ByOption = None,
) -> None:
    """Cancel a manual posting with a reversing entry (the ledger is never edited)."""
    from exam_tui.services import points
    from exam_tui.services.sessions import SessionError

    try:
        row = points.reverse(state(ctx).db(), entry, reason=reason, actor=by or default_actor())
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.points.reversed", id=entry, reversal=row))


@app.command()
def post(ctx: typer.Context, by: ByOption = None) -> None:
    """Post what every closed course's records call for and the ledger lacks (normally nothing)."""
    from exam_tui.services import points

    written = points.sync_all(state(ctx).db(), actor=by or default_actor())
    typer.echo(t("cli.points.posted", entries=written))


@rules_app.command(name="show")
def rules_show(ctx: typer.Context) -> None:
    """The rules in force, as the YAML text they were imported from."""
    from exam_tui.services import points

    origin, text = points.rules_text(state(ctx).db())
    typer.echo(t("cli.points.rules_from", origin=origin), err=True)
    typer.echo(text, nl=False)


@rules_app.command(name="export")
def rules_export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="Write the rules in force here, to edit.")],
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """A copy of the rules in force to edit, then `points rules import`."""
    from exam_tui.services import points

    if output.exists() and not force:
        fail(t("cli.results.exists", path=output))
    _, text = points.rules_text(state(ctx).db())
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:  # a folder, a folder that does not exist, no permission, a full disk
        fail(t("cli.results.write_failed", path=output, detail=exc.strerror or str(exc)))
    typer.echo(t("cli.points.rules_exported", path=output))


@rules_app.command(name="import")
def rules_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE.yaml")],
    by: ByOption = None,
) -> None:
    """Check a rules file and make it the rules in force on every machine; every course's points follow."""
    from exam_tui.services import points

    try:
        written = points.import_rules(state(ctx).db(), file, actor=by or default_actor())
    except points.RulesError as exc:
        fail_with_lines(exc.lines, t("cli.points.rules_failed", count=len(exc.lines)))
    typer.echo(t("cli.points.rules_imported", path=file, entries=written))
