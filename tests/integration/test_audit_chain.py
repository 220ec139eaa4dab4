"""The audit trail's hash chain on PostgreSQL and SQLite: intact when untouched, and any edit,
deletion or concurrent append race is detected or prevented."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import MetaData, delete, update

from shared import audit
from shared.db import Database

pytestmark = pytest.mark.integration


async def _db(url: str) -> tuple[Database, object]:
    metadata = MetaData()
    table = audit.audit_table(metadata)
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return db, table


def _entry(i: int) -> audit.Entry:
    return audit.Entry(
        actor_sub=f"u{i}",
        actor_unit="city-jw",
        actor_role="inspector",
        action="reveal-identity",
        case_id=f"c{i}",
        source="127.0.0.1",
        detail={"reason": "核查"},
    )


async def test_intact_chain_verifies_and_tampering_is_found(database_url: str) -> None:
    db, table = await _db(database_url)

    # Concurrent appends must not fork the chain.
    async def one(i: int) -> None:
        async with db.sessions() as session, session.begin():
            await audit.append(session, table, _entry(i))

    await asyncio.gather(*(one(i) for i in range(20)))
    async with db.sessions() as session:
        assert await audit.verify(session, table) == []
    async with db.sessions() as session, session.begin():
        await session.execute(update(table).where(table.c.id == 7).values(actor_sub="someone-else"))
    async with db.sessions() as session:
        assert await audit.verify(session, table) == [7]
    async with db.sessions() as session, session.begin():
        await session.execute(delete(table).where(table.c.id == 12))  # type: ignore[attr-defined]
    async with db.sessions() as session:
        broken = await audit.verify(session, table)
    assert broken == [7, 13]  # the edit, and the row after the deletion
    await db.dispose()
