"""Rating the reply (回访, issue 26): when the last reply was rated, and how.

Revision ID: intake_closing_loop
Revises: intake_re_review
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_closing_loop"
down_revision = "intake_re_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("feedback_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("feedback_rating", sa.String(24)))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("feedback_rating")
        batch.drop_column("feedback_at")
