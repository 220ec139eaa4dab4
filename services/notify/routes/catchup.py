"""Webhook catch-up over HTTP (contract): list a subscription's deliveries since a ledger number
(`after`) or a time (`since`), and redeliver them with the same delivery ids
(services/notify/catchup.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from services.notify import catchup
from services.notify.context import Ctx
from shared.auth import Caller, Principal, require_role
from shared.errors import Refusal

router = APIRouter(prefix="/api/v1", tags=["webhooks"])
LEDGER_MAX = 2**62  # ledger numbers are 64-bit at most


async def _integrator(caller: Caller) -> Principal:
    require_role(caller, "integrator")
    return caller


Integrator = Annotated[Principal, Depends(_integrator)]


class Window(BaseModel):
    """What to redeliver: after a ledger number, since a time, or both (at least one; checked
    after the subscription's scope, so another unit's id is 404 whatever the body)."""

    after: int | None = Field(None, ge=0, le=LEDGER_MAX)
    since: AwareDatetime | None = None


def _iso(value: str | None) -> datetime | None:
    """An ISO 8601 time with its offset; never a bare number read as a Unix date."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Refusal.fields(
            [
                (
                    ("query", "since"),
                    "since 须为带时区的 ISO 8601 时间，如 2026-12-01T08:00:00+08:00",
                    "since must be an ISO 8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00",
                )
            ]
        )
    return parsed


@router.get("/webhooks/{subscription_id}/deliveries")
async def deliveries(
    subscription_id: str,
    ctx: Ctx,
    caller: Integrator,
    after: Annotated[int | None, Query(ge=0, le=LEDGER_MAX)] = None,
    # Read as text so that a bad one is refused in the one refusal shape (zh-CN first);
    # documented as what it must be, an RFC 3339 date-time.
    since: Annotated[
        str | None, Query(max_length=64, json_schema_extra={"format": "date-time"})
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The subscription's deliveries in the order queued (`seq`, the ledger number), after
    number `after` and/or queued since `since`: each with its delivery id (the
    `X-Zuofeng-Delivery` header), event, status (`pending`, `delivered`, `failed`,
    `cancelled`) and attempts. `next` is the `after` of the next page."""
    window = (after, _iso(since))
    return await catchup.listed(ctx, caller, subscription_id, window, limit)


@router.post("/webhooks/{subscription_id}/redeliver")
async def redeliver(
    subscription_id: str, body: Window, ctx: Ctx, caller: Integrator
) -> dict[str, Any]:
    """Send again the subscription's delivered and failed deliveries after `after` and/or
    since `since` (up to 1000 per request; `last_seq` is where to go on from), with the same
    delivery ids and bodies. A suspended subscription answers 409: resume it first."""
    return await catchup.redeliver(ctx, caller, subscription_id, (body.after, body.since))
