"""Turning service values into the words and times a screen shows (pure, no Textual state)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, tzinfo
from typing import Any

from textual.dom import DOMNode

from exam_tui.i18n import t


def local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def in_zone(moment: datetime, tz: tzinfo) -> datetime:
    # Services hand out timezone-aware UTC values on every backend (store.columns.UTCDateTime).
    return moment.astimezone(tz)


def hhmm(moment: datetime, tz: tzinfo) -> str:
    return in_zone(moment, tz).strftime("%H:%M")


def day_and_time(moment: datetime, tz: tzinfo) -> str:
    return in_zone(moment, tz).strftime("%Y-%m-%d %H:%M")


def room_name(room: str | None) -> str:
    return room or t("sessions.no_room")


def state_name(state: str) -> str:
    return t(f"word.{state}")


def session_cells(session: Any, when: str) -> tuple[str, ...]:
    """A session as a table row: when, title, room, state, candidates, access code."""
    return (
        when,
        session.title,
        room_name(session.room),
        state_name(session.state),
        str(session.candidates),
        session.access_code,
    )


def one_line(text: str) -> str:
    return " ".join(text.split())


def answer_text(qtype: str, answer: Any) -> str:
    """The key of a question as a reader sees it: letters, 是/否, or each blank's accepted forms."""
    if answer is None:
        return ""
    if qtype == "true_false":
        return t("word.true") if answer else t("word.false")
    if qtype == "multiple":
        return t("browser.letters_sep").join(str(letter) for letter in answer)
    if qtype == "fill_blank":
        blanks = [[alt] if isinstance(alt, str) else list(alt) for alt in answer]
        if len(blanks) == 1:
            return " / ".join(blanks[0])
        return "\n".join(
            t("browser.blank", n=i, accepted=" / ".join(alts)) for i, alts in enumerate(blanks, 1)
        )
    return str(answer)


def translate_bindings(node: DOMNode) -> None:
    """BINDINGS hold message keys as descriptions; show them in the language chosen at run time."""
    bindings = node._bindings.key_to_bindings
    for key, entries in bindings.items():
        bindings[key] = [
            dataclasses.replace(b, description=t(b.description)) if b.description.startswith("key.") else b
            for b in entries
        ]
