"""The inspections' tables (migration cases_tasks): visits, their findings (each linked to the
report intake made of it) and the sampling draws."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Integer, String, Table, Text

from services.cases.models import metadata
from shared.db import UtcDateTime

inspections = Table(
    "inspections",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(12), nullable=False),  # planned | unannounced (暗访)
    Column("unit", String(64), nullable=False, index=True),  # the inspecting unit
    Column("inspectors", JSON, nullable=False),  # who went (names of officials)
    Column("county", String(6), nullable=False, index=True),
    Column("township", String(64)),
    Column("village", String(50)),
    Column("visit_on", Date, nullable=False),
    Column("status", String(12), nullable=False),  # planned | visited
    Column("notes", Text),
    Column("version", Integer, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

inspection_findings = Table(
    "inspection_findings",
    metadata,
    Column("inspection_id", String(36), primary_key=True),
    Column("finding_no", Integer, primary_key=True),
    Column("summary", String(200), nullable=False),
    Column("report_id", String(36), nullable=False, unique=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

sampling_draws = Table(
    "sampling_draws",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("n", Integer, nullable=False),
    Column("seed", String(64), nullable=False),
    Column("candidates", JSON, nullable=False),  # every candidate with its weight and reasons
    Column("picked", JSON, nullable=False),
    Column("drawn_at", UtcDateTime(), nullable=False),
)
