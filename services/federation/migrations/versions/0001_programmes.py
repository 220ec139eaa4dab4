"""The Women's Federation's programmes (issue 23): outbox, inbox and every table of the
service's first version.

Revision ID: federation_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.migrate import create_shared_tables_v1, drop_shared_tables_v1

revision = "federation_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_shared_tables_v1(op)
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.String(length=10), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=False),
        sa.Column("home_id", sa.String(length=36), nullable=True),
        sa.Column("function", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_county"), ["county"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_home_id"), ["home_id"], unique=False)

    op.create_table(
        "aid_applications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("poor_village", sa.Boolean(), nullable=False),
        sa.Column("drive_id", sa.String(length=36), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.String(length=20), nullable=False),
        sa.Column("submitter_unit", sa.String(length=64), nullable=True),
        sa.Column("submitter_sub", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("at_step", sa.String(length=20), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("household_hash", sa.String(length=64), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("fund_source", sa.String(length=20), nullable=True),
        sa.Column("paid_on", sa.String(length=10), nullable=True),
        sa.Column("payment_ref", sa.String(length=64), nullable=True),
        sa.Column("public_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_applications")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_aid_applications_receipt_hash")),
    )
    with op.batch_alter_table("aid_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_applications_county"), ["county"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_aid_applications_drive_id"), ["drive_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aid_applications_household_hash"), ["household_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_aid_applications_status"), ["status"], unique=False)

    op.create_table(
        "aid_drive_budgets",
        sa.Column("drive_id", sa.String(length=36), nullable=False),
        sa.Column("fund_source", sa.String(length=20), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("drive_id", "fund_source", name=op.f("pk_aid_drive_budgets")),
    )
    op.create_table(
        "aid_drives",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_drives")),
    )
    op.create_table(
        "homes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("functions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homes")),
    )
    with op.batch_alter_table("homes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_homes_county"), ["county"], unique=False)

    op.create_table(
        "pairing_visits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pairing_id", sa.String(length=36), nullable=False),
        sa.Column("visited_on", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_visits")),
    )
    with op.batch_alter_table("pairing_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pairing_visits_pairing_id"), ["pairing_id"], unique=False
        )

    op.create_table(
        "pairings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("school_id", sa.String(length=36), nullable=True),
        sa.Column("child_ref", sa.String(length=20), nullable=False),
        sa.Column("child_category", sa.String(length=20), nullable=False),
        sa.Column("volunteer_kind", sa.String(length=20), nullable=False),
        sa.Column("volunteer_unit", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairings")),
    )
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairings_county"), ["county"], unique=False)

    op.create_table(
        "school_sponsorships",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("school_id", sa.String(length=36), nullable=False),
        sa.Column("sponsor_kind", sa.String(length=20), nullable=False),
        sa.Column("sponsor", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_sponsorships")),
    )
    with op.batch_alter_table("school_sponsorships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_school_sponsorships_school_id"), ["school_id"], unique=False
        )

    op.create_table(
        "schools",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schools")),
    )
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schools_county"), ["county"], unique=False)
        batch_op.create_index(batch_op.f("ix_schools_village_id"), ["village_id"], unique=False)

    op.create_table(
        "selections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("public_name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selections")),
    )
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selections_county"), ["county"], unique=False)

    op.create_table(
        "villages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("county", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("poor", sa.Boolean(), nullable=False),
        sa.Column("left_behind", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_villages")),
        sa.UniqueConstraint("county", "name", name="uq_villages_county_name"),
    )
    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_villages_county"), ["county"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("villages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_villages_county"))

    op.drop_table("villages")
    with op.batch_alter_table("selections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selections_county"))

    op.drop_table("selections")
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schools_village_id"))
        batch_op.drop_index(batch_op.f("ix_schools_county"))

    op.drop_table("schools")
    with op.batch_alter_table("school_sponsorships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_sponsorships_school_id"))

    op.drop_table("school_sponsorships")
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairings_county"))

    op.drop_table("pairings")
    with op.batch_alter_table("pairing_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairing_visits_pairing_id"))

    op.drop_table("pairing_visits")
    with op.batch_alter_table("homes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_homes_county"))

    op.drop_table("homes")
    op.drop_table("aid_drives")
    op.drop_table("aid_drive_budgets")
    with op.batch_alter_table("aid_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_applications_status"))
        batch_op.drop_index(batch_op.f("ix_aid_applications_household_hash"))
        batch_op.drop_index(batch_op.f("ix_aid_applications_drive_id"))
        batch_op.drop_index(batch_op.f("ix_aid_applications_county"))

    op.drop_table("aid_applications")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_home_id"))
        batch_op.drop_index(batch_op.f("ix_activities_county"))

    op.drop_table("activities")
    drop_shared_tables_v1(op)
