"""Decisions, records and appeals as lines of text for the terminal, and their JSON shapes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from exam_tui.formats.results_export import cell_text
from exam_tui.i18n import t
from exam_tui.services.decision_exports import reason_text, status_text, why_text
from exam_tui.services.decision_reports import AppointmentView, CadreRecord, DecisionEntry


def when(value: datetime | None) -> str:
    return cell_text(value, empty="-")


def _score(value: float | None, total: float | None = None) -> str:
    text = cell_text(value, empty="-")
    return f"{text}/{cell_text(total)}" if total is not None and value is not None else text


def appointment_lines(view: AppointmentView, history: Sequence[DecisionEntry]) -> list[str]:
    lines = [
        t(
            "cli.appointment.heading",
            id=view.id,
            name=view.name,
            unit=view.unit,
            post=view.post,
            exam=view.exam,
        ),
        t(
            "cli.appointment.current",
            status=status_text(view.policy_status),
            reason=reason_text(view.reason),
            score=_score(view.score),
            used=view.attempts_used,
            max=view.max_attempts,
            retake=view.retake_from.isoformat() if view.retake_from else "-",
        ),
    ]
    if view.override_status:
        # The override is what is in force; the exam results' decision stays visible beneath it.
        lines.insert(
            1,
            t(
                "cli.appointment.in_force",
                status=status_text(view.override_status),
                by=view.override_by,
                reason=view.override_reason,
            ),
        )
    if view.note:
        lines.append(t("cli.appointment.note", note=view.note))
    lines.append(t("cli.appointment.history"))
    lines.extend(history_line(entry) for entry in history)
    return lines


def history_line(entry: DecisionEntry) -> str:
    return t(
        "cli.appointment.history_line",
        at=when(entry.at),
        actor=entry.actor or t("cli.appointment.system"),
        source=t(f"decision.source.{entry.source}"),
        status=status_text(entry.status),
        reason=reason_text(entry.reason),
        note=why_text(entry.source, entry.note),
    ).rstrip()


def history_json(history: Sequence[DecisionEntry]) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at.isoformat(),
            "actor": e.actor,
            "source": e.source,
            "status": e.status,
            "reason": e.reason,
            "score": e.score,
            "retake_from": e.retake_from.isoformat() if e.retake_from else None,
            "note": e.note,
        }
        for e in history
    ]


def cadre_lines(record: CadreRecord) -> list[str]:
    lines = [
        t("cli.cadre.show.heading", name=record.name, id_number=record.id_number_masked, unit=record.unit),
        t(
            "cli.cadre.show.posts",
            rank=record.rank or "-",
            position=record.position or "-",
            proposed=record.proposed_post or "-",
        ),
        "",
        t("cli.cadre.show.sittings"),
    ]
    if not record.sittings and not record.absences:
        lines.append("  " + t("cli.cadre.show.none"))
    for s in record.sittings:
        lines.append(
            t(
                "cli.cadre.show.sitting",
                attempt=s.attempt_id,
                at=when(s.started_at),
                exam=s.exam,
                session=s.session,
                number=s.number,
                state=t(f"cli.cadre.show.state.{_sitting_state(s.state, s.submit_reason)}"),
                score=_score(s.score, s.total_points),
                result=_result(s.passed, s.level),
            ).rstrip()
        )
    for session_id, session, exam in record.absences:
        lines.append(t("cli.cadre.show.absent", session_id=session_id, session=session, exam=exam))
    lines += ["", t("cli.cadre.show.appointments")]
    if not record.appointments:
        lines.append("  " + t("cli.cadre.show.none"))
    for view, history in record.appointments:
        lines.extend("  " + line for line in appointment_lines(view, history))
    lines += ["", t("cli.cadre.show.qualifications")]
    if not record.qualifications:
        lines.append("  " + t("cli.cadre.show.none"))
    for q in record.qualifications:
        lines.append(
            t(
                "cli.cadre.show.qualification",
                exam=q.exam,
                level=q.level,
                score=_score(q.score),
                on=q.granted_on,
            )
        )
    lines += ["", t("cli.cadre.show.appeals")]
    if not record.appeals:
        lines.append("  " + t("cli.cadre.show.none"))
    for a in record.appeals:
        lines.append(
            t(
                "cli.cadre.show.appeal",
                id=a["id"],
                attempt=a["attempt"],
                at=when(a["filed_at"]),
                state=t(f"cli.appeal.state.{a['state']}"),
                outcome=t(f"cli.appeal.outcome.{a['outcome']}") if a["outcome"] else "",
            ).rstrip()
        )
    lines += ["", t("cli.cadre.show.courses")]
    if not record.courses:
        lines.append("  " + t("cli.cadre.show.none"))
    for c in record.courses:
        lines.append(
            t(
                "cli.cadre.show.course",
                id=c.id,
                title=c.title,
                kind=t(f"points.kind.{c.kind}"),
                starts=c.starts_on.isoformat(),
                ends=c.ends_on.isoformat(),
                attended=c.attended,
                half_days=c.half_days,
                state=t("course.closed_word") if c.closed else t("course.open"),
            )
        )
    lines += ["", t("cli.cadre.show.points")]
    if not record.points:
        lines.append("  " + t("cli.cadre.show.none"))
    for y in record.points:
        parts = t("course.sep").join(
            f"{t(f'points.category.{c}')} {_score(total.counted)}" for c, total in y.totals.items()
        )
        lines.append(t("cli.cadre.show.year_points", year=y.year, parts=parts, total=_score(y.total)))
    return lines


def _sitting_state(state: str, reason: str | None) -> str:
    if reason == "terminated":
        return "terminated"
    return state


def _result(passed: bool | None, level: str | None) -> str:
    if passed is None:
        return ""
    word = t("cli.cadre.show.passed") if passed else t("cli.cadre.show.failed")
    return f"{word} {level}" if level else word


def cadre_json(record: CadreRecord) -> dict[str, Any]:
    from exam_tui.services.decision_exports import appointment_json, qualification_json

    return {
        "id_number": record.id_number_masked,
        "name": record.name,
        "unit": record.unit,
        "rank": record.rank,
        "position": record.position,
        "proposed_post": record.proposed_post,
        "sittings": [
            {
                "attempt": s.attempt_id,
                "session": s.session_id,
                "session_title": s.session,
                "exam": s.exam,
                "kind": s.kind,
                "number": s.number,
                "started_at": s.started_at.isoformat(),
                "submitted_at": s.submitted_at.isoformat() if s.submitted_at else None,
                "state": s.state,
                "submit_reason": s.submit_reason,
                "score": s.score,
                "total_points": s.total_points,
                "passed": s.passed,
                "level": s.level,
            }
            for s in record.sittings
        ],
        "absences": [{"session": i, "session_title": s, "exam": e} for i, s, e in record.absences],
        "appointments": [
            appointment_json(view) | {"history": history_json(history)}
            for view, history in record.appointments
        ],
        "qualifications": [qualification_json(q) for q in record.qualifications],
        "appeals": [a | {"filed_at": a["filed_at"].isoformat()} for a in record.appeals],
        "courses": [
            {
                "id": c.id,
                "title": c.title,
                "kind": c.kind,
                "starts_on": c.starts_on.isoformat(),
                "ends_on": c.ends_on.isoformat(),
                "attended_half_days": c.attended,
                "half_days": c.half_days,
                "closed": c.closed,
            }
            for c in record.courses
        ],
        "points": [
            {"year": y.year, "counted": {c: v.counted for c, v in y.totals.items()}, "total": y.total}
            for y in record.points
        ],
    }
