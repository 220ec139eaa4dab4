"""Webhook subscriptions stored and changed, each change with its audit record
(`audit.webhook_changed`, through the outbox in the same transaction)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.context import Context
from services.notify.models import webhooks
from services.notify.subscription_rules import WebhookIn
from shared import outbox
from shared.auth import Principal, require_role
from shared.errors import Refusal
from shared.events.audit import AuditWebhookChanged, actor, audit_record


async def store(
    ctx: Context, caller: Principal, ids: tuple[str, str], body: WebhookIn, counties: list[str]
) -> None:
    """A new subscription (`ids`: its id and secret) for the caller's unit."""
    subscription_id, secret = ids
    event_types = sorted(set(body.event_types))
    async with ctx.db.sessions() as session, session.begin():
        await session.execute(
            insert(webhooks).values(
                id=subscription_id,
                unit=caller.unit,
                created_by=caller.sub,
                url=str(body.url),
                event_types=event_types,
                counties=counties,
                secret=secret,
                created_at=ctx.clock(),
                failures=0,
            )
        )
        kept = (subscription_id, str(body.url), counties, event_types)
        await audit_change(session, ctx, caller, "subscribe", *kept)


async def change(
    ctx: Context, caller: Principal, subscription_id: str, action: str, **values: Any
) -> None:
    """Scope first (another unit's subscription is 404), then the role (403)."""
    theirs = (
        webhooks.c.id == subscription_id,
        webhooks.c.unit == caller.unit,
        webhooks.c.deleted_at.is_(None),
    )
    async with ctx.db.sessions() as session, session.begin():
        row = (await session.execute(select(webhooks).where(*theirs))).first()
        if row is None:
            raise Refusal.not_found("no such subscription", "no such subscription")
        require_role(caller, "integrator")
        await session.execute(update(webhooks).where(*theirs).values(**values))
        await audit_change(
            session, ctx, caller, action, row.id, row.url, row.counties, row.event_types
        )


async def audit_change(
    session: AsyncSession,
    ctx: Context,
    caller: Principal,
    action: str,
    subscription_id: str,
    url: str,
    counties: list[str],
    event_types: list[str],
) -> None:
    """Record who changed which subscription (`audit.webhook_changed` on the AUDIT stream):
    the receiver's host only, never the URL's path or query, nor the secret."""
    record = AuditWebhookChanged(
        **actor(caller),
        subscription_id=subscription_id,
        action=action,  # type: ignore[arg-type]
        counties=list(counties),
        event_types=list(event_types),
        url_host=urlsplit(url).hostname or "",
        changed_at=ctx.clock(),
    )
    await outbox.add(session, audit_record(record, "notify"))
