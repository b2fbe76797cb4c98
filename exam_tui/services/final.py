"""The final (决赛) played live: one question at a time to every team, a countdown, a scoreboard after each.

The host's screen shows the next question (``show_next``); each team's terminal polls ``team_state``
and answers with ``answer`` until the question's deadline, kept by the database's clock like an exam's.
A question is over at its deadline or when the host closes it early; only then does anyone see its key
and the scoreboard move. Teams are the units of those the semi-final advanced; a team joins with a code,
and its joining is recorded (an audit event ``final.join``) so that the host can see who is in.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from exam_tui.domain.competition import BoardRow, FinalAnswer, FinalRule, Stage, scoreboard
from exam_tui.domain.paper import PaperItem
from exam_tui.domain.practice import Mode, check, order, practice_item
from exam_tui.domain.sittings import ACCESS_CODE_ALPHABET
from exam_tui.services.attempts import pool_of
from exam_tui.services.banks import current_version
from exam_tui.services.competitions import audit, competition_row, round_row
from exam_tui.services.runtime import Database, MaybeClock, now_in
from exam_tui.services.sessions import SessionError
from exam_tui.store.models import AuditEventRow, CadreRow, UnitRow
from exam_tui.store.models_training import CompetitionRoundRow, FinalAnswerRow, FinalQuestionRow, FinalTeamRow

CODE_LENGTH = 4
OBJECTIVE = ("single", "multiple", "true_false")  # what a team can answer in seconds, and the screen mark
GRACE = timedelta(seconds=1)  # an answer sent in the last instant still counts (network, a busy server)


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    code: str
    members: list[str]  # names


@dataclass(frozen=True)
class Shown:
    """A question as the room sees it; ``item.key`` is None until the question is over."""

    number: int
    total: int
    item: PaperItem
    shown_at: datetime
    closes_at: datetime
    over: bool
    seconds_left: float
    answered: int  # teams that have answered


@dataclass(frozen=True)
class Board:
    round_id: int
    title: str
    state: str  # open, closed
    teams: list[Team]
    current: Shown | None
    asked: int  # questions shown so far
    total: int
    rows: list[BoardRow]  # over the questions that are over
    joined: frozenset[int] = frozenset()  # the teams (ids) whose terminal has joined this final


@dataclass(frozen=True)
class TeamState:
    team: Team
    title: str
    current: Shown | None
    my_answer: Any
    correct: bool | None  # known once the question is over
    rows: list[BoardRow]
    finished: bool


def _final(session: Session, round_id: int, *, lock: bool = False) -> CompetitionRoundRow:
    row = session.get(CompetitionRoundRow, round_id, with_for_update=lock)
    if row is None or row.stage != Stage.FINAL:
        raise SessionError("final.not_found", id=round_id)
    return row


def _teams(session: Session, round_id: int) -> list[FinalTeamRow]:
    return list(
        session.execute(
            select(FinalTeamRow).where(FinalTeamRow.round_id == round_id).order_by(FinalTeamRow.id)
        ).scalars()  # type: ignore[arg-type]
    )


def _team_view(session: Session, row: FinalTeamRow) -> Team:
    names = dict(
        session.execute(select(CadreRow.id, CadreRow.name).where(CadreRow.id.in_(row.members))).all()  # type: ignore[union-attr]
    )
    return Team(row.id, row.name, row.code, [names[m] for m in row.members if m in names])  # type: ignore[arg-type]


def open_final(
    db: Database,
    competition_id: int,
    *,
    questions: int,
    seconds: int,
    right: float = 10,
    wrong: float = 0,
    seed: str | None = None,
    actor: str | None,
    clock: MaybeClock = None,
) -> list[Team]:
    """The final: the units of those the semi-final advanced become teams, each with a code to join, and
    ``questions`` objective questions of the bank are drawn (with ``seed``) to be shown one by one."""
    if not 1 <= questions <= 100:
        raise SessionError("final.bad_count", n=questions)
    if not 5 <= seconds <= 600:
        raise SessionError("final.bad_seconds", seconds=seconds)
    try:
        FinalRule(right=right, wrong=wrong)  # refuses what cannot be a number of points
    except ValueError:
        raise SessionError("final.bad_points", right=right, wrong=wrong) from None
    with db.write() as session:
        now = now_in(session, clock)
        comp = competition_row(session, competition_id, lock=True)
        semi = round_row(session, competition_id, Stage.SEMI_FINAL)
        if semi.state != "closed" or not semi.advanced:
            raise SessionError("competition.previous_open", stage=Stage.SEMI_FINAL)
        if session.execute(
            select(CompetitionRoundRow.id).where(
                CompetitionRoundRow.competition_id == competition_id, CompetitionRoundRow.stage == Stage.FINAL
            )
        ).first():
            raise SessionError("competition.round_exists", stage=Stage.FINAL)
        _, version = current_version(session, comp.bank_slug)
        pool = [q.slug for q in pool_of(session, version.id) if q.type in OBJECTIVE]  # type: ignore[arg-type]
        if len(pool) < questions:
            raise SessionError("final.too_few_questions", n=questions, available=len(pool))
        seed = seed or secrets.token_hex(16)
        row = CompetitionRoundRow(
            competition_id=competition_id,
            stage=Stage.FINAL,
            seconds=seconds,
            right_points=right,
            wrong_points=wrong,
            questions=order(pool, Mode.RANDOM, seed)[:questions],
            created_at=now,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        by_unit: dict[str, list[int]] = defaultdict(list)
        for cadre_id, unit in session.execute(
            select(CadreRow.id, UnitRow.name)
            .join(UnitRow, UnitRow.id == CadreRow.unit_id)  # type: ignore[arg-type]
            .where(CadreRow.id.in_(semi.advanced))  # type: ignore[union-attr]
            .order_by(UnitRow.id, CadreRow.id)
        ).all():
            by_unit[unit].append(cadre_id)
        rng = random.Random(seed)
        used: set[str] = set()
        for unit, members in by_unit.items():
            code = _code(rng, used)
            session.add(FinalTeamRow(round_id=row.id, name=unit, code=code, members=members))
        session.flush()
        audit(
            session,
            now,
            actor,
            "competition.final",
            competition_id,
            round=row.id,
            seed=seed,
            questions=row.questions,
        )
        # The seed is kept with the questions it drew (the audit event), so the draw can be redone.
        return [_team_view(session, t) for t in _teams(session, row.id)]


def _code(rng: random.Random, used: set[str]) -> str:
    while True:
        code = "".join(rng.choice(ACCESS_CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in used:
            used.add(code)
            return code


def final_round_id(db: Database, competition_id: int) -> int:
    with db.read() as session:
        return round_row(session, competition_id, Stage.FINAL).id  # type: ignore[return-value]


def join(db: Database, code: str, *, clock: MaybeClock = None) -> tuple[int, Team]:
    """The team whose code this is, in an open final: (round id, team). Joining an open final is recorded,
    so that the host's screen shows the team as in (:func:`joined`)."""
    code = code.strip().upper()
    with db.write() as session:
        # Codes are unique within a final; an open final's team first, else the latest final's (a
        # terminal restarted after the end still shows the final board).
        found = []
        for row in session.execute(select(FinalTeamRow).where(FinalTeamRow.code == code)).scalars():
            final = session.get(CompetitionRoundRow, row.round_id)
            if final is not None:
                found.append((final.state == "open", row.round_id, row, final))
        if not found:
            raise SessionError("final.bad_code")
        is_open, round_id, row, final = max(found, key=lambda f: (f[0], f[1]))
        if is_open:
            audit(
                session,
                now_in(session, clock),
                None,  # a team's terminal, not a person
                "final.join",
                final.competition_id,
                round=round_id,
                team=row.id,
                name=row.name,
            )
        return round_id, _team_view(session, row)


def _joined(session: Session, final: CompetitionRoundRow) -> frozenset[int]:
    """Teams of ``final`` that have joined: its ``final.join`` events (all at or after the final's opening,
    which keeps the read on the audit log's time index)."""
    details = session.execute(
        select(AuditEventRow.details).where(
            AuditEventRow.at >= final.created_at,
            AuditEventRow.action == "final.join",
            AuditEventRow.entity == "competition",
            AuditEventRow.entity_id == str(final.competition_id),
        )
    ).scalars()
    return frozenset(d["team"] for d in details if d and d.get("round") == final.id)


def joined(db: Database, round_id: int) -> frozenset[int]:
    """The ids of the final's teams whose terminal has joined it (once joined, a team stays joined)."""
    with db.read() as session:
        return _joined(session, _final(session, round_id))


def _item(data: dict[str, Any]) -> PaperItem:
    fields = dict(data)
    fields["options"] = tuple(tuple(pair) for pair in fields.get("options") or ())
    fields["bank_letters"] = tuple(fields.get("bank_letters") or ())
    return PaperItem(**fields)


def _current(session: Session, final: CompetitionRoundRow) -> FinalQuestionRow | None:
    return session.execute(
        select(FinalQuestionRow)
        .where(FinalQuestionRow.round_id == final.id)
        .order_by(FinalQuestionRow.number.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).scalar_one_or_none()


def _over(question: FinalQuestionRow, now: datetime) -> bool:
    """Over once the host stops it or its grace after the deadline has passed: only then is the key shown,
    so no answer can arrive after anyone has seen it."""
    return question.closed or now >= question.closes_at + GRACE


def _shown(session: Session, final: CompetitionRoundRow, q: FinalQuestionRow, now: datetime) -> Shown:
    over = _over(q, now)
    item = _item(q.question)
    if not over:
        item = replace(item, key=None, explanation=None, bank_letters=())  # nothing that gives it away
    answered = len(
        session.execute(
            select(FinalAnswerRow.id).where(
                FinalAnswerRow.round_id == final.id, FinalAnswerRow.number == q.number
            )
        ).all()
    )
    return Shown(
        number=q.number,
        total=len(final.questions or []),
        item=item,
        shown_at=q.shown_at,
        closes_at=q.closes_at,
        over=over,
        seconds_left=max(0.0, (q.closes_at - now).total_seconds()) if not over else 0.0,
        answered=answered,
    )


def show_next(db: Database, round_id: int, *, actor: str | None, clock: MaybeClock = None) -> Shown:
    """The host shows the next question to every team; its countdown starts now (the database's clock)."""
    with db.write() as session:
        now = now_in(session, clock)
        final = _final(session, round_id, lock=True)
        if final.state != "open":
            raise SessionError("final.finished")
        current = _current(session, final)
        if current is not None and not _over(current, now):
            raise SessionError("final.question_running", n=current.number)
        number = (current.number if current else 0) + 1
        slugs = final.questions or []
        if number > len(slugs):
            raise SessionError("final.no_more_questions")
        comp = competition_row(session, final.competition_id)
        _, version = current_version(session, comp.bank_slug)
        pool = {q.slug: q for q in pool_of(session, version.id)}  # type: ignore[arg-type]
        item = practice_item(pool[slugs[number - 1]], number, f"{final.id:08x}{number:08x}")
        assert final.seconds is not None
        row = FinalQuestionRow(
            round_id=round_id,
            number=number,
            question=asdict(item),
            shown_at=now,
            closes_at=now + timedelta(seconds=final.seconds),
        )
        session.add(row)
        session.flush()
        audit(
            session,
            now,
            actor,
            "final.show",
            final.competition_id,
            round=round_id,
            number=number,
            question=item.question,
        )
        return _shown(session, final, row, now)


def close_question(db: Database, round_id: int, *, actor: str | None, clock: MaybeClock = None) -> Shown:
    """The host ends the running question before its countdown (every team has answered, say)."""
    with db.write() as session:
        now = now_in(session, clock)
        final = _final(session, round_id, lock=True)
        current = _current(session, final)
        if current is None:
            raise SessionError("final.nothing_shown")
        if not _over(current, now):
            current.closed = True
            session.add(current)
            session.flush()
            audit(
                session,
                now,
                actor,
                "final.close_question",
                final.competition_id,
                round=round_id,
                number=current.number,
            )
        return _shown(session, final, current, now)


def answer(db: Database, team_id: int, number: int, given: Any, *, clock: MaybeClock = None) -> None:
    """A team's answer to the running question: once, and before its deadline."""
    with db.write() as session:
        now = now_in(session, clock)
        team = session.get(FinalTeamRow, team_id)
        if team is None:
            raise SessionError("final.bad_code")
        final = _final(session, team.round_id)
        current = _current(session, final)
        if current is None or current.number != number:
            raise SessionError("final.not_current", n=number)
        if _over(current, now):
            raise SessionError("final.too_late", n=number)
        if session.execute(
            select(FinalAnswerRow.id).where(
                FinalAnswerRow.round_id == final.id,
                FinalAnswerRow.number == number,
                FinalAnswerRow.team_id == team_id,
            )
        ).first():
            raise SessionError("final.already_answered", n=number)
        result = check(_item(current.question), given)
        session.add(
            FinalAnswerRow(
                round_id=final.id,
                number=number,
                team_id=team_id,
                answer=given,
                answered_at=now,
                correct=bool(result.correct),
            )
        )


def _rows(session: Session, final: CompetitionRoundRow, now: datetime) -> list[BoardRow]:
    teams = {t.id: t.name for t in _teams(session, final.id)}  # type: ignore[misc]
    questions = {
        q.number: q
        for q in session.execute(
            select(FinalQuestionRow).where(FinalQuestionRow.round_id == final.id)
        ).scalars()
        if _over(q, now)
    }
    answers = [
        FinalAnswer(
            team=teams[a.team_id],
            question=a.number,
            answer=a.answer,
            correct=a.correct,
            answered_after=max(0.0, (a.answered_at - questions[a.number].shown_at).total_seconds()),
        )
        for a in session.execute(select(FinalAnswerRow).where(FinalAnswerRow.round_id == final.id)).scalars()
        if a.number in questions and a.answer is not None
    ]
    rule = FinalRule(
        right=10 if final.right_points is None else final.right_points,
        wrong=0 if final.wrong_points is None else final.wrong_points,
    )
    return scoreboard(answers, list(teams.values()), rule, questions=set(questions))


def board(db: Database, round_id: int, *, clock: MaybeClock = None) -> Board:
    """What the host's screen shows: the running (or last) question, how many answered, the scoreboard."""
    with db.read() as session:
        now = now_in(session, clock)
        final = _final(session, round_id)
        comp = competition_row(session, final.competition_id)
        current = _current(session, final)
        return Board(
            round_id=round_id,
            title=comp.title,
            state=final.state,
            teams=[_team_view(session, t) for t in _teams(session, round_id)],
            current=_shown(session, final, current, now) if current else None,
            asked=current.number if current else 0,
            total=len(final.questions or []),
            rows=_rows(session, final, now),
            joined=_joined(session, final),
        )


def team_state(db: Database, team_id: int, *, clock: MaybeClock = None) -> TeamState:
    """What a team's terminal shows: the running question (no key), its answer, and, after, the result."""
    with db.read() as session:
        now = now_in(session, clock)
        row = session.get(FinalTeamRow, team_id)
        if row is None:
            raise SessionError("final.bad_code")
        final = _final(session, row.round_id)
        comp = competition_row(session, final.competition_id)
        current = _current(session, final)
        mine = None
        if current is not None:
            mine = session.execute(
                select(FinalAnswerRow).where(
                    FinalAnswerRow.round_id == final.id,
                    FinalAnswerRow.number == current.number,
                    FinalAnswerRow.team_id == team_id,
                )
            ).scalar_one_or_none()
        shown = _shown(session, final, current, now) if current else None
        return TeamState(
            team=_team_view(session, row),
            title=comp.title,
            current=shown,
            my_answer=mine.answer if mine else None,
            # Known once the question is over; None also when the team gave no answer.
            correct=mine.correct if mine is not None and shown is not None and shown.over else None,
            rows=_rows(session, final, now),
            finished=final.state != "open",
        )


def finish(db: Database, round_id: int, *, actor: str | None, clock: MaybeClock = None) -> list[BoardRow]:
    """The final is over (after its last question): the scoreboard stands and the teams' terminals say so."""
    with db.write() as session:
        now = now_in(session, clock)
        final = _final(session, round_id, lock=True)
        current = _current(session, final)
        if current is not None and not _over(current, now):
            raise SessionError("final.question_running", n=current.number)
        final.state = "closed"
        session.add(final)
        rows = _rows(session, final, now)
        audit(
            session,
            now,
            actor,
            "final.finish",
            final.competition_id,
            round=round_id,
            board=[{"team": r.team, "points": r.points, "place": r.place} for r in rows],
        )
        return rows
