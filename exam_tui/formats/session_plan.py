"""Session plan files (``exam-tui session open PLAN.yaml``): what to sit, where, when, and who.

```yaml
exam: integrity-regulations/pre-appointment
title: 2026年第四批新任领导干部任前廉政法规考试
room: 第一机房
starts_at: 2026-11-23T14:30:00+08:00
allow_late_minutes: 15          # optional
candidates: roster-example.csv  # a roster file next to the plan, or a list of ID numbers
```
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from exam_tui.domain.idnumber import InvalidIdNumber, normalise_id_number
from exam_tui.formats.yaml_bank import MAX_FILE_BYTES, DocumentError, load_document, node_position

KEYS = {"exam", "title", "room", "starts_at", "allow_late_minutes", "candidates"}
REQUIRED = ("exam", "title", "starts_at", "candidates")


@dataclass(frozen=True)
class PlanProblem:
    line: int
    column: int
    key: str  # i18n message key
    params: dict[str, Any]


@dataclass(frozen=True)
class SessionPlan:
    path: Path
    exam: str
    title: str
    room: str | None
    starts_at: datetime
    allow_late_minutes: int
    roster_file: Path | None  # resolved against the plan's folder
    id_numbers: tuple[str, ...]


@dataclass(frozen=True)
class PlanFile:
    path: Path
    plan: SessionPlan | None
    problems: tuple[PlanProblem, ...]


def read_plan(path: Path) -> PlanFile:
    """Read and check a plan; every problem is located, nothing raises for bad content."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return _fail(path, 1, 1, "file.too_large", size=path.stat().st_size // 1024 // 1024, limit=20)
        raw = path.read_bytes()
    except FileNotFoundError:
        return _fail(path, 1, 1, "file.not_found")
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        return _fail(path, 1, 1, "file.unreadable", detail=getattr(exc, "strerror", None) or str(exc))
    try:
        root, data = load_document(raw)
    except DocumentError as exc:
        return _fail(path, exc.line, exc.column, exc.code, **exc.params)
    if not isinstance(data, dict):
        return _fail(path, 1, 1, "plan.not_a_mapping")
    problems: list[PlanProblem] = []

    def problem(at: tuple[Any, ...], key: str, /, *, at_key: bool = False, **params: Any) -> None:
        line, column = node_position(root, at, at_key=at_key) if root is not None else (1, 1)  # type: ignore[arg-type]
        problems.append(PlanProblem(line, column, key, params))

    for key in data:
        if key not in KEYS:
            problem((key,), "bank.unknown_key", at_key=True, key=key)
    for key in REQUIRED:
        if data.get(key) is None:
            problem((key,), "bank.missing_key", at_key=True, key=key)

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            problem((key,), "plan.not_text", key=key)
            return None
        return value.strip()

    exam, title, room = text("exam"), text("title"), text("room")
    if exam is not None and (exam.count("/") != 1 or not all(exam.split("/"))):
        problem(("exam",), "plan.exam_ref", value=exam)
    starts_at = None
    raw_start = data.get("starts_at")
    if raw_start is not None:
        try:
            starts_at = datetime.fromisoformat(str(raw_start))
        except ValueError:
            problem(("starts_at",), "plan.bad_time", value=raw_start)
        else:
            if starts_at.tzinfo is None:
                problem(("starts_at",), "plan.no_offset", value=raw_start)
                starts_at = None
    late = data.get("allow_late_minutes", 15)
    if not isinstance(late, int) or isinstance(late, bool) or not 0 <= late <= 240:
        problem(("allow_late_minutes",), "plan.late_range", value=late)
        late = 15
    roster_file: Path | None = None
    numbers: list[str] = []
    candidates = data.get("candidates")
    if isinstance(candidates, str) and candidates.strip():
        try:
            roster_file = (path.parent / candidates.strip()).resolve()
            found = roster_file.is_file()
        except (OSError, ValueError):
            # A NUL byte (ValueError) or a name longer than the filesystem allows (OSError) cannot
            # name a file that exists.
            found = False
        if not found:
            roster_file = None
            problem(("candidates",), "plan.no_roster", file=candidates)
    elif isinstance(candidates, list) and candidates:
        seen: dict[str, int] = {}
        for i, entry in enumerate(candidates):
            try:
                number = normalise_id_number(str(entry))
            except InvalidIdNumber as exc:
                problem(("candidates", i), "plan.bad_id", value=entry, reason=exc.reason)
                continue
            if number in seen:
                first = node_position(root, ("candidates", seen[number]))[0]  # type: ignore[arg-type]
                problem(("candidates", i), "plan.duplicate_id", value=number, line=first)
                continue
            seen[number] = i
            numbers.append(number)
    elif candidates is not None:
        problem(("candidates",), "plan.candidates")
    problems.sort(key=lambda p: (p.line, p.column))
    if problems or exam is None or title is None or starts_at is None:
        return PlanFile(path, None, tuple(problems))
    plan = SessionPlan(path, exam, title, room, starts_at, late, roster_file, tuple(numbers))
    return PlanFile(path, plan, ())


def _fail(path: Path, line: int, column: int, key: str, /, **params: Any) -> PlanFile:
    return PlanFile(path, None, (PlanProblem(line, column, key, params),))


def plan_text(
    *,
    exam: str,
    title: str,
    starts_at: datetime,
    room: str | None,
    candidates: list[tuple[str, str]],
    header: list[str],
) -> str:
    """A plan file that :func:`read_plan` reads back: ``candidates`` are (ID number, comment) pairs.

    ``header`` lines become comments at the top; each candidate's comment follows their ID number.
    """
    lines = [f"# {line}" for line in header]
    lines += [
        f"exam: {_scalar(exam)}",
        f"title: {_scalar(title)}",
        *([f"room: {_scalar(room)}"] if room else []),
        f"starts_at: {starts_at.isoformat(timespec='minutes')}",
        "candidates:",
    ]
    lines += [f'  - "{number}"  # {comment}' for number, comment in candidates]
    return "\n".join(lines) + "\n"


def _scalar(text: str) -> str:
    # JSON strings are YAML strings: quotes and colons in a title cannot break the file.
    return json.dumps(text, ensure_ascii=False)
