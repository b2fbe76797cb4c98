"""``exam-tui bank convert``, ``bank template`` and ``bank export``: banks to and from other files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exam_tui.cli.common import fail, fail_with_lines, state
from exam_tui.i18n import t

OutOption = Annotated[Path, typer.Option("-o", "--output", help="File to write.", dir_okay=False)]


def convert(
    source: Annotated[Path, typer.Argument(help="Excel, GIFT, Aiken or Moodle XML file.", metavar="IN")],
    output: OutOption,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="Format of IN: xlsx, gift, aiken, moodle-xml (default: by file)."),
    ] = None,
    bank: Annotated[str | None, typer.Option("--bank", help="Bank id (slug) of the new bank.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the new bank.")] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Category title for questions that name none.")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="YAML file mapping other column titles to fields (xlsx).")
    ] = None,
) -> None:
    """Convert IN to a bank YAML file; every question skipped or altered is listed on stderr."""
    from exam_tui.services import bank_convert

    try:
        result = bank_convert.convert_file(
            source, fmt=from_, slug=bank, title=title, category=category, mapping=mapping
        )
    except bank_convert.ConvertError as exc:
        fail(exc.message)
    for note in result.conversion.notes:
        typer.echo(bank_convert.note_line(source, note), err=True)
    summary = bank_convert.summary(result)
    if not result.conversion.converted:
        fail(summary + "\n" + t("cli.convert.nothing", file=source))
    if not result.check.ok:
        fail_with_lines(result.problems, summary + "\n" + t("cli.convert.invalid", file=output))
    try:
        bank_convert.write_result(result, output)
    except bank_convert.ConvertError as exc:
        fail(exc.message)
    typer.echo(summary, err=True)
    typer.echo(t("cli.convert.written", file=output, bank=result.conversion.bank["bank"]))


def template(output: OutOption) -> None:
    """Write the Excel template: header, one example per question type, dropdowns, instructions."""
    from exam_tui.services import bank_export
    from exam_tui.services.bank_convert import ConvertError

    try:
        bank_export.write_template(output)
    except ConvertError as exc:
        fail(exc.message)
    typer.echo(t("cli.convert.template_written", file=output))


def export(
    ctx: typer.Context,
    bank: Annotated[str, typer.Argument(help="Bank id (its newest imported version).")],
    output: OutOption,
) -> None:
    """Write an imported bank to an .xlsx workbook that bank convert reads back into the same bank."""
    from exam_tui.services import bank_export
    from exam_tui.services.bank_convert import ConvertError

    db = state(ctx).db()
    try:
        outcome = bank_export.export_workbook(db, bank, output)
    except bank_export.BankNotFound:
        fail(t("cli.bank.not_found", bank=bank))
    except ConvertError as exc:
        fail(exc.message)
    for qid in outcome.unreadable:
        typer.echo(t("cli.convert.export_separator", file=output, id=qid), err=True)
    typer.echo(
        t(
            "cli.convert.exported",
            file=output,
            bank=outcome.bank,
            version=outcome.version,
            questions=outcome.questions,
            categories=outcome.categories,
            exams=outcome.exams,
        )
    )
