"""``exam-tui audit verify|show``: check the audit trail, read it by subject."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from exam_tui.cli.common import fail, state
from exam_tui.cli.decision_text import when
from exam_tui.i18n import t

app = typer.Typer(help="The audit trail: verify its chains and the results it seals, show it by subject.")

DETAILS_WIDTH = 100  # a payload longer than this is cut on the screen (``--json`` gives it whole)


@app.command()
def verify(ctx: typer.Context) -> None:
    """Recompute every chain and compare every sealed result with its latest event; exit 1 at a break."""
    from exam_tui.services import audit

    report = audit.verify(state(ctx).db())
    typer.echo(
        t(
            "cli.audit.counted",
            events=report.events,
            chains=report.chains,
            rows=report.sealed_rows,
        )
    )
    if report.intact:
        typer.echo(t("cli.audit.intact", seq=report.head_seq, hash=report.head_hash))
        return
    for problem in report.problems:
        where = t("cli.audit.where", chain=problem.chain, seq=problem.seq) if problem.chain else ""
        values = dict(problem.values)
        if "entity" in values:
            values["entity"] = t(f"audit.entity.{values['entity']}")
        typer.echo(f"{where}{t(problem.reason, **values)}", err=True)
    if report.more_problems:
        typer.echo(t("cli.audit.more", count=report.more_problems), err=True)
    fail(t("cli.audit.broken", count=len(report.problems) + report.more_problems))


@app.command()
def show(
    ctx: typer.Context,
    subject: Annotated[
        str,
        typer.Option(
            "--subject",
            help="attempt:N, cadre:ID-NUMBER (or cadre:N), or ENTITY:ID as the events name it "
            "(session, appeal, appointment, mark …).",
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per event, payload whole.")
    ] = False,
) -> None:
    """The events about one subject, in the order they happened."""
    from exam_tui.services import audit

    try:
        entries = audit.show(state(ctx).db(), subject)
    except audit.SubjectError as e:
        fail(t(e.key, **e.values))
    if not entries:
        typer.echo(t("cli.audit.none", subject=subject))
        return
    for entry in entries:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "chain": entry.chain,
                        "seq": entry.seq,
                        "at": entry.at.isoformat(),
                        "actor": entry.actor,
                        "action": entry.action,
                        "entity": entry.entity,
                        "entity_id": entry.entity_id,
                        "details": entry.details,
                    },
                    ensure_ascii=False,
                )
            )
            continue
        details = json.dumps(entry.details, ensure_ascii=False) if entry.details is not None else ""
        if len(details) > DETAILS_WIDTH:
            details = details[: DETAILS_WIDTH - 1] + "…"
        typer.echo(
            f"{when(entry.at)}  {entry.chain}#{entry.seq}  {entry.actor or '-'}  {entry.action}  "
            f"{entry.entity}:{entry.entity_id or '-'}  {details}"
        )
