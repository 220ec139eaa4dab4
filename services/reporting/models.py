"""Reporting's read models, built only from events (rebuildable from the streams)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Table

from shared.db import UtcDateTime, new_metadata

metadata = new_metadata()

report_facts = Table(
    "report_facts",
    metadata,
    Column("report_id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("case_id", String(36)),
)

case_facts = Table(
    "case_facts",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),  # out-of-order safe: only newer versions apply
    Column("county", String(6), nullable=False, index=True),
    Column("handling_unit", String(64), nullable=False),
    Column("problem", Integer),
    Column("channel", String(16)),
    Column("status", String(32), nullable=False),
    Column("finding", String(16)),
    Column("received_at", UtcDateTime()),
    Column("accepted_at", UtcDateTime()),
    Column("closed_at", UtcDateTime()),
    Column("accepted", Boolean, nullable=False),
    Column("rejected", Boolean, nullable=False),
    Column("rectified", Boolean, nullable=False),
    Column("transferred", Boolean, nullable=False),
    Column("exposed", Boolean, nullable=False),
    Column("overdue", Boolean, nullable=False),
)
