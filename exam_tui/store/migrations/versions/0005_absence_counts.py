"""an absence records whether the cadre could have sat the session, judged when it was recorded

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for absences recorded before: the decision policy judges those by the rule in force today.
    with op.batch_alter_table("session_candidate") as batch_op:
        batch_op.add_column(sa.Column("absence_counts", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("session_candidate") as batch_op:
        batch_op.drop_column("absence_counts")
