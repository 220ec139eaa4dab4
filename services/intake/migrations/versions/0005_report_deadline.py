"""Reports show the deadline the handling unit must meet now (from the case's events).

Revision ID: intake_0005
Revises: intake_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0005"
down_revision = "intake_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("deadline_due", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("deadline_kind", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("deadline_kind")
        batch.drop_column("deadline_due")
