"""Chinese resident ID numbers (GB 11643-1999), via python-stdnum."""

from __future__ import annotations

import re
from typing import Any

from stdnum.cn import ric
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.util import isdigits


class InvalidIdNumber(ValueError):
    """``reason`` is a message key: id.length, id.format, id.checksum, id.date, id.place."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(f"{number}: {reason}")
        self.number, self.reason = number, reason


def normalise_id_number(number: str, *, check_place: bool = True) -> str:
    """The canonical form (upper-case X, no spaces), or InvalidIdNumber saying what is wrong.

    ``check_place=False`` skips the region code's lookup in stdnum's table of places, which reads a
    file of several thousand lines (~25 ms): for sign-in, where the number is only looked up among
    numbers that passed the full check when their roster was imported.
    """
    compact = ric.compact(number)
    try:
        if not check_place:
            return _without_place(compact)
        return str(ric.validate(compact))
    except InvalidLength:
        reason = "id.length"
    except InvalidFormat:
        reason = "id.format"
    except InvalidChecksum:
        reason = "id.checksum"
    except InvalidComponent:
        reason = "id.date" if not _date_ok(compact) else "id.place"
    except ValidationError:
        reason = "id.format"
    raise InvalidIdNumber(number, reason)


def _without_place(compact: str) -> str:
    """ric.validate's checks in its order, all but the place of birth."""
    if len(compact) != 18:
        raise InvalidLength()
    if not isdigits(compact[:-1]):
        raise InvalidFormat()
    if compact[-1] != ric.calc_check_digit(compact):
        raise InvalidChecksum()
    ric.get_birth_date(compact)
    return compact


def _date_ok(number: str) -> bool:
    try:
        ric.get_birth_date(number)
    except ValidationError:
        return False
    return True


def with_check_digit(first17: str) -> str:
    """Complete 17 digits with the GB 11643 check digit."""
    return first17 + ric.calc_check_digit(first17 + "0")


def mask(number: str) -> str:
    """Shown on every screen and in every export unless unmasking is asked for (and audited): the first
    three and the last four characters, the other eleven starred (110***********7691). Anything that is
    not 18 characters long (a number half typed) is starred all but its last four."""
    if len(number) == 18:
        return number[:3] + "*" * 11 + number[-4:]
    return "*" * max(len(number) - 4, 0) + number[-4:]


# Eighteen characters of an ID number standing on their own: not part of a longer run of letters or digits
# (a hash in hex, a longer number), so that only what reads as an ID number is starred.
_WHOLE_ID = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def mask_within(value: Any) -> Any:
    """Every ID number inside ``value`` masked: a string, or the strings of lists and dicts (keys too),
    for free text such as an audit event's details; anything else as it is."""
    if isinstance(value, str):
        return _WHOLE_ID.sub(lambda m: mask(m.group(0).upper()), value)
    if isinstance(value, list | tuple):
        return [mask_within(v) for v in value]
    if isinstance(value, dict):
        return {mask_within(k): mask_within(v) for k, v in value.items()}
    return value
