"""Integrators' rows for case events and accountability alerts: subscribed to the event's type
and county (case.* and alert.* only, ever: never report.*), and only in the county their unit
may take, whatever the stored subscription says."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.context import Context
from services.notify.fanout.rows import delivery_row
from services.notify.fences import may_receive
from services.notify.models import webhook_ledger, webhooks
from shared.events import Envelope, EventData

SUBSCRIBABLE = ("case.", "alert.")  # the aggregates integrators may take (contract)


async def webhook_rows(
    session: AsyncSession,
    ctx: Context,
    events: Sequence[tuple[Envelope, EventData]],
    now: datetime,
) -> list[dict[str, Any]]:
    wanted = [(e, p) for e, p in events if e.type.startswith(SUBSCRIBABLE)]
    if not wanted:
        return []
    found = await session.execute(
        select(webhooks.c.id, webhooks.c.unit, webhooks.c.event_types, webhooks.c.counties).where(
            webhooks.c.deleted_at.is_(None), webhooks.c.suspended_at.is_(None)
        )
    )
    subs = found.all()
    return [
        delivery_row(
            envelope,
            payload,
            now,
            recipient_kind="integrator",
            recipient=sub.id,
            channel="webhook",
            audience="integrator",
        )
        for envelope, payload in wanted
        for sub in subs
        if envelope.type in sub.event_types
        and (not sub.counties or envelope.county in sub.counties)
        and may_receive(ctx.directory, sub.unit, envelope.county)
    ]


async def enter_in_ledger(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Number the webhook rows just queued, in their order (same transaction as the rows)."""
    ledger = [
        {"delivery": r["id"], "subscription_id": r["recipient"], "created_at": r["created_at"]}
        for r in rows
        if r["channel"] == "webhook"
    ]
    if ledger:
        await session.execute(insert(webhook_ledger), ledger)
