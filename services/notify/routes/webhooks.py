"""Webhook subscriptions over HTTP (contract): integrators subscribe to case events and
accountability alerts (`case.*`, `alert.*`) by type and county, list, resume and drop their
unit's subscriptions. The secret is shown once, at creation; deliveries are signed with it."""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel
from sqlalchemy import func, select

from services.notify import subscriptions
from services.notify.context import Ctx
from services.notify.fences import counties_to_store
from services.notify.models import webhooks
from services.notify.subscription_rules import WebhookIn, check
from shared.auth import Caller, Principal, require_role

router = APIRouter(prefix="/api/v1", tags=["webhooks"])


async def _integrator(caller: Caller) -> Principal:
    # A dependency, so a wrong role answers 403 before the body is even validated.
    require_role(caller, "integrator")
    return caller


Integrator = Annotated[Principal, Depends(_integrator)]


class WebhookCreated(BaseModel):
    id: str
    secret: str


def _view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "event_types": row.event_types,
        "counties": row.counties,
        "created_at": row.created_at.isoformat(),
        "suspended": row.suspended_at is not None,
        "suspended_at": row.suspended_at.isoformat() if row.suspended_at else None,
        "failures": row.failures,
    }


@router.post("/webhooks", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated)
async def subscribe(body: WebhookIn, ctx: Ctx, caller: Integrator) -> WebhookCreated:
    """Subscribe (integrator role); the answer holds the signing secret, shown only this once.

    Each matching case event or alert (`case.*`, `alert.*`) is POSTed as its envelope JSON with
    `X-Zuofeng-Delivery` (the same on every retry of that delivery), `X-Zuofeng-Timestamp` (Unix
    seconds) and
    `X-Zuofeng-Signature: sha256=<hex HMAC-SHA256 with the secret of "timestamp.body">`.
    Any 2xx accepts it; anything else is retried with exponential backoff, and a subscription
    whose deliveries keep failing is suspended until `POST .../resume`. `counties` filter on the
    handling unit's county (the event subject's). An integrator receives only its own unit's
    county (a city-level unit, county 371400, may take every county): empty means that, and
    naming another county answers 403."""
    await check(ctx, body)
    counties = counties_to_store(ctx.directory, caller.unit, body.counties)
    created = WebhookCreated(id=str(uuid.uuid4()), secret=secrets.token_urlsafe(32))
    await subscriptions.store(ctx, caller, (created.id, created.secret), body, counties)
    return created


@router.get("/webhooks")
async def list_subscriptions(
    ctx: Ctx,
    caller: Integrator,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """The caller's unit's subscriptions (never their secrets)."""
    mine = select(webhooks).where(webhooks.c.unit == caller.unit, webhooks.c.deleted_at.is_(None))
    async with ctx.db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(mine.subquery()))
        page = mine.order_by(webhooks.c.id).limit(limit + 1)
        if cursor:
            page = page.where(webhooks.c.id > cursor)
        rows = (await session.execute(page)).all()
    items = [_view(row) for row in rows[:limit]]
    return {"items": items, "total": total, "next": items[-1]["id"] if len(rows) > limit else None}


@router.delete("/webhooks/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unsubscribe(subscription_id: str, ctx: Ctx, caller: Caller) -> Response:
    """Stop deliveries to a subscription; queued ones are dropped."""
    await subscriptions.change(ctx, caller, subscription_id, "unsubscribe", deleted_at=ctx.clock())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/webhooks/{subscription_id}/resume")
async def resume(subscription_id: str, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """Lift a suspension once the receiver works again."""
    await subscriptions.change(
        ctx, caller, subscription_id, "resume", suspended_at=None, failures=0
    )
    async with ctx.db.sessions() as session:
        row = (
            await session.execute(select(webhooks).where(webhooks.c.id == subscription_id))
        ).one()
    return _view(row)
