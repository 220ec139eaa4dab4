"""The campaign's supervision read models (issue 22): tasks, inspections, data requests.

Revision ID: reporting_supervision
Revises: reporting_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_supervision"
down_revision = "reporting_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sup_tasks",
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("measure", sa.String(4), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("responsible_unit", sa.String(64), nullable=False, index=True),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "sup_inspections",
        sa.Column("inspection_id", sa.String(36), primary_key=True),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "sup_datarequests",
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("requesting_unit", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sup_datarequests")
    op.drop_table("sup_inspections")
    op.drop_table("sup_tasks")
