"""Perception (issue 3): stored calibrations (a user's neutral rest signals).

One table, ``calibrations``: every recorded rest of a profile (latest wins, history kept), values as
JSON keyed by signal name.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calibrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("frames", sa.Integer, nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
    )
    op.create_index("ix_calibrations_profile_created", "calibrations", ["profile_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_calibrations_profile_created", table_name="calibrations")
    op.drop_table("calibrations")
