"""Cases' tables: the case as it stands, its history (which alone rebuilds it), deadlines."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Integer, String, Table, Text

from shared.db import UtcDateTime, new_metadata

metadata = new_metadata()

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("report_id", String(36), nullable=False, unique=True),
    Column("county", String(6), nullable=False, index=True),  # where the problem is
    Column("handling_county", String(6), nullable=False),  # subject county of its events
    Column("handling_unit", String(64), nullable=False, index=True),
    Column("lead_unit", String(64)),
    Column("co_units", JSON, nullable=False),
    Column("accused_unit", String(64)),
    Column("rectifying_unit", String(64)),
    Column("status", String(32), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("problem", Integer),
    Column("problem_confidence", Float),
    Column("taxonomy_version", String(64)),
    Column("channel", String(16), nullable=False),
    Column("triage", Boolean, nullable=False),
    Column("exposed", Boolean, nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("transfer_suggested", String(32)),
    Column("content", Text, nullable=False),  # the report text, for those entitled only
    Column("subject_person", String(100)),
    Column("subject_unit_text", String(200)),
    Column("identity_sealed", Text),
    Column("reporter_index", String(64), index=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

case_history = Table(
    "case_history",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_sub", String(100)),
    Column("actor_unit", String(64)),
    Column("data", JSON, nullable=False),
    Column("public", Boolean, nullable=False),
)

deadlines = Table(
    "case_deadlines",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("due", UtcDateTime(), nullable=False, index=True),
    Column("warn_at", UtcDateTime()),
    Column("provisional", Boolean, nullable=False),
    Column("basis", String(200), nullable=False),
    Column("state", String(16), nullable=False),  # running | warned | missed | met | stopped
)
