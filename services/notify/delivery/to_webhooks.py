"""Sending to an integrator: the case event's envelope, signed, to a live subscription in a
county the integrator's unit may take."""

from __future__ import annotations

import httpx

from services.notify import channels
from services.notify.context import Context
from services.notify.delivery.jobs import Cancel, Job
from services.notify.delivery.loading import Loaded
from services.notify.fences import may_receive


async def send_to_integrator(
    ctx: Context, client: httpx.AsyncClient, job: Job, loaded: Loaded
) -> None:
    sub = loaded.subscriptions.get(job.first["recipient"])
    if sub is None or sub.deleted_at is not None:
        raise Cancel()
    if not may_receive(ctx.directory, sub.unit, job.first["county"]):
        # Queued before the county fence, or the unit moved county since: never sent.
        raise Cancel()
    if sub.suspended_at is not None:
        raise channels.Permanent("subscription suspended")
    body = loaded.sources[job.first["event_id"]].encode()
    await channels.send_webhook(client, sub.url, sub.secret, body, job.external_id)
