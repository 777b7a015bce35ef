"""Progress photos (issue 5): photos, their checks and metrics, repeatability.

Reserved slot in the linear migration chain so stages can add tables in parallel without forking
the history. Until its stage fills it in, this revision changes nothing.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
