"""``exam-tui appointment``, ``deferred``, ``qualifications`` and ``setting``: decisions and their records."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from exam_tui.cli.common import (
    MAX_INT,
    AdminOption,
    AsJson,
    ByOption,
    PasswordFileOption,
    UnmaskedOption,
    admin_unmasking,
    check_year,
    default_actor,
    fail,
    state,
)
from exam_tui.i18n import t

appointment_app = typer.Typer(
    help="Pre-appointment records (任前考试): add, list, show, note, override.", no_args_is_help=True
)
setting_app = typer.Typer(help="Settings all machines share (the retake gap).", no_args_is_help=True)


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


SUFFIX_FORMATS = {".txt": Format.TABLE, ".csv": Format.CSV, ".xlsx": Format.XLSX, ".json": Format.JSON}

FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        help="table (default), csv, xlsx or json; taken from the -o file's extension when not given.",
        case_sensitive=False,
    ),
]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite the -o file if it exists.")]
UnitOption = Annotated[str | None, typer.Option("--unit", help="Only this unit (exact name).")]


def _format(fmt: Format | None, output: Path | None, force: bool) -> Format:
    if fmt is None:
        fmt = Format.TABLE if output is None else SUFFIX_FORMATS.get(output.suffix.lower())
        if fmt is None:
            fail(t("cli.results.unknown_extension", path=output))
    if fmt == Format.XLSX and output is None:
        fail(t("cli.results.xlsx_needs_file"))
    if output is not None and output.exists() and not force:
        fail(t("cli.results.exists", path=output))
    return fmt


def _list_appointments(
    ctx: typer.Context,
    status: str | None,
    unit: str | None,
    fmt: Format | None,
    output: Path | None,
    force: bool,
    unmasked: bool = False,
    by: str | None = None,
    password_file: Path | None = None,
) -> None:
    from exam_tui.services import decision_exports, decision_reports
    from exam_tui.services.sessions import SessionError

    chosen = _format(fmt, output, force)
    db = state(ctx).db()
    whole = admin_unmasking(ctx, unmasked, by, password_file)
    listed = ":".join(part for part in (status or "all", unit) if part)
    try:
        views = decision_reports.list_appointments(db, status=status, unit=unit)
        if output is None:
            if not views and chosen == Format.TABLE:
                typer.echo(t("cli.appointment.none"))
                return
            text = decision_exports.render_appointments(views, chosen, unmasked=whole, entity_id=listed)
            typer.echo(text, nl=False)
        else:
            sheet = t("decision.sheet.deferred" if status == "deferred" else "decision.sheet.all")
            count = decision_exports.export_appointments(
                views, chosen, output, sheet=sheet, overwrite=force, unmasked=whole, entity_id=listed
            )
            typer.echo(t("cli.appointment.written", count=count, path=output))
    except SessionError as exc:
        fail(exc.message())
    if whole is not None:
        typer.echo(t("export.pii_unmasked", actor=whole.actor), err=True)


def deferred(
    ctx: typer.Context,
    unit: UnitOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
    unmasked: UnmaskedOption = False,
    retake_plan: Annotated[
        Path | None,
        typer.Option(
            "--retake-plan",
            help="Write a session plan for the retake (补考) of those with an attempt left; open it with `session open`.",
            metavar="PLAN.yaml",
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="The retake day (YYYY-MM-DD); default: the first day all of them may sit."),
    ] = None,
    exam: Annotated[
        str | None, typer.Option("--exam", help="Only this exam (BANK/EXAM), when several are deferred.")
    ] = None,
    room: Annotated[str | None, typer.Option("--room", help="The retake's exam room (考场).")] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="An admin's login name, required with --unmasked and --retake-plan (both name people by "
            "whole ID numbers); its password from --password-file or a hidden prompt.",
        ),
    ] = None,
    password_file: PasswordFileOption = None,
) -> None:
    """暂缓任用: cadres whose appointment is deferred, why, and when a retake may begin."""
    if retake_plan is not None:
        _write_retake_plan(
            ctx,
            retake_plan,
            unit=unit,
            on=on,
            exam=exam,
            room=room,
            force=force,
            by=by,
            password_file=password_file,
        )
        return
    _list_appointments(ctx, "deferred", unit, fmt, output, force, unmasked, by, password_file)


def _retake_start(day: date) -> datetime:
    """09:00 on the day, in this machine's zone (the exam room's, as retake dates are); on a day already
    past 09:00, the next quarter hour from now, so that the plan never starts in the past."""
    planned = datetime.combine(day, time(9, 0)).astimezone()
    now = datetime.now().astimezone()
    if planned >= now:
        return planned
    later = now + timedelta(minutes=15 - now.minute % 15)
    return later.replace(second=0, microsecond=0)


def _write_retake_plan(
    ctx: typer.Context,
    path: Path,
    *,
    unit: str | None,
    on: str | None,
    exam: str | None,
    room: str | None,
    force: bool,
    by: str | None,
    password_file: Path | None,
) -> None:
    """The deferred cadres with an attempt left, as a plan for one retake session on one day.

    A plan seats people by their whole ID number: writing one is an unmasking, for admins only, and
    audited as one.
    """
    from exam_tui.formats.session_plan import plan_text
    from exam_tui.services import decision_reports
    from exam_tui.services.pii import notice, record_unmask
    from exam_tui.services.sessions import SessionError

    if path.exists() and not force:
        fail(t("cli.results.exists", path=path))
    day = None
    if on is not None:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            fail(t("cli.retake.bad_day", value=on))
        check_year(day, on)
    whole = admin_unmasking(ctx, True, by, password_file)
    assert whole is not None
    try:
        views = decision_reports.deferred_list(state(ctx).db(), unit=unit)
    except SessionError as exc:
        fail(exc.message())
    left = [v for v in views if v.retake_from is not None and (exam is None or v.exam_ref == exam)]
    exams = sorted({v.exam_ref for v in left})
    if not left:
        fail(t("cli.retake.none"))
    if len(exams) > 1:
        fail(t("cli.retake.many_exams", exams=", ".join(exams)))
    if day is not None and day < date.today():
        fail(t("cli.retake.day_past", date=day))
    # By default the first day all of them may sit, and never a day already past.
    day = day or max(date.today(), *(v.retake_from for v in left if v.retake_from is not None))
    seated = [v for v in left if v.retake_from is not None and v.retake_from <= day]
    for v in left:
        if v not in seated:
            typer.echo(
                t("cli.retake.too_early", id_number=v.id_number_masked, name=v.name, date=v.retake_from),
                err=True,
            )
    if not seated:
        fail(t("cli.retake.nobody_by", date=day))
    starts_at = _retake_start(day)
    header = [
        notice(),
        t("cli.retake.header", count=len(seated), day=day.isoformat()),
        t("cli.retake.header_open", path=path),
    ]
    candidates = [
        (
            v.id_number,
            " ".join(
                [
                    v.name,
                    v.unit,
                    v.post,
                    t(f"decision.reason.{v.reason}"),
                    t("cli.retake.from", date=v.retake_from),
                ]
            ).replace("\n", " "),
        )
        for v in seated
    ]
    text = plan_text(
        exam=exams[0],
        title=t("cli.retake.title", exam=seated[0].exam),
        starts_at=starts_at,
        room=room,
        candidates=candidates,
        header=header,
    )
    listed = ":".join(part for part in ("deferred", unit) if part)
    try:
        record_unmask(
            whole,
            entity="appointments",
            entity_id=listed,
            export="retake_plan",
            rows=len(seated),
            file=path,
        )
    except SessionError as exc:
        fail(t("cli.pii.refused", reason=exc.message()))
    path.write_text(text, encoding="utf-8")
    typer.echo(t("export.pii_unmasked", actor=whole.actor), err=True)
    typer.echo(t("cli.retake.written", path=path, count=len(seated), at=starts_at.strftime("%Y-%m-%d %H:%M")))


def qualifications(
    ctx: typer.Context,
    unit: UnitOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Qualification levels held: each cadre's latest passed qualification exam, its level and date."""
    from exam_tui.services import decision_exports, decision_reports
    from exam_tui.services.sessions import SessionError

    chosen = _format(fmt, output, force)
    try:
        views = decision_reports.qualifications(state(ctx).db(), unit=unit)
        if output is None:
            if not views and chosen == Format.TABLE:
                typer.echo(t("cli.qualification.none"))
                return
            typer.echo(decision_exports.render_qualifications(views, chosen), nl=False)
            return
        count = decision_exports.export_qualifications(views, chosen, output, overwrite=force)
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.appointment.written", count=count, path=output))


@appointment_app.command(name="list")
def appointment_list(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option("--status", help="pending_exam, cleared or deferred (default: all).")
    ] = None,
    unit: UnitOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
    unmasked: UnmaskedOption = False,
    by: AdminOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Every pre-appointment record with its decision."""
    _list_appointments(ctx, status, unit, fmt, output, force, unmasked, by, password_file)


@appointment_app.command(name="add")
def appointment_add(
    ctx: typer.Context,
    id_number: Annotated[str, typer.Argument(help="The cadre's ID number.", metavar="ID_NUMBER")],
    post: Annotated[str, typer.Option("--post", help="The proposed post.")],
    exam: Annotated[str, typer.Option("--exam", help="The pre-appointment exam, BANK/EXAM.")],
    since: Annotated[
        str | None,
        typer.Option("--since", help="Count sittings from this day (YYYY-MM-DD); default: from now."),
    ] = None,
    by: ByOption = None,
) -> None:
    """Open a record by hand (seating a cadre with a proposed post in a pre-appointment session does it too)."""
    from exam_tui.services import appointments
    from exam_tui.services.sessions import SessionError

    start = None
    if since is not None:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            fail(t("cli.appointment.bad_date", value=since))
        check_year(start, since)
        start = start.astimezone()
    try:
        number = appointments.open_appointment(
            state(ctx).db(),
            id_number=id_number,
            post=post,
            exam_ref=exam,
            since=start,
            actor=by or default_actor(),
        )
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.appointment.added", id=number))


@appointment_app.command(name="show")
def appointment_show(
    ctx: typer.Context,
    appointment_id: Annotated[
        int, typer.Argument(help="Record number (see `appointment list`).", metavar="ID", min=1, max=MAX_INT)
    ],
    as_json: AsJson = False,
) -> None:
    """One record and every change of its decision: who, when, why."""
    from exam_tui.cli.decision_text import appointment_lines, history_json
    from exam_tui.services import decision_exports, decision_reports
    from exam_tui.services.sessions import SessionError

    try:
        view, history = decision_reports.appointment_history(state(ctx).db(), appointment_id)
    except SessionError as exc:
        fail(exc.message())
    if as_json:
        document = decision_exports.appointment_json(view) | {"history": history_json(history)}
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    typer.echo("\n".join(appointment_lines(view, history)))


@appointment_app.command(name="note")
def appointment_note(
    ctx: typer.Context,
    appointment_id: Annotated[int, typer.Argument(metavar="ID", min=1, max=MAX_INT)],
    text: Annotated[str, typer.Argument(help="The note.", metavar="TEXT")],
    by: ByOption = None,
) -> None:
    """Add an admin's note to a record (kept in its history)."""
    from exam_tui.services import appointments
    from exam_tui.services.sessions import SessionError

    try:
        appointments.add_note(state(ctx).db(), appointment_id, text, actor=by or default_actor())
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.appointment.noted", id=appointment_id))


@appointment_app.command(name="override")
def appointment_override(
    ctx: typer.Context,
    appointment_id: Annotated[int, typer.Argument(metavar="ID", min=1, max=MAX_INT)],
    reason: Annotated[str, typer.Option("--reason", help="Why (required, recorded).")],
    status: Annotated[
        str | None, typer.Option("--status", help="cleared or deferred: the decision to put in force.")
    ] = None,
    lift: Annotated[
        bool, typer.Option("--lift", help="Lift the override: the exam results decide again.")
    ] = False,
    by: ByOption = None,
) -> None:
    """Put a decision in force against the exam results, with a reason; or lift such an override."""
    from exam_tui.services import appointments
    from exam_tui.services.sessions import SessionError

    if lift == (status is not None):
        fail(t("cli.appointment.status_or_lift"))
    try:
        appointments.override(state(ctx).db(), appointment_id, status, reason, actor=by or default_actor())
    except SessionError as exc:
        fail(exc.message())
    if lift:
        typer.echo(t("cli.appointment.lifted", id=appointment_id))
    else:
        from exam_tui.services.decision_exports import status_text

        typer.echo(t("cli.appointment.overridden", id=appointment_id, status=status_text(status or "")))


@setting_app.command(name="show")
def setting_show(ctx: typer.Context) -> None:
    """Every setting and its value."""
    from exam_tui.services.settings import read_settings

    for key, value in read_settings(state(ctx).db()).items():
        typer.echo(f"{key}\t{value}")


@setting_app.command(name="set")
def setting_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY")],
    value: Annotated[str, typer.Argument(metavar="VALUE")],
    by: ByOption = None,
) -> None:
    """Change a setting, e.g. `setting set retake_gap_days 10`."""
    from exam_tui.services.sessions import SessionError
    from exam_tui.services.settings import set_setting

    try:
        number = set_setting(state(ctx).db(), key, value, actor=by or default_actor())
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.setting.set", key=key, value=number))
