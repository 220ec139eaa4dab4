"""The register of data requests and checks aimed at villages (migration cases_tasks)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from services.cases.models import metadata
from shared.db import UtcDateTime

data_requests = Table(
    "data_requests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("township", String(64)),
    Column("village", String(50), nullable=False),
    Column("village_key", String(50), nullable=False),  # normalised name: finds repeats
    Column("requesting_unit", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # registration | other_data | check
    Column("check_kind", String(20)),
    Column("title", Text, nullable=False),
    Column("year", Integer, nullable=False),  # in Asia/Shanghai
    Column("outcome", String(16), nullable=False),  # registered | flagged | refused
    Column("rule", Text),
    Column("repeats", String(36)),
    Column("requested_by", String(100), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Index("ix_data_requests_village", "county", "village_key", "year"),
)
