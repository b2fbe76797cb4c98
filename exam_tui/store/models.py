"""SQLModel tables. Schema changes go through Alembic only (store/migrations).

Aggregates: question banks (bank → bank_version → category, question, exam), the organisation (unit,
cadre), and exam sittings (exam_session → session_candidate, attempt → response; incident; audit_event).
Bank versions are never edited: an attempt keeps a snapshot of the paper it was given, so a later
version of a bank cannot change what a candidate answered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, Index, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and come back timezone-aware on every backend.

    SQLite has no time zones and returns naive values; without this a comparison between a stored
    deadline and an aware clock reading would raise.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


def _text(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(Text, nullable=nullable))


# ---- question banks ---------------------------------------------------------------------------


class BankRow(SQLModel, table=True):
    __tablename__ = "bank"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=100)
    title: str = Field(max_length=300)
    created_at: datetime = _ts()


class BankVersionRow(SQLModel, table=True):
    __tablename__ = "bank_version"
    __table_args__ = (UniqueConstraint("bank_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_id: int = Field(foreign_key="bank.id", index=True)
    number: int
    content_hash: str = Field(max_length=64)
    label: str | None = Field(default=None, max_length=100)
    title: str = Field(max_length=300)
    language: str = Field(max_length=20)
    source_file: str | None = Field(default=None, max_length=1000)
    question_count: int
    imported_at: datetime = _ts()


class CategoryRow(SQLModel, table=True):
    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("bank_version_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_version_id: int = Field(foreign_key="bank_version.id", index=True)
    slug: str = Field(max_length=100)
    title: str = Field(max_length=300)
    position: int


class QuestionRow(SQLModel, table=True):
    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("bank_version_id", "slug"),
        Index("ix_question_pool", "bank_version_id", "type", "category_slug"),
    )

    id: int | None = Field(default=None, primary_key=True)
    bank_version_id: int = Field(foreign_key="bank_version.id")
    slug: str = Field(max_length=100)
    position: int
    type: str = Field(max_length=20)
    category_slug: str = Field(max_length=100)
    stem: str = _text(nullable=False)
    options: dict[str, str] | None = _json()
    # single: "A"; multiple: ["A", "C"]; true_false: true; fill_blank: [["一年", "1年"], …]; short_answer: null
    answer: Any = _json()
    points: float | None = None
    difficulty: int = 3
    explanation: str | None = _text()
    source: str | None = Field(default=None, max_length=500)
    tags: list[str] | None = _json()
    rubric: str | None = _text()
    shuffle_options: bool = True


class ExamRow(SQLModel, table=True):
    __tablename__ = "exam"
    __table_args__ = (UniqueConstraint("bank_version_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_version_id: int = Field(foreign_key="bank_version.id", index=True)
    slug: str = Field(max_length=100)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=30)
    duration_minutes: int
    pass_score: float
    total_points: float
    shuffle_questions: bool = True
    review: str = Field(default="score", max_length=10)
    max_attempts: int = 1
    grades: list[dict[str, Any]] | None = _json()
    sections: list[dict[str, Any]] = _json(nullable=False)
    # Short answers marked by two graders (a third when they differ by more than marking_margin points).
    double_marking: bool = False
    marking_margin: float | None = None
    # Days between a failed sitting and a retake; None: the global setting.
    retake_gap_days: int | None = None


# ---- organisation -----------------------------------------------------------------------------


class UnitRow(SQLModel, table=True):
    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)


class CadreRow(SQLModel, table=True):
    __tablename__ = "cadre"

    id: int | None = Field(default=None, primary_key=True)
    id_number: str = Field(unique=True, max_length=18)
    name: str = Field(max_length=100)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    rank: str | None = Field(default=None, max_length=100)
    position: str | None = Field(default=None, max_length=200)
    proposed_post: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


# ---- exam sittings ----------------------------------------------------------------------------


class ExamSessionRow(SQLModel, table=True):
    __tablename__ = "exam_session"

    id: int | None = Field(default=None, primary_key=True)
    exam_id: int = Field(foreign_key="exam.id", index=True)
    title: str = Field(max_length=300)
    room: str | None = Field(default=None, max_length=200)
    starts_at: datetime = _ts(index=True)
    allow_late_minutes: int = 15
    access_code: str = Field(max_length=6, index=True)
    # Key for deriving each candidate's paper seed (HMAC): never shown to candidates.
    secret: str = Field(max_length=64)
    # Minutes added for everyone (a fire alarm, a power cut); a candidate's own extension is on the attempt.
    extra_minutes: int = 0
    # scheduled → open → started → closed
    state: str = Field(default="scheduled", max_length=20)
    created_at: datetime = _ts()
    opened_at: datetime | None = _ts(nullable=True)
    started_at: datetime | None = _ts(nullable=True)
    closed_at: datetime | None = _ts(nullable=True)


class SessionCandidateRow(SQLModel, table=True):
    __tablename__ = "session_candidate"
    __table_args__ = (UniqueConstraint("session_id", "cadre_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    seat: str | None = Field(default=None, max_length=50)
    absent: bool = False
    # Set with ``absent``: whether the cadre could have sat this session then (a retake not too early,
    # attempts left), so the absence counts as a sitting; None for absences recorded before 0005.
    absence_counts: bool | None = None
    checked_in_at: datetime | None = _ts(nullable=True)


class AttemptRow(SQLModel, table=True):
    __tablename__ = "attempt"
    __table_args__ = (UniqueConstraint("session_id", "cadre_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    exam_id: int = Field(foreign_key="exam.id")
    number: int = 1  # 1 = first sitting, 2 = the retake (补考), …
    # in_progress → graded, or pending_grading while a short answer awaits a grader. How it was handed
    # in (candidate, time_up, closed, terminated) is submit_reason.
    state: str = Field(default="in_progress", max_length=20)
    seed: str = Field(max_length=64)
    # The paper as given: questions, options in shown order, keys, points. Frozen at assembly.
    paper: dict[str, Any] = _json(nullable=False)
    item_count: int = 0  # len(paper["items"]): a save checks its item without reading the paper
    started_at: datetime = _ts()
    deadline_at: datetime = _ts()
    extra_minutes: int = 0
    submitted_at: datetime | None = _ts(nullable=True)
    submit_reason: str | None = Field(default=None, max_length=30)
    score: float | None = None
    passed: bool | None = None
    level: str | None = Field(default=None, max_length=100)
    graded_at: datetime | None = _ts(nullable=True)
    hostname: str | None = Field(default=None, max_length=255)
    focus_losses: int = 0
    resumes: int = 0
    last_heartbeat_at: datetime | None = _ts(nullable=True)
    current_item: int = 1  # where the candidate was, so a resume lands on the same question


class ResponseRow(SQLModel, table=True):
    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("attempt_id", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id", index=True)
    item: int  # position of the question in the paper, from 1
    answer: Any = _json()
    flagged: bool = False
    revision: int = 1
    saved_at: datetime = _ts()
    score: float | None = None


class IncidentRow(SQLModel, table=True):
    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    attempt_id: int | None = Field(default=None, foreign_key="attempt.id", index=True)
    kind: str = Field(max_length=40)
    reason: str | None = _text()
    actor: str | None = Field(default=None, max_length=100)
    created_at: datetime = _ts()
    details: dict[str, Any] | None = _json()


class AuditEventRow(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor: str | None = Field(default=None, max_length=100)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=100)
    details: dict[str, Any] | None = _json()


class SettingRow(SQLModel, table=True):
    """Settings that every machine must agree on (the retake gap), so they live in the database."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=200)
    updated_at: datetime = _ts()
    updated_by: str | None = Field(default=None, max_length=100)


# ---- decisions: appointments, marks, appeals --------------------------------------------------


class AppointmentRow(SQLModel, table=True):
    """A cadre proposed for a post, and where the pre-appointment exam leaves it.

    status/reason/… are what domain.policy decided from the sittings since ``opened_at``; an override
    (with its reason) takes precedence while it is set. ``effective_status`` is the one to act on.
    """

    __tablename__ = "appointment"

    id: int | None = Field(default=None, primary_key=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    post: str = Field(max_length=200)
    bank_slug: str = Field(max_length=100)
    exam_slug: str = Field(max_length=100)
    opened_at: datetime = _ts()
    opened_by: str | None = Field(default=None, max_length=100)
    status: str = Field(default="pending_exam", max_length=20)
    reason: str = Field(default="not_sat", max_length=30)
    attempts_used: int = 0
    attempt_id: int | None = Field(default=None, foreign_key="attempt.id")
    score: float | None = None
    retake_from: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    decided_at: datetime | None = _ts(nullable=True)
    override_status: str | None = Field(default=None, max_length=20)
    override_reason: str | None = _text()
    override_by: str | None = Field(default=None, max_length=100)
    override_at: datetime | None = _ts(nullable=True)
    effective_status: str = Field(default="pending_exam", max_length=20, index=True)
    note: str | None = _text()


class AppointmentDecisionRow(SQLModel, table=True):
    """Every change of an appointment's decision: who (or which event), when, why. Append-only."""

    __tablename__ = "appointment_decision"

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    at: datetime = _ts()
    actor: str | None = Field(default=None, max_length=100)
    # policy (an attempt, a grade, an appeal changed the sittings), override, override_lifted, note
    source: str = Field(max_length=20)
    status: str = Field(max_length=20)
    reason: str = Field(max_length=30)
    attempt_id: int | None = None
    score: float | None = None
    retake_from: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    note: str | None = _text()


class MarkRow(SQLModel, table=True):
    """A grader's (or an appeal reviewer's) points for one short answer."""

    __tablename__ = "mark"
    __table_args__ = (Index("ix_mark_answer", "attempt_id", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id")
    item: int
    grader: str = Field(max_length=100)
    kind: str = Field(default="grader", max_length=10)
    points: float
    comment: str | None = _text()
    at: datetime = _ts()


class KeyCorrectionRow(SQLModel, table=True):
    """A question's key found wrong (on appeal): every attempt that had the question is scored with it."""

    __tablename__ = "key_correction"

    id: int | None = Field(default=None, primary_key=True)
    bank_version_id: int = Field(foreign_key="bank_version.id", index=True)
    question_slug: str = Field(max_length=100)
    key: Any = _json(nullable=False)  # in the bank's terms, as a bank file would write it
    previous_key: Any = _json()
    reason: str = _text(nullable=False)
    actor: str = Field(max_length=100)
    at: datetime = _ts()
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id")


class AppealRow(SQLModel, table=True):
    """申诉: a cadre disputes an attempt's result; a reviewer reviews, may regrade, and decides."""

    __tablename__ = "appeal"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id", index=True)
    reason: str = _text(nullable=False)
    filed_by: str = Field(max_length=100)
    filed_at: datetime = _ts()
    state: str = Field(default="open", max_length=10)  # open → decided
    # score, passed, level and appointment decision when filed and when decided
    before: dict[str, Any] = _json(nullable=False)
    after: dict[str, Any] | None = _json()
    outcome: str | None = Field(default=None, max_length=10)  # upheld / changed
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = _ts(nullable=True)
    decision_note: str | None = _text()


class AppealStepRow(SQLModel, table=True):
    """Each thing done on an appeal, in order: filed, regrade, key_correction, decided."""

    __tablename__ = "appeal_step"

    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    at: datetime = _ts()
    actor: str = Field(max_length=100)
    action: str = Field(max_length=30)
    details: dict[str, Any] | None = _json()
