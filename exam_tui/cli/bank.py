"""``exam-tui bank``: validate, import, list, show and count question banks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from exam_tui.cli import bank_files
from exam_tui.cli.common import AsJson, ByOption, default_actor, fail, fail_with_lines, state
from exam_tui.domain.questions import QUESTION_TYPES
from exam_tui.i18n import t

app = typer.Typer(
    help="Question banks: validate, import, list, show, stats; convert, template, export.",
    no_args_is_help=True,
)

Files = Annotated[list[Path], typer.Argument(help="Bank files (YAML).", metavar="FILE...")]


@app.command()
def validate(files: Files) -> None:
    """Check bank files; print FILE:LINE:COL: message for every problem. Writes nothing."""
    from exam_tui.services import banks

    failed = 0
    for bank_file in banks.check_files(files):
        if bank_file.ok and bank_file.bank is not None:
            bank = bank_file.bank
            typer.echo(
                t(
                    "cli.bank.valid",
                    file=bank_file.path,
                    bank=bank.slug,
                    title=bank.title,
                    questions=len(bank.questions),
                    categories=len(bank.categories),
                    exams=len(bank.exams),
                )
            )
        else:
            failed += 1
            for line in banks.problem_lines(bank_file):
                typer.echo(line, err=True)
            typer.echo(
                t("cli.bank.invalid_summary", file=bank_file.path, count=len(bank_file.problems)), err=True
            )
    if failed:
        raise typer.Exit(1)


@app.command(name="import")
def import_(ctx: typer.Context, files: Files, by: ByOption = None) -> None:
    """Validate, then import all files in one transaction (or nothing). Unchanged banks are left alone."""
    from exam_tui.services import banks

    db = state(ctx).db()
    try:
        outcomes = banks.import_files(db, files, actor=by or default_actor())
    except banks.BankImportError as exc:
        fail_with_lines(exc.lines, t("cli.bank.import_failed", count=exc.failed_files))
    for o in outcomes:
        key = "cli.bank.imported_new" if o.changed else "cli.bank.imported_unchanged"
        typer.echo(t(key, file=o.path, bank=o.bank, version=o.version, questions=o.questions))


@app.command(name="list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """The banks in the database, newest version of each."""
    from exam_tui.services import banks

    summaries = banks.list_banks(state(ctx).db())
    if as_json:
        typer.echo(json.dumps([banks.summary_to_json(s) for s in summaries], ensure_ascii=False, indent=2))
        return
    if not summaries:
        typer.echo(t("cli.bank.none"))
        return
    typer.echo(t("cli.bank.list_header"))
    for s in summaries:
        typer.echo(f"{s.slug}\t{s.version}\t{s.questions}\t{s.categories}\t{s.exams}\t{s.title}")


@app.command()
def show(
    ctx: typer.Context, bank: Annotated[str, typer.Argument(help="Bank id.")], as_json: AsJson = False
) -> None:
    """Categories with question counts per type, and the exams a bank defines."""
    from exam_tui.services import banks

    try:
        detail = banks.show_bank(state(ctx).db(), bank)
    except banks.BankNotFound:
        fail(t("cli.bank.not_found", bank=bank))
    if as_json:
        typer.echo(json.dumps(banks.detail_to_json(detail), ensure_ascii=False, indent=2))
        return
    s = detail.summary
    label = f"{s.version}({s.label})" if s.label else str(s.version)
    imported = s.imported_at.astimezone().strftime("%Y-%m-%d %H:%M")
    typer.echo(t("cli.bank.show_title", bank=s.slug, title=s.title, version=label, imported_at=imported))
    typer.echo(t("cli.bank.show_categories"))
    for c in detail.categories:
        counts = ", ".join(f"{t('word.' + k)} {c.by_type[k]}" for k in QUESTION_TYPES if k in c.by_type)
        typer.echo(f"  {c.slug}  {c.title}: {c.total} ({counts})")
    if detail.exams:
        typer.echo(t("cli.bank.show_exams"))
        for e in detail.exams:
            typer.echo(
                t(
                    "cli.bank.exam_line",
                    bank=e.bank,
                    id=e.slug,
                    title=e.title,
                    kind=e.kind,
                    duration=e.duration_minutes,
                    total=e.total_points,
                    pass_score=e.pass_score,
                    attempts=e.max_attempts,
                )
            )


@app.command()
def stats(
    ctx: typer.Context, bank: Annotated[str, typer.Argument(help="Bank id.")], as_json: AsJson = False
) -> None:
    """Questions per category, type and difficulty; per exam section, the pool against the draw."""
    from exam_tui.services import bank_stats

    try:
        result = bank_stats.bank_stats(state(ctx).db(), bank)
    except bank_stats.BankNotFound:
        fail(t("cli.bank.not_found", bank=bank))
    if as_json:
        typer.echo(json.dumps(bank_stats.stats_to_json(result), ensure_ascii=False, indent=2))
        return
    typer.echo(bank_stats.render_stats(result), nl=False)


app.command()(bank_files.convert)
app.command()(bank_files.template)
app.command()(bank_files.export)
