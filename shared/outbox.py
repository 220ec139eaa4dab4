"""Transactional outbox: events are rows written with the change, published after commit.

`add` writes the row in the caller's transaction and stages a copy on the session; the commit
hands the copies to the relay (shared/db/engine.py), which publishes them without reading the
table and marks them published in one statement at most once a second. The table is read (a
*sweep*) only when something may be there that no commit handed over: at start (what a crash
left), after a failed publish, after a rolled-back savepoint, and when the backlog query finds
rows older than `SWEEP_GRACE` (another process's: a CLI, a replica that died). A relay given
`settle` waits that long after a wake-up, so the commits of that moment go in one publish
round (for services whose events no one waits on by the millisecond). Re-sends carry the same
`Nats-Msg-Id`, so JetStream drops doubles inside its window and the consumers' inbox drops them
after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from nats.js import JetStreamContext
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from shared.db import OUTBOX, Database, one_of
from shared.dlq import describe_error
from shared.events import Envelope
from shared.streams import stream_for_subject
from shared.subjects import event_subject
from shared.tasks import stop_tasks

log = logging.getLogger("zuofeng.outbox")
BATCH = 500
PUBACK_TIMEOUT = 10.0
# The backlog metrics' query (with the marks of what was published since) runs at most this
# often: one transaction a second per service instead of one per commit.
MEASURE_EVERY = 1.0
# A sweep leaves rows younger than this to the process that committed them (a replica's relay
# publishes its own at once and marks them within MEASURE_EVERY): no double publishing.
SWEEP_GRACE = 5.0
# Rows handed over and not yet published, at most; past it the relay reads the table instead
# (NATS away for long under load must not grow the process without bound).
HANDOFF_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class Staged:
    """An outbox row as the relay publishes it (the table's row has the same three fields)."""

    event_id: str
    subject: str
    payload: bytes


def _row(envelope: Envelope, now: datetime) -> dict[str, Any]:
    return {
        "event_id": str(envelope.event_id),
        "subject": event_subject(envelope.county, envelope.type),
        "payload": envelope.to_bytes(),
        "created_at": now,
    }


def _stage(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    info = session.info
    info["outbox_dirty"] = True  # the commit wakes the relay
    if info.get("outbox_sweep"):
        return  # a savepoint was rolled back: the relay reads the table after this commit
    staged = info.setdefault("outbox_staged", [])
    staged.extend(Staged(row["event_id"], row["subject"], row["payload"]) for row in rows)


async def add(session: AsyncSession, envelope: Envelope) -> None:
    """Stage an event in the caller's transaction."""
    row = _row(envelope, datetime.now(UTC))
    await session.execute(insert(OUTBOX).values(**row))
    _stage(session, [row])


async def add_many(session: AsyncSession, envelopes: list[Envelope]) -> None:
    """Stage several events in the caller's transaction with one statement (batched writers)."""
    if not envelopes:
        return
    now = datetime.now(UTC)
    rows = [_row(envelope, now) for envelope in envelopes]
    await session.execute(insert(OUTBOX), rows)
    _stage(session, rows)


class OutboxRelay:
    """Publishes the outbox's rows in commit order and marks them published."""

    def __init__(
        self,
        db: Database,
        js: Callable[[], JetStreamContext],
        poll_interval: float = 2.0,
        registry: CollectorRegistry | None = None,
        settle: float = 0.0,
    ) -> None:
        self.db = db
        if getattr(db, "outbox_handoff", None) is None:
            db.outbox_handoff = []  # from now on the commits hand their rows to this relay
        self.js = js
        self.poll_interval = poll_interval
        self.settle = settle
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.published = 0
        # Published from the handoff, not yet marked in the table (event ids).
        self._unmarked: list[str] = []
        # What the next round must read from the table: everything (at start, after a failed
        # publish), only rows older than SWEEP_GRACE (the backlog query saw some), or nothing.
        self._sweep_all = True
        self._sweep_old = False
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
        with contextlib.suppress(Exception):  # a row left unmarked is re-sent, same id
            await self.mark()

    async def _run(self) -> None:
        measured = -MEASURE_EVERY
        while not self._stopping:
            try:
                await self.round()
                if time.monotonic() - measured >= MEASURE_EVERY:
                    await self.measure()
                    measured = time.monotonic()
                    if self._sweep_old:
                        continue  # rows nobody handed over are waiting: read them now
            except Exception as exc:  # noqa: BLE001 - the relay must outlive NATS or DB blips
                log.warning("outbox relay will retry: %s", describe_error(exc))
                self._sweep_all = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.db.outbox_signal.wait(), self.poll_interval)
                await self.settling()  # the commits that follow join this round
            self.db.outbox_signal.clear()

    async def settling(self) -> None:
        if self.settle:
            await asyncio.sleep(self.settle)

    async def round(self) -> int:
        """One wake-up's work; returns how many rows it published."""
        db = self.db
        if db.outbox_sweep or len(db.outbox_handoff or ()) > HANDOFF_LIMIT:
            db.outbox_sweep = False
            self._sweep_all = True
        if self._sweep_all or self._sweep_old:
            return await self.sweep()
        return await self.publish_handed()

    async def publish_handed(self) -> int:
        """Publish what this process's commits handed over; a failure leaves the rows to a
        sweep (they are in the table, unmarked)."""
        rows, self.db.outbox_handoff = self.db.outbox_handoff or [], []
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            try:
                await self._publish(chunk)
            except BaseException:
                self._sweep_all = True
                raise
            self._unmarked.extend(row.event_id for row in chunk)
            self.published += len(chunk)
        if len(self._unmarked) >= BATCH:
            await self.mark()
        return len(rows)

    async def sweep(self) -> int:
        """Read the table until it holds nothing more to publish (see the module's doc)."""
        everything = self._sweep_all
        if everything:
            # Committed, so in the table: the passes below take them in id order.
            self.db.outbox_handoff = []
        published = 0 if everything else await self.publish_handed()
        await self.mark()
        grace = 0.0 if everything else SWEEP_GRACE
        read: set[str] = set()
        while (count := await self.publish_pending(grace, read)) == BATCH:
            published += count
        if read:  # committed while the passes ran, handed over, and read by them already
            handed = self.db.outbox_handoff or []
            self.db.outbox_handoff = [r for r in handed if r.event_id not in read]
        self._sweep_all = self._sweep_old = False
        return published + count

    async def mark(self) -> None:
        """Mark what the handoff published, in one statement."""
        if not self._unmarked:
            return
        async with self.db.sessions() as session, session.begin():
            await self._mark(session)

    async def _mark(self, session: AsyncSession) -> None:
        ids, self._unmarked = self._unmarked, []
        try:
            await session.execute(
                update(OUTBOX)
                .where(one_of(session, OUTBOX.c.event_id, ids), OUTBOX.c.published_at.is_(None))
                .values(published_at=datetime.now(UTC))
            )
        except BaseException:
            self._unmarked = ids + self._unmarked
            raise

    async def publish_pending(self, grace: float = 0.0, read: set[str] | None = None) -> int:
        """Publish one batch read from the table; returns how many rows it published (0 when
        none were waiting). `grace` leaves the rows younger than that many seconds; `read`
        collects the published rows' event ids.

        On PostgreSQL the rows are taken and marked in one statement (an UPDATE of the oldest
        unpublished rows not locked by another replica, RETURNING them), then published; a
        failed publish rolls the mark back. SQLite reads, publishes, then marks: its UPDATE
        would hold the database's one write lock while the PubAcks are awaited."""
        waiting: ColumnElement[bool] = OUTBOX.c.published_at.is_(None)
        if grace:
            waiting = waiting & (OUTBOX.c.created_at < datetime.now(UTC) - timedelta(seconds=grace))
        async with self.db.sessions() as session, session.begin():
            columns = (OUTBOX.c.id, OUTBOX.c.subject, OUTBOX.c.payload, OUTBOX.c.event_id)
            if self.db.is_sqlite:
                oldest = select(*columns).where(waiting).order_by(OUTBOX.c.id).limit(BATCH)
                rows = list((await session.execute(oldest)).all())
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
                oldest = select(OUTBOX.c.id).where(waiting).order_by(OUTBOX.c.id).limit(BATCH)
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
        if read is not None:
            read.update(row.event_id for row in rows)
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
        """Mark what was published since the last time, then count what waits and take the
        oldest one's time into the metrics (one transaction). Rows older than SWEEP_GRACE
        were handed to no one here: the next round reads the table."""
        query = select(func.count(), func.min(OUTBOX.c.created_at)).where(
            OUTBOX.c.published_at.is_(None)
        )
        async with self.db.sessions() as session, session.begin():
            if self._unmarked:
                await self._mark(session)
            count, oldest = (await session.execute(query)).one()
        self.backlog.set(count)
        self.oldest = oldest
        if oldest is not None and self.oldest_age() >= SWEEP_GRACE:
            self._sweep_old = True
        return int(count), oldest

    def oldest_age(self) -> float:
        if self.oldest is None:
            return 0.0
        return max(0.0, (datetime.now(UTC) - self.oldest).total_seconds())
