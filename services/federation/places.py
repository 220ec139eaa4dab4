"""Villages, the places every programme record belongs to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.federation.models import villages
from shared.errors import Refusal


async def village(session: AsyncSession, village_id: str, county: str | None = None) -> Any:
    """The village row, or 422 naming `village_id` (unknown, or in another county)."""
    row = (await session.execute(select(villages).where(villages.c.id == village_id))).first()
    if row is None or (county is not None and row.county != county):
        raise Refusal.invalid(
            ("body", "village_id"), "村庄未登记或不属于该县市区", "unknown village in this county"
        )
    return row
