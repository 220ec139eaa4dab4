"""Processed-event ids: a consumer's writes and its "seen" mark commit together.

Redelivery of an event then changes nothing. A concurrent duplicate loses on the primary key
and its transaction rolls back; the nak that follows finds the mark and acks.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import INBOX


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
