"""Decision lists as files or text: appointments (the deferred list) and qualifications held.

Rows are built from services.decision_reports; the writers are those of the results export, so a
deferred list opens in Excel the same way a session's results do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from exam_tui.formats.results_export import (
    Cell,
    Sheet,
    csv_text,
    json_text,
    pii_document,
    table_text,
    write_xlsx,
)
from exam_tui.i18n import t
from exam_tui.services.decision_reports import AppointmentView, QualificationView
from exam_tui.services.pii import Unmasking, notice, record_unmask
from exam_tui.services.results_export import ExportError, write_atomically

FORMATS = ("table", "csv", "xlsx", "json")

APPOINTMENT_COLUMNS = (
    "id",
    "id_number",
    "name",
    "unit",
    "post",
    "exam",
    "status",
    "reason",
    "score",
    "attempts",
    "retake_from",
    "override",
    "decided_at",
)
QUALIFICATION_COLUMNS = ("id_number", "name", "unit", "exam", "level", "score", "granted_on", "attempt")


def status_text(status: str) -> str:
    return t(f"decision.status.{status}")


def reason_text(reason: str) -> str:
    return t(f"decision.reason.{reason}")


def why_text(source: str, note: str | None) -> str:
    """A history entry's note in words: an event code for decisions the policy made, else the admin's text."""
    if source != "policy" or not note:
        return note or ""
    try:
        return _why(note)
    except KeyError:  # a code from a newer version of the program: show it as it is
        return note


def _why(note: str) -> str:
    kind, *args = note.split(":")
    if kind == "hand_in" and len(args) == 2:
        return t("decision.why.hand_in", attempt=args[0], how=t(f"decision.why.how.{args[1]}"))
    if kind in ("absent", "marked", "review", "key_corrected") and len(args) == 1:
        return t(f"decision.why.{kind}", number=args[0])
    if kind == "setting" and len(args) == 3:
        before = args[1] if args[1] != "-" else t("decision.why.setting_default")
        return t("decision.why.setting_changed", before=before, after=args[2])
    if kind in ("opened", "setting"):
        return t(f"decision.why.{kind}")
    return note


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def appointment_rows(views: Sequence[AppointmentView], *, unmasked: bool = False) -> list[list[Cell]]:
    return [
        [
            v.id,
            v.id_number if unmasked else v.id_number_masked,
            v.name,
            v.unit,
            v.post,
            v.exam,
            status_text(v.status),
            reason_text(v.reason),
            v.score,
            f"{v.attempts_used}/{v.max_attempts}",
            _day(v.retake_from),
            t("decision.override_by", by=v.override_by, reason=v.override_reason)
            if v.override_status
            else None,
            v.decided_at,
        ]
        for v in views
    ]


def appointment_json(v: AppointmentView, *, unmasked: bool = False) -> dict[str, Any]:
    return {
        "id": v.id,
        "id_number": v.id_number if unmasked else v.id_number_masked,
        "name": v.name,
        "unit": v.unit,
        "post": v.post,
        "exam": v.exam_ref,
        "exam_title": v.exam,
        "status": v.status,
        "policy_status": v.policy_status,
        "reason": v.reason,
        "score": v.score,
        "attempts_used": v.attempts_used,
        "max_attempts": v.max_attempts,
        "retake_from": _day(v.retake_from),
        "override": {"status": v.override_status, "reason": v.override_reason, "by": v.override_by}
        if v.override_status
        else None,
        "note": v.note,
        "opened_at": v.opened_at.isoformat(),
        "decided_at": v.decided_at.isoformat() if v.decided_at else None,
    }


def qualification_rows(views: Sequence[QualificationView]) -> list[list[Cell]]:
    return [
        [q.id_number_masked, q.name, q.unit, q.exam, q.level, q.score, q.granted_on.isoformat(), q.attempt_id]
        for q in views
    ]


def qualification_json(q: QualificationView) -> dict[str, Any]:
    return {
        "id_number": q.id_number_masked,
        "name": q.name,
        "unit": q.unit,
        "exam": q.exam_ref,
        "exam_title": q.exam,
        "level": q.level,
        "score": q.score,
        "granted_on": q.granted_on.isoformat(),
        "attempt": q.attempt_id,
    }


def _headers(prefix: str, columns: Sequence[str]) -> list[str]:
    return [t(f"{prefix}.{c}") for c in columns]


def render_appointments(
    views: Sequence[AppointmentView], fmt: str, *, unmasked: Unmasking | None = None, entity_id: str = "all"
) -> str:
    """The list as text; ID numbers whole only when ``unmasked`` says who asks (audited first).
    ``entity_id`` names the list in that audit event (its status, and unit when filtered)."""
    _audit(unmasked, views, fmt, entity_id, None)
    return _appointments_text(views, fmt, unmasked is not None)


def _appointments_text(views: Sequence[AppointmentView], fmt: str, whole: bool) -> str:
    headers = _headers("decision.header", APPOINTMENT_COLUMNS)
    rows = appointment_rows(views, unmasked=whole)
    if fmt == "csv":
        return csv_text(headers, rows, notice=notice())
    if fmt == "json":
        listed = [appointment_json(v, unmasked=whole) for v in views]
        return json_text(pii_document(notice(), {"id_numbers_masked": not whole, "appointments": listed}))
    return table_text(headers, rows, notice=notice())


def render_qualifications(views: Sequence[QualificationView], fmt: str) -> str:
    headers = _headers("qualification.header", QUALIFICATION_COLUMNS)
    if fmt == "csv":
        return csv_text(headers, qualification_rows(views), notice=notice())
    if fmt == "json":
        listed = [qualification_json(q) for q in views]
        return json_text(pii_document(notice(), {"id_numbers_masked": True, "qualifications": listed}))
    return table_text(headers, qualification_rows(views), notice=notice())


def export_appointments(
    views: Sequence[AppointmentView],
    fmt: str,
    path: Path,
    *,
    sheet: str,
    overwrite: bool = False,
    unmasked: Unmasking | None = None,
    entity_id: str = "all",
) -> int:
    """Write the list to ``path`` (xlsx, csv, json or table text); returns the number of rows."""
    _check(fmt, path, overwrite)
    _audit(unmasked, views, fmt, entity_id, path)
    if fmt == "xlsx":
        rows = appointment_rows(views, unmasked=unmasked is not None)
        headers = _headers("decision.header", APPOINTMENT_COLUMNS)
        write_atomically(path, lambda partial: write_xlsx(partial, [Sheet(sheet, headers, rows, notice())]))
    else:
        text = _appointments_text(views, fmt, unmasked is not None)
        write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8", newline=""))
    return len(views)


def _audit(
    unmasked: Unmasking | None, views: Sequence[AppointmentView], fmt: str, entity_id: str, path: Path | None
) -> None:
    if unmasked is not None:
        record_unmask(
            unmasked,
            entity="appointments",
            entity_id=entity_id,
            export=f"appointments.{fmt}",
            rows=len(views),
            file=path,
        )


def export_qualifications(
    views: Sequence[QualificationView], fmt: str, path: Path, *, overwrite: bool = False
) -> int:
    _check(fmt, path, overwrite)
    if fmt == "xlsx":
        rows = qualification_rows(views)
        headers = _headers("qualification.header", QUALIFICATION_COLUMNS)
        sheet = Sheet(t("qualification.sheet"), headers, rows, notice())
        write_atomically(path, lambda partial: write_xlsx(partial, [sheet]))
    else:
        text = render_qualifications(views, fmt)
        write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8", newline=""))
    return len(views)


def _check(fmt: str, path: Path, overwrite: bool) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format: {fmt}")
    if path.exists() and not overwrite:
        raise ExportError("export.exists", path=path)
