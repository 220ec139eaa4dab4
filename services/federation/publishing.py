"""Every federation event goes through the outbox, in the transaction of its change."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.federation.context import PRODUCER
from shared import outbox
from shared.events import EventData, make_event


async def publish(
    session: AsyncSession, payload: EventData, *, county: str, aggregate_id: str, sequence: int = 1
) -> None:
    """Stage `payload` under `county`'s subject; a record's later events raise `sequence`."""
    envelope = make_event(
        payload, county=county, aggregate_id=aggregate_id, sequence=sequence, producer=PRODUCER
    )
    await outbox.add(session, envelope)
