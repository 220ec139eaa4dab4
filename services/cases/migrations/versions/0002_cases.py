"""Cases, their history and deadlines.

Revision ID: cases_0002
Revises: cases_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_0002"
down_revision = "cases_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("handling_county", sa.String(6), nullable=False),
        sa.Column("handling_unit", sa.String(64), nullable=False),
        sa.Column("lead_unit", sa.String(64)),
        sa.Column("co_units", sa.JSON, nullable=False),
        sa.Column("accused_unit", sa.String(64)),
        sa.Column("rectifying_unit", sa.String(64)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("problem", sa.Integer),
        sa.Column("problem_confidence", sa.Float),
        sa.Column("taxonomy_version", sa.String(64)),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("triage", sa.Boolean, nullable=False),
        sa.Column("exposed", sa.Boolean, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("transfer_suggested", sa.String(32)),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("subject_person", sa.String(100)),
        sa.Column("subject_unit_text", sa.String(200)),
        sa.Column("identity_sealed", sa.Text),
        sa.Column("reporter_index", sa.String(64)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("report_id", name="uq_cases_report_id"),
    )
    for column in ("county", "handling_unit", "status", "reporter_index"):
        op.create_index(f"ix_cases_{column}", "cases", [column])
    op.create_table(
        "case_history",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_sub", sa.String(100)),
        sa.Column("actor_unit", sa.String(64)),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "sequence", name="pk_case_history"),
        sa.UniqueConstraint("event_id", name="uq_case_history_event_id"),
    )
    op.create_table(
        "case_deadlines",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("warn_at", sa.DateTime(timezone=True)),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("basis", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "kind", name="pk_case_deadlines"),
    )
    op.create_index("ix_case_deadlines_due", "case_deadlines", ["due"])


def downgrade() -> None:
    op.drop_index("ix_case_deadlines_due", table_name="case_deadlines")
    op.drop_table("case_deadlines")
    op.drop_table("case_history")
    for column in ("county", "handling_unit", "status", "reporter_index"):
        op.drop_index(f"ix_cases_{column}", table_name="cases")
    op.drop_table("cases")
