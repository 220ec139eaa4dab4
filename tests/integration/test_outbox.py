"""The outbox on PostgreSQL and SQLite with a real nats-server: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from nats.js import JetStreamContext
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select, update

from shared import outbox
from shared.bus import init_bus
from shared.db import OUTBOX
from shared.subjects import event_subject
from tests.factories import random_county, report_received
from tests.integration.busutil import eventually
from tests.integration.dbutil import count_on_subject, migrated

pytestmark = pytest.mark.integration


async def _stage(db, county: str, n: int) -> None:  # type: ignore[no-untyped-def]
    async with db.sessions() as session, session.begin():
        for _ in range(n):
            await outbox.add(session, report_received(county))


async def test_rows_committed_before_a_crash_are_published_once_after_restart(
    database_url: str, js: JetStreamContext
) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    county = random_county()
    db = await migrated(database_url)
    await _stage(db, county, 3)
    await db.dispose()  # the process "crashed" before its relay ran

    restarted = await migrated(database_url)
    relay = outbox.OutboxRelay(restarted, lambda: js)
    relay.start()
    try:
        await eventually(lambda: _pending_is(relay, 0))
    finally:
        await relay.stop()
        await restarted.dispose()
    subject = event_subject(county, "report.received")
    assert await count_on_subject(js, "INTAKE", subject) == 3


async def test_a_crash_after_publish_before_marking_is_deduplicated(
    database_url: str, js: JetStreamContext
) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    county = random_county()
    db = await migrated(database_url)
    await _stage(db, county, 2)
    relay = outbox.OutboxRelay(db, lambda: js)
    assert await relay.publish_pending() == 2
    async with db.sessions() as session, session.begin():
        # As if the process died after the PubAcks, before its "published" mark committed.
        await session.execute(update(OUTBOX).values(published_at=None))

    assert await relay.publish_pending() == 2
    assert await relay.pending() == 0
    assert await count_on_subject(js, "INTAKE", event_subject(county, "report.received")) == 2
    await db.dispose()


async def test_commit_wakes_the_relay_without_waiting_for_the_poll(
    database_url: str, js: JetStreamContext
) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    county = random_county()
    db = await migrated(database_url)
    relay = outbox.OutboxRelay(db, lambda: js, poll_interval=3600)
    relay.start()
    try:
        await eventually(lambda: _pending_is(relay, 0))  # the first pass has run
        await _stage(db, county, 1)
        await eventually(lambda: _pending_is(relay, 0), timeout=10)
    finally:
        await relay.stop()
        await db.dispose()
    assert relay.published == 1


async def test_a_settling_relay_publishes_the_commits_that_follow_a_wake_up_in_one_round(
    database_url: str, js: JetStreamContext
) -> None:
    """Three commits: the first wakes the relay, the others come while it settles. One round
    publishes all three (a relay that does not settle publishes the first alone)."""
    await init_bus(js, max_deliver=9, ack_wait=30)
    county = random_county()
    db = await migrated(database_url)
    relay = outbox.OutboxRelay(db, lambda: js, poll_interval=3600, settle=1.0)
    settling, settled = asyncio.Event(), asyncio.Event()
    rounds: list[int] = []
    one_round = relay.round

    async def gate() -> None:
        settling.set()
        await settled.wait()

    async def counted() -> int:
        rounds.append(await one_round())
        return rounds[-1]

    relay.settling = gate  # type: ignore[method-assign]
    relay.round = counted  # type: ignore[method-assign]
    relay.start()
    try:
        await eventually(lambda: _rounds_are(rounds, [0]))  # the first pass found nothing
        await _stage(db, county, 1)
        await asyncio.wait_for(settling.wait(), 10)
        await _stage(db, county, 1)
        await _stage(db, county, 1)
        settled.set()
        await eventually(lambda: _pending_is(relay, 0), timeout=10)
    finally:
        await relay.stop()
        await db.dispose()
    assert [n for n in rounds if n] == [3]


async def test_rolled_back_changes_publish_nothing(database_url: str, js: JetStreamContext) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    db = await migrated(database_url)
    with pytest.raises(RuntimeError):
        async with db.sessions() as session, session.begin():
            await outbox.add(session, report_received())
            raise RuntimeError("business rule failed after staging")
    assert await outbox.OutboxRelay(db, lambda: js).pending() == 0
    await db.dispose()


async def _rounds_are(rounds: list[int], expected: list[int]) -> bool:
    return rounds == expected


async def _pending_is(relay: outbox.OutboxRelay, n: int) -> bool:
    return await relay.pending() == n


async def test_the_backlog_and_its_age_are_on_metrics(
    database_url: str, js: JetStreamContext
) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    db = await migrated(database_url)
    registry = CollectorRegistry()
    relay = outbox.OutboxRelay(db, lambda: js, registry=registry)
    try:
        assert await relay.measure() == (0, None)
        assert registry.get_sample_value("zuofeng_outbox_oldest_age_seconds") == 0
        await _stage(db, random_county(), 3)
        async with db.sessions() as session, session.begin():
            old = datetime.now(UTC) - timedelta(minutes=10)
            first = select(func.min(OUTBOX.c.id)).scalar_subquery()
            await session.execute(update(OUTBOX).where(OUTBOX.c.id == first).values(created_at=old))
        count, _ = await relay.measure()
        assert count == 3
        assert registry.get_sample_value("zuofeng_outbox_pending") == 3
        age = registry.get_sample_value("zuofeng_outbox_oldest_age_seconds")
        assert age is not None and 600 <= age < 660
        relay.start()  # the relay's poll measures after publishing
        await eventually(lambda: _gauge_is(registry, "zuofeng_outbox_pending", 0))
        assert registry.get_sample_value("zuofeng_outbox_oldest_age_seconds") == 0
    finally:
        await relay.stop()
        await db.dispose()


async def _gauge_is(registry: CollectorRegistry, name: str, value: float) -> bool:
    return registry.get_sample_value(name) == value
