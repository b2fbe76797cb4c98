"""``exam-tui competition``: knowledge competitions (知识竞赛) — rounds, who goes on, tiebreaks, the final."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from exam_tui.cli.common import MAX_INT, AsJson, ByOption, aware_time, default_actor, fail, state
from exam_tui.i18n import t

if TYPE_CHECKING:
    from exam_tui.services.competitions import RoundResult

app = typer.Typer(
    help="Knowledge competitions: create, open a round, decide it, tiebreak, show, open the final.",
    no_args_is_help=True,
)

CompetitionId = Annotated[
    int, typer.Argument(help="The competition's number.", metavar="ID", min=1, max=MAX_INT)
]
StageArgument = Annotated[
    str, typer.Argument(help="preliminary (初赛) or semi_final (复赛).", metavar="STAGE")
]


@app.command()
def create(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title")],
    bank: Annotated[str, typer.Option("--bank", help="The bank every round draws from.")],
    team_mode: Annotated[
        str | None,
        typer.Option("--team-mode", help="Units compete as teams too: sum or mean of their best members."),
    ] = None,
    team_best: Annotated[
        int | None, typer.Option("--team-best", help="How many of a unit's best count.", min=0, max=MAX_INT)
    ] = None,
    by: ByOption = None,
) -> None:
    """A competition on one bank, with optional team scores per unit."""
    from exam_tui.services import competitions
    from exam_tui.services.sessions import SessionError

    try:
        cid = competitions.create_competition(
            state(ctx).db(),
            title=title,
            bank=bank,
            team_mode=team_mode,
            team_best=team_best,
            actor=by or default_actor(),
        )
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.competition.created", id=cid, title=title))


@app.command(name="round")
def round_(
    ctx: typer.Context,
    competition_id: CompetitionId,
    stage: StageArgument,
    exam: Annotated[str, typer.Option("--exam", help="BANK/EXAM of the competition's bank.")],
    at: Annotated[str, typer.Option("--at", help="Planned start, ISO 8601 with offset.")],
    advance: Annotated[
        int, typer.Option("--advance", help="How many go on to the next round.", min=0, max=MAX_INT)
    ],
    room: Annotated[str | None, typer.Option("--room")] = None,
    ids: Annotated[
        list[str], typer.Option("--id", help="An entrant's ID number (preliminary).", metavar="ID_NUMBER")
    ] = [],  # noqa: B006
    units: Annotated[
        list[str], typer.Option("--unit", help="Every cadre of a unit enters (preliminary).")
    ] = [],  # noqa: B006
    by: ByOption = None,
) -> None:
    """Open the preliminary (those named, or whole units) or the semi-final (those the preliminary advanced)."""
    from exam_tui.services import competitions
    from exam_tui.services.cadre_selection import cadres_for_units
    from exam_tui.services.cadres import UnitNotFound
    from exam_tui.services.sessions import SessionError

    db = state(ctx).db()
    starts_at = aware_time(at)
    try:
        numbers = list(dict.fromkeys([*ids, *cadres_for_units(db, units)]))
    except UnitNotFound as exc:
        fail(t("cadre.unit_not_found", unit=exc.name))
    try:
        view = competitions.open_round(
            db,
            competition_id,
            stage,
            exam=exam,
            starts_at=starts_at,
            advance_count=advance,
            room=room,
            id_numbers=numbers,
            actor=by or default_actor(),
        )
    except SessionError as exc:
        fail(exc.message())
    typer.echo(
        t(
            "cli.competition.round_opened",
            stage=competitions.stage_title(stage),
            session=view.id,
            code=view.access_code,
            n=view.candidates,
        )
    )


def _print_result(result: RoundResult) -> None:
    from exam_tui.cli.competition_text import round_result_text

    typer.echo(round_result_text(result), nl=False)


@app.command()
def decide(
    ctx: typer.Context, competition_id: CompetitionId, stage: StageArgument, by: ByOption = None
) -> None:
    """Decide who goes on, once the round's session is closed and graded; a tie at the cut waits for a tiebreak."""
    from exam_tui.services import competitions
    from exam_tui.services.sessions import SessionError

    try:
        result = competitions.close_round(state(ctx).db(), competition_id, stage, actor=by or default_actor())
    except SessionError as exc:
        fail(exc.message())
    _print_result(result)


@app.command()
def tiebreak(
    ctx: typer.Context,
    competition_id: CompetitionId,
    stage: StageArgument,
    points: Annotated[
        list[str], typer.Option("--points", help="ID_NUMBER=POINTS for each tied entrant (repeat).")
    ],
    by: ByOption = None,
) -> None:
    """Record a tiebreak question's points for those tied at the cut, and decide the round again."""
    from exam_tui.services import competitions
    from exam_tui.services.sessions import SessionError

    given: dict[str, float] = {}
    for entry in points:
        number, _, value = entry.partition("=")
        try:
            given[number.strip()] = float(value)
        except ValueError:
            fail(t("cli.competition.bad_points", entry=entry))
    try:
        result = competitions.record_tiebreak(
            state(ctx).db(), competition_id, stage, given, actor=by or default_actor()
        )
    except SessionError as exc:
        fail(exc.message())
    _print_result(result)


@app.command()
def show(
    ctx: typer.Context,
    competition_id: CompetitionId,
    stage: Annotated[
        str | None,
        typer.Argument(
            help="preliminary, semi_final (standings) or final (the scoreboard); default: the rounds.",
            metavar="[STAGE]",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The competition's rounds, or one round's standings and team scores, or the final's scoreboard."""
    from exam_tui.cli.competition_text import final_json, final_text, round_line
    from exam_tui.domain.competition import Stage
    from exam_tui.services import competitions, final
    from exam_tui.services.sessions import SessionError

    db = state(ctx).db()
    try:
        if stage is not None:
            if competitions.check_stage(stage) == Stage.FINAL:
                competitions.competition(db, competition_id)  # no such competition: say so first
                typer.echo(final_text(final.board(db, final.final_round_id(db, competition_id))), nl=False)
            else:
                _print_result(competitions.round_result(db, competition_id, stage))
            return
        view = competitions.competition(db, competition_id)
        boards = {r.id: final.board(db, r.id) for r in view.rounds if r.stage == Stage.FINAL}
    except SessionError as exc:
        fail(exc.message())
    if as_json:
        document = {
            "id": view.id,
            "title": view.title,
            "bank": view.bank,
            "team_mode": view.team_mode,
            "team_best": view.team_best,
            "rounds": [
                {
                    "id": r.id,
                    "stage": r.stage,
                    "state": r.state,
                    "session": r.session.id if r.session else None,
                    "advanced": r.advanced,
                    **({"final": final_json(boards[r.id])} if r.id in boards else {}),
                }
                for r in view.rounds
            ],
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    typer.echo(t("cli.competition.heading", id=view.id, title=view.title, bank=view.bank))
    for r in view.rounds:
        typer.echo(round_line(r, boards.get(r.id)))


@app.command(name="final")
def final_(
    ctx: typer.Context,
    competition_id: CompetitionId,
    questions: Annotated[
        int, typer.Option("--questions", help="How many questions the final asks.", min=0, max=MAX_INT)
    ] = 10,
    seconds: Annotated[
        int, typer.Option("--seconds", help="Seconds to answer each.", min=0, max=MAX_INT)
    ] = 30,
    right: Annotated[float, typer.Option("--right", help="Points for a right answer.")] = 10,
    wrong: Annotated[float, typer.Option("--wrong", help="Points for a wrong one (e.g. -5).")] = 0,
    by: ByOption = None,
) -> None:
    """Open the final: the units of those the semi-final advanced are the teams; prints each team's code.

    Then run `exam-tui final host --competition ID` on the big screen and `exam-tui final team` on each
    team's terminal.
    """
    from exam_tui.services import final
    from exam_tui.services.sessions import SessionError

    try:
        teams = final.open_final(
            state(ctx).db(),
            competition_id,
            questions=questions,
            seconds=seconds,
            right=right,
            wrong=wrong,
            actor=by or default_actor(),
        )
    except SessionError as exc:
        fail(exc.message())
    typer.echo(t("cli.competition.final_opened", teams=len(teams), questions=questions, seconds=seconds))
    for team in teams:
        typer.echo(
            t("cli.competition.team_line", code=team.code, name=team.name, members="、".join(team.members))
        )
