"""Reports keep the second review's window (复核): opened by the review's result, closed by a
request.

Revision ID: intake_re_review
Revises: intake_0006
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_re_review"
down_revision = "intake_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("re_review_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("re_review_requested_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("re_review_requested_at")
        batch.drop_column("re_review_until")
