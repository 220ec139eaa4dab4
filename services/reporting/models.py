"""Reporting's tables: read models rebuilt from the streams, plus the alerts it keeps on record.

`report_facts`, `case_facts`, `daily_counts` and `latency_hist` are projections (rebuildable:
`zuofeng reporting rebuild` replays the streams into copies named `<table>__rebuild` and
switches over), as are the scorecards', supervision's and programmes' tables (every projection
is in `rebuild/projections.py`). `alerts` and `alert_decisions` are records: they hold what
people decided.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from shared.db import UtcDateTime, new_metadata

metadata = new_metadata()
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

HIST_KEY = ("dim", "level", "start", "key", "kind", "bucket")
# Byte order on PostgreSQL too, so "all keys of a county" (`371402|…`) is one index range.
KEY = String(80).with_variant(String(80, collation="C"), "postgresql")


def _report_facts(meta: MetaData, name: str = "report_facts") -> Table:
    return Table(
        name,
        meta,
        Column("report_id", String(36), primary_key=True),
        Column("county", String(6), nullable=False, index=True),
        Column("channel", String(16), nullable=False),
        Column("received_at", UtcDateTime(), nullable=False),
        Column("case_id", String(36), index=True),
    )


def _case_facts(meta: MetaData, name: str = "case_facts") -> Table:
    table = Table(
        name,
        meta,
        Column("case_id", String(36), primary_key=True),
        Column("version", Integer, nullable=False),  # newest version wins for current facts
        Column("county", String(6), nullable=False, index=True),
        Column("handling_unit", String(64), nullable=False),
        Column("problem", Integer),
        Column("channel", String(16)),
        Column("status", String(32), nullable=False),
        Column("finding", String(16)),
        Column("received_at", UtcDateTime(), index=True),
        Column("accepted_at", UtcDateTime()),
        Column("closed_at", UtcDateTime()),
        Column("accepted", Boolean, nullable=False),
        Column("rejected", Boolean, nullable=False),
        Column("rectified", Boolean, nullable=False),
        Column("transferred", Boolean, nullable=False),
        Column("exposed", Boolean, nullable=False),
        Column("overdue", Boolean, nullable=False),
        *_case_facts_v3(),
    )
    Index(f"ix_{name}_responsible_concluded", table.c.responsible_unit, table.c.concluded_at)
    Index(f"ix_{name}_county_concluded", table.c.county, table.c.concluded_at)
    Index(f"ix_{name}_department_concluded", table.c.department, table.c.concluded_at)
    return table


def _case_facts_v3() -> list[Column]:  # type: ignore[type-arg]
    """Columns added by reporting_0003 (each fact keeps the version it was last set at)."""
    return [
        Column("report_id", String(36)),
        Column("lead_unit", String(64)),
        Column("subject_unit", String(64)),  # the accused unit, when the report names one
        Column("responsible_unit", String(64)),  # accused unit, else the handling unit
        Column("department", String(64)),  # the city unit heading its sector line
        Column("finding_version", Integer, nullable=False, server_default="0"),
        Column("concluded_at", UtcDateTime()),
        Column("closed_version", Integer, nullable=False, server_default="0"),
        Column("transfer_version", Integer, nullable=False, server_default="0"),
        Column("transfer_to", String(32)),
        Column("transferred_at", UtcDateTime()),
        Column("rectify_version", Integer, nullable=False, server_default="0"),
        Column("rectifying_unit", String(64)),
        Column("rectified_at", UtcDateTime()),
        Column("exposure_version", Integer, nullable=False, server_default="0"),
        Column("exposed_at", UtcDateTime(), index=True),
        Column("exposure_text", Text),
        Column("overdue_at", UtcDateTime()),
        Column("overdue_kinds", String(255)),
    ]


def _daily_counts(meta: MetaData, name: str = "daily_counts") -> Table:
    """Counts per day of receipt (Asia/Shanghai) and dimension key; kept by deltas. The key
    carries the counts (PostgreSQL INCLUDE): a query reads the index alone."""
    return Table(
        name,
        meta,
        Column("dim", String(16), nullable=False),
        Column("key", KEY, nullable=False),
        Column("day", Date, nullable=False),
        *(Column(field, Integer, nullable=False, server_default="0") for field in COUNT_FIELDS),
        # Key before day: a county's or a unit's days are next to each other (drill-down).
        PrimaryKeyConstraint("dim", "key", "day", postgresql_include=list(COUNT_FIELDS)),
    )


def _latency_hist(meta: MetaData, name: str = "latency_hist") -> Table:
    """How many cases took each number of calendar days to accept or close, per block of
    days of receipt (periods.LEVELS: year, quarter, month, week, day), so a median over any
    range reads few rows; the key carries `n` (PostgreSQL INCLUDE): the index alone answers."""
    return Table(
        name,
        meta,
        Column("dim", String(16), nullable=False),
        Column("level", String(1), nullable=False),
        Column("start", Date, nullable=False),
        Column("key", String(80), nullable=False),
        Column("kind", String(8), nullable=False),
        Column("bucket", Integer, nullable=False),  # calendar days
        Column("n", Integer, nullable=False, server_default="0"),
        PrimaryKeyConstraint(*HIST_KEY, postgresql_include=["n"]),
    )


PROJECTIONS = {
    "report_facts": _report_facts,
    "case_facts": _case_facts,
    "daily_counts": _daily_counts,
    "latency_hist": _latency_hist,
}
report_facts = _report_facts(metadata)
case_facts = _case_facts(metadata)
daily_counts = _daily_counts(metadata)
latency_hist = _latency_hist(metadata)
PROJECTION_TABLES = (report_facts, case_facts, daily_counts, latency_hist)

alerts = Table(
    "alerts",
    metadata,
    Column("alert_id", String(36), primary_key=True),
    Column("scope", String(16), nullable=False),
    Column("key", String(80), nullable=False),
    Column("county", String(6), nullable=False),
    Column("crossed_at", UtcDateTime(), nullable=False),
    Column("count", Integer, nullable=False),
    Column("threshold", Integer, nullable=False),
    Column("window_days", Integer, nullable=False),
    Column("window_from", Date, nullable=False),
    Column("window_to", Date, nullable=False),
    Column("raised_at", UtcDateTime(), nullable=False),
    Column("sequence", Integer, nullable=False),  # of the alert's own events
    Index("ix_alerts_scope_key_crossed", "scope", "key", "crossed_at"),
)

alert_decisions = Table(
    "alert_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(36), nullable=False, index=True),
    Column("decision", String(32), nullable=False),
    Column("target", String(16), nullable=False),
    Column("officials", Text),  # JSON list of names; never logged, never published
    Column("note", Text),
    Column("decided_by", String(128), nullable=False),
    Column("decided_unit", String(64), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
)


def shadow_tables(meta: MetaData) -> dict[str, Table]:
    """Fresh copies of the projection tables for a rebuild (`<name>__rebuild`)."""
    return {name: make(meta, f"{name}__rebuild") for name, make in PROJECTIONS.items()}
