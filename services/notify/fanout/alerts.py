"""Accountability alerts (`alert.*`, from reporting) to the integrators subscribed to them:
only webhook rows (no unit or reporter is told of an alert by notify), written in the
consumer's transaction like case events' deliveries, sent by the same worker."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.context import Context
from services.notify.fanout.webhook_rows import enter_in_ledger, webhook_rows
from services.notify.models import deliveries, source_events
from shared.events import Envelope, EventData


async def alerts_to_integrators(
    session: AsyncSession, ctx: Context, events: Sequence[tuple[Envelope, EventData]]
) -> int:
    """Queue the webhook deliveries of these alerts; returns how many."""
    now = ctx.clock()
    rows = await webhook_rows(session, ctx, events, now)
    if not rows:
        return 0
    told = {row["event_id"] for row in rows}
    await session.execute(
        insert(source_events),
        [
            {
                "event_id": str(e.event_id),
                "event_type": e.type,
                "envelope": e.model_dump_json(),
                "received_at": now,
            }
            for e, _ in events
            if str(e.event_id) in told
        ],
    )
    await session.execute(insert(deliveries), rows)
    await enter_in_ledger(session, rows)
    return len(rows)
