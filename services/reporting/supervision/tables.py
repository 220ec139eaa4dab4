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

# 回头看 (issue 22): one row per step of a verified rectification's re-check, from `case.*`:
# `due` (case.recheck_due), `passed` or `failed` (case.rechecked), `reopened` (case.reopened
# on a failed re-check). Counting steps, not cases, is order-free: what is still due is the
# due steps less the verdicts.
sup_rechecks = Table(
    "sup_rechecks",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False),
    Column("county", String(6), nullable=False, index=True),  # where the problem is
    Column("handling_unit", String(64), nullable=False, index=True),
    Column("recheck_unit", String(64)),  # the independent unit re-checking
    Column("step", String(12), nullable=False),
)
