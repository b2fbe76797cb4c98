"""SQLModel tables. Schema changes go through Alembic only (store/migrations).

Aggregates: question banks (bank → bank_version → category, question, exam), the organisation (unit,
cadre), and exam sittings (exam_session → session_candidate, attempt → response; incident; audit_event).
Bank versions are never edited: an attempt keeps a snapshot of the paper it was given, so a later
version of a bank cannot change what a candidate answered.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from exam_tui.store.columns import json_column, text_column, ts

# ---- question banks ---------------------------------------------------------------------------


class BankRow(SQLModel, table=True):
    __tablename__ = "bank"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=100)
    title: str = Field(max_length=300)
    created_at: datetime = ts()


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
    imported_at: datetime = ts()


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
    stem: str = text_column(nullable=False)
    options: dict[str, str] | None = json_column()
    # single: "A"; multiple: ["A", "C"]; true_false: true; fill_blank: [["一年", "1年"], …]; short_answer: null
    answer: Any = json_column()
    points: float | None = None
    difficulty: int = 3
    explanation: str | None = text_column()
    source: str | None = Field(default=None, max_length=500)
    tags: list[str] | None = json_column()
    rubric: str | None = text_column()
    shuffle_options: bool = True
    # The bank file's reviewed mark, stored so that an export gives back the file's every key.
    reviewed: bool = False


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
    grades: list[dict[str, Any]] | None = json_column()
    sections: list[dict[str, Any]] = json_column(nullable=False)
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
    # 干部类别 as the roster gives it: 一把手, 新提拔, 关键岗位, 新录用公务员, several joined by 、
    category: str | None = Field(default=None, max_length=200)
    created_at: datetime = ts()
    updated_at: datetime = ts()


# ---- exam sittings ----------------------------------------------------------------------------


class ExamSessionRow(SQLModel, table=True):
    __tablename__ = "exam_session"

    id: int | None = Field(default=None, primary_key=True)
    exam_id: int = Field(foreign_key="exam.id", index=True)
    title: str = Field(max_length=300)
    room: str | None = Field(default=None, max_length=200)
    starts_at: datetime = ts(index=True)
    allow_late_minutes: int = 15
    access_code: str = Field(max_length=6, index=True)
    # Key for deriving each candidate's paper seed (HMAC): never shown to candidates.
    secret: str = Field(max_length=64)
    # Minutes added for everyone (a fire alarm, a power cut); a candidate's own extension is on the attempt.
    extra_minutes: int = 0
    # scheduled → open → started → closed
    state: str = Field(default="scheduled", max_length=20)
    created_at: datetime = ts()
    opened_at: datetime | None = ts(nullable=True)
    started_at: datetime | None = ts(nullable=True)
    closed_at: datetime | None = ts(nullable=True)


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
    checked_in_at: datetime | None = ts(nullable=True)


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
    paper: dict[str, Any] = json_column(nullable=False)
    item_count: int = 0  # len(paper["items"]): a save checks its item without reading the paper
    started_at: datetime = ts()
    deadline_at: datetime = ts()
    extra_minutes: int = 0
    submitted_at: datetime | None = ts(nullable=True)
    submit_reason: str | None = Field(default=None, max_length=30)
    score: float | None = None
    passed: bool | None = None
    level: str | None = Field(default=None, max_length=100)
    graded_at: datetime | None = ts(nullable=True)
    hostname: str | None = Field(default=None, max_length=255)
    focus_losses: int = 0
    resumes: int = 0
    last_heartbeat_at: datetime | None = ts(nullable=True)
    current_item: int = 1  # where the candidate was, so a resume lands on the same question
    # The head of this attempt's chain of answer saves (store.audit_log).
    audit_seq: int = 0
    audit_hash: str = Field(default="0" * 64, max_length=64)


class ResponseRow(SQLModel, table=True):
    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("attempt_id", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id", index=True)
    item: int  # position of the question in the paper, from 1
    answer: Any = json_column()
    flagged: bool = False
    revision: int = 1
    saved_at: datetime = ts()
    score: float | None = None


class AttemptTokenRow(SQLModel, table=True):
    """The terminal token of an attempt, as its SHA-256 (the token itself is only ever on the terminal
    that began or last resumed the attempt). A lab machine signed in as the candidate-terminal role
    reaches an attempt only through the functions of store.roles, and only with its token; resuming
    issues a new one, so the terminal given up stops being able to write."""

    __tablename__ = "attempt_token"

    attempt_id: int = Field(foreign_key="attempt.id", primary_key=True)
    token_hash: str = Field(max_length=64)
    issued_at: datetime = ts()


class IncidentRow(SQLModel, table=True):
    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    attempt_id: int | None = Field(default=None, foreign_key="attempt.id", index=True)
    kind: str = Field(max_length=40)
    reason: str | None = text_column()
    actor: str | None = Field(default=None, max_length=100)
    created_at: datetime = ts()
    details: dict[str, Any] | None = json_column()


class AuditEventRow(SQLModel, table=True):
    """One event of the audit trail. Services add rows with the first fields; the chain fields are
    filled when the transaction commits (store.audit_log), so a row without them was not written by
    the application."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq", name="uq_audit_event_chain_seq"),
        Index("ix_audit_event_subject", "entity", "entity_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = ts(index=True)
    actor: str | None = Field(default=None, max_length=100)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=100)
    details: dict[str, Any] | None = json_column()
    chain: str = Field(default="main", max_length=40)  # main, or attempt:N for its answers
    seq: int | None = None
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class AuditHeadRow(SQLModel, table=True):
    """The main chain's last link (one row): locked by every append, compared by ``audit verify``."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)


class SettingRow(SQLModel, table=True):
    """Settings that every machine must agree on (the retake gap), so they live in the database."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=200)
    updated_at: datetime = ts()
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
    opened_at: datetime = ts()
    opened_by: str | None = Field(default=None, max_length=100)
    status: str = Field(default="pending_exam", max_length=20)
    reason: str = Field(default="not_sat", max_length=30)
    attempts_used: int = 0
    attempt_id: int | None = Field(default=None, foreign_key="attempt.id")
    score: float | None = None
    retake_from: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    decided_at: datetime | None = ts(nullable=True)
    override_status: str | None = Field(default=None, max_length=20)
    override_reason: str | None = text_column()
    override_by: str | None = Field(default=None, max_length=100)
    override_at: datetime | None = ts(nullable=True)
    effective_status: str = Field(default="pending_exam", max_length=20, index=True)
    note: str | None = text_column()


class AppointmentDecisionRow(SQLModel, table=True):
    """Every change of an appointment's decision: who (or which event), when, why. Append-only."""

    __tablename__ = "appointment_decision"

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    at: datetime = ts()
    actor: str | None = Field(default=None, max_length=100)
    # policy (an attempt, a grade, an appeal changed the sittings), override, override_lifted, note
    source: str = Field(max_length=20)
    status: str = Field(max_length=20)
    reason: str = Field(max_length=30)
    attempt_id: int | None = None
    score: float | None = None
    retake_from: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    note: str | None = text_column()


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
    comment: str | None = text_column()
    at: datetime = ts()


class KeyCorrectionRow(SQLModel, table=True):
    """A question's key found wrong (on appeal): every attempt that had the question is scored with it."""

    __tablename__ = "key_correction"

    id: int | None = Field(default=None, primary_key=True)
    bank_version_id: int = Field(foreign_key="bank_version.id", index=True)
    question_slug: str = Field(max_length=100)
    key: Any = json_column(nullable=False)  # in the bank's terms, as a bank file would write it
    previous_key: Any = json_column()
    reason: str = text_column(nullable=False)
    actor: str = Field(max_length=100)
    at: datetime = ts()
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id")


class AppealRow(SQLModel, table=True):
    """申诉: a cadre disputes an attempt's result; a reviewer reviews, may regrade, and decides."""

    __tablename__ = "appeal"

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id", index=True)
    reason: str = text_column(nullable=False)
    filed_by: str = Field(max_length=100)
    filed_at: datetime = ts()
    state: str = Field(default="open", max_length=10)  # open → decided
    # score, passed, level and appointment decision when filed and when decided
    before: dict[str, Any] = json_column(nullable=False)
    after: dict[str, Any] | None = json_column()
    outcome: str | None = Field(default=None, max_length=10)  # upheld / changed
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = ts(nullable=True)
    decision_note: str | None = text_column()


class AppealStepRow(SQLModel, table=True):
    """Each thing done on an appeal, in order: filed, regrade, key_correction, decided."""

    __tablename__ = "appeal_step"

    id: int | None = Field(default=None, primary_key=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True)
    at: datetime = ts()
    actor: str = Field(max_length=100)
    action: str = Field(max_length=30)
    details: dict[str, Any] | None = json_column()


# The tables of training, points, competitions and practice, and those of the staff accounts, live in
# their own modules; importing them here puts them on SQLModel.metadata for whoever imports the models
# (Alembic, the storage tests). audit_log (which imports them too) installs the listeners by which every
# session chains and seals what it writes (see its docstring).
import exam_tui.store.audit_log  # noqa: E402
import exam_tui.store.models_accounts  # noqa: E402
import exam_tui.store.models_desk  # noqa: E402
import exam_tui.store.models_training  # noqa: E402, F401
