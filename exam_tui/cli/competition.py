"""``exam-tui competition``: knowledge competitions (知识竞赛) — rounds, who goes on, tiebreaks, the final."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from exam_tui.cli.common import AsJson, ByOption, aware_time, default_actor, fail, state
from exam_tui.i18n import t

app = typer.Typer(
    help="Knowledge competitions: create, open a round, decide it, tiebreak, show, open the final.",
    no_args_is_help=True,
)

CompetitionId = Annotated[int, typer.Argument(help="The competition's number.", metavar="ID")]
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
        int | None, typer.Option("--team-best", help="How many of a unit's best count.")
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
    advance: Annotated[int, typer.Option("--advance", help="How many go on to the next round.")],
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


def _print_result(result: object) -> None:
    from exam_tui.formats.results_export import table_text
    from exam_tui.services.competitions import RoundResult, stage_title

    assert isinstance(result, RoundResult)
    r = result.round
    typer.echo(
        t(
            "cli.competition.round_state",
            stage=stage_title(r.stage),
            state=t(f"cli.competition.state.{r.state}"),
            advance=r.advance or "-",
            session=r.session.id if r.session else "-",
        )
    )
    headers = [
        t(f"cli.competition.col.{c}")
        for c in ("place", "name", "unit", "score", "seconds", "tiebreak", "result")
    ]
    rows = []
    for s in result.standings:
        verdict = (
            t("cli.competition.advanced") if s.advanced else (t("cli.competition.tied") if s.tied else "")
        )
        if s.place is None:
            verdict = t("cli.competition.absent")
        rows.append(
            [
                s.place,
                s.name,
                s.unit,
                s.score,
                None if s.seconds is None else round(s.seconds),
                "、".join(map(str, s.tiebreak)) or None,
                verdict,
            ]
        )
    typer.echo(table_text(headers, rows), nl=False)
    if result.tied:
        typer.echo(t("cli.competition.tied_hint", count=len(result.tied), stage=r.stage))
    if result.teams:
        typer.echo(t("cli.competition.teams"))
        typer.echo(
            table_text(
                [
                    t("cli.competition.col.place"),
                    t("cli.competition.col.unit"),
                    t("cli.competition.col.team_score"),
                ],
                [[x.place, x.unit, x.score] for x in result.teams],
            ),
            nl=False,
        )


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
        str | None, typer.Argument(help="A round's standings (default: the rounds).", metavar="[STAGE]")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The competition's rounds, or one round's standings and team scores."""
    from exam_tui.services import competitions
    from exam_tui.services.sessions import SessionError

    db = state(ctx).db()
    try:
        if stage is not None:
            _print_result(competitions.round_result(db, competition_id, stage))
            return
        view = competitions.competition(db, competition_id)
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
                }
                for r in view.rounds
            ],
        }
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    typer.echo(t("cli.competition.heading", id=view.id, title=view.title, bank=view.bank))
    for r in view.rounds:
        typer.echo(
            t(
                "cli.competition.round_line",
                stage=competitions.stage_title(r.stage),
                state=t(f"cli.competition.state.{r.state}"),
                session=r.session.id if r.session else "-",
                advanced=len(r.advanced or []),
            )
        )


@app.command(name="final")
def final_(
    ctx: typer.Context,
    competition_id: CompetitionId,
    questions: Annotated[int, typer.Option("--questions", help="How many questions the final asks.")] = 10,
    seconds: Annotated[int, typer.Option("--seconds", help="Seconds to answer each.")] = 30,
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
