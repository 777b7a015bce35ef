"""API token scopes (issue 13): what a token may do, ``read``, ``practice`` or ``full``.

Tokens made before this migration could do everything, so they become ``full`` (their owners' scripts
keep working); new tokens default to ``read``, the least (``facefit.web.schemas.TokenCreate``).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scope", sa.String(10), nullable=False, server_default="full"))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scope")
