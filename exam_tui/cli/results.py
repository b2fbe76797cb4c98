"""``exam-tui results``: a session's results as a table, CSV, an Excel workbook or JSON."""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from exam_tui.cli.common import fail, state
from exam_tui.domain.idnumber import mask
from exam_tui.i18n import t

if TYPE_CHECKING:
    from exam_tui.formats.results_export import Cell, Sheet
    from exam_tui.services.results import CandidateResult, SessionResults


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


SUFFIX_FORMATS = {".txt": Format.TABLE, ".csv": Format.CSV, ".xlsx": Format.XLSX, ".json": Format.JSON}


def results(
    ctx: typer.Context,
    session_id: Annotated[int, typer.Argument(help="Session number (see `session list`).", metavar="ID")],
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
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="Full ID numbers (personal data) instead of masked ones.")
    ] = False,
) -> None:
    """A session's results: one row per candidate on its roster (fields in docs/cli.md)."""
    from exam_tui.formats import results_export
    from exam_tui.services import results as results_service
    from exam_tui.services.sessions import SessionError

    if fmt is None:
        fmt = Format.TABLE if output is None else SUFFIX_FORMATS.get(output.suffix.lower())
        if fmt is None:
            fail(t("cli.results.unknown_extension", path=output))
    if fmt == Format.XLSX and output is None:
        fail(t("cli.results.xlsx_needs_file"))
    if output is not None and output.exists() and not force:
        fail(t("cli.results.exists", path=output))
    try:
        data = results_service.session_results(state(ctx).db(), session_id)
    except SessionError as exc:
        fail(exc.message())

    headers = [t(f"cli.results.header.{name}") for name in COLUMNS]
    rows = [_row(c, unmasked=unmasked) for c in data.candidates]
    if fmt == Format.XLSX:
        assert output is not None
        sheets = [
            results_export.Sheet(t("cli.results.sheet.results"), headers, rows),
            *_item_sheets(data, unmasked),
        ]
        _write(output, lambda path: results_export.write_xlsx(path, sheets))
    else:
        if fmt == Format.CSV:
            text = results_export.csv_text(headers, rows)
        elif fmt == Format.JSON:
            text = results_export.json_text(results_service.results_to_json(data, unmasked=unmasked))
        else:
            text = _heading(data) + "\n" + results_export.table_text(headers, rows)
        if output is None:
            typer.echo(text, nl=False)
            return
        _write(output, lambda path: path.write_text(text, encoding="utf-8", newline=""))
    typer.echo(t("cli.results.written", id=session_id, count=len(rows), path=output))


# ---- rows --------------------------------------------------------------------------------------------

COLUMNS = (
    "id_number",
    "name",
    "unit",
    "rank",
    "state",
    "score",
    "passed",
    "level",
    "started_at",
    "submitted_at",
    "incidents",
)


def _id(c: CandidateResult, unmasked: bool) -> str:
    return c.id_number if unmasked else mask(c.id_number)


def _row(c: CandidateResult, *, unmasked: bool) -> list[Cell]:
    score: Cell = c.score
    if score is None and c.grading == "pending_grading":
        score = t("cli.session.pending_grading")
    passed = None if c.passed is None else t("cli.session.passed" if c.passed else "cli.session.failed")
    return [
        _id(c, unmasked),
        c.name,
        c.unit,
        c.rank,
        t(f"candidate.{c.state}"),
        score,
        passed,
        c.level,
        c.started_at,
        c.submitted_at,
        c.incidents,
    ]


def _item_sheets(data: SessionResults, unmasked: bool) -> list[Sheet]:
    """Points per question, and beside it the question each of those cells is about.

    Papers are shuffled per candidate, so column k holds the k-th question of that candidate's paper.
    The question ids go on a sheet of their own with exactly the same layout rather than in cell
    comments: a reviewer flips between two tabs and sees the same cell address, the ids can be sorted
    and filtered, and a formula such as SUMIFS(逐题得分!C:C, 题目!C:C, "sl-0001") can total one question
    across candidates (comments are invisible in print and to formulas).
    """
    from exam_tui.formats.results_export import Sheet

    count = data.max_items
    numbers = [t("cli.results.header.item", number=n) for n in range(1, count + 1)]
    people = [t("cli.results.header.id_number"), t("cli.results.header.name")]
    began = [c for c in data.candidates if c.attempt_id is not None]
    padding: list[Cell] = [None] * count
    points = [
        [_id(c, unmasked), c.name, *[i.score for i in c.items], *padding[len(c.items) :], c.score]
        for c in began
    ]
    questions = [
        [_id(c, unmasked), c.name, *[i.question for i in c.items], *padding[len(c.items) :]] for c in began
    ]
    return [
        Sheet(t("cli.results.sheet.items"), [*people, *numbers, t("cli.results.header.total")], points),
        Sheet(t("cli.results.sheet.questions"), [*people, *numbers], questions),
    ]


def _heading(data: SessionResults) -> str:
    v = data.session
    return t(
        "cli.results.title",
        id=v.id,
        title=v.title,
        exam=v.exam_ref,
        exam_title=v.exam_title,
        total=data.total_points,
        pass_score=data.pass_score,
        count=len(data.candidates),
    )


def _write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file beside the target, so that --force never leaves half a file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            write(partial)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as exc:
        fail(t("cli.results.write_failed", path=path, detail=exc.strerror or str(exc)))
