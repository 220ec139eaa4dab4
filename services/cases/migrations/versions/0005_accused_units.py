"""Every accused unit of a case: the named one and those the report's text names.

Revision ID: cases_0005
Revises: cases_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "cases_0005"
down_revision = "cases_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A JSON list of unit ids; NULL on cases opened before (their `accused_unit` still guards).
    op.add_column("cases", sa.Column("accused_units", sa.Text))


def downgrade() -> None:
    op.drop_column("cases", "accused_units")
