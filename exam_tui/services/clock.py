"""Clocks as services take them. Kept free of the database layer so that screens can name them without
importing SQLAlchemy (a candidate terminal paints its sign-in form before the database is opened)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
# None: the database's clock, read inside the transaction that uses it (services take ``clock=None``
# in production and a fixed or stepping clock in tests).
MaybeClock = Clock | None


def system_clock() -> datetime:
    return datetime.now(UTC)
