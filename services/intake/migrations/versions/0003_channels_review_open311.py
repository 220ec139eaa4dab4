"""Case status and problem on reports, the review window, attachments, exposed cases.

Revision ID: intake_0003
Revises: intake_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0003"
down_revision = "intake_0002"
branch_labels = None
depends_on = None

NEW_REPORT_COLUMNS = (
    ("case_status", sa.String(32)),
    ("problem", sa.Integer),
    ("attachments", sa.Text),
    ("replied_at", sa.DateTime(timezone=True)),
    ("review_until", sa.DateTime(timezone=True)),
    ("review_requested_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        for name, type_ in NEW_REPORT_COLUMNS:
            batch.add_column(sa.Column(name, type_))
        batch.add_column(sa.Column("case_version", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("sequence", sa.Integer, nullable=False, server_default="1"))
        batch.create_index("ix_reports_case_id", ["case_id"])
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
    )
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])
    op.create_table(
        "exposures",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("report_id", sa.String(36), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("problem", sa.Integer),
        sa.Column("case_status", sa.String(32), nullable=False),
        sa.Column("case_version", sa.Integer, nullable=False),
        sa.Column("exposure_text", sa.Text, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_exposures"),
    )
    op.create_index("ix_exposures_county", "exposures", ["county"])
    op.create_index("ix_exposures_exposed_at", "exposures", ["exposed_at"])


def downgrade() -> None:
    op.drop_index("ix_exposures_exposed_at", table_name="exposures")
    op.drop_index("ix_exposures_county", table_name="exposures")
    op.drop_table("exposures")
    op.drop_index("ix_attachments_sha256", table_name="attachments")
    op.drop_table("attachments")
    with op.batch_alter_table("reports") as batch:
        batch.drop_index("ix_reports_case_id")
        for name in ("sequence", "case_version", *(name for name, _ in NEW_REPORT_COLUMNS)):
            batch.drop_column(name)
