"""The delivery worker: a background task working the delivery log, never the consumer.

Each round claims due rows (a lease, so a crashed sender's rows come back after it; `FOR UPDATE
SKIP LOCKED` lets replicas share the log on PostgreSQL), sends them concurrently outside any
transaction, then records every outcome and its `notification.*` event in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import httpx
from httpx_secure import httpx_ssrf_protection
from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify import ledger, reporters
from services.notify.channels import scrub
from services.notify.context import Notify
from services.notify.models import deliveries, source_events, webhooks
from services.notify.sending import Clients, Job, Loaded, Result, attempt
from shared.db import one_of

log = logging.getLogger("zuofeng.notify.worker")
WEBHOOK_DNS_TTL = 60.0  # seconds a checked address is reused for new connections to that host


class DeliveryWorker:
    def __init__(self, n: Notify) -> None:
        self.n = n
        self.clients: Clients | None = None

    async def run(self) -> None:
        """Forever: work what is due, then sleep until the next due row, a wake-up or the poll."""
        timeout = httpx.Timeout(self.n.settings.webhook_timeout)
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=False) as gateway,
            httpx.AsyncClient(timeout=timeout, follow_redirects=False) as webhooks,
        ):
            if not self.n.settings.internal_webhooks_allowed:
                # Checked again at every connection, and the connection goes to the address
                # checked: a name that resolved outside when subscribed may point inside now.
                httpx_ssrf_protection(webhooks, dns_cache_ttl=WEBHOOK_DNS_TTL)
            self.clients = Clients(gateway=gateway, webhooks=webhooks)
            while True:
                pause = self.n.settings.delivery_poll_interval
                try:
                    while await self.work_once():
                        pass
                    pause = min(pause, await self.refresh())
                except Exception as exc:  # noqa: BLE001 - outlive database and network blips
                    log.warning(
                        "delivery worker will retry: %s", scrub(f"{type(exc).__name__}: {exc}")
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.n.wake.wait(), max(pause, 0.01))
                self.n.wake.clear()

    async def work_once(self) -> int:
        """One round; returns how many rows it claimed (0: nothing was due)."""
        assert self.clients is not None, "run() owns the HTTP clients"
        rows = await claim(self.n)
        if not rows:
            return 0
        jobs = group(rows)
        loaded = await load(self.n, rows)
        limit = asyncio.Semaphore(self.n.settings.delivery_concurrency)

        async def one(job: Job) -> Result:
            async with limit:
                started = asyncio.get_running_loop().time()
                result = await attempt(self.n, self.clients, job, loaded)  # type: ignore[arg-type]
                elapsed = asyncio.get_running_loop().time() - started
                self.n.metrics.attempt.labels(result.channel).observe(elapsed)
                return result

        async def in_turn(lane: list[Job]) -> list[Result]:
            return [await one(job) for job in lane]

        async with asyncio.TaskGroup() as group_of_sends:  # attempt() never raises
            tasks = [group_of_sends.create_task(in_turn(lane)) for lane in lanes(jobs, loaded)]
        await record(self.n, [result for task in tasks for result in task.result()])
        return len(rows)

    async def refresh(self) -> float:
        """Update the gauges; seconds until the next row falls due."""
        now = self.n.clock()
        async with self.n.db.sessions() as session:
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
        self.n.metrics.pending.set(pending or 0)
        self.n.metrics.suspended.set(suspended or 0)
        return (due - now).total_seconds() if due else float("inf")


async def claim(n: Notify) -> list[dict[str, Any]]:
    """Take due rows under a lease and count the attempt; digests get their id here.

    A row waits while its case's earlier event has a row to the same address still to be tried
    and falling due after it (see `_earlier_untried`); in a tie the earlier sorts first, so the
    batch limit never takes a later row without the earlier one.
    """
    now = n.clock()
    async with n.db.sessions() as session, session.begin():
        query = (
            select(deliveries)
            .where(
                deliveries.c.status.in_(ledger.OPEN),
                deliveries.c.next_attempt_at <= now,
                ~_earlier_untried(),
            )
            .order_by(deliveries.c.next_attempt_at, deliveries.c.recipient, deliveries.c.sequence)
            .limit(n.settings.delivery_batch)
        )
        if not n.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        rows = [dict(r) for r in (await session.execute(query)).mappings()]
        if not rows:
            return []
        lease = now + timedelta(seconds=n.settings.delivery_lease)
        await session.execute(
            update(deliveries)
            .where(one_of(session, deliveries.c.id, [r["id"] for r in rows]))
            .values(next_attempt_at=lease, attempts=deliveries.c.attempts + 1)
        )
        await _name_digests(session, rows)
    for row in rows:
        row["attempts"] += 1
        row["lease"] = lease
    return rows


def _earlier_untried() -> ColumnElement[bool]:
    """The row's case has an earlier event whose row to the same address falls due later and
    has not failed at the receiver yet: new, waiting for its report (uncounted), or out on its
    first try elsewhere. Only a retried row may be overtaken (README); a digest row is not
    pending and holds nothing back."""
    earlier = deliveries.alias("earlier")
    return exists().where(
        earlier.c.case_id == deliveries.c.case_id,
        earlier.c.recipient_kind == deliveries.c.recipient_kind,
        earlier.c.recipient == deliveries.c.recipient,
        # A reporter has one address whichever channel the contact settles on.
        or_(earlier.c.channel == deliveries.c.channel, deliveries.c.recipient_kind == "reporter"),
        earlier.c.sequence < deliveries.c.sequence,
        earlier.c.status == "pending",
        earlier.c.next_attempt_at > deliveries.c.next_attempt_at,
        or_(earlier.c.attempts == 0, earlier.c.last_error.is_(None)),
    )


async def _name_digests(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    # One id per unit, channel and day, kept across retries (stored before the first send).
    fresh: dict[tuple[str, str, str], str] = {}
    for row in rows:
        if row["batch"] is not None and row["external_id"] is None:
            key = (row["recipient"], row["channel"], row["batch"])
            row["external_id"] = fresh.setdefault(key, str(uuid.uuid4()))
    for digest_id in set(fresh.values()):
        ids = [r["id"] for r in rows if r["external_id"] == digest_id]
        await session.execute(
            update(deliveries).where(deliveries.c.id.in_(ids)).values(external_id=digest_id)
        )


def group(rows: list[dict[str, Any]]) -> list[Job]:
    """One job per row, except a digest's rows, which travel together."""
    jobs: list[Job] = []
    digests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["batch"] is None:
            jobs.append(Job([row], row["external_id"]))
        else:
            digests[row["external_id"]].append(row)
    jobs += [Job(sorted(rs, key=lambda r: r["created_at"]), key) for key, rs in digests.items()]
    return jobs


def lanes(jobs: list[Job], loaded: Loaded) -> list[list[Job]]:
    """One case's jobs to one address on one channel, oldest event first; the rest in parallel.

    A reporter whose case is concluded and closed in the same round must read the result before
    the closure: concurrent sends would let the second overtake the first. Different cases keep
    their parallel sends, so a unit or an integrator with many cases is not served one by one.
    """
    by_address: dict[tuple[str, str, str | None, str | None], list[Job]] = defaultdict(list)
    for job in jobs:
        row = job.first
        channel = None if row["recipient_kind"] == "reporter" else row["channel"]
        key = (row["recipient_kind"], row["recipient"], channel, row["case_id"])
        by_address[key].append(job)
    return [sorted(lane, key=lambda job: _sequence(job, loaded)) for lane in by_address.values()]


def _sequence(job: Job, loaded: Loaded) -> int:
    # A lane is one case, and the case's own sequence is the order its events happened in.
    # (No source: attempt() reports that job's failure; the order must not raise first.)
    source = loaded.sources.get(job.first["event_id"])
    return int(json.loads(source)["sequence"]) if source else 0


async def load(n: Notify, rows: list[dict[str, Any]]) -> Loaded:
    event_ids = {r["event_id"] for r in rows}
    subs = {r["recipient"] for r in rows if r["recipient_kind"] == "integrator"}
    reports = {r["recipient"] for r in rows if r["recipient_kind"] == "reporter"}
    loaded = Loaded()
    async with n.db.sessions() as session:
        found = await session.execute(
            select(source_events.c.event_id, source_events.c.envelope).where(
                one_of(session, source_events.c.event_id, event_ids)
            )
        )
        loaded.sources = {r.event_id: r.envelope for r in found}
        if subs:
            found = await session.execute(select(webhooks).where(webhooks.c.id.in_(subs)))
            loaded.subscriptions = {r.id: r for r in found}
        loaded.contacts = await reporters.contacts_of(session, reports)
    return loaded


async def record(n: Notify, results: list[Result]) -> None:
    """Write every outcome of a round (and its events) in one transaction."""
    now = n.clock()
    sent = [
        {**row, "channel": result.channel}
        for result in results
        if result.kind == "sent"
        for row in result.job.rows
    ]
    async with n.db.sessions() as session, session.begin():
        await _switch_channels(session, results)
        await ledger.mark_delivered(session, sent, now=now)
        for result in results:
            for row in result.job.rows if result.kind != "sent" else ():
                await _record_unsent(session, n, result, {**row, "channel": result.channel}, now)
    for result in results:
        _count(n, result, now)


async def _switch_channels(session: AsyncSession, results: list[Result]) -> None:
    # A reporter's row may go by SMS after all: the contact decides when it is known.
    for result in results:
        if result.channel != result.job.first["channel"]:
            await session.execute(
                update(deliveries)
                .where(deliveries.c.id == result.job.first["id"])
                .values(channel=result.channel)
            )


def _verdict(n: Notify, result: Result, row: dict[str, Any], now: datetime) -> str:
    """sent | cancelled | wait | retry | failed, for one row of a round."""
    s = n.settings
    if result.kind in ("sent", "cancelled"):
        return result.kind
    if result.kind == "wait":
        young = (now - row["created_at"]).total_seconds() < s.reporter_wait
        return "wait" if young else "failed"
    if result.kind == "failed" or row["attempts"] >= s.delivery_max_attempts:
        return "failed"
    return "retry"


async def _record_unsent(
    session: AsyncSession, n: Notify, result: Result, row: dict[str, Any], now: datetime
) -> None:
    s = n.settings
    verdict = _verdict(n, result, row, now)
    if verdict == "cancelled":
        await ledger.mark_cancelled(session, row, now=now)
    elif verdict == "wait":
        # No attempt at the receiver: look again later, less often as it ages (the report's
        # arrival brings the row forward anyway).
        age = (now - row["created_at"]).total_seconds()
        at = now + timedelta(seconds=min(s.delivery_retry_cap, max(s.delivery_retry_base, age / 2)))
        await ledger.mark_retry(
            session, row, result.reason, at=at, counted=False, lease=row.get("lease")
        )
    elif verdict == "failed":
        await ledger.mark_failed(
            session, row, result.reason, now=now, suspend_after=s.webhook_suspend_after
        )
    else:
        at = ledger.retry_at(now, row["attempts"], s.delivery_retry_base, s.delivery_retry_cap)
        await ledger.mark_retry(session, row, result.reason, at=at)


def _count(n: Notify, result: Result, now: datetime) -> None:
    rows, channel = result.job.rows, result.channel
    verdict = _verdict(n, result, rows[0], now)
    if verdict == "sent":
        for row in rows:
            n.metrics.sent(channel, (now - row["created_at"]).total_seconds())
    if verdict not in ("retry", "failed"):
        return
    n.metrics.deliveries.labels(channel, "failed" if verdict == "failed" else "retried").inc(
        len(rows)
    )
    extra = {"event_id": rows[0]["event_id"], "case_id": rows[0]["case_id"]}
    level, said = (
        (logging.WARNING, "failed") if verdict == "failed" else (logging.INFO, "will retry")
    )
    log.log(level, "%s delivery %s: %s", channel, said, result.reason, extra=extra)
