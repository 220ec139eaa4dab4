"""Processed-event ids: a consumer's writes and its "seen" mark commit together.

Redelivery of an event then changes nothing. A concurrent duplicate loses on the primary key
and its transaction rolls back; the nak that follows finds the mark and acks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import INBOX, one_of
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
    may carry a redelivered double), all marked in this transaction: one read, one write."""
    ids = [str(envelope.event_id) for envelope, _ in items]
    if not ids:
        return []
    seen = await session.execute(
        select(INBOX.c.event_id).where(
            INBOX.c.consumer == consumer, one_of(session, INBOX.c.event_id, ids)
        )
    )
    done = set(seen.scalars())
    fresh = []
    for item in items:
        event_id = str(item[0].event_id)
        if event_id not in done:
            done.add(event_id)
            fresh.append(item)
    if fresh:
        now = datetime.now(UTC)
        await session.execute(
            insert(INBOX),
            [
                {"consumer": consumer, "event_id": str(e.event_id), "processed_at": now}
                for e, _ in fresh
            ],
        )
    return fresh
