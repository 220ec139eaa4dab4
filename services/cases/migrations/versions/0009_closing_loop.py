"""Closing the loop with the people (issue 26): a case raised to the city office's
supervision (提级督办) is marked on its row, so the city office can list them.

Revision ID: cases_closing_loop
Revises: cases_tasks
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_closing_loop"
down_revision = "cases_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("raised_supervision", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("raised_supervision")
