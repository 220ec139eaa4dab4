"""Each case's co-responsible units (协办), from its opening, so they are told of its steps.

Revision ID: notify_co_units
Revises: notify_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_co_units"
down_revision = "notify_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_co_units",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("unit", sa.String(64), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("case_co_units")
