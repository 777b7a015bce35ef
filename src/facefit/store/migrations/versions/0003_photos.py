"""Progress photos (issue 5): photos with their gate checks and metrics, and per-metric repeatability.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("source_name", sa.String(255), nullable=False),
        sa.Column("taken_at", TS, nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("forced", sa.Boolean, nullable=False),
        sa.Column("is_baseline", sa.Boolean, nullable=False),
        sa.Column("checks", sa.JSON, nullable=False),
        sa.Column("measurement", sa.JSON, nullable=False),
        sa.Column("landmarks", sa.JSON, nullable=False),
        sa.UniqueConstraint("profile_id", "sha256", name="uq_photos_profile_sha256"),
    )
    op.create_index("ix_photos_profile_taken", "photos", ["profile_id", "taken_at"])
    op.create_table(
        "photo_repeatability",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("metric", sa.String(60), nullable=False),
        sa.Column("sem", sa.Float, nullable=False),
        sa.Column("mdc95", sa.Float, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("baseline_photo_id", sa.Integer, sa.ForeignKey("photos.id", ondelete="SET NULL")),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("profile_id", "metric", name="uq_photo_repeatability_profile_metric"),
    )
    op.create_index("ix_photo_repeatability_profile_id", "photo_repeatability", ["profile_id"])


def downgrade() -> None:
    op.drop_table("photo_repeatability")
    op.drop_index("ix_photos_profile_taken", table_name="photos")
    op.drop_table("photos")
