"""The whole lifecycle: optimistic lock, findings, transfers, escalation, exposure text, repeat
keys, internal history texts, deadline start times, and the reports linked to each case.

Revision ID: cases_0003
Revises: cases_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_0003"
down_revision = "cases_0002"
branch_labels = None
depends_on = None


def case_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("entries", sa.Integer, nullable=False, server_default="1"),
        sa.Column("exposure_text", sa.Text),
        sa.Column("finding", sa.String(16)),
        sa.Column("transfer_to", sa.String(32)),
        sa.Column("receiving_unit", sa.String(64)),
        sa.Column("escalated_to", sa.String(64)),
        sa.Column("subject_person_key", sa.String(100)),
        sa.Column("subject_is_head", sa.Boolean, nullable=False, server_default=sa.false()),
    ]


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for column in case_columns():
            batch.add_column(column)
    op.create_index("ix_cases_receiving_unit", "cases", ["receiving_unit"])
    op.create_index("ix_cases_repeat", "cases", ["county", "problem"])
    with op.batch_alter_table("case_history") as batch:
        batch.add_column(sa.Column("version", sa.Integer))
        batch.add_column(sa.Column("internal", sa.JSON))
    # Every history so far is one `case.opened`: its position is its version.
    op.execute("UPDATE case_history SET version = sequence")
    with op.batch_alter_table("case_deadlines") as batch:
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True)))
    op.create_index("ix_case_deadlines_warn_at", "case_deadlines", ["warn_at"])
    op.create_table(
        "case_reports",
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("reporter_index", sa.String(64)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("report_id", name="pk_case_reports"),
    )
    op.create_index("ix_case_reports_case_id", "case_reports", ["case_id"])
    op.create_index("ix_case_reports_reporter_index", "case_reports", ["reporter_index"])
    op.execute(
        "INSERT INTO case_reports (report_id, case_id, role, channel, reporter_index, received_at,"
        " linked_at) SELECT report_id, id, 'opened', channel, reporter_index, received_at,"
        " created_at FROM cases"
    )


def downgrade() -> None:
    op.drop_index("ix_case_reports_reporter_index", table_name="case_reports")
    op.drop_index("ix_case_reports_case_id", table_name="case_reports")
    op.drop_table("case_reports")
    op.drop_index("ix_case_deadlines_warn_at", table_name="case_deadlines")
    with op.batch_alter_table("case_deadlines") as batch:
        batch.drop_column("started_at")
    with op.batch_alter_table("case_history") as batch:
        batch.drop_column("internal")
        batch.drop_column("version")
    op.drop_index("ix_cases_repeat", table_name="cases")
    op.drop_index("ix_cases_receiving_unit", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        for column in reversed(case_columns()):
            batch.drop_column(column.name)
