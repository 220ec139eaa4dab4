"""Idempotent consumers: a redelivered event changes nothing the second time."""

from __future__ import annotations

import pytest
from nats.js import JetStreamContext
from sqlalchemy import event, func, select

from shared import inbox, outbox
from shared.bus import publish_envelope
from shared.db import INBOX, OUTBOX, one_of
from shared.events import Envelope, EventData, make_event
from tests.factories import random_county, random_id, report_received
from tests.integration.busutil import bus_with_consumer, eventually, fast_settings, start_broker
from tests.integration.dbutil import migrated

pytestmark = pytest.mark.integration


async def test_claim_is_true_once(database_url: str) -> None:
    db = await migrated(database_url)
    async with db.sessions() as session, session.begin():
        assert await inbox.claim(session, "c1", "e1")
        assert not await inbox.claim(session, "c1", "e1")
        assert await inbox.claim(session, "c2", "e1")
    await db.dispose()


async def test_redelivered_event_is_applied_once(
    database_url: str, js: JetStreamContext, nats_server
) -> None:
    settings = fast_settings(nats_server.url)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)
    db = await migrated(database_url)
    seen: list[str] = []

    async def handler(envelope: Envelope, payload: EventData) -> None:
        """Consume and publish a follow-up, the way every service does."""
        seen.append(str(envelope.event_id))
        async with db.sessions() as session, session.begin():
            if not await inbox.claim(session, cdef.durable, str(envelope.event_id)):
                return
            follow = make_event(payload, county=county, aggregate_id="x", sequence=2, producer="t")
            await outbox.add(session, follow)

    broker = await start_broker(settings, cdef, handler)
    try:
        event = report_received(county)
        await publish_envelope(js, event)
        # The same event again past the dedupe window: a new Nats-Msg-Id, the same event_id.
        # The id is new to the server too (it is shared by the whole run): a fixed one would
        # be dropped as a duplicate in every run after the first, and the test prove nothing.
        resent = await js.publish(
            f"zuofeng.v1.{county}.report.received",
            event.to_bytes(),
            stream="INTAKE",
            headers={"Nats-Msg-Id": random_id("late-resend-")},
        )
        assert not resent.duplicate

        async def both_seen() -> bool:
            info = await js.consumer_info(cdef.stream, cdef.durable)
            return info.num_pending == 0 and info.num_ack_pending == 0

        await eventually(both_seen)
    finally:
        await broker.stop()
    assert seen == [str(event.event_id)] * 2  # delivered twice, applied once
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OUTBOX)) == 1
        assert await session.scalar(select(func.count()).select_from(INBOX)) == 1
    await db.dispose()


async def test_claim_many_keeps_the_new_in_order_once_each(database_url: str) -> None:
    db = await migrated(database_url)
    county = random_county()
    old, a, b = (report_received(county) for _ in range(3))
    async with db.sessions() as session, session.begin():
        assert await inbox.claim(session, "c1", str(old.event_id))
    items = [(a, "a"), (old, "old"), (b, "b"), (a, "a again")]
    async with db.sessions() as session, session.begin():
        assert await inbox.claim_many(session, "c1", items) == [(a, "a"), (b, "b")]
    async with db.sessions() as session, session.begin():
        assert await inbox.claim_many(session, "c1", items) == []
        assert await inbox.claim_many(session, "c2", items[:2]) == [(a, "a"), (old, "old")]
    await db.dispose()


async def test_one_of_finds_what_in_finds_and_is_one_statement_on_postgresql(
    database_url: str,
) -> None:
    """Batches of every size share one prepared statement on PostgreSQL (IN has one per size)."""
    db = await migrated(database_url)
    ids = [random_id("e-") for _ in range(40)]
    async with db.sessions() as session, session.begin():
        for event_id in ids:
            await inbox.claim(session, "c1", event_id)
        texts = set()
        for size in (0, 1, 7, 40):
            wanted = [*ids[:size], "never-seen"]
            query = select(INBOX.c.event_id).where(one_of(session, INBOX.c.event_id, wanted))
            found = set((await session.execute(query)).scalars())
            assert found == set(ids[:size])
            sent = query.compile(session.get_bind(), compile_kwargs={"render_postcompile": True})
            texts.add(str(sent))  # the SQL as the driver gets it, IN's placeholders expanded
    await db.dispose()
    assert len(texts) == (1 if db.engine.dialect.name == "postgresql" else 4)


async def test_claim_many_is_one_statement_and_one_text_for_every_size(database_url: str) -> None:
    """One round trip per batch (the consumers' fixed cost per transaction); on PostgreSQL one
    SQL text for every batch size, so asyncpg prepares it once."""
    db = await migrated(database_url)
    county = random_county()
    sent: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    texts = set()
    for size in (1, 3, 8):
        items = [(report_received(county), n) for n in range(size)]
        async with db.sessions() as session, session.begin():
            await inbox.claim(session, "c1", str(items[0][0].event_id))  # one of them is old
            sent.clear()
            assert await inbox.claim_many(session, "c1", items) == items[1:]
            assert len(sent) == 1
            texts.add(sent[0])
    await db.dispose()
    assert len(texts) == (1 if db.engine.dialect.name == "postgresql" else 3)
