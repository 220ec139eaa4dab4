"""Processed-event ids: a consumer's writes and its "seen" mark commit together.

Redelivery of an event then changes nothing. A concurrent duplicate loses on the primary key
and its transaction rolls back; the nak that follows finds the mark and acks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ARRAY, bindparam, func, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import INBOX
from shared.events import Envelope

T = TypeVar("T")


async def already_processed(session: AsyncSession, consumer: str, event_id: str) -> bool:
    table = INBOX
    row = await session.execute(
        select(table.c.event_id).where(table.c.consumer == consumer, table.c.event_id == event_id)
    )
    return row.first() is not None


async def mark_processed(session: AsyncSession, consumer: str, event_id: str) -> None:
    table = INBOX
    await session.execute(
        insert(table).values(consumer=consumer, event_id=event_id, processed_at=datetime.now(UTC))
    )


async def claim(session: AsyncSession, consumer: str, event_id: str) -> bool:
    """True when this event is new for the consumer (and marks it in this transaction)."""
    if await already_processed(session, consumer, event_id):
        return False
    await mark_processed(session, consumer, event_id)
    return True


async def claim_many(
    session: AsyncSession, consumer: str, items: list[tuple[Envelope, T]]
) -> list[tuple[Envelope, T]]:
    """The items whose events are new for the consumer, in their order and once each (a batch
    may carry a redelivered double), all marked in this transaction in one statement: the
    insert skips the ids already marked and returns the ones it marked. A concurrent
    transaction marking the same id first makes this one wait for it, then skip the id."""
    fresh: list[tuple[Envelope, T]] = []
    ids: set[str] = set()
    for item in items:
        event_id = str(item[0].event_id)
        if event_id not in ids:
            ids.add(event_id)
            fresh.append(item)
    if not fresh:
        return []
    now = datetime.now(UTC)
    ordered = [str(e.event_id) for e, _ in fresh]
    statement: Any
    if session.get_bind().dialect.name == "postgresql":
        # One SQL text whatever the batch's size (asyncpg prepares each text once).
        rows = select(
            literal(consumer, INBOX.c.consumer.type),
            func.unnest(bindparam("ids", ordered, type_=ARRAY(INBOX.c.event_id.type))),
            literal(now, INBOX.c.processed_at.type),
        )
        statement = postgresql.insert(INBOX).from_select(
            ["consumer", "event_id", "processed_at"], rows
        )
    else:
        statement = sqlite.insert(INBOX).values(
            [{"consumer": consumer, "event_id": i, "processed_at": now} for i in ordered]
        )
    statement = statement.on_conflict_do_nothing().returning(INBOX.c.event_id)
    marked = set((await session.execute(statement)).scalars())
    return [item for item in fresh if str(item[0].event_id) in marked]
