"""Reports keep the point an Open311 request gives (`lat`/`long`, WGS84), nullable.

Revision ID: intake_0006
Revises: intake_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "intake_0006"
down_revision = "intake_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("lat", sa.Float()))
        batch.add_column(sa.Column("long", sa.Float()))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("long")
        batch.drop_column("lat")
