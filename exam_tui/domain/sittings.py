"""Rules of an exam sitting that need no database: access codes and session states."""

from __future__ import annotations

import random
from enum import StrEnum

# No 0/O, 1/I/L: a code read aloud or off a projector must not be mistyped.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 6


class SessionState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    STARTED = "started"
    CLOSED = "closed"


def new_access_code(rng: random.Random) -> str:
    return "".join(rng.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def normalise_access_code(code: str) -> str:
    """What the candidate typed, in the stored form: upper case, no spaces."""
    return "".join(code.split()).upper()
