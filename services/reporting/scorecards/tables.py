"""The scorecards' read model: one mark per case event that scores a unit, and each case's
current acceptance and completion dates (to tell on time from late)."""

from __future__ import annotations

from sqlalchemy import Column, Date, String, Table

from services.reporting.models import metadata
from shared.db import UtcDateTime

# measure: acceptance (on_time | late), completion (on_time | late), rating (satisfied |
# basically_satisfied | unsatisfied), redo (sent_back), dispute (upheld | lost), urge
# (formal | informal). `unit` is the unit scored, `county` its county, `day` the event's day in
# Asia/Shanghai.
scorecard_marks = Table(
    "scorecard_marks",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False),
    Column("unit", String(64), nullable=False, index=True),
    Column("county", String(6), nullable=False, index=True),
    Column("day", Date, nullable=False, index=True),
    Column("measure", String(16), nullable=False),
    Column("outcome", String(24), nullable=False),
)

# kind: accept (the acceptance decision's due) | complete (the handling period's, as extended).
scorecard_dues = Table(
    "scorecard_dues",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("due", UtcDateTime(), nullable=False),
)
