"""``exam-tui report items|paper|question|coverage|annual``: analysis and the yearly figures, in five formats."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from exam_tui.cli.common import MAX_INT, MAX_YEAR, MIN_YEAR, day_value, fail, fail_with_lines, state
from exam_tui.i18n import t

if TYPE_CHECKING:
    from exam_tui.services.analysis import ItemAnalysisReport
    from exam_tui.services.report_document import ReportDocument

app = typer.Typer(
    help="Reports: item analysis of a session or an exam, the paper's reliability, coverage by unit, "
    "the annual assessment. --format table|csv|json|xlsx|pdf, -o FILE.",
    no_args_is_help=True,
)

SessionOption = Annotated[
    int | None, typer.Option("--session", help="Analyse this session (its id).", min=1, max=MAX_INT)
]
ExamOption = Annotated[
    str | None, typer.Option("--exam", help="Analyse this exam over all its sessions: BANK/EXAM.")
]
FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="table (default), csv, json, xlsx or pdf; by default from -o's suffix."),
]
OutputOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write to this file (xlsx and pdf need one).")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")]
RankOption = Annotated[str | None, typer.Option("--rank", help="Only cadres of this rank (职级).")]
CategoryOption = Annotated[
    str | None, typer.Option("--category", help="Only cadres of this category: 一把手, 新提拔, 关键岗位, …")
]


def _analysis(ctx: typer.Context, session: int | None, exam: str | None) -> ItemAnalysisReport:
    from exam_tui.services.analysis import analyse_exam, analyse_session
    from exam_tui.services.sessions import SessionError

    if (session is None) == (exam is None):
        fail(t("report.session_or_exam"))
    try:
        if session is not None:
            return analyse_session(state(ctx).db(), session)
        return analyse_exam(state(ctx).db(), exam or "")
    except SessionError as exc:
        fail(exc.message())


def _emit(
    ctx: typer.Context, document: ReportDocument, fmt: str | None, output: Path | None, force: bool
) -> None:
    """Print the report, or write it to ``output``, with the audit chain's head read now (after the
    report's data); one clear line and exit 1 on any refusal."""
    from dataclasses import replace

    from exam_tui.services import audit
    from exam_tui.services.report_document import export, format_for, render
    from exam_tui.services.results_export import ExportError

    document = replace(document, audit_head=audit.head(state(ctx).db()))
    try:
        chosen = format_for(fmt, output)
        if output is None:
            typer.echo(render(document, chosen), nl=False)
            return
        export(document, output, chosen, overwrite=force)
    except ExportError as exc:
        fail(exc.message())
    typer.echo(t("report.written", path=output, fmt=chosen))


def _now() -> datetime:
    return datetime.now().astimezone()


@app.command()
def items(
    ctx: typer.Context,
    session: SessionOption = None,
    exam: ExamOption = None,
    sort: Annotated[
        str | None,
        typer.Option("--sort", help="Sort by a column: facility, discrimination_index, upper_lower_d, …"),
    ] = None,
    descending: Annotated[bool, typer.Option("--desc", help="Largest first.")] = False,
    flagged: Annotated[bool, typer.Option("--flagged", help="Only the questions with a flag.")] = False,
    fmt: FormatOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Item statistics (Moodle's definitions, the 27 % D, distractors) with plain-language flags."""
    from dataclasses import replace

    from exam_tui.domain.analysis import SORTABLE_COLUMNS, sort_items
    from exam_tui.services.analysis_exports import items_document

    report = _analysis(ctx, session, exam)
    rows = report.analysis.items
    if sort is not None:
        try:
            rows = sort_items(rows, sort, descending)
        except ValueError:
            fail(t("report.bad_sort", column=sort, columns=", ".join(SORTABLE_COLUMNS)))
    if flagged:
        rows = tuple(row for row in rows if row.flags)
    report = replace(report, analysis=replace(report.analysis, items=tuple(rows)))
    _emit(ctx, items_document(report, generated_at=_now()), fmt, output, force)


@app.command()
def paper(
    ctx: typer.Context,
    session: SessionOption = None,
    exam: ExamOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """The paper: mean, median, SD, pass rate, Cronbach's α / KR-20, SEM, the score histogram."""
    from exam_tui.services.analysis_exports import paper_document

    _emit(ctx, paper_document(_analysis(ctx, session, exam), generated_at=_now()), fmt, output, force)


@app.command()
def question(
    ctx: typer.Context,
    bank: Annotated[str, typer.Argument(help="The bank (its id).")],
    question_id: Annotated[str, typer.Argument(metavar="QUESTION", help="The question's id in the bank.")],
    fmt: FormatOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """One question across every exam that put it on a graded paper."""
    from exam_tui.services.analysis import analyse_question
    from exam_tui.services.analysis_exports import question_document
    from exam_tui.services.sessions import SessionError

    try:
        found = analyse_question(state(ctx).db(), bank, question_id)
    except SessionError as exc:
        fail(exc.message())
    _emit(ctx, question_document(bank, question_id, found, generated_at=_now()), fmt, output, force)


def _period(year: int | None, start: str | None, end: str | None) -> tuple[date, date]:
    if year is not None and (start or end):
        fail(t("report.year_or_period"))
    if start or end:
        if not (start and end):
            fail(t("report.period_needs_both"))
        return day_value(start, "--from"), day_value(end, "--to")
    the_year = year if year is not None else date.today().year
    return date(the_year, 1, 1), date(the_year, 12, 31)


@app.command()
def coverage(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option("--year", help="The calendar year (default: this year).", min=MIN_YEAR, max=MAX_YEAR),
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (with --to).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    rank: RankOption = None,
    category: CategoryOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """全覆盖: per unit, cadres on roll, sat, passed, deferred, trained, warning-education person-times, points."""
    from exam_tui.services import coverage as coverage_service
    from exam_tui.services.coverage_exports import coverage_document
    from exam_tui.services.sessions import SessionError

    first, last = _period(year, start, end)
    try:
        found = coverage_service.coverage(
            state(ctx).db(), start=first, end=last, rank=rank, category=category
        )
    except SessionError as exc:
        fail(exc.message())
    _emit(ctx, coverage_document(found, generated_at=_now()), fmt, output, force)


@app.command()
def annual(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option("--year", help="The year assessed (default: this year).", min=MIN_YEAR, max=MAX_YEAR),
    ] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="The assessment rules (YAML); default: the shipped ones.")
    ] = None,
    rank: RankOption = None,
    category: CategoryOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """年终考核: each unit's weighted index under the rules file, ranked, with its breakdown."""
    from exam_tui.services import coverage as coverage_service
    from exam_tui.services.coverage_exports import annual_document

    the_year = year if year is not None else date.today().year
    if rules is not None and not rules.is_file():
        fail(t("report.no_rules_file", path=rules))
    try:
        assessment = coverage_service.annual(
            state(ctx).db(), year=the_year, rules_path=rules, rank=rank, category=category
        )
    except coverage_service.AssessmentRulesError as exc:
        fail_with_lines(exc.lines, t("report.rules_invalid", path=rules))
    _emit(ctx, annual_document(assessment, the_year, generated_at=_now()), fmt, output, force)


@app.command(name="rules")
def rules_export(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the shipped rules, to edit.")
    ],
    force: ForceOption = False,
) -> None:
    """Write the shipped annual-assessment rules to a file, to edit and use with `report annual --rules`."""
    from exam_tui.services.coverage import DEFAULT_ASSESSMENT

    if output.exists() and not force:
        fail(t("cli.results.exists", path=output))
    try:
        output.write_text(DEFAULT_ASSESSMENT.read_text(encoding="utf-8"), encoding="utf-8")
    except OSError as exc:
        fail(t("cli.results.write_failed", path=output, detail=exc.strerror or str(exc)))
    typer.echo(t("report.rules_written", path=output))
