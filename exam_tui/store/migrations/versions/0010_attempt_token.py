"""each attempt's terminal token: a random secret issued when the attempt begins or resumes, kept here
only as its SHA-256, through which a lab machine signed in as the candidate-terminal role reaches that
one attempt (store.roles)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempt_token",
        sa.Column(
            "attempt_id", sa.Integer(), sa.ForeignKey("attempt.id"), primary_key=True, autoincrement=False
        ),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("attempt_token")
