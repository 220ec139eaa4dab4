"""Cases' tables: the case as it stands, its history (which alone rebuilds it), its deadlines,
and the reports linked to it (the one that opened it and the repeats merged into it)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, String, Table, Text, false

from services.cases.audit.chain import audit_table
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
    # Every accused unit as a JSON list (the text may name several); NULL before cases_0005.
    Column("accused_units", Text),
    Column("rectifying_unit", String(64)),
    Column("status", String(32), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    # History entries so far (notes included): the optimistic lock every writer checks.
    Column("entries", Integer, nullable=False, server_default="1"),
    Column("problem", Integer),
    Column("problem_confidence", Float),
    Column("taxonomy_version", String(64)),
    Column("channel", String(16), nullable=False),
    Column("triage", Boolean, nullable=False),
    Column("exposed", Boolean, nullable=False),
    Column("exposure_text", Text),  # the approved, redacted text only
    Column("overdue", Boolean, nullable=False),
    Column("finding", String(16)),
    Column("transfer_suggested", String(32)),
    Column("transfer_to", String(32)),
    Column("receiving_unit", String(64), index=True),
    Column("escalated_to", String(64)),
    # Raised to the city office's supervision (提级督办, issue 26): listed for the city office.
    Column("raised_supervision", Boolean, nullable=False, server_default=false()),
    Column("content", Text, nullable=False),  # the report text, for those entitled only
    Column("subject_person", String(100)),
    Column("subject_person_key", String(100)),  # normalised, to find repeats
    Column("subject_unit_text", String(200)),
    Column("subject_is_head", Boolean, nullable=False, server_default=false()),
    Column("identity_sealed", Text),
    Column("reporter_index", String(64), index=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_cases_repeat", "county", "problem"),
)

case_history = Table(
    "case_history",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("sequence", Integer, primary_key=True),  # position in the history (notes included)
    Column("version", Integer),  # the case's version after this entry (= the event's sequence)
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_sub", String(100)),
    Column("actor_unit", String(64)),
    Column("data", JSON, nullable=False),  # as published (private entries: nothing published)
    Column("internal", JSON),  # texts kept in the case: reasons, measures, evidence, notes
    Column("public", Boolean, nullable=False),
)

deadlines = Table(
    "case_deadlines",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("due", UtcDateTime(), nullable=False, index=True),
    Column("warn_at", UtcDateTime(), index=True),
    Column("provisional", Boolean, nullable=False),
    Column("basis", String(200), nullable=False),
    # running | warned | missed | met | stopped | suspended (transferred) | lapsed (a window)
    Column("state", String(16), nullable=False),
    Column("started_at", UtcDateTime()),
)

case_reports = Table(
    "case_reports",
    metadata,
    Column("report_id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("role", String(8), nullable=False),  # opened | merged
    Column("channel", String(16), nullable=False),
    Column("reporter_index", String(64), index=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("linked_at", UtcDateTime(), nullable=False),
)

# Every read and action, hash-chained (audit/chain.py); append-only.
audit_log = audit_table(metadata)
