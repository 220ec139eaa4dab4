"""Programme read models (migration reporting_programmes): what the per-county figures need and
nothing more. An application keeps its latest step by the event's sequence; the other records
are written once (a selection moves on by its sequence)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, PrimaryKeyConstraint, String, Table

from services.reporting.models import metadata

# The villages the programmes work in: a village's name is a place, shown as a coverage gap.
prog_villages = Table(
    "prog_villages",
    metadata,
    Column("village_id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("poor", Boolean, nullable=False),
    Column("left_behind", Boolean, nullable=False),
)

prog_aid = Table(
    "prog_aid",
    metadata,
    Column("application_id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("village_id", String(36), nullable=False),
    Column("poor_village", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("amount", Integer, nullable=False),  # yuan approved, 0 until then
    Column("fund_source", String(16)),
    Column("sequence", Integer, nullable=False),
)

# Schools, sponsorships, pairings, visits, homes, activities and selections: one row each.
# `detail`: a pairing's child category, an activity's kind, a selection's state.
prog_items = Table(
    "prog_items",
    metadata,
    Column("kind", String(12), nullable=False),
    Column("item_id", String(36), nullable=False),
    Column("county", String(6), nullable=False, index=True),
    Column("village_id", String(36)),
    Column("detail", String(16)),
    Column("amount", Integer, nullable=False),
    Column("attendance", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    PrimaryKeyConstraint("kind", "item_id"),
)
