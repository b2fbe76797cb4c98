"""``exam-tui grade``: a session's short answers for graders (the TUI's grading screen does the same)."""

from __future__ import annotations

from typing import Annotated

import typer

from exam_tui.cli.common import MAX_INT, ByOption, default_actor, fail, state
from exam_tui.formats.results_export import cell_text
from exam_tui.i18n import t

app = typer.Typer(
    help="Grading short answers (阅卷): the queue, the next answer, a mark.", no_args_is_help=True
)


@app.command(name="queue")
def queue(
    ctx: typer.Context,
    session_id: Annotated[int, typer.Argument(help="Session number.", metavar="SESSION", min=1, max=MAX_INT)],
    by: ByOption = None,
) -> None:
    """Each short-answer question of the session: answers, settled, left for you, disputed."""
    from exam_tui.services.grading import grading_queue
    from exam_tui.services.sessions import SessionError

    try:
        rows = grading_queue(state(ctx).db(), session_id, by or default_actor())
    except SessionError as exc:
        fail(exc.message())
    if not rows:
        typer.echo(t("cli.grade.nothing"))
        return
    typer.echo(t("cli.grade.queue_header"))
    for q in rows:
        typer.echo(
            "\t".join(
                [q.question, str(q.answers), str(q.settled), str(q.for_me), str(q.disputed), q.stem[:40]]
            )
        )


@app.command(name="next")
def next_(
    ctx: typer.Context,
    session_id: Annotated[int, typer.Argument(metavar="SESSION", min=1, max=MAX_INT)],
    question: Annotated[
        str, typer.Argument(help="The question's id (see `grade queue`).", metavar="QUESTION")
    ],
    by: ByOption = None,
) -> None:
    """The next answer you may mark: attempt number, stem, rubric and the answer (never the candidate)."""
    from exam_tui.services.grading import next_answer
    from exam_tui.services.sessions import SessionError

    try:
        answer = next_answer(state(ctx).db(), session_id, question, by or default_actor())
    except SessionError as exc:
        fail(exc.message())
    if answer is None:
        typer.echo(t("cli.grade.none_left"))
        return
    typer.echo(
        t(
            "cli.grade.answer",
            attempt=answer.attempt_id,
            item=answer.item,
            mark=answer.mark_number,
            remaining=answer.remaining,
            points=cell_text(answer.points),
        )
    )
    typer.echo(t("cli.grade.stem", stem=answer.stem))
    if answer.rubric:
        typer.echo(t("cli.grade.rubric", rubric=answer.rubric))
    typer.echo(t("cli.grade.text", answer=answer.answer))


@app.command(name="mark")
def mark(
    ctx: typer.Context,
    attempt_id: Annotated[
        int, typer.Argument(help="The attempt number.", metavar="ATTEMPT", min=1, max=MAX_INT)
    ],
    item: Annotated[int, typer.Option("--item", help="The item's number on that paper.", min=1, max=MAX_INT)],
    points: Annotated[float, typer.Option("--points", help="0 to the item's points, in halves.")],
    comment: Annotated[str | None, typer.Option("--comment", help="The grader's comment.")] = None,
    by: ByOption = None,
) -> None:
    """Give your points for one short answer."""
    from exam_tui.services.grading import record_mark
    from exam_tui.services.sessions import SessionError

    try:
        result = record_mark(
            state(ctx).db(),
            attempt_id,
            item=item,
            points=points,
            grader=by or default_actor(),
            comment=comment,
        )
    except SessionError as exc:
        fail(exc.message())
    if result.settled_points is None:
        typer.echo(t("cli.grade.marked_waiting", attempt=attempt_id, item=item, needed=result.marks_needed))
    elif result.attempt_state == "graded":
        typer.echo(t("cli.grade.attempt_graded", attempt=attempt_id, score=cell_text(result.attempt_score)))
    else:
        typer.echo(
            t("cli.grade.marked", attempt=attempt_id, item=item, points=cell_text(result.settled_points))
        )
