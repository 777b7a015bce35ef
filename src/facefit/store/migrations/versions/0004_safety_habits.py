"""Safety and habits (issue 6): screenings, safety blocks, enrolments, lifestyle logs.

Reserved slot in the linear migration chain so stages can add tables in parallel without forking
the history. Until its stage fills it in, this revision changes nothing.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
