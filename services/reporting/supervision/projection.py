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
# The tables `apply` writes, by name: these live ones, or a rebuild's fresh copies.
TABLES: Mapping[str, Table] = {t.name: t for t in (sup_tasks, sup_inspections, sup_datarequests)}


def when_supervision_changes(ctx: Context, durable: str) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Each task, inspection and data-request event updates its read model once."""
        async with ctx.db.sessions() as session, session.begin():
            await lock(session)  # a rebuild's switch-over holds it (rebuild/run.py)
            for _, payload in await inbox.claim_many(session, durable, events):
                await apply(session, payload)

    return handle


async def apply(
    session: AsyncSession, payload: EventData, tables: Mapping[str, Table] = TABLES
) -> None:
    tasks, inspections = tables["sup_tasks"], tables["sup_inspections"]
    requests = tables["sup_datarequests"]
    if isinstance(payload, TaskEvent):
        row = {k: getattr(payload, k) for k in ("measure", "kind", "responsible_unit", "county",
                                                 "status", "overdue", "version")}  # fmt: skip
        await _upsert(session, tasks, "task_id", payload.task_id, row)
    elif isinstance(payload, InspectionEvent):
        row = {k: getattr(payload, k) for k in ("county", "unit", "kind", "status", "version")}
        found = 1 if isinstance(payload, InspectionFindingReported) else 0
        await _upsert(session, inspections, "inspection_id", payload.inspection_id, row, found)
    elif isinstance(payload, DataRequestEvent):
        outcome = "refused" if isinstance(payload, DataRequestRefused) else "registered"
        if isinstance(payload, DataRequestRegistered) and payload.flagged:
            outcome = "flagged"
        row = {k: getattr(payload, k) for k in ("county", "requesting_unit", "kind", "year")}
        row |= {"outcome": outcome, "request_id": payload.request_id}
        known = select(requests.c.request_id).where(requests.c.request_id == payload.request_id)
        if await session.scalar(known) is None:
            await session.execute(insert(requests).values(**row))


async def _upsert(
    session: AsyncSession, table: Table, key: str, ident: str, row: dict[str, Any], found: int = 0
) -> None:
    """Insert, or update when this event's version is newer; findings add up whatever the
    order (each finding event is counted once by the inbox)."""
    column = table.c[key]
    current = (await session.execute(select(table).where(column == ident))).mappings().first()
    if current is None:
        extra = {"findings": found} if "findings" in table.c else {}
        await session.execute(insert(table).values(**{key: ident}, **row, **extra))
        return
    values = row if row["version"] > current["version"] else {}
    if found:
        values = values | {"findings": current["findings"] + found}
    if values:
        await session.execute(update(table).where(column == ident).values(**values))
