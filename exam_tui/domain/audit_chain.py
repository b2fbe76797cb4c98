"""The audit trail as a hash chain: how an event is serialised, how it links to the one before, and how
a chain read back from storage is checked.

Each event's hash is SHA-256 over a canonical serialisation of its chain, sequence number, time,
actor, action, subject (entity and id), payload and the previous event's hash. Changing, removing, inserting
or reordering any event changes a hash that a later event (or the chain's head, kept beside the events)
vouches for, so :func:`first_break` finds the first link that does not hold.

The serialisation is JSON with sorted keys, no spaces, UTF-8 text as is, no NaN; times as UTC ISO 8601
with microseconds. A payload is normalised through JSON once before it is stored
(:func:`normalise_payload`), so what is hashed is exactly what comes back from either database.

What a chain cannot show by itself: someone able to write the database could rebuild every hash after
a change. The head hash that ``exam-tui audit verify`` prints is what to write down or publish (on the
session's results sheet, say) so that a rebuilt chain is caught against it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

GENESIS = "0" * 64  # the previous hash of the first event


@dataclass(frozen=True)
class ChainEvent:
    """One event as it is chained (and as it is read back for checking)."""

    seq: int | None
    at: datetime
    actor: str | None
    action: str
    entity: str
    entity_id: str | None
    details: Any
    prev_hash: str | None
    hash: str | None
    chain: str = "main"


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold: the event's sequence number (or database id when it has
    none) and a message key with its values."""

    seq: int | None
    event_id: int | None
    reason: str  # audit.break.* message key
    values: Mapping[str, Any]


def time_text(at: datetime) -> str:
    """A time as the chain writes it: UTC, microseconds (naive values are taken as UTC)."""
    aware = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return time_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not JSON")


def normalise_payload(details: Any) -> Any:
    """The payload as JSON gives it back: tuples become lists, keys strings, times text (UTC)."""
    if details is None:
        return None
    return json.loads(json.dumps(details, default=_jsonable, allow_nan=False))


def canonical(
    seq: int,
    at: datetime,
    actor: str | None,
    action: str,
    entity: str,
    entity_id: str | None,
    details: Any,
    prev_hash: str,
    chain: str,
) -> bytes:
    body = {
        "chain": chain,
        "seq": seq,
        "at": time_text(at),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "details": details,
        "prev": prev_hash,
    }
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def link_hash(
    seq: int,
    at: datetime,
    actor: str | None,
    action: str,
    entity: str,
    entity_id: str | None,
    details: Any,
    prev_hash: str,
    chain: str,
) -> str:
    """The hash of an event that follows ``prev_hash`` on ``chain``."""
    return hashlib.sha256(
        canonical(seq, at, actor, action, entity, entity_id, details, prev_hash, chain)
    ).hexdigest()


def first_break(
    events: Iterable[tuple[int | None, ChainEvent]], head: tuple[int, str] | None
) -> ChainBreak | None:
    """The first link that does not hold, or None when the chain is intact.

    ``events``: (database id, event) in the order of their sequence numbers, unchained events (no
    sequence number) last. ``head``: the (sequence number, hash) the chain's head row records.
    """
    expected_seq, prev = 1, GENESIS
    for event_id, event in events:
        if event.seq is None or event.hash is None or event.prev_hash is None:
            return ChainBreak(event.seq, event_id, "audit.break.unchained", {"id": event_id})
        if event.seq != expected_seq:
            reason = "audit.break.missing" if event.seq > expected_seq else "audit.break.order"
            return ChainBreak(event.seq, event_id, reason, {"expected": expected_seq, "found": event.seq})
        if event.prev_hash != prev:
            return ChainBreak(event.seq, event_id, "audit.break.link", {"seq": event.seq})
        computed = link_hash(
            event.seq,
            event.at,
            event.actor,
            event.action,
            event.entity,
            event.entity_id,
            event.details,
            event.prev_hash,
            event.chain,
        )
        if computed != event.hash:
            return ChainBreak(event.seq, event_id, "audit.break.hash", {"seq": event.seq})
        expected_seq, prev = event.seq + 1, event.hash
    last_seq = expected_seq - 1
    if head is None:
        return ChainBreak(None, None, "audit.break.no_head", {})
    if head != (last_seq, prev):
        return ChainBreak(head[0], None, "audit.break.head", {"head": head[0], "last": last_seq})
    return None
