"""The delivery worker: a background task working the delivery log, never the consumer.

Each round claims due rows (`claiming`), sends them concurrently outside any transaction
(`attempt`, one lane per case and address), then records every outcome and its
`notification.*` event in one transaction (`outcomes`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from httpx_secure import httpx_ssrf_protection
from sqlalchemy import func, select

from services.notify import ledger
from services.notify.channels import scrub
from services.notify.context import Context
from services.notify.delivery.attempt import Clients, attempt
from services.notify.delivery.claiming import claim
from services.notify.delivery.jobs import Job, Result, group, lanes
from services.notify.delivery.loading import load
from services.notify.delivery.outcomes import record
from services.notify.models import deliveries, webhooks

log = logging.getLogger("zuofeng.notify.worker")
WEBHOOK_DNS_TTL = 60.0  # seconds a checked address is reused for new connections to that host


class DeliveryWorker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.clients: Clients | None = None

    async def run(self) -> None:
        """Forever: work what is due, then sleep until the next due row, a wake-up or the poll."""
        timeout = httpx.Timeout(self.ctx.settings.webhook_timeout)
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=False) as gateway,
            httpx.AsyncClient(timeout=timeout, follow_redirects=False) as webhooks,
        ):
            if not self.ctx.settings.internal_webhooks_allowed:
                # Checked again at every connection, and the connection goes to the address
                # checked: a name that resolved outside when subscribed may point inside now.
                httpx_ssrf_protection(webhooks, dns_cache_ttl=WEBHOOK_DNS_TTL)
            self.clients = Clients(gateway=gateway, webhooks=webhooks)
            while True:
                await self._round_and_rest()

    async def _round_and_rest(self) -> None:
        pause = self.ctx.settings.delivery_poll_interval
        try:
            while await self.work_once():
                pass
            pause = min(pause, await self.refresh())
        except Exception as exc:  # noqa: BLE001 - outlive database and network blips
            log.warning("delivery worker will retry: %s", scrub(f"{type(exc).__name__}: {exc}"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ctx.wake.wait(), max(pause, 0.01))
        self.ctx.wake.clear()

    async def work_once(self) -> int:
        """One round; returns how many rows it claimed (0: nothing was due)."""
        assert self.clients is not None, "run() owns the HTTP clients"
        clients, ctx = self.clients, self.ctx
        rows = await claim(ctx)
        if not rows:
            return 0
        jobs = group(rows)
        loaded = await load(ctx, rows)
        limit = asyncio.Semaphore(ctx.settings.delivery_concurrency)

        async def one(job: Job) -> Result:
            async with limit:
                started = asyncio.get_running_loop().time()
                result = await attempt(ctx, clients, job, loaded)
                elapsed = asyncio.get_running_loop().time() - started
                ctx.metrics.attempt.labels(result.channel).observe(elapsed)
                return result

        async def in_turn(lane: list[Job]) -> list[Result]:
            return [await one(job) for job in lane]

        async with asyncio.TaskGroup() as group_of_sends:  # attempt() never raises
            tasks = [group_of_sends.create_task(in_turn(lane)) for lane in lanes(jobs, loaded)]
        await record(ctx, [result for task in tasks for result in task.result()])
        return len(rows)

    async def refresh(self) -> float:
        """Update the gauges; seconds until the next row falls due."""
        now = self.ctx.clock()
        async with self.ctx.db.sessions() as session:
            open_rows = deliveries.c.status.in_(ledger.OPEN)
            pending = await session.scalar(select(func.count()).where(open_rows))
            due = await session.scalar(
                select(func.min(deliveries.c.next_attempt_at)).where(open_rows)
            )
            suspended = await session.scalar(
                select(func.count())
                .select_from(webhooks)
                .where(webhooks.c.suspended_at.is_not(None), webhooks.c.deleted_at.is_(None))
            )
        self.ctx.metrics.pending.set(pending or 0)
        self.ctx.metrics.suspended.set(suspended or 0)
        return (due - now).total_seconds() if due else float("inf")
