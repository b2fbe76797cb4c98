"""The hash chain without a database: serialisation, links and the first break."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from exam_tui.domain.audit_chain import (
    GENESIS,
    ChainEvent,
    canonical,
    first_break,
    link_hash,
    normalise_payload,
    time_text,
)

T0 = datetime(2026, 12, 4, 9, 0, 0, 123456, tzinfo=UTC)


def _chain(n: int, chain: str = "main") -> list[tuple[int, ChainEvent]]:
    events, prev = [], GENESIS
    for seq in range(1, n + 1):
        details = normalise_payload({"n": seq, "text": "廉洁", "at": T0})
        digest = link_hash(seq, T0, "admin", "x.y", "thing", str(seq), details, prev, chain)
        events.append(
            (seq * 10, ChainEvent(seq, T0, "admin", "x.y", "thing", str(seq), details, prev, digest, chain))
        )
        prev = digest
    return events


def test_canonical_form_is_fixed() -> None:
    """The bytes hashed are exactly these (PostgreSQL's answer-save statement builds the same text)."""
    body = canonical(
        3, T0, None, "response.write", "response", "7:2", {"b": [1, "甲"], "a": True}, "ab" * 32, "attempt:7"
    )
    assert (
        body
        == (
            '{"action":"response.write","actor":null,"at":"2026-12-04T09:00:00.123456Z","chain":"attempt:7",'
            '"details":{"a":true,"b":[1,"甲"]},"entity":"response","entity_id":"7:2","prev":"'
            + "ab" * 32
            + '","seq":3}'
        ).encode()
    )
    assert link_hash(
        3, T0, None, "response.write", "response", "7:2", {"b": [1, "甲"], "a": True}, "ab" * 32, "attempt:7"
    ) == (hashlib.sha256(body).hexdigest())


def test_times_are_utc_microseconds_whatever_the_zone() -> None:
    beijing = T0.astimezone(timezone(timedelta(hours=8)))
    assert time_text(beijing) == time_text(T0) == "2026-12-04T09:00:00.123456Z"
    assert time_text(T0.replace(tzinfo=None)) == time_text(T0)


def test_payload_normalised_as_json_returns_it() -> None:
    assert normalise_payload({1: (1, 2), "t": T0, "s": {"b", "a"}}) == {
        "1": [1, 2],
        "t": "2026-12-04T09:00:00.123456Z",
        "s": ["a", "b"],
    }
    assert normalise_payload(None) is None


def test_an_intact_chain_and_its_head() -> None:
    events = _chain(5)
    head = (5, events[-1][1].hash)
    assert first_break(events, head) is None
    assert first_break([], (0, GENESIS)) is None


def test_each_kind_of_break_is_named() -> None:
    events = _chain(5)
    head = (5, events[-1][1].hash)
    assert first_break(events, None).reason == "audit.break.no_head"
    assert first_break(events[:-1], head).reason == "audit.break.head"
    missing = events[:2] + events[3:]
    assert (first_break(missing, head).reason, first_break(missing, head).seq) == ("audit.break.missing", 4)
    swapped = [events[0], events[2], events[1], *events[3:]]
    assert first_break(swapped, head).reason == "audit.break.missing"
    doubled = [events[0], events[1], events[1], *events[2:]]
    assert first_break(doubled, head).reason == "audit.break.order"
    edited = list(events)
    edited[2] = (edited[2][0], replace(edited[2][1], actor="mallory"))
    found = first_break(edited, head)
    assert (found.reason, found.seq, found.event_id) == ("audit.break.hash", 3, 30)
    relinked = list(events)
    relinked[3] = (relinked[3][0], replace(relinked[3][1], prev_hash="f" * 64))
    assert first_break(relinked, head).reason == "audit.break.link"
    moved = [(i, replace(e, chain="attempt:1")) for i, e in events]
    assert first_break(moved, head).reason == "audit.break.hash"  # the chain's name is hashed too
    unchained = [*events, (99, replace(events[0][1], seq=None, hash=None, prev_hash=None))]
    assert first_break(unchained, head).reason == "audit.break.unchained"
