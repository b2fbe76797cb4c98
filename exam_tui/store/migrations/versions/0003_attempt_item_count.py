"""attempts keep their paper's item count, so a save checks the item without reading the paper

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.add_column(sa.Column("item_count", sa.Integer(), nullable=False, server_default="0"))
    bind = op.get_bind()
    # Count in Python: the JSON functions differ between SQLite and PostgreSQL and this runs once.
    for attempt_id, paper in bind.execute(sa.text("SELECT id, paper FROM attempt")).all():
        items = (json.loads(paper) if isinstance(paper, str) else paper).get("items", [])
        bind.execute(
            sa.text("UPDATE attempt SET item_count = :n WHERE id = :id"), {"n": len(items), "id": attempt_id}
        )
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.alter_column("item_count", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.drop_column("item_count")
