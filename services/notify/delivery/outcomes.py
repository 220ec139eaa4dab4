"""Recording a round: every outcome and its `notification.*` event in one transaction, then
the metrics and logs of what was sent, retried or failed."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import ledger
from services.notify.context import Context
from services.notify.delivery.jobs import Result
from services.notify.delivery.retry import look_again_at, retry_at, verdict
from services.notify.models import deliveries

log = logging.getLogger("zuofeng.notify.worker")


async def record(ctx: Context, results: list[Result]) -> None:
    """Write every outcome of a round (and its events) in one transaction."""
    now = ctx.clock()
    sent = [
        {**row, "channel": result.channel}
        for result in results
        if result.kind == "sent"
        for row in result.job.rows
    ]
    async with ctx.db.sessions() as session, session.begin():
        await _switch_channels(session, results)
        await ledger.mark_delivered(session, sent, now=now)
        for result in results:
            for row in result.job.rows if result.kind != "sent" else ():
                unsent = {**row, "channel": result.channel}
                await _record_unsent(session, ctx, result, unsent, now)
    for result in results:
        _count(ctx, result, now)


async def _switch_channels(session: AsyncSession, results: list[Result]) -> None:
    # A reporter's row may go by SMS after all: the contact decides when it is known.
    for result in results:
        if result.channel != result.job.first["channel"]:
            await session.execute(
                update(deliveries)
                .where(deliveries.c.id == result.job.first["id"])
                .values(channel=result.channel)
            )


async def _record_unsent(
    session: AsyncSession, ctx: Context, result: Result, row: dict[str, Any], now: datetime
) -> None:
    s = ctx.settings
    decided = verdict(s, result, row, now)
    if decided == "cancelled":
        await ledger.mark_cancelled(session, row, now=now)
    elif decided == "wait":
        at = look_again_at(s, now, row["created_at"])
        await ledger.mark_retry(
            session, row, result.reason, at=at, counted=False, lease=row.get("lease")
        )
    elif decided == "failed":
        await ledger.mark_failed(
            session, row, result.reason, now=now, suspend_after=s.webhook_suspend_after
        )
    else:
        at = retry_at(s, now, row["attempts"])
        await ledger.mark_retry(session, row, result.reason, at=at)


def _count(ctx: Context, result: Result, now: datetime) -> None:
    rows, channel = result.job.rows, result.channel
    decided = verdict(ctx.settings, result, rows[0], now)
    if decided == "sent":
        for row in rows:
            ctx.metrics.sent(channel, (now - row["created_at"]).total_seconds())
    if decided not in ("retry", "failed"):
        return
    outcome = "failed" if decided == "failed" else "retried"
    ctx.metrics.deliveries.labels(channel, outcome).inc(len(rows))
    extra = {"event_id": rows[0]["event_id"], "case_id": rows[0]["case_id"]}
    level, said = (
        (logging.WARNING, "failed") if decided == "failed" else (logging.INFO, "will retry")
    )
    log.log(level, "%s delivery %s: %s", channel, said, result.reason, extra=extra)
