"""Webhook catch-up (contract): an integrator whose endpoint was down lists what its
subscription was sent, or failed to be sent, since a ledger number or a time, and asks for it
again. A redelivery is the same delivery: the same `X-Zuofeng-Delivery` id and body, so a
receiver that dedups on the id takes it once. Only the caller's unit's subscriptions (another
unit's is 404); each redelivery request is audited like every webhook change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.context import Context
from services.notify.models import deliveries, webhook_ledger, webhooks
from services.notify.subscriptions import audit_change
from shared.auth import Principal
from shared.errors import Refusal

AGAIN = ("delivered", "failed")  # finished rows; cancelled ones were never the integrator's
MAX_REDELIVER = 1000  # one request's redeliveries; ask again from the last number for more


def _since(subscription_id: str, after: int | None, since: datetime | None) -> Select[Any]:
    query = (
        select(webhook_ledger.c.seq, deliveries)
        .join(deliveries, deliveries.c.id == webhook_ledger.c.delivery)
        .where(webhook_ledger.c.subscription_id == subscription_id)
        .order_by(webhook_ledger.c.seq)
    )
    if after is not None:
        query = query.where(webhook_ledger.c.seq > after)
    if since is not None:
        query = query.where(webhook_ledger.c.created_at >= since)
    return query


async def _theirs(session: AsyncSession, caller: Principal, subscription_id: str) -> Any:
    row = (
        await session.execute(
            select(webhooks).where(
                webhooks.c.id == subscription_id,
                webhooks.c.unit == caller.unit,
                webhooks.c.deleted_at.is_(None),
            )
        )
    ).first()
    if row is None:
        raise Refusal.not_found("没有这个订阅", "no such subscription")
    return row


def view(row: Any) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "delivery_id": row.external_id or row.id,
        "event_id": row.event_id,
        "event_type": row.event_type,
        "county": row.county,
        "status": row.status,
        "attempts": row.attempts,
        "queued_at": row.created_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "last_error": row.last_error,
    }


async def listed(
    ctx: Context,
    caller: Principal,
    subscription_id: str,
    window: tuple[int | None, datetime | None],
    limit: int,
) -> dict[str, Any]:
    """A page of the subscription's ledger after number `after` / since time `since`."""
    async with ctx.db.sessions() as session:
        await _theirs(session, caller, subscription_id)
        rows = (await session.execute(_since(subscription_id, *window).limit(limit + 1))).all()
    items = [view(row) for row in rows[:limit]]
    return {"items": items, "next": items[-1]["seq"] if len(rows) > limit else None}


async def redeliver(
    ctx: Context,
    caller: Principal,
    subscription_id: str,
    window: tuple[int | None, datetime | None],
) -> dict[str, Any]:
    """Queue again every finished delivery of the window (up to MAX_REDELIVER), due now."""
    async with ctx.db.sessions() as session, session.begin():
        sub = await _theirs(session, caller, subscription_id)  # scope first: 404 before 422
        if window == (None, None):
            raise Refusal.fields(
                [(("body",), "须给出 after 或 since", "give after, since or both")]
            )
        if sub.suspended_at is not None:
            raise Refusal.conflict(
                "订阅已暂停：请先恢复（POST .../resume）再重新投递",
                "the subscription is suspended: resume it (POST .../resume) before redelivering",
            )
        query = _since(subscription_id, *window).where(deliveries.c.status.in_(AGAIN))
        rows = (await session.execute(query.limit(MAX_REDELIVER))).all()
        ids = [row.id for row in rows]
        if ids:
            await session.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(ids))
                .values(
                    status="pending",
                    attempts=0,
                    next_attempt_at=ctx.clock(),
                    finished_at=None,
                    last_error=None,
                    redeliveries=func.coalesce(deliveries.c.redeliveries, 0) + 1,
                )
            )
        await audit_change(
            session, ctx, caller, "redeliver", sub.id, sub.url, sub.counties, sub.event_types
        )
    if ids:
        ctx.wake.set()
    last = rows[-1].seq if rows else None
    return {"redelivered": [view(row)["delivery_id"] for row in rows], "last_seq": last}
