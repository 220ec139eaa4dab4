"""Folding `federation.*` events into the programme read models, once each (inbox), in any
order: a step's state (an application's status, a selection's) moves only with a newer
sequence, and what a step adds (an amount, a village) is kept whichever arrives first.

What is kept of an event is picked field by field below: ids, county, village, status,
category, counts and amounts. A village's name is a place; a school's or home's name, a
sponsor, a child's reference and a published family's name are not needed and not kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.context import Context
from services.reporting.programmes.tables import prog_aid, prog_items, prog_villages
from services.reporting.projection.batch import lock
from shared import inbox
from shared.bus import BatchHandler
from shared.events import Envelope, EventData
from shared.events.federation import aid as a
from shared.events.federation import programmes as p

Events = list[tuple[Envelope, EventData]]
Fold = tuple[Table, dict[str, Any]]
ORDERED = ("status", "detail")  # moved only by a newer sequence


def when_programmes_change(ctx: Context, durable: str) -> BatchHandler:
    async def handle(events: Events) -> None:
        """Each federation event updates the programme figures once."""
        async with ctx.db.sessions() as session, session.begin():
            await lock(session)  # a rebuild's switch-over holds it (rebuild/run.py)
            for envelope, payload in await inbox.claim_many(session, durable, events):
                found = rows_of(payload, envelope.sequence)
                if found is not None:
                    await fold(session, *found)

    return handle


def rows_of(event: EventData, sequence: int) -> Fold | None:
    """The row an event adds to or moves (None: nothing the figures count)."""
    if isinstance(event, a.AidStep):
        amount = event.amount if isinstance(event, a.AidApproved | a.AidDisbursed) else None
        source = event.fund_source if isinstance(event, a.AidApproved | a.AidDisbursed) else None
        row = {"application_id": event.application_id, "county": event.county,
               "village_id": event.village_id, "poor_village": event.poor_village,
               "status": event.status, "amount": amount, "fund_source": source}  # fmt: skip
        return prog_aid, row | {"sequence": sequence}
    if isinstance(event, p.VillageRegistered):
        row = {"village_id": event.village_id, "county": event.county, "name": event.name,
               "poor": event.poor, "left_behind": event.left_behind}  # fmt: skip
        return prog_villages, row
    item = _item(event)
    if item is None:
        return None
    kind, ident, county, village, detail, amount, attendance = item
    return prog_items, {"kind": kind, "item_id": ident, "county": county, "village_id": village,
                        "detail": detail, "amount": amount, "attendance": attendance,
                        "sequence": sequence}  # fmt: skip


def _item(e: EventData) -> tuple[str, str, str, str | None, str | None, int, int] | None:
    if isinstance(e, p.SchoolRegistered):
        return "school", e.school_id, e.county, e.village_id, None, 0, 0
    if isinstance(e, p.SchoolSponsored):
        return "sponsorship", e.sponsorship_id, e.county, None, e.sponsor_kind, e.amount, 0
    if isinstance(e, p.PairingMade):
        return "pairing", e.pairing_id, e.county, e.village_id, e.child_category, 0, 0
    if isinstance(e, p.VisitLogged):
        return "visit", e.visit_id, e.county, None, None, 0, 0
    if isinstance(e, p.HomeRegistered):
        return "home", e.home_id, e.county, e.village_id, None, 0, 0
    if isinstance(e, p.ActivityRecorded):
        return "activity", e.activity_id, e.county, e.village_id, e.kind, 0, e.attendance
    if isinstance(e, p.SelectionNominated | p.SelectionPublished):
        state = "published" if isinstance(e, p.SelectionPublished) else "nominated"
        return "selection", e.selection_id, e.county, e.village_id, state, 0, 0
    if isinstance(e, p.SelectionReviewed):
        state = "selected" if e.selected else "not_selected"
        return "selection", e.selection_id, e.county, None, state, 0, 0
    return None


async def fold(session: AsyncSession, table: Table, row: dict[str, Any]) -> None:
    """Insert the row, or update what this event may change of the one there."""
    keys = [c.name for c in table.primary_key.columns]
    where = and_(*(table.c[k] == row[k] for k in keys))
    current = (await session.execute(select(table).where(where))).mappings().first()
    if current is None:
        await session.execute(insert(table).values(**first(table, row)))
        return
    values = changes(table, dict(current), row)
    if values:
        await session.execute(update(table).where(where).values(**values))


def first(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row an event inserts when there is none yet (what it does not know left out)."""
    defaults = {"amount": 0} if "amount" in table.c else {}
    return defaults | {k: v for k, v in row.items() if v is not None}


def changes(table: Table, current: Mapping[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """What this event changes of the row there: its state only with a newer sequence, what it
    adds whatever the order. Pure: live and a rebuild (in memory, rebuild/folds.py) share it."""
    keys = [c.name for c in table.primary_key.columns]
    newer = "sequence" not in row or row["sequence"] > current["sequence"]
    values = {
        k: v
        for k, v in row.items()
        if k not in keys and v is not None and (newer or (k not in ORDERED and k != "sequence"))
    }
    return {k: v for k, v in values.items() if current[k] != v}
