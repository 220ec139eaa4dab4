"""A report's facts, from report.received or from the case event that took it in: order-independent
and idempotent."""

from __future__ import annotations

from datetime import datetime

from services.reporting.projection.storage import Row
from shared.events.cases import (
    CaseEvent,
    CaseMerged,
    CaseOpened,
)


def new_report(report_id: str) -> Row:
    return {"report_id": report_id, "county": None, "channel": None, "received_at": None} | {
        "case_id": None
    }


def fold_report(
    row: Row, county: str, channel: str, received_at: datetime, case_id: str | None
) -> Row:
    """A report's facts come from report.received or from the case event that took it in;
    they agree, and the smallest value wins should they ever not (order-independent)."""
    out = dict(row)
    for key, value in (("county", county), ("channel", channel), ("received_at", received_at)):
        out[key] = value if out[key] is None else min(out[key], value)
    if case_id is not None:
        out["case_id"] = case_id if out["case_id"] is None else min(out["case_id"], case_id)
    return out


def report_source(event: CaseEvent) -> tuple[str, str, datetime] | None:
    """(report id, channel, received at) of the report a case event takes in, if it does."""
    if isinstance(event, CaseOpened) and event.report_id:
        return event.report_id, event.channel, event.received_at
    if isinstance(event, CaseMerged):
        return event.merged_report_id, event.channel, event.received_at
    return None
