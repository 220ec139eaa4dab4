"""The dashboard's own sign-in sessions go: its pages use the officials' page session every
service shares (shared.websession, the SESSIONS bucket on the bus; issue 17).

Revision ID: reporting_0005
Revises: reporting_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0005"
down_revision = "reporting_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_dashboard_sessions_expires_at", table_name="dashboard_sessions")
    op.drop_table("dashboard_sessions")


def downgrade() -> None:
    op.create_table(
        "dashboard_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("sub", sa.String(128), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dashboard_sessions_expires_at", "dashboard_sessions", ["expires_at"])
