"""Web (issue 7): accounts, roles, API tokens, coach invitations.

Reserved slot in the linear migration chain so stages can add tables in parallel without forking
the history. Until its stage fills it in, this revision changes nothing.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
