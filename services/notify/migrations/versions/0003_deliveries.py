"""Delivery log, sealed reporter contacts, case links, source events, webhook subscriptions;
English wording beside the inbox's Chinese.

Revision ID: notify_0003
Revises: notify_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_0003"
down_revision = "notify_0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("inbox_notices") as batch:
        batch.add_column(sa.Column("title_en", sa.String(200)))
        batch.add_column(sa.Column("body_en", sa.Text))
    op.create_table(
        "reporter_contacts",
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("contactable", sa.Boolean, nullable=False),
        sa.Column("sealed", sa.Text),
        sa.Column("key_id", sa.String(32)),
        sa.Column("has_email", sa.Boolean, nullable=False),
        sa.Column("has_phone", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("report_id", name="pk_reporter_contacts"),
    )
    op.create_table(
        "case_reports",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("merged", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "report_id", name="pk_case_reports"),
    )
    op.create_table(
        "source_events",
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("envelope", sa.Text, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_source_events"),
    )
    _create_deliveries()
    _create_webhooks()


def _create_deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36)),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("recipient_kind", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("batch", sa.String(32)),
        sa.Column("external_id", sa.String(36)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("last_error", sa.String(300)),
        sa.Column("correlation_id", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.UniqueConstraint("event_id", "recipient", "channel", name="uq_deliveries_event_id"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"])


def _create_webhooks() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("event_types", sa.JSON, nullable=False),
        sa.Column("counties", sa.JSON, nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("suspended_at", TZ),
        sa.Column("deleted_at", TZ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_subscriptions"),
    )
    op.create_index("ix_webhook_subscriptions_unit", "webhook_subscriptions", ["unit"])


def downgrade() -> None:
    op.drop_index("ix_webhook_subscriptions_unit", table_name="webhook_subscriptions")
    op.drop_table("webhook_subscriptions")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("source_events")
    op.drop_table("case_reports")
    op.drop_table("reporter_contacts")
    with op.batch_alter_table("inbox_notices") as batch:
        batch.drop_column("body_en")
        batch.drop_column("title_en")
