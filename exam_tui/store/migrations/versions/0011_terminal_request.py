"""the sign-in desk's queue: requests of lab terminals running as the candidate-terminal role (admit,
begin, hand in, result) and their outcomes, served by a process with the proctor's rights

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "terminal_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("attempt_id", sa.Integer(), sa.ForeignKey("attempt.id"), nullable=True),
        sa.Column("hostname", sa.String(100), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
    )
    with op.batch_alter_table("terminal_request") as batch:
        batch.create_index("ix_terminal_request_attempt_id", ["attempt_id"])
        batch.create_index("ix_terminal_request_done_at", ["done_at"])


def downgrade() -> None:
    op.drop_table("terminal_request")
