"""Safety and habits (issue 6): screenings, safety flags and acknowledgements, enrolments, lifestyle days.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _profile_fk() -> sa.Column:
    profiles = sa.ForeignKey("profiles.id", ondelete="CASCADE")
    return sa.Column("profile_id", sa.Integer, profiles, nullable=False)


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer, primary_key=True),
        _profile_fk(),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("conditions", sa.JSON, nullable=False),
        sa.Column("clearance", sa.String(20), nullable=False),
        sa.Column("consult_acknowledged_at", TS),
        sa.Column("consult_note", sa.Text),
    )
    op.create_index("ix_screenings_profile_created", "screenings", ["profile_id", "created_at"])
    op.create_table(
        "safety_flags",
        sa.Column("id", sa.Integer, primary_key=True),
        _profile_fk(),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_safety_flags_profile_id", "safety_flags", ["profile_id"])
    op.create_table(
        "safety_acks",
        sa.Column("id", sa.Integer, primary_key=True),
        _profile_fk(),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("covered", sa.JSON, nullable=False),
    )
    op.create_index("ix_safety_acks_profile_id", "safety_acks", ["profile_id"])
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer, primary_key=True),
        _profile_fk(),
        sa.Column("programme_id", sa.String(80), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("weekdays", sa.JSON, nullable=False),
        sa.Column("reminder_time", sa.String(5), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("ended_at", TS),
        sa.Column("screening_id", sa.Integer, sa.ForeignKey("screenings.id", ondelete="SET NULL")),
    )
    op.create_index("ix_enrolments_profile_id", "enrolments", ["profile_id"])
    op.create_table(
        "lifestyle_days",
        sa.Column("id", sa.Integer, primary_key=True),
        _profile_fk(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("spf", sa.Boolean),
        sa.Column("sleep_h", sa.Double),
        sa.Column("water_l", sa.Double),
        sa.Column("calcium_mg", sa.Double),
        sa.Column("vitamin_d_iu", sa.Double),
        sa.Column("smoking", sa.Boolean),
        sa.Column("moisturiser", sa.Boolean),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("profile_id", "day", name="uq_lifestyle_days_profile_day"),
    )


def downgrade() -> None:
    op.drop_table("lifestyle_days")
    op.drop_table("enrolments")
    op.drop_table("safety_acks")
    op.drop_table("safety_flags")
    op.drop_table("screenings")
