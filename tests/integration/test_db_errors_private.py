"""A database error's values (names, report text) reach neither the logs nor the DLQ.

A handler whose insert fails on real PostgreSQL with a unique violation on a personal value:
SQLAlchemy's error text would carry the statement's parameters, and PostgreSQL's DETAIL
("Key (name)=(...) already exists") even with hide_parameters. The retries' log lines, the
error kept in DLQ_ERRORS and the dead letter say the error's type and SQLSTATE only.
"""

from __future__ import annotations

import logging

import pytest
from nats.js import JetStreamContext
from sqlalchemy import text

from shared import dlq
from shared.bus import publish_envelope
from shared.db import Database
from shared.events import Envelope, EventData
from tests.factories import random_county, random_id, report_received
from tests.integration.busutil import bus_with_consumer, eventually, fast_settings, start_broker
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.integration
PERSONAL = "举报人王秀英13912345678"


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    return in_thread(pg_server.create_database())


async def test_a_unique_violation_on_a_personal_value_is_recorded_without_it(
    js: JetStreamContext, nats_server, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # SQLAlchemy logs statements and parameters at INFO
    db = Database(pg_url)
    async with db.sessions() as session, session.begin():
        await session.execute(text("CREATE TABLE people (name text CONSTRAINT uq_name UNIQUE)"))
        await session.execute(text("INSERT INTO people (name) VALUES (:name)"), {"name": PERSONAL})
    settings = fast_settings(nats_server.url)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)

    async def handler(envelope: Envelope, payload: EventData) -> None:
        async with db.sessions() as session, session.begin():
            await session.execute(
                text("INSERT INTO people (name) VALUES (:name)"), {"name": PERSONAL}
            )

    broker = await start_broker(settings, cdef, handler)
    try:
        await publish_envelope(js, report_received(county))

        async def dead() -> bool:
            return len(await dlq.list_dead_letters(js, cdef.durable)) == 1

        await eventually(dead)
    finally:
        await broker.stop()
        await db.dispose()
    (letter,) = await dlq.list_dead_letters(js, cdef.durable)
    kv = await js.key_value(dlq.ERROR_BUCKET)
    seq = letter.headers["Zuofeng-Original-Seq"]
    recorded = ((await kv.get(f"{cdef.durable}.{seq}")).value or b"").decode()
    for where, said in {
        "dead letter": str(letter.error),  # a Header object when not ASCII
        "its headers": str(letter.headers),
        "DLQ_ERRORS": recorded,
        "logs": caplog.text,
    }.items():
        assert PERSONAL not in said, where
        assert "13912345678" not in said, where
    # What an operator still learns: which error, which SQLSTATE, which constraint.
    assert "IntegrityError" in letter.error and "SQLSTATE 23505" in letter.error
    assert "uq_name" in letter.error and "SQLSTATE 23505" in recorded
    assert "handler failed, retry" in caplog.text  # the retries were logged, without values
