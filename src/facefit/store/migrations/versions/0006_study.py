"""Study mode (issue 17): studies, staff, the concealed allocation schedule, participants, visits, visit
photos, blinded ratings, measurements, protocol deviations and an append-only audit log.

The audit log refuses UPDATE and DELETE in the database itself (triggers on SQLite and PostgreSQL), so
no code path, old or new, can rewrite what happened in a trial.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
APPEND_ONLY = "study_audit is append-only: entries cannot be changed or deleted"


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(40), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("definition_sha256", sa.String(64), nullable=False),
        sa.Column("schedule_sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "study_staff",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("study_id", sa.Integer, sa.ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("study_id", "role", "name", name="uq_study_staff_study_role_name"),
    )
    op.create_table(
        "study_staff_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("study_staff.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_study_staff_accounts_account_id", "study_staff_accounts", ["account_id"])
    op.create_table(
        "study_allocations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("study_id", sa.Integer, sa.ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stratum", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("block", sa.Integer, nullable=False),
        sa.Column("block_size", sa.Integer, nullable=False),
        sa.Column("arm", sa.String(40), nullable=False),
        sa.Column("revealed_at", TS),
        sa.UniqueConstraint("study_id", "stratum", "position", name="uq_study_allocations_slot"),
    )
    op.create_table(
        "study_participants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("study_id", sa.Integer, sa.ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("age", sa.Integer, nullable=False),
        sa.Column("sex", sa.String(10), nullable=False),
        sa.Column("stratum", sa.String(80), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("eligibility", sa.JSON, nullable=False),
        sa.Column("enrolled_at", TS, nullable=False),
        sa.Column("allocation_id", sa.Integer, sa.ForeignKey("study_allocations.id"), unique=True),
        sa.Column("randomised_at", TS),
        sa.Column("withdrawn_at", TS),
        sa.Column("withdrawal_reason", sa.Text),
        sa.UniqueConstraint("study_id", "code", name="uq_study_participants_code"),
        sa.UniqueConstraint("study_id", "profile_id", name="uq_study_participants_profile"),
    )
    op.create_index("ix_study_participants_profile_id", "study_participants", ["profile_id"])
    op.create_table(
        "study_visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("study_participants.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("visit", sa.String(40), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("completed_at", TS),
        sa.Column("missed_reason", sa.Text),
        sa.UniqueConstraint("participant_id", "visit", name="uq_study_visits_participant_visit"),
    )
    op.create_table(
        "study_visit_photos",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("study_visits.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("photo_id", sa.Integer, sa.ForeignKey("photos.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.UniqueConstraint("visit_id", "position", name="uq_study_visit_photos_position"),
    )
    op.create_table(
        "study_measurements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("visit_photo_id", sa.Integer, sa.ForeignKey("study_visit_photos.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("endpoint", sa.String(40), nullable=False),
        sa.Column("value", sa.Double, nullable=False),
        sa.Column("method", sa.String(80), nullable=False),
        sa.Column("measured_at", TS, nullable=False),
        sa.UniqueConstraint("visit_photo_id", "endpoint", name="uq_study_measurements_photo_endpoint"),
    )
    op.create_table(
        "study_ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("study_id", sa.Integer, sa.ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rater_id", sa.Integer, sa.ForeignKey("study_staff.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("visit_photo_id", sa.Integer, sa.ForeignKey("study_visit_photos.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("presentation", sa.Integer, nullable=False),
        sa.Column("queue_position", sa.Integer, nullable=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("apparent_age", sa.Integer),
        sa.Column("upper_cheek", sa.Integer),
        sa.Column("lower_cheek", sa.Integer),
        sa.Column("queued_at", TS, nullable=False),
        sa.Column("rated_at", TS),
        sa.UniqueConstraint("rater_id", "visit_photo_id", "presentation",
                            name="uq_study_ratings_presentation"),
    )
    op.create_index("ix_study_ratings_rater_queue", "study_ratings", ["rater_id", "queue_position"])
    op.create_table(
        "study_deviations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("participant_id", sa.Integer, sa.ForeignKey("study_participants.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("visit", sa.String(40)),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_table(
        "study_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("study_id", sa.Integer, sa.ForeignKey("studies.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("participant_code", sa.String(20)),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("study_id", "seq", name="uq_study_audit_seq"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER study_audit_no_{verb.lower()} BEFORE {verb} ON study_audit "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION study_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute("CREATE TRIGGER study_audit_no_change BEFORE UPDATE OR DELETE ON study_audit "
                   "FOR EACH ROW EXECUTE FUNCTION study_audit_append_only()")
        op.execute("CREATE TRIGGER study_audit_no_truncate BEFORE TRUNCATE ON study_audit "
                   "FOR EACH STATEMENT EXECUTE FUNCTION study_audit_append_only()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS study_audit_no_update")
        op.execute("DROP TRIGGER IF EXISTS study_audit_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS study_audit_no_change ON study_audit")
        op.execute("DROP TRIGGER IF EXISTS study_audit_no_truncate ON study_audit")
        op.execute("DROP FUNCTION IF EXISTS study_audit_append_only()")
    for table in ("study_audit", "study_deviations", "study_ratings", "study_measurements",
                  "study_visit_photos", "study_visits", "study_participants", "study_allocations",
                  "study_staff_accounts", "study_staff", "studies"):
        op.drop_table(table)
