"""The audit trail's keyed hash chain on PostgreSQL and SQLite: intact when untouched, and any
edit, deletion or concurrent append race is detected or prevented, even when whoever edited the
database recomputed the hashes without the key."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import MetaData, Table, delete, select, update

from services.cases.audit import chain as audit
from shared.db import Database

pytestmark = pytest.mark.integration
KEY = b"audit-key-kept-outside-the-database-0123456789"


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
            await audit.append(session, table, _entry(i), KEY)

    await asyncio.gather(*(one(i) for i in range(20)))
    async with db.sessions() as session:
        assert await audit.verify(session, table, KEY) == []
    async with db.sessions() as session, session.begin():
        await session.execute(update(table).where(table.c.id == 7).values(actor_sub="someone-else"))
    async with db.sessions() as session:
        assert await audit.verify(session, table, KEY) == [7]
    async with db.sessions() as session, session.begin():
        await session.execute(delete(table).where(table.c.id == 12))  # type: ignore[attr-defined]
    async with db.sessions() as session:
        broken = await audit.verify(session, table, KEY)
    assert broken == [7, 13]  # the edit, and the row after the deletion
    await db.dispose()


async def _rechain_plainly(db: Database, table: Table, start: int) -> None:
    """What someone with database access only can do: edit a row, then recompute every
    hash from there on with the (public) plain SHA-256 formula."""
    async with db.sessions() as session, session.begin():
        rows = (await session.execute(select(table).order_by(table.c.id))).mappings().all()
        prev = audit.GENESIS
        for found in rows:
            row = dict(found)
            if row["id"] == start:
                row["actor_sub"] = "someone-else"
            if row["id"] >= start:
                row["prev_hash"], row["hash"] = prev, audit.legacy_digest(prev, row)
                values = {k: row[k] for k in ("actor_sub", "prev_hash", "hash")}
                await session.execute(update(table).where(table.c.id == row["id"]).values(values))
            prev = row["hash"]


async def test_a_row_rewritten_with_recomputed_plain_hashes_is_found(database_url: str) -> None:
    db, table = await _db(database_url)
    for i in range(6):
        async with db.sessions() as session, session.begin():
            await audit.append(session, table, _entry(i), KEY)
    await _rechain_plainly(db, table, 3)
    async with db.sessions() as session:
        assert await audit.verify(session, table, KEY) == [3, 4, 5, 6]
        # A wrong key finds nothing right: the key, not the formula, makes the chain.
        assert await audit.verify(session, table, b"another key") == [1, 2, 3, 4, 5, 6]
    await db.dispose()


async def test_rows_chained_before_the_key_verify_up_to_the_stated_id(database_url: str) -> None:
    db, table = await _db(database_url)
    for i in range(3):  # as the old code chained them: plain SHA-256
        async with db.sessions() as session, session.begin():
            await audit.append(session, table, _entry(i), KEY)
    await _rechain_plainly(db, table, 1)
    for i in range(3, 5):
        async with db.sessions() as session, session.begin():
            await audit.append(session, table, _entry(i), KEY)
    async with db.sessions() as session:
        assert await audit.verify(session, table, KEY, legacy_until=3) == []
        assert await audit.verify(session, table, KEY, legacy_until=2) == [3]
        assert await audit.verify(session, table, KEY) == [1, 2, 3]
    await db.dispose()
