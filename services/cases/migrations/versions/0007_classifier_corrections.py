"""Officers' reclassifications as the classifier's training data (issue 24): the report's
features and the old and new problem, never its text or its reporter.

Revision ID: cases_classifier_corrections
Revises: cases_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_classifier_corrections"
down_revision = "cases_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classifier_corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("old_problem", sa.Integer),
        sa.Column("new_problem", sa.Integer, nullable=False),
        sa.Column("features", sa.JSON, nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
        sa.Column("taxonomy_version", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("by_unit", sa.String(64)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("folded_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_classifier_corrections_case_id", "classifier_corrections", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_classifier_corrections_case_id", "classifier_corrections")
    op.drop_table("classifier_corrections")
