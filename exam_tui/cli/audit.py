"""``exam-tui audit verify|show``: check the audit trail, read it by subject."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from exam_tui.cli.common import AdminOption, PasswordFileOption, admin_unmasking, fail, state
from exam_tui.cli.decision_text import when
from exam_tui.domain.idnumber import mask_within
from exam_tui.i18n import t

if TYPE_CHECKING:
    from exam_tui.services.audit import ChainHead
    from exam_tui.services.runtime import Database

app = typer.Typer(help="The audit trail: verify its chains and the results it seals, show it by subject.")

DETAILS_WIDTH = 100  # a payload longer than this is cut on the screen (``--json`` gives it whole)
# Events name people by ID number (a cadre's, a candidate's): both outputs show them masked unless
# ``--unmasked`` is asked for, and that is recorded as an event of its own.


@app.command()
def verify(
    ctx: typer.Context,
    sheet: Annotated[
        list[str] | None,
        typer.Option(
            "--sheet",
            help='The chain head printed on a results sheet ("#2552 · 3f9a…" or 2552:3f9a…): also check '
            "that the chain still passes through it. May be given several times.",
        ),
    ] = None,
) -> None:
    """Recompute every chain and compare every sealed result with its latest event; exit 1 at a break.
    With --sheet, also that each printed sheet's head is still a link of the chain."""
    from exam_tui.services import audit

    printed = []
    for text in sheet or []:
        head = audit.parse_sheet_head(text)
        if head is None:
            fail(t("cli.audit.sheet_unreadable", text=text))
        printed.append(head)
    db = state(ctx).db()
    report = audit.verify(db)
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
        _check_sheets(db, printed)
        return
    for problem in report.problems:
        where = t("cli.audit.where", chain=problem.chain, seq=problem.seq) if problem.chain else ""
        values = dict(problem.values)
        if "entity" in values:
            values["entity"] = t(f"audit.entity.{values['entity']}")
        typer.echo(mask_within(f"{where}{t(problem.reason, **values)}"), err=True)
    if report.more_problems:
        typer.echo(t("cli.audit.more", count=report.more_problems), err=True)
    fail(t("cli.audit.broken", count=len(report.problems) + report.more_problems))


def _check_sheets(db: Database, printed: list[ChainHead]) -> None:
    from exam_tui.services import audit

    differing = 0
    for head in printed:
        matches = audit.sheet_matches(db, head)
        if matches:
            typer.echo(t("cli.audit.sheet_ok", seq=head.seq, hash=head.hash))
        else:
            differing += 1
            key = "cli.audit.sheet_missing" if matches is None else "cli.audit.sheet_differs"
            typer.echo(t(key, seq=head.seq, hash=head.hash), err=True)
    if differing:
        fail(t("cli.audit.sheets_broken", count=differing))


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
    unmasked: Annotated[
        bool,
        typer.Option(
            "--unmasked",
            help="Whole ID numbers in the events instead of masked ones: admins only (--by ADMIN and its "
            "password); recorded in the audit trail.",
        ),
    ] = False,
    by: AdminOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """The events about one subject, in the order they happened."""
    from exam_tui.services import audit
    from exam_tui.services.pii import record_unmask
    from exam_tui.services.sessions import SessionError

    db = state(ctx).db()
    hide = (lambda value: value) if unmasked else mask_within
    try:
        entries = audit.show(db, subject)
    except audit.SubjectError as e:
        fail(hide(t(e.key, **e.values)))
    if not entries:
        typer.echo(hide(t("cli.audit.none", subject=subject)))
        return
    whole = admin_unmasking(ctx, unmasked, by, password_file)
    if whole is not None:
        try:
            record_unmask(
                whole,
                entity="audit",
                entity_id=subject,
                export="audit_show.json" if as_json else "audit_show.table",
                rows=len(entries),
                file=None,
            )
        except SessionError as exc:
            fail(t("cli.pii.refused", reason=exc.message()))
        typer.echo(t("export.pii_unmasked", actor=whole.actor), err=True)
    for entry in entries:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "chain": entry.chain,
                        "seq": entry.seq,
                        "at": entry.at.isoformat(),
                        "actor": hide(entry.actor),
                        "action": entry.action,
                        "entity": entry.entity,
                        "entity_id": hide(entry.entity_id),
                        "details": hide(entry.details),
                    },
                    ensure_ascii=False,
                )
            )
            continue
        details = json.dumps(hide(entry.details), ensure_ascii=False) if entry.details is not None else ""
        if len(details) > DETAILS_WIDTH:
            details = details[: DETAILS_WIDTH - 1] + "…"
        typer.echo(
            f"{when(entry.at)}  {entry.chain}#{entry.seq}  {hide(entry.actor) or '-'}  {entry.action}  "
            f"{entry.entity}:{hide(entry.entity_id) or '-'}  {details}"
        )
