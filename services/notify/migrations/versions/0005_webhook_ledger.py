"""The webhook ledger: every delivery queued to an integrator's subscription, numbered in the
order queued, so an integrator whose endpoint was down lists and redelivers what it missed since
a number or a time; deliveries count their redeliveries (each one's notification.* event is
its own).

Revision ID: notify_0005
Revises: notify_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_0005"
down_revision = "notify_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_ledger",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("delivery", sa.String(36), nullable=False),
        sa.Column("subscription_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("delivery", name="uq_webhook_ledger_delivery"),
    )
    op.create_index("ix_webhook_ledger_subscription", "webhook_ledger", ["subscription_id", "seq"])
    with op.batch_alter_table("deliveries") as batch:
        # Null on rows never redelivered.
        batch.add_column(sa.Column("redeliveries", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("redeliveries")
    op.drop_index("ix_webhook_ledger_subscription", table_name="webhook_ledger")
    op.drop_table("webhook_ledger")
