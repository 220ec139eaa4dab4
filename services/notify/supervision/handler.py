"""Notify's consumers of the SUPERVISION stream: task and inspection events become the units'
inbox notices and queued mail. Idempotent (processed-event ids), one transaction per batch."""

from __future__ import annotations

import logging

from services.notify.context import Context
from services.notify.supervision.audiences import is_supervised
from services.notify.supervision.fanout import fan_out_supervised
from shared import inbox
from shared.bus import BatchHandler
from shared.events import Envelope, EventData
from shared.streams import ConsumerDef

log = logging.getLogger("zuofeng.notify")


def when_supervised_tell_the_units(ctx: Context, durable: ConsumerDef) -> BatchHandler:
    async def handle(events: list[tuple[Envelope, EventData]]) -> None:
        """Task and inspection events become inbox notices and queued mail and SMS."""
        wanted = [(e, p) for e, p in events if is_supervised(p)]
        if not wanted:
            return
        async with ctx.db.sessions() as session, session.begin():
            fresh = await inbox.claim_many(session, durable.durable, wanted)
            noticed, queued = await fan_out_supervised(session, ctx, fresh)
        for envelope, _ in fresh:  # after the commit: one line per event told
            ids = {"event_id": str(envelope.event_id), "aggregate_id": envelope.aggregate_id}
            log.info("supervision event told: %s", envelope.type, extra=ids)
        if noticed:
            ctx.metrics.sent("inbox", 0.0, noticed)
        if queued:
            ctx.wake.set()

    return handle
