"""Unit scorecards (issue 26): a mark per case event that scores a unit, and each case's
acceptance and completion dues.

Revision ID: reporting_closing_loop
Revises: reporting_supervision
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_closing_loop"
down_revision = "reporting_supervision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorecard_marks",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("measure", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
    )
    for column in ("unit", "county", "day"):
        op.create_index(f"ix_scorecard_marks_{column}", "scorecard_marks", [column])
    op.create_table(
        "scorecard_dues",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scorecard_dues")
    op.drop_table("scorecard_marks")
