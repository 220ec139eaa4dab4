"""A pooled connection the server closed is replaced at checkout, without a ping per
transaction (shared.db.engine: asyncpg knows its socket closed)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from shared.db import Database
from tests.pg import PgServer

pytestmark = pytest.mark.integration


async def _backend_pid(db: Database) -> int:
    async with db.sessions() as session, session.begin():
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_the_server_closed_is_replaced(pg_server: PgServer) -> None:
    url = await pg_server.create_database()
    db, admin = Database(url), Database(url)
    try:
        first = await _backend_pid(db)  # now idle in db's pool
        async with admin.sessions() as session, session.begin():
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        # asyncpg learns of the closed socket when the loop reads its end (no clock involved:
        # the transaction below must succeed whenever that happened).
        for _ in range(50):
            await asyncio.sleep(0.05)
        second = await _backend_pid(db)
        assert second != first
    finally:
        await db.dispose()
        await admin.dispose()
