"""Perception (issue 3): stored calibrations (a user's neutral rest signals).

Reserved slot in the linear migration chain so stages can add tables in parallel without forking
the history. Until its stage fills it in, this revision changes nothing.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
