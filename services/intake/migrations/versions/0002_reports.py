"""Reports, their public steps, idempotency keys.

Revision ID: intake_0002
Revises: intake_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0002"
down_revision = "intake_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tracking_hash", sa.String(64), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200)),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("township", sa.String(100)),
        sa.Column("village", sa.String(100)),
        sa.Column("subject_unit", sa.String(200)),
        sa.Column("subject_unit_id", sa.String(64)),
        sa.Column("subject_person", sa.String(100)),
        sa.Column("subject_is_head", sa.Boolean, nullable=False),
        sa.Column("category_hint", sa.Integer),
        sa.Column("occurred_on", sa.Date),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("identity_sealed", sa.Text),
        sa.Column("reporter_index", sa.String(64)),
        sa.Column("submitted_by_unit", sa.String(64)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(36)),
        sa.Column("status_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("tracking_hash", name="uq_reports_tracking_hash"),
    )
    op.create_index("ix_reports_county", "reports", ["county"])
    op.create_table(
        "report_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("event_id", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("text_zh", sa.Text, nullable=False),
        sa.Column("text_en", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_report_steps"),
        sa.UniqueConstraint("event_id", name="uq_report_steps_event_id"),
    )
    op.create_index("ix_report_steps_report_id", "report_steps", ["report_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name="pk_idempotency_keys"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_index("ix_report_steps_report_id", table_name="report_steps")
    op.drop_table("report_steps")
    op.drop_index("ix_reports_county", table_name="reports")
    op.drop_table("reports")
