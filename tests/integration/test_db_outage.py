"""A database down for 30 s while messages arrive: none lost, none dead-lettered.

Uses a PostgreSQL instance the test starts itself (never the machine's shared one) and the
default retry schedule, whose delays add up to more than a 60 s outage.
"""

from __future__ import annotations

import asyncio

import pytest
from nats.js import JetStreamContext
from sqlalchemy import func, select

from shared import dlq, inbox
from shared.bus import publish_envelope
from shared.db import INBOX
from shared.events import Envelope, EventData
from shared.settings import DEFAULT_RETRY_DELAYS
from tests.factories import random_county, random_id, report_received
from tests.integration.busutil import bus_with_consumer, eventually, fast_settings, start_broker
from tests.integration.dbutil import migrated
from tests.pg import PrivatePostgres

pytestmark = [pytest.mark.integration, pytest.mark.slow]
OUTAGE = 30.0
MESSAGES = 20


@pytest.fixture
def private_pg() -> PrivatePostgres:
    server = PrivatePostgres()
    server.start()
    server.wait_ready()
    yield server  # type: ignore[misc]
    server.destroy()


def test_default_schedule_outlasts_a_minute() -> None:
    assert sum(DEFAULT_RETRY_DELAYS[:-1]) > 60


async def test_outage_loses_nothing(
    private_pg: PrivatePostgres, js: JetStreamContext, nats_server
) -> None:
    settings = fast_settings(nats_server.url, retry_delays=DEFAULT_RETRY_DELAYS, ack_wait=30.0)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)
    db = await migrated(private_pg.url)

    async def handler(envelope: Envelope, payload: EventData) -> None:
        async with db.sessions() as session, session.begin():
            await inbox.claim(session, cdef.durable, str(envelope.event_id))

    broker = await start_broker(settings, cdef, handler)
    try:
        await asyncio.to_thread(private_pg.stop)
        for _ in range(MESSAGES):
            await publish_envelope(js, report_received(county))
            await asyncio.sleep(OUTAGE / MESSAGES)
        await asyncio.to_thread(private_pg.start)

        async def all_stored() -> bool:
            try:
                async with db.sessions() as session:
                    return await session.scalar(select(func.count()).select_from(INBOX)) == MESSAGES
            except Exception:  # noqa: BLE001 - the pool may still hold dead connections
                return False

        await eventually(all_stored, timeout=120, step=1.0)
        assert await dlq.list_dead_letters(js, cdef.durable) == []
    finally:
        await broker.stop()
        await db.dispose()
