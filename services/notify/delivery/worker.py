"""The delivery worker: a background task working the delivery log, never the consumer.

Each round claims due rows (`claiming`), sends them concurrently outside any transaction
(`attempt`, one lane per case and address), then records every outcome and its
`notification.*` event in one transaction (`outcomes`).

At ordinary load every fan-out wakes the worker: a woken worker waits `WAKE_COALESCE` first,
so the fan-outs of that moment go in one round (one claim, one record, one outbox wake-up)
rather than one round each. A round that claimed fewer rows than a batch took every row that
could go; the look at the table after it (`refresh`) says when one can go next, rows held
behind an earlier one of their case left out, so no empty claim follows a round. A poll (no
wake-up: rows no fan-out of this process announced, a retry's time) looks before it claims,
and claims only when a row can go.
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
from services.notify.delivery.claiming import claim, held
from services.notify.delivery.jobs import Job, Result, group, lanes
from services.notify.delivery.loading import load
from services.notify.delivery.outcomes import record
from services.notify.models import deliveries, webhooks

log = logging.getLogger("zuofeng.notify.worker")
WEBHOOK_DNS_TTL = 60.0  # seconds a checked address is reused for new connections to that host
# Seconds a wake-up waits for more fan-outs before its round. Nobody watches a mail or an SMS
# leave by the millisecond; at 20 reports/s this makes one round of four or five fan-outs.
WAKE_COALESCE = 0.25


class DeliveryWorker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.clients: Clients | None = None
        self.woken = True  # the first round claims at once (rows a restart left due)

    async def run(self) -> None:
        """Forever: work what is due, then sleep until the next due row, a wake-up or the poll."""
        timeout = httpx.Timeout(self.ctx.settings.webhook_timeout)
        # One TLS context for both clients: each would load the CA bundle into a context of its
        # own (about 0.8 MB of notify's memory for the second, issue 27).
        tls = httpx.create_ssl_context()
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=False, verify=tls) as gateway,
            httpx.AsyncClient(timeout=timeout, follow_redirects=False, verify=tls) as webhooks,
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
            # A poll (no wake-up) looks before it claims: idle, that is one query a poll.
            due = None if self.woken else await self.refresh()
            if due is None or due <= 0:
                # A short round took every row that could go (refresh then says if one can now).
                while await self.work_once() >= self.ctx.settings.delivery_batch:
                    pass
                due = await self.refresh()
            pause = min(pause, due)
        except Exception as exc:  # noqa: BLE001 - outlive database and network blips
            log.warning("delivery worker will retry: %s", scrub(f"{type(exc).__name__}: {exc}"))
        self.woken = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ctx.wake.wait(), max(pause, 0.01))
            self.woken = True
            await self.settle()  # woken by a fan-out: the next ones join its round
        self.ctx.wake.clear()

    async def settle(self) -> None:
        await asyncio.sleep(WAKE_COALESCE)

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
        """Update the gauges; seconds until a row can next go (one query).

        A row held behind an earlier row of its case (`claiming.held`) is left out: it can go
        once that row has, and that row's own time is counted. Counting it would make the
        worker claim again every 10 ms, finding nothing, until the earlier row's time."""
        now = self.ctx.clock()
        open_rows = deliveries.c.status.in_(ledger.OPEN)
        pending = select(func.count()).where(open_rows).scalar_subquery()
        due = (
            select(func.min(deliveries.c.next_attempt_at))
            .where(open_rows, ~held())
            .scalar_subquery()
        )
        suspended = (
            select(func.count())
            .select_from(webhooks)
            .where(webhooks.c.suspended_at.is_not(None), webhooks.c.deleted_at.is_(None))
            .scalar_subquery()
        )
        async with self.ctx.db.sessions() as session:
            pending, due, suspended = (await session.execute(select(pending, due, suspended))).one()
        self.ctx.metrics.pending.set(pending or 0)
        self.ctx.metrics.suspended.set(suspended or 0)
        return (due - now).total_seconds() if due else float("inf")
