"""In-app inbox.

Revision ID: notify_0002
Revises: notify_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_0002"
down_revision = "notify_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36)),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbox_notices"),
        sa.UniqueConstraint("event_id", "unit", name="uq_inbox_notices_event_id"),
    )
    op.create_index("ix_inbox_notices_unit", "inbox_notices", ["unit"])


def downgrade() -> None:
    op.drop_index("ix_inbox_notices_unit", table_name="inbox_notices")
    op.drop_table("inbox_notices")
