"""Writing a programme record: the row and its event in one transaction, in the record's
county, by a caller who may record there."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.federation.context import Context
from services.federation.publishing import publish
from shared.events import EventData


def new_id() -> str:
    return str(uuid.uuid4())


async def write(
    session: AsyncSession, table: Table, values: dict[str, Any], payload: EventData,
    *, county: str, now: datetime,
) -> None:  # fmt: skip
    await session.execute(insert(table).values(**values, created_at=now))
    await publish(session, payload, county=county, aggregate_id=values["id"])


async def done(ctx: Context, kind: str, record: dict[str, Any]) -> dict[str, Any]:
    ctx.metrics.recorded(kind)
    return record
