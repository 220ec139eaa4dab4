"""Projections that can be rebuilt: fuller case facts, daily counts, latency histograms, and the
accountability alerts with their decisions.

Facts written by reporting_0002 lack the new columns and no daily counts exist for them: run
`zuofeng reporting rebuild` once after upgrading a database that already holds facts.

Revision ID: reporting_0003
Revises: reporting_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0003"
down_revision = "reporting_0002"
branch_labels = None
depends_on = None

COUNT_FIELDS = (
    "received",
    "cases",
    "accepted",
    "rejected",
    "substantiated",
    "rectified",
    "overdue",
    "transferred",
    "exposed",
)
TS = sa.DateTime(timezone=True)
NEW_CASE_COLUMNS = (
    ("report_id", sa.String(36), None),
    ("lead_unit", sa.String(64), None),
    ("subject_unit", sa.String(64), None),
    ("responsible_unit", sa.String(64), None),
    ("department", sa.String(64), None),
    ("finding_version", sa.Integer(), "0"),
    ("concluded_at", TS, None),
    ("closed_version", sa.Integer(), "0"),
    ("transfer_version", sa.Integer(), "0"),
    ("transfer_to", sa.String(32), None),
    ("transferred_at", TS, None),
    ("rectify_version", sa.Integer(), "0"),
    ("rectifying_unit", sa.String(64), None),
    ("rectified_at", TS, None),
    ("exposure_version", sa.Integer(), "0"),
    ("exposed_at", TS, None),
    ("exposure_text", sa.Text(), None),
    ("overdue_at", TS, None),
    ("overdue_kinds", sa.String(255), None),
)
CASE_INDEXES = (
    ("ix_case_facts_received_at", ["received_at"]),
    ("ix_case_facts_exposed_at", ["exposed_at"]),
    ("ix_case_facts_responsible_concluded", ["responsible_unit", "concluded_at"]),
    ("ix_case_facts_county_concluded", ["county", "concluded_at"]),
    ("ix_case_facts_department_concluded", ["department", "concluded_at"]),
)


def upgrade() -> None:
    with op.batch_alter_table("case_facts") as batch:
        for name, type_, default in NEW_CASE_COLUMNS:
            batch.add_column(
                sa.Column(name, type_, nullable=default is None, server_default=default)
            )
    for name, columns in CASE_INDEXES:
        op.create_index(name, "case_facts", columns)
    op.create_index("ix_report_facts_case_id", "report_facts", ["case_id"])
    _create_aggregates()
    _create_alerts()


def _create_aggregates() -> None:
    op.create_table(
        "daily_counts",
        sa.Column("dim", sa.String(16), nullable=False),
        # Byte order on PostgreSQL too: a county's or a unit's pairs form one index range.
        sa.Column(
            "key",
            sa.String(80).with_variant(sa.String(80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(f, sa.Integer(), nullable=False, server_default="0") for f in COUNT_FIELDS),
        # The key carries the numbers (PostgreSQL INCLUDE): queries read the index alone.
        sa.PrimaryKeyConstraint(
            "dim", "key", "day", name="pk_daily_counts", postgresql_include=list(COUNT_FIELDS)
        ),
    )
    op.create_table(
        "latency_hist",
        sa.Column("dim", sa.String(16), nullable=False),
        sa.Column("level", sa.String(1), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint(
            "dim",
            "level",
            "start",
            "key",
            "kind",
            "bucket",
            name="pk_latency_hist",
            postgresql_include=["n"],
        ),
    )


def _create_alerts() -> None:
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(36), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("crossed_at", TS, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=False),
        sa.Column("window_to", sa.Date(), nullable=False),
        sa.Column("raised_at", TS, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alert_id", name="pk_alerts"),
    )
    op.create_index("ix_alerts_scope_key_crossed", "alerts", ["scope", "key", "crossed_at"])
    op.create_table(
        "alert_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.String(36), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("officials", sa.Text()),
        sa.Column("note", sa.Text()),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decided_unit", sa.String(64), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_decisions"),
    )
    op.create_index("ix_alert_decisions_alert_id", "alert_decisions", ["alert_id"])


def downgrade() -> None:
    op.drop_index("ix_alert_decisions_alert_id", table_name="alert_decisions")
    op.drop_table("alert_decisions")
    op.drop_index("ix_alerts_scope_key_crossed", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("latency_hist")
    op.drop_table("daily_counts")
    op.drop_index("ix_report_facts_case_id", table_name="report_facts")
    for name, _ in reversed(CASE_INDEXES):
        op.drop_index(name, table_name="case_facts")
    with op.batch_alter_table("case_facts") as batch:
        for name, _, _ in reversed(NEW_CASE_COLUMNS):
            batch.drop_column(name)
