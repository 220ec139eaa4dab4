"""The print queue: one letter per reporter delivery, its public text only (no address)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

from services.notify.models import metadata
from shared.db import UtcDateTime

letters = Table(
    "letters",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("delivery_id", String(36), nullable=False),  # deliveries.id: one letter per row
    Column("report_id", String(64), nullable=False),  # whose sealed contact holds the address
    Column("case_id", String(36)),
    Column("event_type", String(64), nullable=False),
    Column("county", String(6), nullable=False),
    Column("intake_unit", String(64)),  # the unit whose clerk took the report: it prints
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),  # the notice as the templates word it (zh-CN)
    Column("created_at", UtcDateTime(), nullable=False),
    Column("printed_at", UtcDateTime()),
    Column("printed_by", String(200)),
    Column("downloads", Integer, nullable=False, server_default="0"),
    UniqueConstraint("delivery_id", name="uq_letters_delivery_id"),
    Index("ix_letters_queue", "printed_at", "created_at"),
)
