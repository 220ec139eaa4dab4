"""Re-checks of verified rectifications (回头看, issue 22), a row per step from `case.*`.

Revision ID: reporting_rechecks
Revises: reporting_programmes
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_rechecks"
down_revision = "reporting_programmes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sup_rechecks",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("handling_unit", sa.String(64), nullable=False, index=True),
        sa.Column("recheck_unit", sa.String(64)),
        sa.Column("step", sa.String(12), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sup_rechecks")
