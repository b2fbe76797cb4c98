"""Messages for training courses, attendance, drawing lots and the points ledger (English)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "course.not_found": "There is no course {id}",
    "course.bad_id": "ID number {value} is wrong: {reason}",
    "course.title_required": "Give the course a title",
    "course.title_too_long": "A course title has at most {limit} characters",
    "course.bad_kind": "The kind is one of {kinds}, not {kind}",
    "course.ends_before_start": "The end date {ends} is before the start date {starts}",
    "course.too_long": "A course from {starts} to {ends} is longer than 60 days; check the dates",
    "course.bad_role": "The role is one of {roles}, not {role}",
    "course.not_enrolled": "That cadre is not enrolled in this course (number {cadre})",
    "course.no_such_half_day": "The course has no half-day {day} {half}",
    "course.bad_status": "Attendance is present, late or absent, not {status}",
    "course.absence_reason": "An absence needs its reason (sick leave, official duty, …)",
    "course.has_closing_test": "Course {id} already has its closing test (session {session})",
    "course.not_training_exam": "Exam {exam} is not a training exam (kind: training) and cannot close a course",
    "course.nobody_enrolled": "Course {id} has nobody enrolled yet",
    "course.closing_title": "{title} · closing test",
    "draw.nobody_present": "Nobody is recorded present on {day} {half}: there is nobody to draw",
    "draw.bad_k": "Draw between 1 and the {present} present, not {k}",
    "course.closed": "Course {id} is already closed",
    "course.not_closed": "Course {id} is not closed",
    "course.reason_required": "Give the reason",
}
