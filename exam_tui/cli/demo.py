"""``exam-tui demo``: seed a demo organisation (used by ``make demo``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from exam_tui.cli.common import fail, state
from exam_tui.i18n import t

MAX_DEMO_CANDIDATES = 10_000


def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed for the generated people (same seed, same people).")] = 2026,
    analysis: Annotated[
        int | None,
        typer.Option(
            "--analysis",
            help="Instead: a closed session of this many generated candidates (500 is a good size) on a "
            "demo bank with one question deliberately miskeyed, to try the item analysis on.",
            # A few seconds per hundred candidates: a mistyped 5000000 would run for days.
            max=MAX_DEMO_CANDIDATES,
        ),
    ] = None,
) -> None:
    """Create about 60 cadres in 8 units and one pre-appointment session today for 10 of them."""
    if analysis is not None:
        _analysis_demo(ctx, analysis, seed)
        return
    # Here, not at the top: services.demo imports faker, which every other command (sit) would pay for.
    from exam_tui.services.demo import DEMO_EXAM, DemoExists, seed_demo
    from exam_tui.services.sessions import SessionError

    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    try:
        result = seed_demo(state(ctx).db(), seed=seed, tz=tz)
    except DemoExists:
        typer.echo(t("cli.demo.exists"))
        return
    except SessionError as exc:
        fail(t("cli.demo.no_bank", exam=DEMO_EXAM) if exc.key == "session.no_exam" else exc.message())
    typer.echo(
        t(
            "cli.demo.seeded",
            units=result.units,
            cadres=result.cadres,
            session=result.session.id,
            code=result.session.access_code,
        )
    )


def _analysis_demo(ctx: typer.Context, candidates: int, seed: int) -> None:
    from exam_tui.services.analysis_demo import AnalysisDemoExists, NoShippedBank, seed_analysis_demo

    if candidates < 2:
        fail(t("cli.demo.analysis_too_few"))
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    typer.echo(t("cli.demo.analysis_working", candidates=candidates))
    try:
        result = seed_analysis_demo(state(ctx).db(), candidates=candidates, seed=seed, tz=tz)
    except AnalysisDemoExists:
        typer.echo(t("cli.demo.analysis_exists"))  # as the demo itself: a second `make demo` goes on
        return
    except NoShippedBank as exc:
        fail(t("cli.demo.analysis_no_bank", path=str(exc)))
    typer.echo(
        t(
            "cli.demo.analysis_seeded",
            session=result.session.id,
            candidates=result.candidates,
            exam=result.session.exam_ref,
        )
    )
