"""``exam-tui appeal``: file, list, show (the exact paper), regrade, correct a key, decide."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from exam_tui.cli.common import MAX_INT, AsJson, ByOption, default_actor, fail, state
from exam_tui.cli.decision_text import when
from exam_tui.formats.results_export import cell_text
from exam_tui.i18n import t

app = typer.Typer(
    help="Appeals (申诉复核): file, list, show, regrade, correct-key, decide.", no_args_is_help=True
)

AppealId = Annotated[
    int, typer.Argument(help="Appeal number (see `appeal list`).", metavar="ID", min=1, max=MAX_INT)
]


def _fail_on(exc: Exception) -> None:
    fail(exc.message())  # type: ignore[attr-defined]


@app.command(name="file")
def file_(
    ctx: typer.Context,
    attempt_id: Annotated[
        int, typer.Argument(help="The attempt appealed against.", metavar="ATTEMPT", min=1, max=MAX_INT)
    ],
    reason: Annotated[str, typer.Option("--reason", help="The cadre's grounds.")],
    by: ByOption = None,
) -> None:
    """File a cadre's appeal against an attempt's result (the admin files it for them)."""
    from exam_tui.services.appeals import file_appeal
    from exam_tui.services.sessions import SessionError

    try:
        number = file_appeal(state(ctx).db(), attempt_id, reason, filed_by=by or default_actor())
    except SessionError as exc:
        _fail_on(exc)
    typer.echo(t("cli.appeal.filed", id=number, attempt=attempt_id))


@app.command(name="list")
def list_(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Only appeals not yet decided.")] = False,
    as_json: AsJson = False,
) -> None:
    """Appeals, oldest first."""
    from exam_tui.services.appeals import list_appeals

    views = list_appeals(state(ctx).db(), open_only=open_only)
    if as_json:
        typer.echo(json.dumps([_view_json(v) for v in views], ensure_ascii=False, indent=2))
        return
    if not views:
        typer.echo(t("cli.appeal.none"))
        return
    typer.echo(t("cli.appeal.list_header"))
    for v in views:
        typer.echo(
            "\t".join(
                [
                    str(v.id),
                    str(v.attempt_id),
                    v.cadre,
                    v.unit,
                    v.exam,
                    when(v.filed_at),
                    t(f"cli.appeal.state.{v.state}"),
                    t(f"cli.appeal.outcome.{v.outcome}") if v.outcome else "",
                    f"{cell_text(v.before_score, empty='-')} → {cell_text(v.after_score, empty='-')}",
                ]
            )
        )


def _view_json(v: Any) -> dict[str, Any]:
    return {
        "id": v.id,
        "attempt": v.attempt_id,
        "cadre": v.cadre,
        "unit": v.unit,
        "exam": v.exam,
        "filed_at": v.filed_at.isoformat(),
        "filed_by": v.filed_by,
        "reason": v.reason,
        "state": v.state,
        "outcome": v.outcome,
        "score_before": v.before_score,
        "score_after": v.after_score,
    }


@app.command(name="show")
def show(ctx: typer.Context, appeal_id: AppealId, as_json: AsJson = False) -> None:
    """The appeal, its steps, and the exact paper the candidate saw with answers, keys and points."""
    from exam_tui.cli.appeal_text import detail_json, detail_lines
    from exam_tui.services.appeals import appeal_detail
    from exam_tui.services.sessions import SessionError

    try:
        detail = appeal_detail(state(ctx).db(), appeal_id)
    except SessionError as exc:
        _fail_on(exc)
    if as_json:
        typer.echo(json.dumps(detail_json(detail), ensure_ascii=False, indent=2))
        return
    typer.echo("\n".join(detail_lines(detail)))


@app.command(name="regrade")
def regrade(
    ctx: typer.Context,
    appeal_id: AppealId,
    item: Annotated[
        int, typer.Option("--item", help="The short answer's item number on the paper.", min=1, max=MAX_INT)
    ],
    points: Annotated[float, typer.Option("--points", help="0 to the item's points, in halves.")],
    comment: Annotated[str | None, typer.Option("--comment", help="Why.")] = None,
    by: ByOption = None,
) -> None:
    """The reviewer's points for a short answer; they replace the graders' marks."""
    from exam_tui.services.appeals import regrade as regrade_item
    from exam_tui.services.sessions import SessionError

    try:
        total = regrade_item(
            state(ctx).db(),
            appeal_id,
            item=item,
            points=points,
            reviewer=by or default_actor(),
            comment=comment,
        )
    except SessionError as exc:
        _fail_on(exc)
    typer.echo(t("cli.appeal.regraded", id=appeal_id, item=item, score=cell_text(total, empty="-")))


@app.command(name="correct-key")
def correct_key(
    ctx: typer.Context,
    appeal_id: AppealId,
    question: Annotated[
        str, typer.Option("--question", help="The question's id in the bank (see `appeal show`).")
    ],
    key: Annotated[
        str,
        typer.Option("--key", help="The right key in the bank's letters: B; AC; 正确/错误; blanks a|b;c."),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why the key was wrong (cite the regulation).")],
    by: ByOption = None,
) -> None:
    """Correct a question's key: every attempt that had the question is re-scored; changes are listed."""
    from exam_tui.services.appeals import correct_key as correct
    from exam_tui.services.sessions import SessionError

    try:
        report = correct(
            state(ctx).db(),
            appeal_id,
            question=question,
            key=key,
            reason=reason,
            reviewer=by or default_actor(),
        )
    except SessionError as exc:
        _fail_on(exc)
    typer.echo(
        t(
            "cli.appeal.corrected",
            question=question,
            rescored=len(report.rescored),
            changed=len(report.changed),
        )
    )
    for r in report.changed:
        typer.echo(
            t(
                "cli.appeal.rescored",
                attempt=r.attempt_id,
                cadre=r.cadre,
                before=cell_text(r.before, empty="-"),
                after=cell_text(r.after, empty="-"),
            )
        )
    for c in report.decisions:
        typer.echo(
            t(
                "cli.appeal.decision_changed",
                appointment=c.appointment_id,
                post=c.post,
                before=t(f"decision.status.{c.before}"),
                after=t(f"decision.status.{c.after}"),
            )
        )


@app.command(name="decide")
def decide(
    ctx: typer.Context,
    appeal_id: AppealId,
    note: Annotated[str, typer.Option("--note", help="The reviewer's conclusion (recorded).")],
    by: ByOption = None,
) -> None:
    """Close the review: the outcome is `changed` if the result or a decision moved since filing, else `upheld`."""
    from exam_tui.services.appeals import decide_appeal
    from exam_tui.services.sessions import SessionError

    try:
        view = decide_appeal(state(ctx).db(), appeal_id, note=note, reviewer=by or default_actor())
    except SessionError as exc:
        _fail_on(exc)
    typer.echo(
        t(
            "cli.appeal.decided",
            id=appeal_id,
            outcome=t(f"cli.appeal.outcome.{view.outcome}"),
            before=cell_text(view.before_score, empty="-"),
            after=cell_text(view.after_score, empty="-"),
        )
    )
