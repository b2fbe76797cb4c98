"""the audit trail as hash chains: chain, seq, prev_hash, hash on every event; the main chain's head;
each attempt's chain of answer saves headed in its row; the trail so far chained and every result
sealed as it stands (store.audit_log)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.add_column(sa.Column("chain", sa.String(40), nullable=False, server_default="main"))
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(64), nullable=True))
        batch_op.create_unique_constraint("uq_audit_event_chain_seq", ["chain", "seq"])
        batch_op.create_index("ix_audit_event_subject", ["entity", "entity_id"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.execute(sa.text(f"INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '{GENESIS}')"))
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.add_column(sa.Column("audit_seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("audit_hash", sa.String(64), nullable=False, server_default=GENESIS))

    # What is already there: the events so far chained in the order they were written, each attempt's
    # answers as its chain, every result sealed as it stands now.
    from exam_tui.store.audit_log import chain_existing

    chain_existing(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.drop_column("audit_hash")
        batch_op.drop_column("audit_seq")
    op.drop_table("audit_head")
    # Events a newer version added (answer saves, seals) are kept: the older schema has room for them.
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_index("ix_audit_event_subject")
        batch_op.drop_constraint("uq_audit_event_chain_seq", type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
        batch_op.drop_column("chain")
