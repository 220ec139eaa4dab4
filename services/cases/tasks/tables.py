"""The tasks' tables, in cases' metadata (migration cases_tasks): a task as it stands and the
progress reports filed on it (each with the lead unit's decision)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, Text

from services.cases.models import metadata
from shared.db import UtcDateTime

tasks = Table(
    "tasks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("measure", String(4), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # measure | institution (制度建设)
    Column("title", Text, nullable=False),
    Column("parent_id", String(36), index=True),
    Column("source_case", String(36), index=True),
    Column("responsible_unit", String(64), nullable=False, index=True),
    Column("county", String(6), nullable=False),  # the responsible unit's
    Column("lead_units", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),  # = the last event's sequence
    Column("due", UtcDateTime(), nullable=False, index=True),
    # running | warned | missed | met: the due date's clock, swept like a case's deadline
    Column("clock", String(8), nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("escalated_to", String(64)),
    Column("assigned_by", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

task_reports = Table(
    "task_reports",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("report_no", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("figures", JSON, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("reported_by", String(100), nullable=False),
    Column("reported_at", UtcDateTime(), nullable=False),
    Column("decision", String(16)),  # accepted | sent_back
    Column("reason", Text),
    Column("decided_by", String(100)),
    Column("decided_at", UtcDateTime()),
)
