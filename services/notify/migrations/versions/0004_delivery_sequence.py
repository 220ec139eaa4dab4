"""Each delivery keeps its case event's sequence: one address's sends of a case go in order.

Revision ID: notify_0004
Revises: notify_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_0004"
down_revision = "notify_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null on rows queued before: they hold nothing back and are held back by nothing.
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("sequence", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("sequence")
