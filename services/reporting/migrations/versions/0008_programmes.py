"""The Women's Federation's programmes per county (issue 23): villages, aid applications and
the other programme records, from `federation.*`.

Revision ID: reporting_programmes
Revises: reporting_closing_loop
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_programmes"
down_revision = "reporting_closing_loop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prog_villages",
        sa.Column("village_id", sa.String(36), primary_key=True),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("poor", sa.Boolean, nullable=False),
        sa.Column("left_behind", sa.Boolean, nullable=False),
    )
    op.create_table(
        "prog_aid",
        sa.Column("application_id", sa.String(36), primary_key=True),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("village_id", sa.String(36), nullable=False),
        sa.Column("poor_village", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("fund_source", sa.String(16)),
        sa.Column("sequence", sa.Integer, nullable=False),
    )
    op.create_table(
        "prog_items",
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("item_id", sa.String(36), nullable=False),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("village_id", sa.String(36)),
        sa.Column("detail", sa.String(16)),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("attendance", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("kind", "item_id"),
    )


def downgrade() -> None:
    op.drop_table("prog_items")
    op.drop_table("prog_aid")
    op.drop_table("prog_villages")
