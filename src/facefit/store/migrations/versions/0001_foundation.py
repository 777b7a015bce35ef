"""Foundation: profiles, sessions, session steps and session events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("routine_id", sa.String(80)),
        sa.Column("exercise_id", sa.String(80)),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stop_reason", sa.Text),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    op.create_index("ix_sessions_profile_id", "sessions", ["profile_id"])
    op.create_table(
        "session_steps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("exercise_id", sa.String(80), nullable=False),
        sa.Column("set_index", sa.Integer, nullable=False),
        sa.Column("reps_target", sa.Integer),
        sa.Column("reps_done", sa.Integer),
        sa.Column("hold_s", sa.Float),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("skipped", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("completed_at", TS, nullable=False),
    )
    op.create_index("ix_session_steps_session_id", "session_steps", ["session_id"])
    op.create_table(
        "session_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("t_s", sa.Float, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_session_events_session_kind", "session_events", ["session_id", "kind"])


def downgrade() -> None:
    op.drop_table("session_events")
    op.drop_table("session_steps")
    op.drop_table("sessions")
    op.drop_table("profiles")
