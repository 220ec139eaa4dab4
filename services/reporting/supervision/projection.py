"""Folding supervision events into the read models, once each (inbox) and newest version wins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.context import Context
from services.reporting.projection.batch import lock
from services.reporting.supervision.tables import sup_datarequests, sup_inspections, sup_tasks
from shared import inbox
from shared.bus import BatchHandler
from shared.events import Envelope, EventData
from shared.events.cases.supervision import (
    DataRequestEvent,
    DataRequestRefused,
    DataRequestRegistered,
    InspectionEvent,
    InspectionFindingReported,
)
from shared.events.cases.tasks import TaskEvent

Events = list[tuple[Envelope, EventData]]
# The tables `apply` writes, by name (a rebuild folds into fresh copies of them).
TABLES: Mapping[str, Table] = {t.name: t for t in (sup_tasks, sup_inspections, sup_datarequests)}


def when_supervision_changes(ctx: Context, durable: str) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Each task, inspection and data-request event updates its read model once."""
        async with ctx.db.sessions() as session, session.begin():
            await lock(session)  # a rebuild's switch-over holds it (rebuild/run.py)
            for _, payload in await inbox.claim_many(session, durable, events):
                await apply(session, payload)

    return handle


async def apply(session: AsyncSession, payload: EventData) -> None:
    change = change_of(payload)
    if change is None:
        return
    name, key, row, found = change
    table = TABLES[name]
    column = table.c[key]
    current = (await session.execute(select(table).where(column == row[key]))).mappings().first()
    after = merged(name, None if current is None else dict(current), row, found)
    if after is None:
        return
    if current is None:
        await session.execute(insert(table).values(**after))
        return
    values = {k: v for k, v in after.items() if current[k] != v}
    if values:
        await session.execute(update(table).where(column == row[key]).values(**values))


Change = tuple[str, str, dict[str, Any], int]  # table name, key column, row, findings added


def change_of(payload: EventData) -> Change | None:
    """What an event writes: the row of its task, inspection or data request (None: nothing)."""
    if isinstance(payload, TaskEvent):
        row = {k: getattr(payload, k) for k in ("measure", "kind", "responsible_unit", "county",
                                                 "status", "overdue", "version")}  # fmt: skip
        return "sup_tasks", "task_id", row | {"task_id": payload.task_id}, 0
    if isinstance(payload, InspectionEvent):
        row = {k: getattr(payload, k) for k in ("county", "unit", "kind", "status", "version")}
        found = 1 if isinstance(payload, InspectionFindingReported) else 0
        return (
            "sup_inspections",
            "inspection_id",
            row | {"inspection_id": payload.inspection_id},
            found,
        )
    if isinstance(payload, DataRequestEvent):
        outcome = "refused" if isinstance(payload, DataRequestRefused) else "registered"
        if isinstance(payload, DataRequestRegistered) and payload.flagged:
            outcome = "flagged"
        row = {k: getattr(payload, k) for k in ("county", "requesting_unit", "kind", "year")}
        return (
            "sup_datarequests",
            "request_id",
            row | {"outcome": outcome, "request_id": payload.request_id},
            0,
        )
    return None


def merged(
    name: str, current: Mapping[str, Any] | None, row: dict[str, Any], found: int
) -> dict[str, Any] | None:
    """The whole row after this event, None when it changes nothing: a data request is written
    once; a task or an inspection takes a newer version's fields, and findings add up whatever
    the order (each finding event counted once). Pure: live and a rebuild (in memory) share it."""
    if current is None:
        return row | {"findings": found} if name == "sup_inspections" else row
    if name == "sup_datarequests":
        return None
    values = row if row["version"] > current["version"] else {}
    if found:
        values = values | {"findings": current["findings"] + found}
    return dict(current) | values if values else None
