"""Outbox and processed-events tables.

Revision ID: notify_0001
Revises:
"""

from alembic import op

from shared.migrate import create_shared_tables_v1, drop_shared_tables_v1

revision = "notify_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_shared_tables_v1(op)


def downgrade() -> None:
    drop_shared_tables_v1(op)
