"""Notify's tables: the in-app inbox (more channels arrive with the notify issue)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Table, Text, UniqueConstraint

from shared.db import UtcDateTime, new_metadata

metadata = new_metadata()

notices = Table(
    "inbox_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(64), nullable=False, index=True),
    Column("case_id", String(36)),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("read", Boolean, nullable=False),
    # Never twice for the same thing: one notice per event and unit.
    UniqueConstraint("event_id", "unit", name="uq_inbox_notices_event_id"),
)
