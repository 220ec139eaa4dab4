"""Supervision read models (migration reporting_supervision): each aggregate's latest state,
kept by version (an older event arriving late changes nothing)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Table

from services.reporting.models import metadata

sup_tasks = Table(
    "sup_tasks",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("measure", String(4), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("responsible_unit", String(64), nullable=False, index=True),
    Column("county", String(6), nullable=False),
    Column("status", String(16), nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

sup_inspections = Table(
    "sup_inspections",
    metadata,
    Column("inspection_id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),  # the county visited
    Column("unit", String(64), nullable=False),  # the inspecting unit
    Column("kind", String(12), nullable=False),
    Column("status", String(12), nullable=False),
    Column("findings", Integer, nullable=False),
    Column("version", Integer, nullable=False),
)

sup_datarequests = Table(
    "sup_datarequests",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("county", String(6), nullable=False, index=True),
    Column("requesting_unit", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("year", Integer, nullable=False),
)
