"""The outbox's handoff on PostgreSQL and SQLite with a real nats-server: a commit hands its rows
to the relay, which publishes them without reading the table and marks them a batch at a time;
whatever the handoff cannot vouch for is read from the table. Nothing lost, nothing invented."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from nats.js import JetStreamContext
from sqlalchemy import event, select

from shared import outbox
from shared.bus import init_bus
from shared.db import OUTBOX, Database
from shared.subjects import event_subject
from tests.factories import random_county, report_received
from tests.integration.dbutil import count_on_subject, migrated

pytestmark = pytest.mark.integration


def _transactions(db: Database) -> list[int]:
    """Counts the transactions the database's engine begins (one element each)."""
    begun: list[int] = []
    event.listen(db.engine.sync_engine, "begin", lambda _conn: begun.append(1))
    return begun


async def _stage(db: Database, county: str, n: int) -> list[str]:
    async with db.sessions() as session, session.begin():
        events = [report_received(county) for _ in range(n)]
        await outbox.add_many(session, events)
    return [str(e.event_id) for e in events]


async def _unpublished(db: Database) -> list[str]:
    async with db.sessions() as session:
        query = select(OUTBOX.c.event_id).where(OUTBOX.c.published_at.is_(None))
        return list((await session.execute(query.order_by(OUTBOX.c.id))).scalars())


async def _published_ids(js: JetStreamContext, county: str, n: int) -> list[str]:
    sub = await js.pull_subscribe(event_subject(county, "report.received"), stream="INTAKE")
    try:
        messages = await sub.fetch(n, timeout=5)
    finally:
        await sub.unsubscribe()
    return [m.headers["Nats-Msg-Id"] for m in messages if m.headers]


async def _started(
    database_url: str, js: JetStreamContext, publisher: Any = None
) -> tuple[Database, str, outbox.OutboxRelay]:
    """A migrated database, a county, and a relay (publishing through `publisher`, the bus by
    default) past its first round (the start's sweep)."""
    await init_bus(js, max_deliver=9, ack_wait=30)
    db = await migrated(database_url)
    relay = outbox.OutboxRelay(db, lambda: publisher or js)
    assert await relay.round() == 0  # the first round reads the table (what a crash left)
    return db, random_county(), relay


async def test_committed_rows_are_published_without_reading_the_table_and_marked_at_once(
    database_url: str, js: JetStreamContext
) -> None:
    db, county, relay = await _started(database_url, js)
    first = await _stage(db, county, 2)
    second = await _stage(db, county, 1)
    begun = _transactions(db)
    assert await relay.round() == 3
    assert begun == []  # no claim: the commits handed their rows over
    assert await _published_ids(js, county, 3) == first + second  # in commit order
    assert await _unpublished(db) == first + second  # not marked yet
    begun.clear()
    assert await relay.measure() == (0, None)  # marks them all, then counts
    assert len(begun) == 1  # marking and counting share one transaction
    assert await _unpublished(db) == []
    await db.dispose()


async def test_a_rolled_back_transaction_hands_nothing_over(
    database_url: str, js: JetStreamContext
) -> None:
    db, county, relay = await _started(database_url, js)
    with pytest.raises(RuntimeError):
        async with db.sessions() as session, session.begin():
            await outbox.add(session, report_received(county))
            raise RuntimeError("business rule failed after staging")
    async with db.sessions() as session, session.begin():  # the same kind of session, reused
        pass
    assert db.outbox_handoff == []
    assert await relay.round() == 0
    assert await count_on_subject(js, "INTAKE", event_subject(county, "report.received")) == 0
    await db.dispose()


async def test_a_savepoint_rolled_back_sends_the_relay_to_the_table(
    database_url: str, js: JetStreamContext
) -> None:
    """The staged list cannot tell what a rolled-back savepoint took away: the relay reads the
    table, which holds exactly what committed."""
    db, county, relay = await _started(database_url, js)
    kept = report_received(county)
    async with db.sessions() as session, session.begin():
        await outbox.add(session, kept)
        with pytest.raises(RuntimeError):
            async with session.begin_nested():
                await outbox.add(session, report_received(county))
                raise RuntimeError("a step inside the savepoint failed")
        after = report_received(county)
        await outbox.add(session, after)
    assert db.outbox_handoff == [] and db.outbox_sweep
    assert await relay.round() == 2
    subject = event_subject(county, "report.received")
    assert await count_on_subject(js, "INTAKE", subject) == 2
    assert await _published_ids(js, county, 2) == [str(kept.event_id), str(after.event_id)]
    assert await _unpublished(db) == []
    await db.dispose()


class _FailingOnce:
    """A JetStream whose first publish fails (NATS away), then the real one."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js, self.failed = js, False

    async def publish_async(self, *args: Any, **kwargs: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise ConnectionError("nats: connection closed")
        return await self.js.publish_async(*args, **kwargs)


async def test_a_failed_publish_leaves_the_rows_to_the_table_and_sends_each_once(
    database_url: str, js: JetStreamContext
) -> None:
    db, county, relay = await _started(database_url, js, _FailingOnce(js))
    ids = await _stage(db, county, 3)
    with pytest.raises(ConnectionError):
        await relay.round()
    assert db.outbox_handoff == [] and await _unpublished(db) == ids
    later = await _stage(db, county, 1)  # committed while NATS was away
    assert await relay.round() == 4  # read from the table, in id order
    assert db.outbox_handoff == []  # what was handed over meanwhile went with the table's rows
    assert await relay.round() == 0
    assert await _published_ids(js, county, 4) == ids + later
    assert await count_on_subject(js, "INTAKE", event_subject(county, "report.received")) == 4
    assert await _unpublished(db) == []
    await db.dispose()


async def test_rows_published_but_not_marked_when_the_process_died_are_sent_again_once(
    database_url: str, js: JetStreamContext
) -> None:
    db, county, relay = await _started(database_url, js)
    ids = await _stage(db, county, 2)
    assert await relay.round() == 2
    await db.dispose()  # died before its mark

    restarted = await migrated(database_url)
    again = outbox.OutboxRelay(restarted, lambda: js)
    assert await again.round() == 2  # the start reads the table: both sent again
    subject = event_subject(county, "report.received")
    assert await count_on_subject(js, "INTAKE", subject) == 2  # JetStream dropped the doubles
    assert await _published_ids(js, county, 2) == ids
    assert await _unpublished(restarted) == []
    await restarted.dispose()


async def test_rows_of_another_process_are_read_once_they_are_older_than_the_grace(
    database_url: str, js: JetStreamContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CLI or a dead replica commits rows no commit here handed over: the backlog query
    finds them, and once older than SWEEP_GRACE (younger ones are their relay's) they are read."""
    monkeypatch.setattr(outbox, "SWEEP_GRACE", 0.5)
    db, county, relay = await _started(database_url, js)
    other = Database(database_url)
    ids = await _stage(other, county, 2)
    mine = await _stage(db, county, 1)
    assert (await relay.measure())[0] == 3
    assert await relay.round() == 1  # only its own: the others are young
    await asyncio.sleep(0.6)
    await relay.measure()  # marks its own, counts the others, now old
    assert await relay.round() == 2
    assert sorted(await _published_ids(js, county, 3)) == sorted(mine + ids)
    assert await _unpublished(db) == []
    await other.dispose()
    await db.dispose()


async def test_a_process_without_a_relay_keeps_no_copies(database_url: str) -> None:
    """A command-line process commits events for a service's relay to publish: it holds no
    copies of them (a long command would otherwise grow by every event it wrote)."""
    db = await migrated(database_url)
    ids = await _stage(db, random_county(), 3)
    assert db.outbox_handoff is None
    assert await _unpublished(db) == ids
    await db.dispose()
