"""Report and case facts.

Revision ID: reporting_0002
Revises: reporting_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0002"
down_revision = "reporting_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_facts",
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.String(36)),
        sa.PrimaryKeyConstraint("report_id", name="pk_report_facts"),
    )
    op.create_index("ix_report_facts_county", "report_facts", ["county"])
    op.create_table(
        "case_facts",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("handling_unit", sa.String(64), nullable=False),
        sa.Column("problem", sa.Integer),
        sa.Column("channel", sa.String(16)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("finding", sa.String(16)),
        sa.Column("received_at", sa.DateTime(timezone=True)),
        sa.Column("accepted_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("rejected", sa.Boolean, nullable=False),
        sa.Column("rectified", sa.Boolean, nullable=False),
        sa.Column("transferred", sa.Boolean, nullable=False),
        sa.Column("exposed", sa.Boolean, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_case_facts"),
    )
    op.create_index("ix_case_facts_county", "case_facts", ["county"])


def downgrade() -> None:
    op.drop_index("ix_case_facts_county", table_name="case_facts")
    op.drop_table("case_facts")
    op.drop_index("ix_report_facts_county", table_name="report_facts")
    op.drop_table("report_facts")
