"""Tables of integrity education beyond the exam: training courses, the points ledger, competitions, practice.

Aggregates: a course (course → enrolment, role, attendance, speaker_draw; its closing test is an
ordinary exam session), the points ledger (points_entry, append-only: a correction is a reversing
entry), a competition (competition → competition_round; the final's teams, questions and answers),
and practice (practice_run → practice_answer; wrong_book, one row per cadre and question).

Imported by store.models, so SQLModel.metadata holds these tables whoever imports the models.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, UniqueConstraint
from sqlmodel import Field, SQLModel

from exam_tui.store.columns import json_column, text_column, ts

# ---- training courses ----------------------------------------------------------------------------


class CourseRow(SQLModel, table=True):
    """A course: closed training, new-cadre training, a warning-education visit or a Party lecture."""

    __tablename__ = "course"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=30)
    starts_on: date = Field(sa_column=Column(Date, nullable=False))
    ends_on: date = Field(sa_column=Column(Date, nullable=False))
    place: str | None = Field(default=None, max_length=200)
    organiser: str | None = Field(default=None, max_length=200)  # the organising body, in words
    target: str | None = text_column()  # the target group, in words (rank, units)
    notes: str | None = text_column()
    # The closing closed-book test: an ordinary exam session (its exam of kind training).
    closing_session_id: int | None = Field(default=None, foreign_key="exam_session.id")
    created_at: datetime = ts()
    created_by: str | None = Field(default=None, max_length=100)
    # 结业: the course is over and its points are posted; a correction after it reverses and re-posts.
    closed_at: datetime | None = ts(nullable=True)
    closed_by: str | None = Field(default=None, max_length=100)


class CourseEnrolmentRow(SQLModel, table=True):
    __tablename__ = "course_enrolment"
    __table_args__ = (UniqueConstraint("course_id", "cadre_id"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    enrolled_at: datetime = ts()


class CourseRoleRow(SQLModel, table=True):
    """A cadre who organised the course or gave its lecture (points for organising education)."""

    __tablename__ = "course_role"
    __table_args__ = (UniqueConstraint("course_id", "cadre_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    role: str = Field(max_length=20)  # organiser, lecturer


class AttendanceRow(SQLModel, table=True):
    """One cadre at one half-day of a course: present, late, or absent (with the reason)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("course_id", "cadre_id", "day", "half"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    day: date = Field(sa_column=Column(Date, nullable=False))
    half: str = Field(max_length=2)  # am, pm
    status: str = Field(max_length=10)  # present, late, absent
    reason: str | None = text_column()
    recorded_at: datetime = ts()
    recorded_by: str | None = Field(default=None, max_length=100)


class SpeakerDrawRow(SQLModel, table=True):
    """抽签发言: who was drawn, from whom, with which seed — enough for anyone to redo the draw."""

    __tablename__ = "speaker_draw"

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    at: datetime = ts()
    actor: str | None = Field(default=None, max_length=100)
    day: date = Field(sa_column=Column(Date, nullable=False))
    half: str = Field(max_length=2)
    k: int
    seed: str = Field(max_length=64)
    present: list[int] = json_column(nullable=False)
    spoken_before: list[int] = json_column(nullable=False)
    pool: Any = json_column(nullable=False)
    drawn: list[int] = json_column(nullable=False)
    new_round: bool = False


# ---- the points ledger ------------------------------------------------------------------------------


class PointsEntryRow(SQLModel, table=True):
    """One posting of integrity-education points. Never updated or deleted: a correction reverses it.

    (cadre_id, year, rule_id, source) identifies what an automatic posting is for; posting from the
    records compares what is due with the sum per key, so running it again posts nothing.
    """

    __tablename__ = "points_entry"

    id: int | None = Field(default=None, primary_key=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    year: int = Field(index=True)
    category: str = Field(max_length=20)
    points: float
    kind: str = Field(max_length=10)  # auto, manual, reversal
    rule_id: str | None = Field(default=None, max_length=60)
    source: str = Field(max_length=60)  # course:3, attempt:12, manual
    reverses_id: int | None = Field(default=None, foreign_key="points_entry.id")
    reason: str | None = text_column()
    detail: str | None = text_column()
    posted_at: datetime = ts()
    posted_by: str | None = Field(default=None, max_length=100)


class PointsRulesRow(SQLModel, table=True):
    """The points rules in force: the YAML text an admin imported (the newest row applies to all machines)."""

    __tablename__ = "points_rules"

    id: int | None = Field(default=None, primary_key=True)
    text: str = text_column(nullable=False)
    file_name: str = Field(max_length=300)
    imported_at: datetime = ts()
    imported_by: str | None = Field(default=None, max_length=100)


# ---- knowledge competitions ----------------------------------------------------------------------


class CompetitionRow(SQLModel, table=True):
    __tablename__ = "competition"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    bank_slug: str = Field(max_length=100)
    team_mode: str | None = Field(default=None, max_length=10)  # sum, mean: units compete as teams
    team_best: int | None = None  # a team's score counts its best this many members
    created_at: datetime = ts()
    created_by: str | None = Field(default=None, max_length=100)


class CompetitionRoundRow(SQLModel, table=True):
    """A round: the preliminary and semi-final are exam sessions; the final is played live."""

    __tablename__ = "competition_round"
    __table_args__ = (UniqueConstraint("competition_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    competition_id: int = Field(foreign_key="competition.id", index=True)
    stage: str = Field(max_length=12)  # preliminary, semi_final, final
    session_id: int | None = Field(default=None, foreign_key="exam_session.id")
    advance: int | None = None  # how many go on to the next round
    # Tiebreak points of those tied at the cut: {cadre id: [points of each tiebreak question]}.
    tiebreak: dict[str, list[float]] | None = json_column()
    advanced: list[int] | None = json_column()  # decided when the round is closed
    # The final: seconds per question, points for right / wrong / no answer, its questions' ids.
    seconds: int | None = None
    right_points: float | None = None
    wrong_points: float | None = None
    questions: list[str] | None = json_column()
    state: str = Field(default="open", max_length=10)  # open, closed
    created_at: datetime = ts()


class FinalTeamRow(SQLModel, table=True):
    __tablename__ = "final_team"
    __table_args__ = (UniqueConstraint("round_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="competition_round.id", index=True)
    name: str = Field(max_length=200)  # the unit's name
    code: str = Field(max_length=10)  # what the team types to join its terminal
    members: list[int] = json_column(nullable=False)


class FinalQuestionRow(SQLModel, table=True):
    """A question of the final as it was shown: when, until when (the database's clock)."""

    __tablename__ = "final_question"
    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="competition_round.id", index=True)
    number: int
    question: dict[str, Any] = json_column(nullable=False)  # the item as shown (a paper item)
    shown_at: datetime = ts()
    closes_at: datetime = ts()
    closed: bool = False


class FinalAnswerRow(SQLModel, table=True):
    __tablename__ = "final_answer"
    __table_args__ = (UniqueConstraint("round_id", "number", "team_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="competition_round.id", index=True)
    number: int
    team_id: int = Field(foreign_key="final_team.id")
    answer: Any = json_column()
    answered_at: datetime = ts()
    correct: bool = False


# ---- practice and the wrong-answer book ---------------------------------------------------------


class PracticeRunRow(SQLModel, table=True):
    """A cadre practising from a bank outside any session; never part of an exam result."""

    __tablename__ = "practice_run"

    id: int | None = Field(default=None, primary_key=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    bank_slug: str = Field(max_length=100)
    mode: str = Field(max_length=12)  # sequential, random, wrong_book
    category: str | None = Field(default=None, max_length=100)
    started_at: datetime = ts()


class PracticeAnswerRow(SQLModel, table=True):
    __tablename__ = "practice_answer"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="practice_run.id", index=True)
    question_slug: str = Field(max_length=100)
    answer: Any = json_column()
    correct: bool
    at: datetime = ts()


class WrongBookRow(SQLModel, table=True):
    """错题本: a question the cadre got wrong, until answered right twice in a row from the book."""

    __tablename__ = "wrong_book"
    __table_args__ = (UniqueConstraint("cadre_id", "bank_slug", "question_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    bank_slug: str = Field(max_length=100)
    question_slug: str = Field(max_length=100)
    source: str = Field(max_length=60)  # practice:5, attempt:12 — where it was last got wrong
    times_wrong: int = 1
    streak: int = 0  # right answers in a row since it was last wrong
    added_at: datetime = ts()
    last_wrong_at: datetime = ts()
    cleared_at: datetime | None = ts(nullable=True)
