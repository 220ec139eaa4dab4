"""Attachments remember when a report first named them; unnamed ones expire by age.

Revision ID: intake_0004
Revises: intake_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0004"
down_revision = "intake_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("referenced_at", sa.DateTime(timezone=True)))
        batch.create_index("ix_attachments_created_at", ["created_at"])
    # Which earlier uploads a report names is buried in the reports' JSON: keep them all rather
    # than let the first sweep delete evidence. Only uploads from now on expire.
    op.execute("UPDATE attachments SET referenced_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.drop_index("ix_attachments_created_at")
        batch.drop_column("referenced_at")
