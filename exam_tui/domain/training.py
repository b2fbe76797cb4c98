"""Training courses: their kinds, their half-days, and what an attendance record counts for.

A course runs over whole days, each day a morning (am) and an afternoon (pm) session; attendance is
taken per half-day. Late counts as attended (the cadre was there), absent does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

MAX_COURSE_DAYS = 60  # a closed course runs days or weeks, not months: a longer span is a typing slip


class CourseKind(StrEnum):
    CLOSED_TRAINING = "closed_training"  # 封闭式培训
    NEW_CADRE_TRAINING = "new_cadre_training"  # 新任干部培训
    WARNING_EDUCATION = "warning_education"  # 警示教育
    PARTY_LECTURE = "party_lecture"  # 廉政党课


class Half(StrEnum):
    AM = "am"
    PM = "pm"


class Presence(StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"


ATTENDED = frozenset({Presence.PRESENT, Presence.LATE})


def half_days(starts_on: date, ends_on: date) -> list[tuple[date, Half]]:
    """Every half-day of a course, in order."""
    days = (ends_on - starts_on).days + 1
    return [(starts_on + timedelta(days=n), half) for n in range(max(days, 0)) for half in Half]


def course_span_problem(starts_on: date, ends_on: date) -> str | None:
    """Why these dates cannot be a course's (a message key), or None."""
    if ends_on < starts_on:
        return "course.ends_before_start"
    if (ends_on - starts_on).days + 1 > MAX_COURSE_DAYS:
        return "course.too_long"
    return None


def attended(statuses: Iterable[str]) -> int:
    """How many of these half-day records count as attended."""
    return sum(status in ATTENDED for status in statuses)
