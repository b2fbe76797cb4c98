"""``exam-tui training``: courses (封闭式培训, 警示教育, 廉政党课…), attendance, the closing test, drawing
speakers, 结业, and the course record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from exam_tui.cli.common import (
    MAX_INT,
    MAX_YEAR,
    MIN_YEAR,
    AsJson,
    ByOption,
    aware_time,
    day_value,
    default_actor,
    fail,
    fail_with_lines,
    state,
)
from exam_tui.i18n import t

app = typer.Typer(
    help="Training courses: create, enrol, attendance, closing test, speakers, 结业, record.",
    no_args_is_help=True,
)

CourseId = Annotated[
    int, typer.Argument(help="The course's number (see `training list`).", metavar="ID", min=1, max=MAX_INT)
]
KINDS_HELP = "closed_training (封闭式培训), new_cadre_training (新任干部培训), warning_education (警示教育), party_lecture (廉政党课)"


def _numbers(ctx: typer.Context, ids: list[str], units: list[str], roster: Path | None, by: str) -> list[str]:
    """The ID numbers of the cadres named directly, of every cadre in the units, and of a roster file
    (imported first, as a session plan's roster is)."""
    from exam_tui.services.cadre_selection import cadres_for_units
    from exam_tui.services.cadres import RosterImportError, UnitNotFound, import_roster

    db = state(ctx).db()
    numbers = list(ids)
    try:
        numbers += cadres_for_units(db, units)
    except UnitNotFound as exc:
        fail(t("cadre.unit_not_found", unit=exc.name))
    if roster is not None:
        try:
            numbers += import_roster(db, roster, actor=by).id_numbers
        except RosterImportError as exc:
            fail_with_lines(exc.lines, t("cli.cadre.import_failed", count=len(exc.lines)))
    return list(dict.fromkeys(numbers))


IdsOption = Annotated[
    list[str], typer.Option("--id", help="A cadre's ID number (repeat the option).", metavar="ID_NUMBER")
]
UnitsOption = Annotated[
    list[str], typer.Option("--unit", help="Every cadre of this unit (repeat the option).")
]
RosterOption = Annotated[
    Path | None, typer.Option("--roster", help="A roster file (CSV/XLSX): imported, then enrolled.")
]


@app.command()
def create(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", help="The course's title.")],
    kind: Annotated[str, typer.Option("--kind", help=KINDS_HELP)],
    starts: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    ends: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (default: the first day).")
    ] = None,
    place: Annotated[str | None, typer.Option("--place")] = None,
    organiser: Annotated[
        str | None, typer.Option("--organiser", help="The organising body, in words.")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="The target group, in words (rank, units).")
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes")] = None,
    ids: IdsOption = [],  # noqa: B006 - Typer reads the default
    units: UnitsOption = [],  # noqa: B006
    roster: RosterOption = None,
    organisers: Annotated[
        list[str],
        typer.Option(
            "--organiser-id", help="A cadre who organises it (points for organising).", metavar="ID_NUMBER"
        ),
    ] = [],  # noqa: B006
    lecturers: Annotated[
        list[str],
        typer.Option("--lecturer-id", help="The cadre who gives the Party lecture.", metavar="ID_NUMBER"),
    ] = [],  # noqa: B006
    as_json: AsJson = False,
    by: ByOption = None,
) -> None:
    """A course with the cadres it enrols (by ID number, by unit, from a roster file)."""
    from exam_tui.services import training
    from exam_tui.services.sessions import SessionError

    actor = by or default_actor()
    first = day_value(starts, "--from")
    last = day_value(ends, "--to") if ends else first
    numbers = _numbers(ctx, ids, units, roster, actor)
    try:
        view = training.create_course(
            state(ctx).db(),
            title=title,
            kind=kind,
            starts_on=first,
            ends_on=last,
            place=place,
            organiser=organiser,
            target=target,
            notes=notes,
            id_numbers=numbers,
            organisers=organisers,
            lecturers=lecturers,
            actor=actor,
        )
    except SessionError as exc:
        fail(exc.message())
    if as_json:
        typer.echo(json.dumps({"id": view.id, "enrolled": view.enrolled}, ensure_ascii=False))
        return
    typer.echo(
        t(
            "cli.training.created",
            id=view.id,
            title=view.title,
            enrolled=view.enrolled,
            days=(last - first).days + 1,
        )
    )


@app.command(name="list")
def list_(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Only courses that start in this year.", min=MIN_YEAR, max=MAX_YEAR),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Courses, latest first."""
    from exam_tui.formats.results_export import table_text
    from exam_tui.services import training

    views = training.list_courses(state(ctx).db(), year=year)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "id": v.id,
                        "title": v.title,
                        "kind": v.kind,
                        "starts_on": v.starts_on.isoformat(),
                        "ends_on": v.ends_on.isoformat(),
                        "enrolled": v.enrolled,
                        "closed": v.closed_at is not None,
                        "closing_session": v.closing_session_id,
                    }
                    for v in views
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not views:
        typer.echo(t("cli.training.none"))
        return
    headers = [t(f"cli.training.col.{c}") for c in ("id", "dates", "kind", "title", "enrolled", "state")]
    rows = [
        [
            v.id,
            f"{v.starts_on.isoformat()}—{v.ends_on.isoformat()}",
            t(f"points.kind.{v.kind}"),
            v.title,
            v.enrolled,
            t("course.closed_word") if v.closed_at else t("course.open"),
        ]
        for v in views
    ]
    typer.echo(table_text(headers, rows), nl=False)


@app.command()
def enrol(
    ctx: typer.Context,
    course_id: CourseId,
    ids: IdsOption = [],  # noqa: B006
    units: UnitsOption = [],  # noqa: B006
    roster: RosterOption = None,
    by: ByOption = None,
) -> None:
    """Add cadres to a course."""
    from exam_tui.services import training
    from exam_tui.services.sessions import SessionError

    actor = by or default_actor()
    numbers = _numbers(ctx, ids, units, roster, actor)
    try:
        added = training.enrol(state(ctx).db(), course_id, numbers, actor=actor)
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.training.enrolled", added=added, id=course_id))


@app.command()
def attend(
    ctx: typer.Context,
    course_id: CourseId,
    day: Annotated[str, typer.Option("--day", help="YYYY-MM-DD.")],
    half: Annotated[str, typer.Option("--half", help="am (上午) or pm (下午).")],
    absent: Annotated[list[str], typer.Option("--absent", help="Absent: ID_NUMBER=REASON (repeat).")] = [],  # noqa: B006
    late: Annotated[
        list[str], typer.Option("--late", help="Late: an ID number (repeat).", metavar="ID_NUMBER")
    ] = [],  # noqa: B006
    present: Annotated[
        list[str], typer.Option("--present", help="Present: an ID number (repeat).", metavar="ID_NUMBER")
    ] = [],  # noqa: B006
    everyone_else: Annotated[
        bool, typer.Option("--all-present", help="Everyone not named (or recorded) is present.")
    ] = False,
    by: ByOption = None,
) -> None:
    """Take attendance for one half-day: name the absent (with the reason) and the late, the rest present."""
    from exam_tui.services import training
    from exam_tui.services.sessions import SessionError
    from exam_tui.services.training import AttendanceMark

    db = state(ctx).db()
    actor = by or default_actor()
    when = day_value(day, "--day")
    try:
        by_number = training.enrolled_numbers(db, course_id)
    except SessionError as exc:
        fail(exc.message())
    names: dict[str, list[int]] = {}
    for p in training.attendance_grid(db, course_id).participants:
        names.setdefault(p.name, []).append(p.cadre_id)
    marks = []
    for status, entries in (("present", present), ("late", late), ("absent", absent)):
        for entry in entries:
            who, _, reason = entry.partition("=") if status == "absent" else (entry, "", "")
            marks.append(
                AttendanceMark(
                    _enrolled(who.strip(), by_number, names, course_id), when, half, status, reason or None
                )
            )
    try:
        changed = training.record_attendance(db, course_id, marks, actor=actor)
        if everyone_else:
            changed += training.all_present(db, course_id, when, half, actor=actor)
    except SessionError as exc:
        fail(exc.message())
    grid = training.attendance_grid(db, course_id)
    column = [grid.cells.get((p.cadre_id, when, half)) for p in grid.participants]
    counts = {s: sum(1 for c in column if c and c[0] == s) for s in ("present", "late", "absent")}
    typer.echo(
        t(
            "cli.training.attended",
            day=when.isoformat(),
            half=t(f"course.half.{half}"),
            changed=changed,
            missing=sum(1 for c in column if c is None),
            **counts,
        )
    )


def _enrolled(who: str, by_number: dict[str, int], names: dict[str, list[int]], course_id: int) -> int:
    """An enrolled cadre by ID number, or by name when the name is unique in the course."""
    from exam_tui.domain.idnumber import InvalidIdNumber, mask, normalise_id_number

    try:
        number = normalise_id_number(who)
    except InvalidIdNumber:
        found = names.get(who, [])
        if len(found) == 1:
            return found[0]
        if not found:
            fail(t("cli.training.not_enrolled", id_number=who, id=course_id))
        fail(t("cli.training.ambiguous_name", name=who, n=len(found), id=course_id))
    if number not in by_number:
        fail(t("cli.training.not_enrolled", id_number=mask(number), id=course_id))
    return by_number[number]


@app.command()
def attendance(ctx: typer.Context, course_id: CourseId) -> None:
    """The attendance grid: every cadre × every half-day so far."""
    from exam_tui.formats.results_export import table_text
    from exam_tui.services.course_record import course_record, sheets
    from exam_tui.services.sessions import SessionError

    try:
        record = course_record(state(ctx).db(), course_id)
    except SessionError as exc:
        fail(exc.message())
    sheet = sheets(record)[1]
    typer.echo(table_text(sheet.headers, sheet.rows), nl=False)


@app.command()
def test(
    ctx: typer.Context,
    course_id: CourseId,
    exam: Annotated[
        str,
        typer.Option(
            "--exam", help="A training exam, BANK/EXAM (e.g. integrity-regulations/training-closing)."
        ),
    ],
    at: Annotated[
        str, typer.Option("--at", help="Planned start, ISO 8601 with offset (2026-11-27T14:30:00+08:00).")
    ],
    room: Annotated[str | None, typer.Option("--room")] = None,
    by: ByOption = None,
) -> None:
    """Open the course's closed-book closing test for everyone enrolled (an exam session: start it with
    `session start`)."""
    from exam_tui.services import training
    from exam_tui.services.sessions import SessionError

    starts_at = aware_time(at)
    try:
        view = training.open_closing_test(
            state(ctx).db(),
            course_id,
            exam_ref=exam,
            starts_at=starts_at,
            room=room,
            actor=by or default_actor(),
        )
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.training.test_opened", session=view.id, code=view.access_code, n=view.candidates))


@app.command()
def draw(
    ctx: typer.Context,
    course_id: CourseId,
    day: Annotated[str, typer.Option("--day", help="YYYY-MM-DD.")],
    half: Annotated[str, typer.Option("--half", help="am or pm.")],
    k: Annotated[int, typer.Option("-k", "--speakers", help="How many to draw.", min=0, max=MAX_INT)] = 1,
    by: ByOption = None,
) -> None:
    """抽签发言: draw who speaks among those present; nobody twice before everyone present has spoken."""
    from exam_tui.services import speakers
    from exam_tui.services.course_record import period_label
    from exam_tui.services.sessions import SessionError

    when = day_value(day, "--day")
    try:
        made = speakers.draw(
            state(ctx).db(), course_id, day=when, half=half, k=k, actor=by or default_actor()
        )
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.training.drawn", period=period_label(when, half), present=made.present, seed=made.seed))
    for n, s in enumerate(made.speakers, 1):
        typer.echo(f"  {n}. {s.name}({s.unit})")
    if made.new_round:
        typer.echo(t("cli.training.new_round"))


@app.command()
def close(ctx: typer.Context, course_id: CourseId, by: ByOption = None) -> None:
    """结业: the course is over; its points are posted from attendance, roles and the closing test."""
    from exam_tui.services import training
    from exam_tui.services.sessions import SessionError

    try:
        written = training.close_course(state(ctx).db(), course_id, actor=by or default_actor())
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.training.closed", id=course_id, entries=written))


@app.command()
def reopen(
    ctx: typer.Context,
    course_id: CourseId,
    reason: Annotated[str, typer.Option("--reason")],
    by: ByOption = None,
) -> None:
    """Undo a 结业 made by mistake; the course's points are reversed until it is closed again."""
    from exam_tui.services import training
    from exam_tui.services.sessions import SessionError

    try:
        written = training.reopen_course(
            state(ctx).db(), course_id, reason=reason, actor=by or default_actor()
        )
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.training.reopened", id=course_id, entries=written))


@app.command()
def show(
    ctx: typer.Context,
    course_id: CourseId,
    fmt: Annotated[
        str | None, typer.Option("--format", help="table (default), json or xlsx (with -o).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the record sheet here (.xlsx).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the -o file.")] = False,
) -> None:
    """The course's full record: facts, attendance, closing test, speakers drawn, points posted."""
    from exam_tui.services.course_record import course_record, export_record, record_json, record_text
    from exam_tui.services.results_export import ExportError
    from exam_tui.services.sessions import SessionError

    try:
        record = course_record(state(ctx).db(), course_id)
    except SessionError as exc:
        fail(exc.message())
    fmt = fmt or ("xlsx" if output is not None else "table")
    if fmt == "xlsx":
        if output is None:
            fail(t("cli.results.xlsx_needs_file"))
        try:
            export_record(record, output, overwrite=force)
        except ExportError as exc:
            fail(exc.message())
        typer.echo(t("cli.training.written", path=output))
    elif fmt == "json":
        typer.echo(record_json(record), nl=False)
    elif fmt == "table":
        typer.echo(record_text(record), nl=False)
    else:
        fail(t("cli.training.bad_format", fmt=fmt))
