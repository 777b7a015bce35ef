"""Live coaching across server processes (issue 18): what a live session needs to resume anywhere, and
which live connections each profile holds.

``live_sessions``: one row per resumable live session (the session row's id): its set plan, the set to
continue at and the rest the coach found in its first still second, so a client that reconnects to
another process or host continues at the next set exactly as on the first. Removed when the session ends.
``live_connections``: one row per open live connection, renewed by its server while it runs and expired
otherwise, so the per-account limit holds across every process on the database.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "live_sessions",
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("exercise_id", sa.String(80), nullable=False),
        sa.Column("plan", sa.JSON, nullable=False),
        sa.Column("next_set", sa.Integer, nullable=False),
        sa.Column("rest", sa.JSON),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_live_sessions_profile_id", "live_sessions", ["profile_id"])
    op.create_table(
        "live_connections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("server", sa.String(120), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_live_connections_profile_id", "live_connections", ["profile_id"])
    op.create_index("ix_live_connections_server", "live_connections", ["server"])


def downgrade() -> None:
    op.drop_table("live_connections")
    op.drop_table("live_sessions")
