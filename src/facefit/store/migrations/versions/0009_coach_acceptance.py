"""A coach invitation waits for the coach to accept it (issue 13): ``coach_links.accepted_at``.

Until a coach accepts, the link gives no access and the member's list does not show it, so inviting an
email tells the member nothing about whether a coach account uses it. Links made before this migration
were already in force, so they count as accepted when they were made.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coach_links") as batch:
        batch.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE coach_links SET accepted_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("coach_links") as batch:
        batch.drop_column("accepted_at")
