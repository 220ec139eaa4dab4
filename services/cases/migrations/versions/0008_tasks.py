"""The campaign's supervision (issue 22): supervised tasks (督办) and their progress reports,
the register of data requests to villages, inspection visits and their findings.

Revision ID: cases_tasks
Revises: cases_classifier_corrections
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_tasks"
down_revision = "cases_classifier_corrections"
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
    op.create_table(
        "data_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("township", sa.String(64)),
        sa.Column("village", sa.String(50), nullable=False),
        sa.Column("village_key", sa.String(50), nullable=False),
        sa.Column("requesting_unit", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("check_kind", sa.String(20)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("rule", sa.Text),
        sa.Column("repeats", sa.String(36)),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_data_requests_village", "data_requests", ["county", "village_key", "year"])
    op.create_table(
        "inspections",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False, index=True),
        sa.Column("inspectors", sa.JSON, nullable=False),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("township", sa.String(64)),
        sa.Column("village", sa.String(50)),
        sa.Column("visit_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "inspection_findings",
        sa.Column("inspection_id", sa.String(36), primary_key=True),
        sa.Column("finding_no", sa.Integer, primary_key=True),
        sa.Column("summary", sa.String(200), nullable=False),
        sa.Column("report_id", sa.String(36), nullable=False, unique=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sampling_draws",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("candidates", sa.JSON, nullable=False),
        sa.Column("picked", sa.JSON, nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sampling_draws")
    op.drop_table("inspection_findings")
    op.drop_table("inspections")
    op.drop_table("data_requests")
    op.drop_table("task_reports")
    op.drop_table("tasks")
