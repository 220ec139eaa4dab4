"""回访 SMS (issue 26) and aid applicants' notices (issue 23): a delivery is unique per event,
recipient kind, recipient and channel (a reporter's closing notice by SMS and the survey SMS
about the same closing are two rows), and applicants' sealed contacts.

Revision ID: notify_survey
Revises: notify_letters
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_survey"
down_revision = "notify_letters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint("uq_deliveries_event_id", type_="unique")
        batch.create_unique_constraint(
            "uq_deliveries_event_id", ["event_id", "recipient_kind", "recipient", "channel"]
        )
    op.create_table(
        "applicant_contacts",
        sa.Column("application_id", sa.String(36), primary_key=True),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sealed", sa.Text, nullable=False),
        sa.Column("key_id", sa.String(32)),
        sa.Column("has_email", sa.Boolean, nullable=False),
        sa.Column("has_phone", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("applicant_contacts")
    op.execute("DELETE FROM deliveries WHERE recipient_kind IN ('survey', 'applicant')")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint("uq_deliveries_event_id", type_="unique")
        batch.create_unique_constraint(
            "uq_deliveries_event_id", ["event_id", "recipient", "channel"]
        )
