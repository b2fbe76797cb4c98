"""sessions keep a secret for paper seeds; attempts keep a hex seed, grade level and current item

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exam_session") as batch_op:
        batch_op.add_column(sa.Column("secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("extra_minutes", sa.Integer(), nullable=False, server_default="0"))
    bind = op.get_bind()
    # Sessions from before: give each its own secret (their attempts keep the seeds they were drawn with).
    for (session_id,) in bind.execute(sa.text("SELECT id FROM exam_session")).all():
        bind.execute(
            sa.text("UPDATE exam_session SET secret = :s WHERE id = :id"),
            {"s": secrets.token_hex(32), "id": session_id},
        )
    with op.batch_alter_table("exam_session") as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("extra_minutes", server_default=None)

    with op.batch_alter_table("attempt") as batch_op:
        batch_op.alter_column(
            "seed",
            existing_type=sa.Integer(),
            type_=sa.String(length=64),
            existing_nullable=False,
            postgresql_using="seed::text",
        )
        batch_op.add_column(sa.Column("level", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("current_item", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.alter_column("current_item", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.drop_column("current_item")
        batch_op.drop_column("level")
        batch_op.alter_column(
            "seed", existing_type=sa.String(length=64), type_=sa.Integer(), postgresql_using="0"
        )
    with op.batch_alter_table("exam_session") as batch_op:
        batch_op.drop_column("extra_minutes")
        batch_op.drop_column("secret")
