"""appointments and their decisions, short-answer marks, appeals and key corrections, settings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setting",
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(100), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempt.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_attempt_id"), ["attempt_id"], unique=False)

    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cadre_id", sa.Integer(), nullable=False),
        sa.Column("post", sa.String(200), nullable=False),
        sa.Column("bank_slug", sa.String(100), nullable=False),
        sa.Column("exam_slug", sa.String(100), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("attempts_used", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("retake_from", sa.Date(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("override_status", sa.String(20), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_by", sa.String(100), nullable=True),
        sa.Column("override_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("effective_status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempt.id"],
        ),
        sa.ForeignKeyConstraint(
            ["cadre_id"],
            ["cadre.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_cadre_id"), ["cadre_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_appointment_effective_status"), ["effective_status"], unique=False
        )

    op.create_table(
        "mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("grader", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempt.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mark", schema=None) as batch_op:
        batch_op.create_index("ix_mark_answer", ["attempt_id", "item"], unique=False)

    op.create_table(
        "appeal_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeal.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("appeal_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_step_appeal_id"), ["appeal_id"], unique=False)

    op.create_table(
        "appointment_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("retake_from", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("appointment_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointment_decision_appointment_id"), ["appointment_id"], unique=False
        )

    op.create_table(
        "key_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_version_id", sa.Integer(), nullable=False),
        sa.Column("question_slug", sa.String(100), nullable=False),
        sa.Column("key", sa.JSON(), nullable=False),
        sa.Column("previous_key", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["bank_version_id"],
            ["bank_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("key_correction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_key_correction_bank_version_id"), ["bank_version_id"], unique=False
        )

    # Plain ADD COLUMN, not batch mode: on SQLite a batch rebuild drops and recreates ``exam``, which
    # sessions and attempts reference, and the foreign keys refuse that. The server default stays on
    # SQLite (removing it would need the rebuild); the app always writes the column anyway.
    op.add_column("exam", sa.Column("double_marking", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("exam", sa.Column("marking_margin", sa.Float(), nullable=True))
    op.add_column("exam", sa.Column("retake_gap_days", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("exam", "double_marking", server_default=None)


def downgrade() -> None:
    for column in ("retake_gap_days", "marking_margin", "double_marking"):
        op.drop_column("exam", column)

    with op.batch_alter_table("key_correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_correction_bank_version_id"))

    op.drop_table("key_correction")
    with op.batch_alter_table("appointment_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_decision_appointment_id"))

    op.drop_table("appointment_decision")
    with op.batch_alter_table("appeal_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_step_appeal_id"))

    op.drop_table("appeal_step")
    with op.batch_alter_table("mark", schema=None) as batch_op:
        batch_op.drop_index("ix_mark_answer")

    op.drop_table("mark")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_effective_status"))
        batch_op.drop_index(batch_op.f("ix_appointment_cadre_id"))

    op.drop_table("appointment")
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_attempt_id"))

    op.drop_table("appeal")
    op.drop_table("setting")
