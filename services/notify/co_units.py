"""The co-responsible units (协办) of each case, as its opening named them: they are told of
the steps that concern their part (`audiences.CO_UNIT_EVENTS`) beside the handling unit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.models import case_co_units
from shared.db import one_of
from shared.events.cases import CaseEvent


async def link_co_units(session: AsyncSession, events: list[tuple[str, CaseEvent]]) -> None:
    """Remember each opened case's co-units (a redelivered opening adds nothing)."""
    pairs = {
        (payload.case_id, unit)
        for event_type, payload in events
        if event_type == "case.opened"
        for unit in getattr(payload, "co_units", ())
    }
    if not pairs:
        return
    known = await session.execute(
        select(case_co_units.c.case_id, case_co_units.c.unit).where(
            one_of(session, case_co_units.c.case_id, {c for c, _ in pairs})
        )
    )
    pairs -= {(row.case_id, row.unit) for row in known}
    if pairs:
        rows = [{"case_id": c, "unit": u} for c, u in sorted(pairs)]
        await session.execute(insert(case_co_units), rows)


async def co_units_of(session: AsyncSession, case_ids: Iterable[str]) -> dict[str, list[str]]:
    """Each case's co-units, in unit id order."""
    ids = set(case_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(case_co_units.c.case_id, case_co_units.c.unit)
        .where(one_of(session, case_co_units.c.case_id, ids))
        .order_by(case_co_units.c.unit)
    )
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row.case_id, []).append(row.unit)
    return out
