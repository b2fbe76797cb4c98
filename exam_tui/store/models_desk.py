"""The sign-in desk's queue: what a lab terminal signed in as the candidate-terminal role asks of a
process that holds the proctor's rights (services.desk), and the answer it gets back.

A terminal cannot admit itself, draw its paper, hand in or read its result: those read the roster, the
session's secret and the keys. It inserts a request through a SECURITY DEFINER function (store.
desk_functions) with the SHA-256 of a secret of its own; the desk serves the request and writes the
outcome, which only the holder of that secret can read back.

Imported by store.models, so SQLModel.metadata holds this table whoever imports the models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from exam_tui.store.columns import json_column, ts

REQUEST_KINDS = ("admit", "begin", "hand_in", "result")


class TerminalRequestRow(SQLModel, table=True):
    __tablename__ = "terminal_request"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    # SHA-256 (hex) of the terminal's secret: the outcome is read back only with the secret, and the
    # attempt a terminal begins takes it as its terminal token.
    token_hash: str = Field(max_length=64)
    attempt_id: int | None = Field(default=None, foreign_key="attempt.id", index=True)
    hostname: str | None = Field(default=None, max_length=100)
    # What the terminal asked (admit: the login typed, the code; begin: the admit request it follows).
    # The login and the code are cleared once the request is served.
    params: dict[str, Any] = json_column(nullable=False)
    created_at: datetime = ts()
    claimed_at: datetime | None = ts(nullable=True)
    done_at: datetime | None = ts(nullable=True, index=True)
    outcome: dict[str, Any] | None = json_column(nullable=True)
