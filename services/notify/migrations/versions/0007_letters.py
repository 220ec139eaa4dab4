"""Written notices (书面告知, issue 22): reporters' contacts say whether their sealed box holds a
postal address and which unit took the report; the print queue of letters (their public text
only: the address stays sealed and is opened when a letter is printed).

Revision ID: notify_letters
Revises: notify_co_units
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_letters"
down_revision = "notify_co_units"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reporter_contacts") as batch:
        batch.add_column(
            sa.Column("has_address", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("intake_unit", sa.String(64)))
    op.create_table(
        "letters",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("delivery_id", sa.String(36), nullable=False),
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36)),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("intake_unit", sa.String(64)),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True)),
        sa.Column("printed_by", sa.String(200)),
        sa.Column("downloads", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("delivery_id", name="uq_letters_delivery_id"),
    )
    op.create_index("ix_letters_queue", "letters", ["printed_at", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_letters_queue", table_name="letters")
    op.drop_table("letters")
    with op.batch_alter_table("reporter_contacts") as batch:
        batch.drop_column("intake_unit")
        batch.drop_column("has_address")
