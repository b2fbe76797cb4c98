"""``exam-tui session``: open a session from a plan file, list and show sessions, start, extend, close."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from exam_tui.cli.common import (
    MAX_INT,
    AdminOption,
    AsJson,
    ByOption,
    PasswordFileOption,
    UnmaskedOption,
    admin_unmasking,
    default_actor,
    fail,
    fail_with_lines,
    state,
)
from exam_tui.domain.idnumber import InvalidIdNumber, mask, normalise_id_number
from exam_tui.domain.sittings import SessionState
from exam_tui.i18n import t

if TYPE_CHECKING:
    from exam_tui.services.runtime import Database
    from exam_tui.services.session_control import CandidateRecord, SessionDetail
    from exam_tui.services.sessions import SessionView

app = typer.Typer(
    help="Exam sessions: open from a plan, list, show, start, extend time, close.", no_args_is_help=True
)

SessionId = Annotated[
    int, typer.Argument(help="Session number (see `session list`).", metavar="ID", min=1, max=MAX_INT)
]

# Candidate states that mean the paper was handed in, however it happened.
HANDED_IN = ("handed_in", "time_up", "closed", "terminated")


# ---- JSON (the contract documented in docs/cli.md: fields may be added, never renamed or removed) -----


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second (``2026-11-23T06:30:00+00:00``), or None."""
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def view_to_json(view: SessionView) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "room": view.room,
        "starts_at": _iso(view.starts_at),
        "state": view.state,
        "access_code": view.access_code,
        "exam": view.exam_ref,
        "exam_title": view.exam_title,
        "duration_minutes": view.duration_minutes,
        "candidates": view.candidates,
    }


def candidate_to_json(record: CandidateRecord, *, unmasked: bool = False) -> dict[str, Any]:
    return {
        "id_number": record.id_number if unmasked else mask(record.id_number),
        "name": record.name,
        "unit": record.unit,
        "state": record.state,
        "checked_in_at": _iso(record.checked_in_at),
        "attempt_id": record.attempt_id,
        "answered": record.answered,
        "questions": record.questions,
        "started_at": _iso(record.started_at),
        "deadline_at": _iso(record.deadline_at),
        "submitted_at": _iso(record.submitted_at),
        "submit_reason": record.submit_reason,
        "grading": record.grading,
        "score": record.score,
        "passed": record.passed,
        "level": record.level,
        "hostname": record.hostname,
        "focus_losses": record.focus_losses,
        "resumes": record.resumes,
    }


def detail_to_json(detail: SessionDetail, *, unmasked: bool = False) -> dict[str, Any]:
    from exam_tui.services.pii import notice

    fields = view_to_json(detail.session)
    del fields["candidates"]  # a count in `list`; here the full list below
    return {
        "personal_information": True,
        "notice": notice(),
        **fields,
        "pass_score": detail.pass_score,
        "total_points": detail.total_points,
        "started_at": _iso(detail.started_at),
        "closed_at": _iso(detail.closed_at),
        "extra_minutes": detail.extra_minutes,
        "allow_late_minutes": detail.allow_late_minutes,
        "id_numbers_masked": not unmasked,
        "candidates": [candidate_to_json(c, unmasked=unmasked) for c in detail.candidates],
    }


def _dump(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


# ---- words -------------------------------------------------------------------------------------------


def _local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def _num(value: float) -> str:
    return f"{value:g}"


def _score(record: CandidateRecord) -> str:
    if record.score is not None:
        return f"{_num(record.score)} {record.level}" if record.level else _num(record.score)
    return t("cli.session.pending_grading") if record.grading == "pending_grading" else "-"


def _passed(record: CandidateRecord) -> str:
    if record.passed is None:
        return "-"
    return t("cli.session.passed") if record.passed else t("cli.session.failed")


# ---- commands ----------------------------------------------------------------------------------------


@app.command(name="open")
def open_(
    ctx: typer.Context,
    plan: Annotated[Path, typer.Argument(help="Session plan file (YAML).", metavar="PLAN.yaml")],
    as_json: AsJson = False,
    by: ByOption = None,
) -> None:
    """Check the plan (importing its roster file if it names one) and open the session for sign-in."""
    from exam_tui.services import session_control
    from exam_tui.services.session_control import PlanError
    from exam_tui.services.sessions import SessionError

    db = state(ctx).db()
    try:
        view = session_control.open_from_plan(db, plan, actor=by or default_actor())
    except PlanError as exc:
        fail_with_lines(exc.lines, t("cli.session.plan_failed", count=len(exc.lines)))
    except SessionError as exc:
        fail(exc.message())
    _warn_seating(db, view.id)
    if as_json:
        _dump(view_to_json(view))
        return
    typer.echo(t("cli.session.opened", id=view.id, title=view.title))
    typer.echo(
        t(
            "cli.session.opened_detail",
            exam=view.exam_ref,
            exam_title=view.exam_title,
            duration=view.duration_minutes,
            room=view.room or t("cli.session.no_room"),
            starts_at=_local(view.starts_at),
            candidates=view.candidates,
        )
    )
    typer.echo(t("cli.session.access_code", code=view.access_code))
    typer.echo(t("cli.session.opened_hint", id=view.id))


def _warn_seating(db: Database, session_id: int) -> None:
    """The seated cadres sign-in will turn away, on stderr: the session is open all the same."""
    from exam_tui.services.seating import seating_problems

    problems = seating_problems(db, session_id)
    if problems:
        typer.echo(t("seating.heading", count=len(problems)), err=True)
        for problem in problems:
            typer.echo("  " + problem.message(), err=True)


@app.command(name="list")
def list_(
    ctx: typer.Context,
    only: Annotated[
        SessionState | None,
        typer.Option("--state", help="Only sessions in this state.", case_sensitive=False),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The sessions by start time (shown in the local time zone)."""
    from exam_tui.services import sessions

    views = sessions.list_sessions(state(ctx).db())
    if only is not None:
        views = [v for v in views if v.state == only.value]
    if as_json:
        _dump([view_to_json(v) for v in views])
        return
    if not views:
        typer.echo(t("cli.session.none_in_state", state=only.value) if only else t("cli.session.none"))
        return
    typer.echo(t("cli.session.list_header"))
    for v in views:
        fields = (
            str(v.id),
            _local(v.starts_at),
            t(f"word.{v.state}"),
            v.title,
            v.room or "-",
            str(v.candidates),
            v.access_code,
        )
        typer.echo("\t".join(fields))


@app.command()
def show(
    ctx: typer.Context,
    session_id: SessionId,
    as_json: AsJson = False,
    unmasked: UnmaskedOption = False,
    by: AdminOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """A session's record: its exam and times, and every candidate's state, progress and result."""
    from exam_tui.services import session_control
    from exam_tui.services.pii import record_unmask
    from exam_tui.services.sessions import SessionError

    db = state(ctx).db()
    try:
        detail = session_control.session_detail(db, session_id)
    except SessionError as exc:
        fail(exc.message())
    whole = admin_unmasking(ctx, unmasked, by, password_file)
    if whole is not None:
        try:
            record_unmask(
                whole,
                entity="exam_session",
                entity_id=str(session_id),
                export="session_show.json" if as_json else "session_show.table",
                rows=len(detail.candidates),
                file=None,
            )
        except SessionError as exc:
            fail(t("cli.pii.refused", reason=exc.message()))
        typer.echo(t("export.pii_unmasked", actor=whole.actor), err=True)
    if as_json:
        _dump(detail_to_json(detail, unmasked=unmasked))
        return
    v = detail.session
    typer.echo(t("cli.session.show_title", id=v.id, title=v.title, state=v.state))
    typer.echo(
        t(
            "cli.session.show_exam",
            exam=v.exam_ref,
            exam_title=v.exam_title,
            duration=v.duration_minutes,
            total=_num(detail.total_points),
            pass_score=_num(detail.pass_score),
        )
    )
    typer.echo(
        t(
            "cli.session.show_where",
            room=v.room or t("cli.session.no_room"),
            starts_at=_local(v.starts_at),
            code=v.access_code,
            late=detail.allow_late_minutes,
        )
    )
    if detail.started_at is not None:
        typer.echo(t("cli.session.show_started", at=_local(detail.started_at)))
    if detail.closed_at is not None:
        typer.echo(t("cli.session.show_closed", at=_local(detail.closed_at)))
    if detail.extra_minutes:
        typer.echo(t("cli.session.show_extra", minutes=detail.extra_minutes))
    typer.echo(t("cli.session.show_candidates", count=len(detail.candidates)))
    if not detail.candidates:
        return
    typer.echo(t("cli.session.candidate_header"))
    for c in detail.candidates:
        fields = (
            c.id_number if unmasked else mask(c.id_number),
            c.name,
            c.unit,
            t(f"candidate.{c.state}"),
            f"{c.answered}/{c.questions}",
            _score(c),
            _passed(c),
        )
        typer.echo("\t".join(fields))


@app.command()
def start(ctx: typer.Context, session_id: SessionId, by: ByOption = None) -> None:
    """开考: signed-in candidates may begin; each candidate's clock starts when they begin."""
    from exam_tui.services import session_control
    from exam_tui.services.sessions import SessionError

    try:
        view = session_control.start_session(state(ctx).db(), session_id, actor=by or default_actor())
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.session.started", id=view.id, title=view.title))


@app.command()
def close(ctx: typer.Context, session_id: SessionId, by: ByOption = None) -> None:
    """收卷: hand in and grade every paper still open; candidates who never began are marked absent."""
    from exam_tui.services import session_control
    from exam_tui.services.sessions import SessionError

    db = state(ctx).db()
    try:
        view = session_control.close_session(db, session_id, actor=by or default_actor())
        detail = session_control.session_detail(db, session_id)
    except SessionError as exc:
        fail(exc.message())
    states = [c.state for c in detail.candidates]
    typer.echo(
        t(
            "cli.session.closed",
            id=view.id,
            title=view.title,
            handed_in=sum(s in HANDED_IN for s in states),
            absent=states.count("absent"),
        )
    )
    pending = sum(c.grading == "pending_grading" for c in detail.candidates)
    if pending:
        typer.echo(t("cli.session.closed_pending", count=pending))


@app.command()
def extend(
    ctx: typer.Context,
    session_id: SessionId,
    minutes: Annotated[
        int, typer.Option("--minutes", help="Minutes to add (1–240).", min=-MAX_INT, max=MAX_INT)
    ],
    candidate: Annotated[
        str | None,
        typer.Option(
            "--candidate", help="Only this candidate (ID number); otherwise everyone.", metavar="ID_NUMBER"
        ),
    ] = None,
    by: ByOption = None,
) -> None:
    """Add time for one candidate, or for everyone (including those who begin later)."""
    from exam_tui.services import session_control
    from exam_tui.services.sessions import SessionError

    number = None
    if candidate is not None:
        try:
            number = normalise_id_number(candidate)
        except InvalidIdNumber as exc:
            fail(t("cli.session.bad_id", value=candidate, reason=exc.reason))
    try:
        changed = session_control.extend_time(
            state(ctx).db(), session_id, minutes=minutes, id_number=number, actor=by or default_actor()
        )
    except SessionError as exc:
        fail(exc.message())
    if number is not None:
        typer.echo(t("cli.session.extended_one", id_number=mask(number), minutes=minutes))
    else:
        typer.echo(t("cli.session.extended_all", minutes=minutes, count=changed))
