"""training courses, attendance, speaker draws, the points ledger, competitions, practice and the wrong-answer book

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "points_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table("competition",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("bank_slug", sa.String(100), nullable=False),
    sa.Column("team_mode", sa.String(10), nullable=True),
    sa.Column("team_best", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=True),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_table("points_entry",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("cadre_id", sa.Integer(), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("points", sa.Float(), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("rule_id", sa.String(60), nullable=True),
    sa.Column("source", sa.String(60), nullable=False),
    sa.Column("reverses_id", sa.Integer(), nullable=True),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("detail", sa.Text(), nullable=True),
    sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("posted_by", sa.String(100), nullable=True),
    sa.ForeignKeyConstraint(["cadre_id"], ["cadre.id"], ),
    sa.ForeignKeyConstraint(["reverses_id"], ["points_entry.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_points_entry_cadre_id"), "points_entry", ["cadre_id"], unique=False)
    op.create_index(op.f("ix_points_entry_year"), "points_entry", ["year"], unique=False)
    op.create_table("practice_run",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("cadre_id", sa.Integer(), nullable=False),
    sa.Column("bank_slug", sa.String(100), nullable=False),
    sa.Column("mode", sa.String(12), nullable=False),
    sa.Column("category", sa.String(100), nullable=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["cadre_id"], ["cadre.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_practice_run_cadre_id"), "practice_run", ["cadre_id"], unique=False)
    op.create_table("wrong_book",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("cadre_id", sa.Integer(), nullable=False),
    sa.Column("bank_slug", sa.String(100), nullable=False),
    sa.Column("question_slug", sa.String(100), nullable=False),
    sa.Column("source", sa.String(60), nullable=False),
    sa.Column("times_wrong", sa.Integer(), nullable=False),
    sa.Column("streak", sa.Integer(), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_wrong_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["cadre_id"], ["cadre.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("cadre_id", "bank_slug", "question_slug")
    )
    op.create_index(op.f("ix_wrong_book_cadre_id"), "wrong_book", ["cadre_id"], unique=False)
    op.create_table("practice_answer",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("run_id", sa.Integer(), nullable=False),
    sa.Column("question_slug", sa.String(100), nullable=False),
    sa.Column("answer", sa.JSON(), nullable=True),
    sa.Column("correct", sa.Boolean(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["run_id"], ["practice_run.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_practice_answer_run_id"), "practice_answer", ["run_id"], unique=False)
    op.create_table("competition_round",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("competition_id", sa.Integer(), nullable=False),
    sa.Column("stage", sa.String(12), nullable=False),
    sa.Column("session_id", sa.Integer(), nullable=True),
    sa.Column("advance", sa.Integer(), nullable=True),
    sa.Column("tiebreak", sa.JSON(), nullable=True),
    sa.Column("advanced", sa.JSON(), nullable=True),
    sa.Column("seconds", sa.Integer(), nullable=True),
    sa.Column("right_points", sa.Float(), nullable=True),
    sa.Column("wrong_points", sa.Float(), nullable=True),
    sa.Column("questions", sa.JSON(), nullable=True),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["competition_id"], ["competition.id"], ),
    sa.ForeignKeyConstraint(["session_id"], ["exam_session.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("competition_id", "stage")
    )
    op.create_index(op.f("ix_competition_round_competition_id"), "competition_round", ["competition_id"], unique=False)
    op.create_table("course",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("starts_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date(), nullable=False),
    sa.Column("place", sa.String(200), nullable=True),
    sa.Column("organiser", sa.String(200), nullable=True),
    sa.Column("target", sa.Text(), nullable=True),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.Column("closing_session_id", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=True),
    sa.ForeignKeyConstraint(["closing_session_id"], ["exam_session.id"], ),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_by", sa.String(100), nullable=True),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_table("attendance",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("course_id", sa.Integer(), nullable=False),
    sa.Column("cadre_id", sa.Integer(), nullable=False),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("half", sa.String(2), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=True),
    sa.ForeignKeyConstraint(["cadre_id"], ["cadre.id"], ),
    sa.ForeignKeyConstraint(["course_id"], ["course.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("course_id", "cadre_id", "day", "half")
    )
    op.create_index(op.f("ix_attendance_cadre_id"), "attendance", ["cadre_id"], unique=False)
    op.create_index(op.f("ix_attendance_course_id"), "attendance", ["course_id"], unique=False)
    op.create_table("course_enrolment",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("course_id", sa.Integer(), nullable=False),
    sa.Column("cadre_id", sa.Integer(), nullable=False),
    sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["cadre_id"], ["cadre.id"], ),
    sa.ForeignKeyConstraint(["course_id"], ["course.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("course_id", "cadre_id")
    )
    op.create_index(op.f("ix_course_enrolment_cadre_id"), "course_enrolment", ["cadre_id"], unique=False)
    op.create_index(op.f("ix_course_enrolment_course_id"), "course_enrolment", ["course_id"], unique=False)
    op.create_table("course_role",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("course_id", sa.Integer(), nullable=False),
    sa.Column("cadre_id", sa.Integer(), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.ForeignKeyConstraint(["cadre_id"], ["cadre.id"], ),
    sa.ForeignKeyConstraint(["course_id"], ["course.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("course_id", "cadre_id", "role")
    )
    op.create_index(op.f("ix_course_role_cadre_id"), "course_role", ["cadre_id"], unique=False)
    op.create_index(op.f("ix_course_role_course_id"), "course_role", ["course_id"], unique=False)
    op.create_table("final_question",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("round_id", sa.Integer(), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("question", sa.JSON(), nullable=False),
    sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed", sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(["round_id"], ["competition_round.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("round_id", "number")
    )
    op.create_index(op.f("ix_final_question_round_id"), "final_question", ["round_id"], unique=False)
    op.create_table("final_team",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("round_id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("code", sa.String(10), nullable=False),
    sa.Column("members", sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(["round_id"], ["competition_round.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("round_id", "name")
    )
    op.create_index(op.f("ix_final_team_round_id"), "final_team", ["round_id"], unique=False)
    op.create_table("speaker_draw",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("course_id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(100), nullable=True),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("half", sa.String(2), nullable=False),
    sa.Column("k", sa.Integer(), nullable=False),
    sa.Column("seed", sa.String(64), nullable=False),
    sa.Column("present", sa.JSON(), nullable=False),
    sa.Column("spoken_before", sa.JSON(), nullable=False),
    sa.Column("pool", sa.JSON(), nullable=False),
    sa.Column("drawn", sa.JSON(), nullable=False),
    sa.Column("new_round", sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(["course_id"], ["course.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_speaker_draw_course_id"), "speaker_draw", ["course_id"], unique=False)
    op.create_table("final_answer",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("round_id", sa.Integer(), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("team_id", sa.Integer(), nullable=False),
    sa.Column("answer", sa.JSON(), nullable=True),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("correct", sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(["round_id"], ["competition_round.id"], ),
    sa.ForeignKeyConstraint(["team_id"], ["final_team.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("round_id", "number", "team_id")
    )
    op.create_index(op.f("ix_final_answer_round_id"), "final_answer", ["round_id"], unique=False)


def downgrade() -> None:
    op.drop_table("points_rules")
    op.drop_table("final_answer")
    op.drop_table("speaker_draw")
    op.drop_table("final_team")
    op.drop_table("final_question")
    op.drop_table("course_role")
    op.drop_table("course_enrolment")
    op.drop_table("attendance")
    op.drop_table("course")
    op.drop_table("competition_round")
    op.drop_table("practice_answer")
    op.drop_table("wrong_book")
    op.drop_table("practice_run")
    op.drop_table("points_entry")
    op.drop_table("competition")
