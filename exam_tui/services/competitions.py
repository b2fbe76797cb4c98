"""Knowledge competitions (知识竞赛): the preliminary and semi-final as exam sessions, and who goes on.

A round's session is an ordinary exam session of the competition's bank. When it is closed, the round
is decided by domain.competition: the top ``advance`` by score, then time taken; those still tied at
the cut are asked a tiebreak question (their points recorded here) and the round is decided again.
The semi-final seats exactly those the preliminary advanced; the final (services.final) is played live
by the units of those the semi-final advanced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.competition import Advancement, Entrant, Stage, TeamScore, advance, rank, team_scores
from exam_tui.domain.idnumber import InvalidIdNumber, mask, normalise_id_number
from exam_tui.domain.sittings import SessionState
from exam_tui.i18n import t
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError, SessionView, find_exam, schedule_session, session_views
from exam_tui.store.models import (
    AttemptRow,
    AuditEventRow,
    CadreRow,
    ExamSessionRow,
    SessionCandidateRow,
    UnitRow,
)
from exam_tui.store.models_training import CompetitionRoundRow, CompetitionRow

EXAM_STAGES = (Stage.PRELIMINARY, Stage.SEMI_FINAL)
STAGES = tuple(Stage)  # the rounds, in the order they are held


@dataclass(frozen=True)
class CompetitionView:
    id: int
    title: str
    bank: str
    team_mode: str | None
    team_best: int | None
    rounds: list[RoundView]


@dataclass(frozen=True)
class RoundView:
    id: int
    stage: str
    state: str  # open, closed
    session: SessionView | None
    advance: int | None
    advanced: list[int] | None


@dataclass(frozen=True)
class Standing:
    cadre_id: int
    id_number_masked: str
    name: str
    unit: str
    score: float | None
    seconds: float | None
    tiebreak: tuple[float, ...]
    place: int | None  # None: did not sit
    advanced: bool
    tied: bool  # tied at the cut: waits for a tiebreak question


@dataclass(frozen=True)
class RoundResult:
    round: RoundView
    standings: list[Standing]
    teams: list[TeamScore]
    tied: list[int]  # cadre ids still tied at the cut


def audit(
    session: Session, now: datetime, actor: str | None, action: str, competition_id: int, **details: object
) -> None:
    session.add(
        AuditEventRow(
            at=now,
            actor=actor,
            action=action,
            entity="competition",
            entity_id=str(competition_id),
            details=dict(details),
        )
    )


def competition_row(session: Session, competition_id: int, *, lock: bool = False) -> CompetitionRow:
    row = session.get(CompetitionRow, competition_id, with_for_update=lock)
    if row is None:
        raise SessionError("competition.not_found", id=competition_id)
    return row


def round_row(
    session: Session, competition_id: int, stage: str, *, lock: bool = False
) -> CompetitionRoundRow:
    stmt = select(CompetitionRoundRow).where(
        CompetitionRoundRow.competition_id == competition_id, CompetitionRoundRow.stage == stage
    )
    row = session.execute(stmt.with_for_update() if lock else stmt).scalar_one_or_none()
    if row is None:
        raise SessionError("competition.no_round", id=competition_id, stage=stage_title(stage))
    return row


def check_stage(stage: str, *, exam: bool = False) -> Stage:
    """``stage`` as a round's name; refused with the valid names when it is none (or, with ``exam``, when
    it is the final, which is played live rather than sat as an exam session)."""
    if stage not in STAGES:
        allowed = EXAM_STAGES if exam else STAGES
        raise SessionError(
            "competition.bad_stage",
            stage=stage,
            stages=t("competition.stage_sep").join(
                t("competition.stage_name", name=s.value, title=stage_title(s)) for s in allowed
            ),
        )
    if exam and stage not in EXAM_STAGES:
        raise SessionError("competition.not_an_exam_round", stage=stage_title(stage))
    return Stage(stage)


def create_competition(
    db: Database,
    *,
    title: str,
    bank: str,
    team_mode: str | None = None,
    team_best: int | None = None,
    actor: str | None,
    clock: MaybeClock = None,
) -> int:
    """A competition on one bank; units also compete as teams when ``team_mode`` is sum or mean."""
    title = " ".join(title.split())
    if not title:
        raise SessionError("competition.title_required")
    if team_mode not in (None, "sum", "mean"):
        raise SessionError("competition.bad_team_mode", mode=team_mode)
    if team_mode is not None and (team_best is None or team_best < 1):
        raise SessionError("competition.team_best_required")
    with db.write() as session:
        now = now_in(session, clock)
        row = CompetitionRow(
            title=title,
            bank_slug=bank,
            team_mode=team_mode,
            team_best=team_best if team_mode else None,
            created_at=now,
            created_by=actor,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        audit(session, now, actor, "competition.create", row.id, title=title, bank=bank)
        return row.id


def open_round(
    db: Database,
    competition_id: int,
    stage: str,
    *,
    exam: str,
    starts_at: datetime,
    advance_count: int,
    room: str | None = None,
    id_numbers: Sequence[str] = (),
    actor: str | None,
    clock: MaybeClock = None,
) -> SessionView:
    """The preliminary (seating ``id_numbers``) or the semi-final (seating those the preliminary advanced)."""
    check_stage(stage, exam=True)
    if advance_count < 1:
        raise SessionError("competition.bad_advance", n=advance_count)
    with db.read() as session:
        comp = competition_row(session, competition_id)
        if exam.partition("/")[0] != comp.bank_slug:
            raise SessionError("competition.other_bank", exam=exam, bank=comp.bank_slug)
        find_exam(session, exam)
        taken = session.execute(
            select(CompetitionRoundRow.id).where(
                CompetitionRoundRow.competition_id == competition_id, CompetitionRoundRow.stage == stage
            )
        ).first()
        if taken is not None:
            raise SessionError("competition.round_exists", stage=stage)
        if stage == Stage.SEMI_FINAL:
            before = round_row(session, competition_id, Stage.PRELIMINARY)
            if before.state != "closed" or not before.advanced:
                raise SessionError("competition.previous_open", stage=Stage.PRELIMINARY)
            id_numbers = list(
                session.execute(
                    select(CadreRow.id_number).where(CadreRow.id.in_(before.advanced))  # type: ignore[union-attr]
                ).scalars()
            )
        title = comp.title
    view = schedule_session(
        db,
        exam_ref=exam,
        title=t("competition.session_title", title=title, stage=stage_title(stage)),
        room=room,
        starts_at=starts_at,
        id_numbers=id_numbers,
        open_now=True,
        clock=clock,
        actor=actor,
    )
    with db.write() as session:
        now = now_in(session, clock)
        session.add(
            CompetitionRoundRow(
                competition_id=competition_id,
                stage=stage,
                session_id=view.id,
                advance=advance_count,
                created_at=now,
            )
        )
        audit(session, now, actor, "competition.round", competition_id, stage=stage, exam_session=view.id)
    return view


def stage_title(stage: str) -> str:
    return t(f"competition.stage.{stage}")


def _entrants(
    session: Session, round_row: CompetitionRoundRow
) -> tuple[list[Entrant], dict[int, tuple[CadreRow, str]]]:
    """Everyone seated in the round's session, with their graded score and the time they took."""
    seated = session.execute(
        select(CadreRow, UnitRow.name)
        .join(SessionCandidateRow, SessionCandidateRow.cadre_id == CadreRow.id)  # type: ignore[arg-type]
        .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
        .where(SessionCandidateRow.session_id == round_row.session_id)
    ).all()
    attempts = {
        a.cadre_id: a
        for a in session.execute(
            select(AttemptRow).where(AttemptRow.session_id == round_row.session_id)
        ).scalars()
    }
    tiebreak = round_row.tiebreak or {}
    people: dict[int, tuple[CadreRow, str]] = {}
    entrants = []
    for cadre, unit in seated:
        people[cadre.id] = (cadre, unit)  # type: ignore[index]
        a = attempts.get(cadre.id)  # type: ignore[arg-type]
        graded = a is not None and a.state == "graded" and a.score is not None
        # Whole seconds: a candidate is not ahead of another by the milliseconds a terminal took to hand in.
        seconds = (
            float(int((a.submitted_at - a.started_at).total_seconds())) if graded and a.submitted_at else None
        )  # type: ignore[union-attr]
        points = tiebreak.get(str(cadre.id))
        entrants.append(
            Entrant(
                key=cadre.id,  # type: ignore[arg-type]
                unit=unit,
                score=a.score if graded else None,  # type: ignore[union-attr]
                seconds=seconds,
                tiebreak=tuple(points) if points else None,
            )
        )
    return entrants, people


def _decided(round_row: CompetitionRoundRow, entrants: list[Entrant]) -> Advancement:
    assert round_row.advance is not None
    return advance(entrants, round_row.advance)


def close_round(
    db: Database, competition_id: int, stage: str, *, actor: str | None, clock: MaybeClock = None
) -> RoundResult:
    """Decide the round once its session is closed and every paper graded; a tie at the cut stays open."""
    check_stage(stage, exam=True)
    with db.write() as session:
        now = now_in(session, clock)
        row = round_row(session, competition_id, stage, lock=True)
        if row.state == "closed":
            raise SessionError("competition.round_closed", stage=stage)
        exam_session = session.get(ExamSessionRow, row.session_id)
        assert exam_session is not None
        if exam_session.state != SessionState.CLOSED:
            raise SessionError("competition.session_open", session=exam_session.id)
        pending = session.execute(
            select(AttemptRow.id).where(AttemptRow.session_id == row.session_id, AttemptRow.state != "graded")
        ).first()
        if pending is not None:
            raise SessionError("competition.grading_pending", session=exam_session.id)
        entrants, _ = _entrants(session, row)
        if not any(e.sat for e in entrants):
            raise SessionError("competition.nobody_sat", stage=stage)
        decided = _decided(row, entrants)
        if decided.resolved:
            row.state, row.advanced = "closed", list(decided.advanced)
            session.add(row)
            audit(
                session,
                now,
                actor,
                "competition.advance",
                competition_id,
                stage=stage,
                advanced=list(decided.advanced),
            )
        else:
            audit(
                session, now, actor, "competition.tied", competition_id, stage=stage, tied=list(decided.tied)
            )
        session.flush()
        return _result(session, competition_id, row)


def record_tiebreak(
    db: Database,
    competition_id: int,
    stage: str,
    points: Mapping[str, float],
    *,
    actor: str | None,
    clock: MaybeClock = None,
) -> RoundResult:
    """Points of a tiebreak question asked of those tied at the cut (ID number → points), then decide again."""
    check_stage(stage, exam=True)
    with db.write() as session:
        now = now_in(session, clock)
        row = round_row(session, competition_id, stage, lock=True)
        if row.state == "closed":
            raise SessionError("competition.round_closed", stage=stage)
        entrants, _ = _entrants(session, row)
        tied = set(_decided(row, entrants).tied)
        if not tied:
            raise SessionError("competition.nobody_tied", stage=stage)
        by_number: dict[str, int] = {}
        for raw in points:
            try:
                number = normalise_id_number(raw)
            except InvalidIdNumber as exc:
                raise SessionError("course.bad_id", value=raw, reason=exc.reason) from exc
            cadre_id = session.execute(
                select(CadreRow.id).where(CadreRow.id_number == number)
            ).scalar_one_or_none()
            if cadre_id not in tied:
                raise SessionError("competition.not_tied", id_number=mask(number))
            by_number[raw] = cadre_id  # type: ignore[assignment]
        if set(by_number.values()) != tied:
            raise SessionError("competition.tiebreak_everyone", count=len(tied))
        stored = dict(row.tiebreak or {})
        for raw, cadre_id in by_number.items():
            stored[str(cadre_id)] = [*stored.get(str(cadre_id), []), float(points[raw])]
        row.tiebreak = stored
        session.add(row)
        session.flush()
        audit(
            session,
            now,
            actor,
            "competition.tiebreak",
            competition_id,
            stage=stage,
            points={str(v): points[k] for k, v in by_number.items()},
        )
    return close_round(db, competition_id, stage, actor=actor, clock=clock)


def _round_view(session: Session, row: CompetitionRoundRow) -> RoundView:
    exam_session = session.get(ExamSessionRow, row.session_id) if row.session_id else None
    return RoundView(
        id=row.id,  # type: ignore[arg-type]
        stage=row.stage,
        state=row.state,
        session=session_views(session, [exam_session])[0] if exam_session is not None else None,
        advance=row.advance,
        advanced=row.advanced,
    )


def _result(session: Session, competition_id: int, row: CompetitionRoundRow) -> RoundResult:
    comp = competition_row(session, competition_id)
    entrants, people = _entrants(session, row)
    decided = _decided(row, entrants)
    places = {p.entrant.key: p.place for p in rank(entrants)}
    advanced = set(row.advanced or decided.advanced)
    tied = set(decided.tied) if row.state != "closed" else set()
    by_key = {e.key: e for e in entrants}
    order = [p.entrant.key for p in rank(entrants)] + [e.key for e in entrants if not e.sat]
    standings = [
        Standing(
            cadre_id=key,
            id_number_masked=mask(people[key][0].id_number),
            name=people[key][0].name,
            unit=people[key][1],
            score=by_key[key].score,
            seconds=by_key[key].seconds,
            tiebreak=by_key[key].tiebreak_points,
            place=places.get(key),
            advanced=key in advanced,
            tied=key in tied,
        )
        for key in order
    ]
    teams = team_scores(entrants, comp.team_mode, comp.team_best or 1) if comp.team_mode else []  # type: ignore[arg-type]
    return RoundResult(_round_view(session, row), standings, teams, sorted(tied))


def round_result(db: Database, competition_id: int, stage: str) -> RoundResult:
    """A round sat as an exam session: its standings and team scores (the final's board: services.final)."""
    check_stage(stage, exam=True)
    with db.read() as session:
        return _result(session, competition_id, round_row(session, competition_id, stage))


def competition(db: Database, competition_id: int) -> CompetitionView:
    with db.read() as session:
        comp = competition_row(session, competition_id)
        rounds = session.execute(
            select(CompetitionRoundRow)
            .where(CompetitionRoundRow.competition_id == competition_id)
            .order_by(CompetitionRoundRow.id)  # type: ignore[arg-type]
        ).scalars()
        return CompetitionView(
            comp.id,
            comp.title,
            comp.bank_slug,
            comp.team_mode,
            comp.team_best,
            [_round_view(session, r) for r in rounds],  # type: ignore[arg-type]
        )


def list_competitions(db: Database) -> list[CompetitionView]:
    with db.read() as session:
        ids = list(session.execute(select(CompetitionRow.id).order_by(CompetitionRow.id.desc())).scalars())  # type: ignore[union-attr]
    return [competition(db, i) for i in ids]  # type: ignore[arg-type]
