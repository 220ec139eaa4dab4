"""The outbox's rows and relay on PostgreSQL and SQLite with a real nats-server: what
`make mutants` found the other outbox tests let through."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from nats.js import JetStreamContext
from sqlalchemy import func, select, update

from shared import outbox
from shared.bus import init_bus
from shared.db import OUTBOX, Database
from shared.events import Envelope
from shared.subjects import event_subject
from tests.factories import random_county, report_received
from tests.integration.busutil import eventually
from tests.integration.dbutil import migrated

pytestmark = pytest.mark.integration


async def _rows(db: Database) -> list[dict[str, object]]:
    async with db.sessions() as session:
        result = await session.execute(select(OUTBOX).order_by(OUTBOX.c.id))
        return [dict(row._mapping) for row in result]


async def _stage_many(db: Database, events: list[Envelope]) -> None:
    async with db.sessions() as session, session.begin():
        await outbox.add_many(session, events)


async def test_add_many_stages_every_event_in_the_callers_transaction(database_url: str) -> None:
    db = await migrated(database_url)
    county = random_county()
    events = [report_received(county) for _ in range(3)]
    before = datetime.now(UTC)
    with pytest.raises(RuntimeError):
        async with db.sessions() as session, session.begin():
            await outbox.add_many(session, events)
            raise RuntimeError("the caller's change failed")
    assert await _rows(db) == [] and not db.outbox_signal.is_set()

    async with db.sessions() as session, session.begin():
        await outbox.add_many(session, [])
        assert "outbox_dirty" not in session.info
    assert not db.outbox_signal.is_set()  # nothing staged: the relay is not woken

    await _stage_many(db, events)
    assert db.outbox_signal.is_set()  # the commit wakes the relay
    rows = await _rows(db)
    assert [r["event_id"] for r in rows] == [str(e.event_id) for e in events]
    assert {r["subject"] for r in rows} == {event_subject(county, "report.received")}
    assert [bytes(r["payload"]) for r in rows] == [e.to_bytes() for e in events]  # type: ignore[call-overload]
    for row in rows:
        created = row["created_at"]
        assert isinstance(created, datetime) and row["published_at"] is None
        assert created.replace(tzinfo=created.tzinfo or UTC) >= before.replace(microsecond=0)
    await db.dispose()


async def test_a_commit_that_staged_one_event_wakes_the_relay(database_url: str) -> None:
    # No relay runs here, so nothing clears the signal: whether the commit set it is certain
    # (a running relay's first pass may publish the row anyway and hide a missing wake-up).
    db = await migrated(database_url)
    async with db.sessions() as session, session.begin():
        await outbox.add(session, report_received(random_county()))
    assert db.outbox_signal.is_set()
    await db.dispose()


async def test_published_messages_carry_the_rows_payload_and_id_in_commit_order(
    database_url: str, js: JetStreamContext
) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    db = await migrated(database_url)
    county = random_county()
    events = [report_received(county) for _ in range(4)]
    await _stage_many(db, events)
    relay = outbox.OutboxRelay(db, lambda: js)
    assert await relay.publish_pending() == 4
    sub = await js.pull_subscribe(event_subject(county, "report.received"), stream="INTAKE")
    try:
        messages = await sub.fetch(4, timeout=5)
    finally:
        await sub.unsubscribe()
    assert [m.data for m in messages] == [e.to_bytes() for e in events]
    assert [m.headers and m.headers["Nats-Msg-Id"] for m in messages] == [
        str(e.event_id) for e in events
    ]
    await db.dispose()


async def test_publish_pending_counts_each_batch_and_zero_when_idle(
    database_url: str, js: JetStreamContext
) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    db = await migrated(database_url)
    county = random_county()
    relay = outbox.OutboxRelay(db, lambda: js)
    assert await relay.publish_pending() == 0
    # One batch at a time: a backlog larger than a batch takes two passes.
    await _stage_many(db, [report_received(county) for _ in range(outbox.BATCH + 1)])
    assert await relay.publish_pending() == outbox.BATCH
    assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 0
    assert relay.published == outbox.BATCH + 1
    assert await relay.pending() == 0
    await db.dispose()


async def test_the_relay_polls_for_rows_whose_commit_it_did_not_see(
    database_url: str, js: JetStreamContext
) -> None:
    # Another process (a replica, a restarted writer) commits rows: no signal reaches this relay,
    # so only its poll finds them, however long it has been idle.
    await init_bus(js, max_deliver=9, ack_wait=30)
    db = await migrated(database_url)
    other = Database(database_url)
    relay = outbox.OutboxRelay(db, lambda: js, poll_interval=0.2)
    relay.start()
    try:
        await asyncio.sleep(0.6)  # a few idle polls pass
        await _stage_many(other, [report_received(random_county())])
        assert not db.outbox_signal.is_set()

        async def published() -> bool:
            return relay.published == 1

        await eventually(published, timeout=10)
    finally:
        await relay.stop()
        await other.dispose()
        await db.dispose()


async def test_rows_rewritten_since_are_still_published_in_commit_order(
    database_url: str, js: JetStreamContext
) -> None:
    # PostgreSQL keeps a rewritten row's new version after the others: only ORDER BY id keeps
    # the commit order (SQLite's rowid order is the id order either way).
    await init_bus(js, max_deliver=9, ack_wait=30)
    db = await migrated(database_url)
    county = random_county()
    events = [report_received(county) for _ in range(3)]
    await _stage_many(db, events)
    async with db.sessions() as session, session.begin():
        # As a crash between publishing and marking, then a retry's reset, would leave it.
        first = await session.scalar(select(func.min(OUTBOX.c.id)))
        row = update(OUTBOX).where(OUTBOX.c.id == first)
        await session.execute(row.values(published_at=datetime.now(UTC)))
        await session.execute(row.values(published_at=None))
    assert await outbox.OutboxRelay(db, lambda: js).publish_pending() == 3
    sub = await js.pull_subscribe(event_subject(county, "report.received"), stream="INTAKE")
    try:
        messages = await sub.fetch(3, timeout=5)
    finally:
        await sub.unsubscribe()
    assert [m.data for m in messages] == [e.to_bytes() for e in events]
    await db.dispose()


async def test_two_relays_on_one_postgresql_table_publish_each_row_once(
    database_url: str, js: JetStreamContext
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("replicas share a PostgreSQL table; SQLite is one process's file")
    await init_bus(js, max_deliver=9, ack_wait=30)
    db = await migrated(database_url)
    await _stage_many(db, [report_received(random_county()) for _ in range(20)])
    one, two = outbox.OutboxRelay(db, lambda: js), outbox.OutboxRelay(db, lambda: js)
    # The second relay reads while the first holds its rows, awaiting its PubAcks.
    counts = await asyncio.gather(one.publish_pending(), two.publish_pending())
    assert sum(counts) == 20
    assert await one.pending() == 0
    await db.dispose()


class _Silent:
    """A JetStream that takes each message and never acknowledges it (a stalled server)."""

    async def publish_async(self, *args: object, **kwargs: object) -> asyncio.Future[None]:
        return asyncio.get_running_loop().create_future()


async def test_a_batch_without_its_puback_fails_and_stays_pending(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "PUBACK_TIMEOUT", 0.3)
    db = await migrated(database_url)
    await _stage_many(db, [report_received(random_county()) for _ in range(2)])
    relay = outbox.OutboxRelay(db, lambda: _Silent())  # type: ignore[arg-type, return-value]
    attempt = asyncio.create_task(relay.publish_pending())
    done, _ = await asyncio.wait({attempt}, timeout=5)
    if not done:
        attempt.cancel()
    assert attempt in done, "the relay waited for PubAcks without a timeout"
    assert isinstance(attempt.exception(), TimeoutError)
    assert await relay.pending() == 2 and relay.published == 0  # sent again on the next pass
    await db.dispose()


async def test_a_batch_takes_the_oldest_rows_though_a_rewritten_one_is_stored_last(
    database_url: str, js: JetStreamContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More rows wait than one batch takes: the batch is the oldest ones by id, not the first
    # ones PostgreSQL happens to find (the rewritten oldest row's new version comes last).
    monkeypatch.setattr(outbox, "BATCH", 2)
    await init_bus(js, max_deliver=9, ack_wait=30)
    db = await migrated(database_url)
    county = random_county()
    events = [report_received(county) for _ in range(3)]
    await _stage_many(db, events)
    async with db.sessions() as session, session.begin():
        first = await session.scalar(select(func.min(OUTBOX.c.id)))
        row = update(OUTBOX).where(OUTBOX.c.id == first)
        await session.execute(row.values(published_at=datetime.now(UTC)))
        await session.execute(row.values(published_at=None))
    relay = outbox.OutboxRelay(db, lambda: js)
    assert await relay.publish_pending() == 2
    assert [r["published_at"] is None for r in await _rows(db)] == [False, False, True]
    assert await relay.publish_pending() == 1
    sub = await js.pull_subscribe(event_subject(county, "report.received"), stream="INTAKE")
    try:
        messages = await sub.fetch(3, timeout=5)
    finally:
        await sub.unsubscribe()
    assert [m.data for m in messages] == [e.to_bytes() for e in events]
    await db.dispose()
