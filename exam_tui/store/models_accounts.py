"""Tables of the staff accounts: who may sign in, with which roles, and what they are assigned to.

An account holds a login name, a display name, an argon2id password hash (never the password), its roles
and the state of the lockout (failed attempts in a row, locked until). An assignment gives a proctor a
session's console, or a grader a session's or an exam's grading queue.

Imported by store.models, so SQLModel.metadata holds these tables whoever imports the models.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from exam_tui.store.columns import json_column, ts


class UserAccountRow(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, max_length=40)
    display_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=200)
    roles: list[str] = json_column(nullable=False)  # staff roles: admin, proctor, grader, reviewer
    disabled: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = ts(nullable=True)
    last_login_at: datetime | None = ts(nullable=True)
    created_at: datetime = ts()
    created_by: str | None = Field(default=None, max_length=100)
    updated_at: datetime = ts()


class UserAssignmentRow(SQLModel, table=True):
    """A proctor's session (role proctor, session_id), a grader's session or exam (role grader)."""

    __tablename__ = "user_assignment"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    role: str = Field(max_length=20)
    session_id: int | None = Field(default=None, foreign_key="exam_session.id", index=True)
    exam_ref: str | None = Field(default=None, max_length=200)  # BANK/EXAM, every session of the exam
    created_at: datetime = ts()
    created_by: str | None = Field(default=None, max_length=100)
