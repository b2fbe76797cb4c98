"""Checking the audit trail, and reading it by subject.

:func:`verify` recomputes every chain (the main chain against its head row, each attempt's answer
chain against the head in its attempt row), checks that each hand-in's record of the answers still
matches the answers' chain, and that every sealed row (store.audit_log.SEALS: attempts, answers, marks,
decisions, appeals, points …) still holds what its latest event says. A database edited behind the
application's back fails at least one of these.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.audit_chain import GENESIS, ChainEvent, first_break, normalise_payload
from exam_tui.i18n import t
from exam_tui.services.runtime import Database
from exam_tui.store.audit_log import HAND_IN, MAIN, SEALS
from exam_tui.store.models import AttemptRow, AuditEventRow, AuditHeadRow, CadreRow

_ATTEMPT_CHAIN = re.compile(r"attempt:(\d+)\Z")
MAX_PROBLEMS = 50  # what verify lists; the count says how many more


@dataclass(frozen=True)
class AuditProblem:
    """Something that does not hold: a message key (audit.break.* / audit.seal.* / audit.anchor.*),
    its values, and where."""

    reason: str
    values: Mapping[str, Any]
    chain: str | None = None
    seq: int | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class AuditReport:
    events: int
    chains: int
    sealed_rows: int
    head_seq: int
    head_hash: str
    problems: tuple[AuditProblem, ...]
    more_problems: int = 0

    @property
    def intact(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class AuditEntry:
    seq: int | None
    chain: str
    at: datetime
    actor: str | None
    action: str
    entity: str
    entity_id: str | None
    details: Any


def _chain_event(row: AuditEventRow) -> ChainEvent:
    return ChainEvent(
        row.seq,
        row.at,
        row.actor,
        row.action,
        row.entity,
        row.entity_id,
        normalise_payload(row.details),
        row.prev_hash,
        row.hash,
        row.chain,
    )


def _events(session: Session) -> dict[str, list[AuditEventRow]]:
    chains: dict[str, list[AuditEventRow]] = defaultdict(list)
    for row in session.execute(select(AuditEventRow)).scalars():
        chains[row.chain].append(row)
    for rows in chains.values():
        # By sequence, the unchained (no sequence: not written by the application) last.
        rows.sort(key=lambda r: (r.seq is None, r.seq or 0, r.id or 0))
    return chains


def _chain_problems(
    chain: str, rows: list[AuditEventRow], head: tuple[int, str] | None
) -> AuditProblem | None:
    broken = first_break(((row.id, _chain_event(row)) for row in rows), head)
    if broken is None:
        return None
    return AuditProblem(broken.reason, dict(broken.values), chain, broken.seq, broken.event_id)


def _anchor_problems(
    main: list[AuditEventRow], chains: Mapping[str, list[AuditEventRow]]
) -> Iterable[AuditProblem]:
    """Each hand-in recorded the head of the attempt's answers: that link must still be there."""
    for row in main:
        details = row.details or {}
        if row.action != HAND_IN or "answers_seq" not in details or row.entity_id is None:
            continue
        seq, digest = int(details["answers_seq"]), str(details.get("answers_hash"))
        chain = f"attempt:{row.entity_id}"
        if seq == 0:
            held = digest == GENESIS
        else:
            held = any(e.seq == seq and e.hash == digest for e in chains.get(chain, []))
        if not held:
            yield AuditProblem(
                "audit.anchor.answers", {"attempt": row.entity_id, "seq": seq}, MAIN, row.seq, row.id
            )


def _differences(recorded: Mapping[str, Any], stored: Mapping[str, Any]) -> list[str]:
    """The columns whose stored value is not the recorded one (columns added after the event aside)."""
    return sorted(name for name in recorded if name in stored and recorded[name] != stored[name])


def _seal_problems(
    session: Session, chains: Mapping[str, list[AuditEventRow]]
) -> tuple[list[AuditProblem], int]:
    latest: dict[tuple[str, str], AuditEventRow] = {}
    sealed_entities = {seal.entity for seal in SEALS.values()}
    for rows in chains.values():
        for row in rows:
            if row.seq is None or row.entity not in sealed_entities or row.entity_id is None:
                continue
            if row.action in (f"{row.entity}.write", f"{row.entity}.delete"):
                latest[(row.entity, row.entity_id)] = row  # rows are in chain order: the last one wins
    problems: list[AuditProblem] = []
    seen: set[tuple[str, str]] = set()
    count = 0
    conn = session.connection()
    for model, seal in SEALS.items():
        table = model.__table__  # type: ignore[attr-defined]
        columns = seal.columns(model)
        for mapping in conn.execute(select(table)).mappings():
            count += 1
            key = seal.key(mapping)
            seen.add((seal.entity, key))
            event = latest.get((seal.entity, key))
            where = {"entity": seal.entity, "id": key}
            if event is None:
                problems.append(AuditProblem("audit.seal.unrecorded", where))
            elif event.action.endswith(".delete"):
                problems.append(AuditProblem("audit.seal.deleted_but_present", where, event.chain, event.seq))
            else:
                changed = _differences(
                    normalise_payload(event.details) or {}, seal.snapshot(mapping, columns)
                )
                if changed:
                    problems.append(
                        AuditProblem(
                            "audit.seal.changed",
                            {**where, "columns": ", ".join(changed)},
                            event.chain,
                            event.seq,
                        )
                    )
    for (entity, key), event in latest.items():
        if (entity, key) not in seen and not event.action.endswith(".delete"):
            problems.append(
                AuditProblem(
                    "audit.seal.missing", {"entity": entity, "id": key}, event.chain, event.seq, event.id
                )
            )
    return problems, count


def verify(db: Database) -> AuditReport:
    """Every chain, every hand-in's record of the answers, every sealed row (one snapshot read)."""
    with db.snapshot() as session:
        head_row = session.get(AuditHeadRow, 1)
        head = None if head_row is None else (head_row.seq, head_row.hash)
        chains = _events(session)
        attempt_heads = {
            row.id: (row.audit_seq, row.audit_hash)
            for row in session.execute(select(AttemptRow.id, AttemptRow.audit_seq, AttemptRow.audit_hash))
        }
        problems: list[AuditProblem] = []
        main = chains.get(MAIN, [])
        if head is None and not main:
            head = (0, GENESIS)  # nothing written yet on a database made without the migrations
        found = _chain_problems(MAIN, main, head)
        if found:
            problems.append(found)
        for chain, rows in sorted(chains.items()):
            if chain == MAIN:
                continue
            match = _ATTEMPT_CHAIN.match(chain)
            if match is None or int(match.group(1)) not in attempt_heads:
                problems.append(AuditProblem("audit.break.stray_chain", {"chain": chain}, chain))
                continue
            found = _chain_problems(chain, rows, attempt_heads[int(match.group(1))])
            if found:
                problems.append(found)
        for attempt_id, attempt_head in attempt_heads.items():
            if f"attempt:{attempt_id}" not in chains and attempt_head != (0, GENESIS):
                problems.append(
                    AuditProblem(
                        "audit.break.head", {"head": attempt_head[0], "last": 0}, f"attempt:{attempt_id}"
                    )
                )
        problems.extend(_anchor_problems(main, chains))
        seal_problems, sealed_rows = _seal_problems(session, chains)
        problems.extend(seal_problems)
    return AuditReport(
        events=sum(len(rows) for rows in chains.values()),
        chains=len(chains),
        sealed_rows=sealed_rows,
        head_seq=head[0] if head else 0,
        head_hash=head[1] if head else GENESIS,
        problems=tuple(problems[:MAX_PROBLEMS]),
        more_problems=max(0, len(problems) - MAX_PROBLEMS),
    )


# ---------------------------------------------------------------------------------------------- head


@dataclass(frozen=True)
class ChainHead:
    """The main chain's last link: what ``audit verify`` prints as the head, and results sheets carry."""

    seq: int
    hash: str

    def note(self) -> str:
        """The line a results sheet carries (the hash's first 16 hex digits): 审计链末端 #2552 · 3f9a…"""
        return t("audit.head_note", seq=self.seq, hash=self.hash[:HEAD_DIGITS])


HEAD_DIGITS = 16


def head(db: Database) -> ChainHead:
    """The main chain's head now: one read of the one-row ``audit_head`` table by its key, not a verify.

    A printed sheet carries it so that a later ``audit verify`` can be held against the paper: a chain
    rewritten after the printing (every hash rebuilt) ends somewhere else. Read it after the data the
    sheet shows: every event behind that data is then at or before this head.
    """
    with db.read() as session:
        row = session.get(AuditHeadRow, 1)
        # No head row: nothing written yet on a database made without the migrations (as verify says).
        return ChainHead(0, GENESIS) if row is None else ChainHead(row.seq, row.hash)


_SHEET_HEAD = re.compile(r"#?(?P<seq>\d+)\s*[:·,\s]\s*(?P<hash>[0-9a-fA-F]{8,64})")


def parse_sheet_head(text: str) -> ChainHead | None:
    """What a person copies from a sheet's foot: ``#2552 · 3f9a…``, ``2552:3f9a…`` or ``2552 3f9a…``
    (at least 8 hex digits of the hash); None if it is none of these."""
    m = _SHEET_HEAD.search(text)
    return ChainHead(int(m["seq"]), m["hash"].lower()) if m else None


def sheet_matches(db: Database, printed: ChainHead) -> bool | None:
    """Whether the main chain's event #seq still has the hash a sheet printed (its first digits): a
    chain rewritten after the printing has another. None when the chain has no such event."""
    with db.read() as session:
        stored = session.execute(
            select(AuditEventRow.hash).where(AuditEventRow.chain == MAIN, AuditEventRow.seq == printed.seq)
        ).scalar_one_or_none()
    if stored is None:
        return None
    return stored.startswith(printed.hash)


# ---------------------------------------------------------------------------------------------- show


class SubjectError(ValueError):
    """A subject that names nothing: ``key`` is the message key."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def _attempt_ids_of(session: Session, subject: str) -> tuple[set[int], set[str]]:
    """(attempt ids, other entity:id pairs) a subject covers."""
    entity, _, ident = subject.partition(":")
    if not ident:
        raise SubjectError("audit.subject.format", subject=subject)
    if entity == "attempt":
        if not ident.isdigit() or session.get(AttemptRow, int(ident)) is None:
            raise SubjectError("audit.subject.unknown", subject=subject)
        return {int(ident)}, set()
    if entity == "cadre":
        query = select(CadreRow.id)
        query = (
            query.where(CadreRow.id == int(ident))
            if ident.isdigit() and len(ident) < 10
            else query.where(CadreRow.id_number == ident.upper())
        )
        cadre_id = session.execute(query).scalar()
        if cadre_id is None:
            raise SubjectError("audit.subject.unknown", subject=subject)
        attempts = set(
            session.execute(select(AttemptRow.id).where(AttemptRow.cadre_id == cadre_id)).scalars()
        )
        return attempts, {f"cadre:{cadre_id}"}
    return set(), {f"{entity}:{ident}"}


def show(db: Database, subject: str) -> list[AuditEntry]:
    """The events about ``subject`` in the order they were chained: ``attempt:N`` (its events, its
    answers, marks, appeals and decisions naming it), ``cadre:ID-number`` or ``cadre:N`` (the person's
    attempts and the events naming them), or any ``entity:id`` as the events record it."""
    with db.snapshot() as session:
        attempts, others = _attempt_ids_of(session, subject)
        cadre_ids = {int(o.split(":")[1]) for o in others if o.startswith("cadre:")}
        attempt_chains = {f"attempt:{a}" for a in attempts}
        entries: list[AuditEventRow] = []
        for rows in _events(session).values():
            for row in rows:
                details = row.details if isinstance(row.details, dict) else {}
                if (
                    f"{row.entity}:{row.entity_id}" in others
                    or (
                        row.entity == "attempt"
                        and row.entity_id is not None
                        and row.entity_id.isdigit()
                        and int(row.entity_id) in attempts
                    )
                    or row.chain in attempt_chains
                    or details.get("attempt_id") in attempts
                    or details.get("cadre_id") in cadre_ids
                ):
                    entries.append(row)
    entries.sort(key=lambda r: (r.at, r.chain != MAIN, r.seq or 0))
    return [
        AuditEntry(r.seq, r.chain, r.at, r.actor, r.action, r.entity, r.entity_id, r.details) for r in entries
    ]
