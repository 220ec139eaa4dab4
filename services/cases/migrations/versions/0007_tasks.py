"""The campaign's supervised tasks (督办, issue 22): tasks and their progress reports.

Revision ID: cases_tasks
Revises: cases_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_tasks"
down_revision = "cases_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("measure", sa.String(4), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("parent_id", sa.String(36), index=True),
        sa.Column("source_case", sa.String(36), index=True),
        sa.Column("responsible_unit", sa.String(64), nullable=False, index=True),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("lead_units", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("clock", sa.String(8), nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("escalated_to", sa.String(64)),
        sa.Column("assigned_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "task_reports",
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("report_no", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("reported_by", sa.String(100), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(16)),
        sa.Column("reason", sa.Text),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("task_reports")
    op.drop_table("tasks")
