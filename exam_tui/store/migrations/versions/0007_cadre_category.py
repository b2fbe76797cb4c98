"""a cadre's category (干部类别: 一把手, 新提拔, 关键岗位, 新录用公务员), for the coverage reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cadre") as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cadre") as batch_op:
        batch_op.drop_column("category")
