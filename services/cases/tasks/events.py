"""A task's events: the task's facts after the change, `sequence` = the task's version, under
the responsible unit's county, staged in cases' outbox with the change."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared import outbox
from shared.events import REGISTRY, make_event

PRODUCER = "cases"


def facts(row: Mapping[str, Any]) -> dict[str, Any]:
    """What every task event carries: the task as it stands."""
    return {
        "task_id": row["id"],
        "measure": row["measure"],
        "kind": row["kind"],
        "county": row["county"],
        "responsible_unit": row["responsible_unit"],
        "lead_units": list(row["lead_units"]),
        "status": row["status"],
        "version": row["version"],
        "due": row["due"],
        "overdue": row["overdue"],
    }


async def stage(
    session: AsyncSession, row: Mapping[str, Any], event_type: str, now: datetime, **data: Any
) -> None:
    """The event of `row` as it now stands (its version is the event's sequence)."""
    payload = REGISTRY[(event_type, 1)].model_validate({**facts(row), **data})
    envelope = make_event(
        payload,
        county=row["county"],
        aggregate_id=row["id"],
        sequence=row["version"],
        producer=PRODUCER,
        correlation_id=row.get("source_case") or row.get("parent_id") or row["id"],
        occurred_at=now,
    )
    await outbox.add(session, envelope)
