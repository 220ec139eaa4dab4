"""Transactional outbox: events are rows written with the change, published after commit.

`add` writes the row in the caller's transaction and flags the session so the relay wakes on
commit; the relay also polls as a fallback and, on start, publishes whatever a crash left.
A relay given `settle` waits that long after a wake-up, so the commits of that moment go in one
claim and publish round (for services whose events no one waits on by the millisecond).
Re-sends carry the same `Nats-Msg-Id`, so JetStream drops doubles inside its window and the
consumers' inbox drops them after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import OUTBOX, Database, one_of
from shared.dlq import describe_error
from shared.events import Envelope
from shared.streams import stream_for_subject
from shared.subjects import event_subject
from shared.tasks import stop_tasks

log = logging.getLogger("zuofeng.outbox")
BATCH = 500
PUBACK_TIMEOUT = 10.0
# The backlog metrics' query runs at most this often (not after every wake: at a steady rate
# that was a third transaction per commit of the services).
MEASURE_EVERY = 1.0


async def add(session: AsyncSession, envelope: Envelope) -> None:
    """Stage an event in the caller's transaction."""
    await session.execute(
        insert(OUTBOX).values(
            event_id=str(envelope.event_id),
            subject=event_subject(envelope.county, envelope.type),
            payload=envelope.to_bytes(),
            created_at=datetime.now(UTC),
        )
    )
    session.info["outbox_dirty"] = True


class OutboxRelay:
    """Publishes unpublished outbox rows in commit order and marks them published."""

    def __init__(
        self,
        db: Database,
        js: Callable[[], JetStreamContext],
        poll_interval: float = 2.0,
        registry: CollectorRegistry | None = None,
        settle: float = 0.0,
    ) -> None:
        self.db = db
        self.js = js
        self.poll_interval = poll_interval
        self.settle = settle
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.published = 0
        # The backlog as of the last poll (one aggregate query per poll, not per row); the age
        # is taken at scrape time, so a relay stuck on its database still shows it growing.
        self.oldest: datetime | None = None
        self.backlog = Gauge(
            "zuofeng_outbox_pending", "Outbox rows not yet published", registry=registry
        )
        age = Gauge(
            "zuofeng_outbox_oldest_age_seconds",
            "Age of the oldest unpublished outbox row (0 when none)",
            registry=registry,
        )
        age.set_function(self.oldest_age)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        self._stopping = True
        if self._task:
            await stop_tasks([self._task])

    async def _run(self) -> None:
        measured = -MEASURE_EVERY
        while not self._stopping:
            try:
                # A short batch took every row there was: a commit since then has set the
                # signal, so the wait below returns at once (no empty look after each wake).
                while await self.publish_pending() == BATCH:
                    pass
                if time.monotonic() - measured >= MEASURE_EVERY:
                    await self.measure()
                    measured = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - the relay must outlive NATS or DB blips
                log.warning("outbox relay will retry: %s", describe_error(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.db.outbox_signal.wait(), self.poll_interval)
                await self.settling()  # the commits that follow join this round
            self.db.outbox_signal.clear()

    async def settling(self) -> None:
        if self.settle:
            await asyncio.sleep(self.settle)

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many rows it published (0 when none were waiting).

        On PostgreSQL the rows are taken and marked in one statement (an UPDATE of the oldest
        unpublished rows not locked by another replica, RETURNING them), then published; a
        failed publish rolls the mark back. SQLite reads, publishes, then marks: its UPDATE
        would hold the database's one write lock while the PubAcks are awaited."""
        async with self.db.sessions() as session, session.begin():
            columns = (OUTBOX.c.id, OUTBOX.c.subject, OUTBOX.c.payload, OUTBOX.c.event_id)
            if self.db.is_sqlite:
                waiting = select(*columns).where(OUTBOX.c.published_at.is_(None))
                rows = list(
                    (await session.execute(waiting.order_by(OUTBOX.c.id).limit(BATCH))).all()
                )
                if not rows:
                    return 0
                await self._publish(rows)
                await session.execute(
                    update(OUTBOX)
                    .where(one_of(session, OUTBOX.c.id, [row.id for row in rows]))
                    .values(published_at=datetime.now(UTC))
                )
            else:
                # Replicas share the table: each row is taken by one relay at a time.
                oldest = select(OUTBOX.c.id).where(OUTBOX.c.published_at.is_(None))
                oldest = oldest.order_by(OUTBOX.c.id).limit(BATCH)
                taken = (
                    update(OUTBOX)
                    .where(OUTBOX.c.id.in_(oldest.with_for_update(skip_locked=True)))
                    .values(published_at=datetime.now(UTC))
                    .returning(*columns)
                )
                rows = sorted((await session.execute(taken)).all(), key=lambda row: row.id)
                if not rows:
                    return 0
                await self._publish(rows)
        self.published += len(rows)
        return len(rows)

    async def _publish(self, rows: list[Any]) -> None:
        """Pipelined, in commit order: one connection keeps the order, PubAcks are awaited together.

        A missing PubAck fails the whole batch; it is sent again later with the same ids.
        """
        js = self.js()
        acks = []
        for row in rows:
            ack = await js.publish_async(
                row.subject,
                row.payload,
                stream=stream_for_subject(row.subject),
                headers={"Nats-Msg-Id": row.event_id},
            )
            acks.append(ack)
        await asyncio.wait_for(asyncio.gather(*acks), timeout=PUBACK_TIMEOUT)

    async def pending(self) -> int:
        return (await self.measure())[0]

    async def measure(self) -> tuple[int, datetime | None]:
        """How many rows wait and the oldest one's time, into the metrics (one query)."""
        query = select(func.count(), func.min(OUTBOX.c.created_at)).where(
            OUTBOX.c.published_at.is_(None)
        )
        async with self.db.sessions() as session:
            count, oldest = (await session.execute(query)).one()
        self.backlog.set(count)
        self.oldest = oldest
        return int(count), oldest

    def oldest_age(self) -> float:
        if self.oldest is None:
            return 0.0
        return max(0.0, (datetime.now(UTC) - self.oldest).total_seconds())


async def add_many(session: AsyncSession, envelopes: list[Envelope]) -> None:
    """Stage several events in the caller's transaction with one statement (batched writers)."""
    if not envelopes:
        return
    now = datetime.now(UTC)
    await session.execute(
        insert(OUTBOX),
        [
            {
                "event_id": str(envelope.event_id),
                "subject": event_subject(envelope.county, envelope.type),
                "payload": envelope.to_bytes(),
                "created_at": now,
            }
            for envelope in envelopes
        ],
    )
    session.info["outbox_dirty"] = True
