"""The city's aid drives: a budget per fund source, the applications counted against it and
the share that went to women in poor villages."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, insert, select

from services.federation import callers
from services.federation.aid.workflow import COMMITTED
from services.federation.context import Context
from services.federation.models import applications, drive_budgets, drives
from services.federation.publishing import publish
from shared.auth import Principal
from shared.events.base import CITY_COUNTY
from shared.events.federation.aid import DriveOpened, FundSource


class DriveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2016, le=2100)
    name: str = Field(min_length=2, max_length=200)
    budgets: dict[FundSource, int] = Field(min_length=1)


async def open_drive(ctx: Context, caller: Principal, body: DriveIn) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER)
    callers.require_city(caller, ctx.directory)
    drive_id, now = str(uuid.uuid4()), ctx.clock()
    budgets = {source: max(amount, 0) for source, amount in body.budgets.items()}
    async with ctx.db.sessions() as session, session.begin():
        await session.execute(
            insert(drives).values(id=drive_id, year=body.year, name=body.name, created_at=now)
        )
        for source, amount in budgets.items():
            await session.execute(
                insert(drive_budgets).values(drive_id=drive_id, fund_source=source, budget=amount)
            )
        payload = DriveOpened(drive_id=drive_id, year=body.year, name=body.name, budgets=budgets)
        await publish(session, payload, county=CITY_COUNTY, aggregate_id=drive_id)
    ctx.metrics.recorded("drive")
    return {"drive_id": drive_id, "year": body.year, "name": body.name, "budgets": budgets}


async def drive_figures(ctx: Context, caller: Principal, drive_id: str) -> dict[str, Any]:
    """Per fund source: budget, granted, left; applications counted; the poor-village share."""
    callers.require(caller, callers.OFFICER)
    async with ctx.db.sessions() as session:
        drive = (await session.execute(select(drives).where(drives.c.id == drive_id))).first()
        if drive is None:
            raise callers.not_found()
        budgets = dict(
            (await session.execute(
                select(drive_budgets.c.fund_source, drive_budgets.c.budget)
                .where(drive_budgets.c.drive_id == drive_id)
            )).all()
        )  # fmt: skip
        granted = (await session.execute(
            select(applications.c.fund_source, applications.c.poor_village,
                   func.count(), func.sum(applications.c.amount))
            .where(applications.c.drive_id == drive_id, applications.c.status.in_(COMMITTED))
            .group_by(applications.c.fund_source, applications.c.poor_village)
        )).all()  # fmt: skip
        counted = (await session.execute(
            select(func.count()).where(applications.c.drive_id == drive_id)
        )).scalar_one()  # fmt: skip
    return _figures(drive, budgets, granted, counted)


def _figures(drive: Any, budgets: dict[str, int], granted: Any, counted: int) -> dict[str, Any]:
    spent = {source: 0 for source in budgets}
    aided = poor_aided = amount = poor_amount = 0
    for source, poor, count, total in granted:
        spent[source] = spent.get(source, 0) + int(total or 0)
        aided, amount = aided + count, amount + int(total or 0)
        if poor:
            poor_aided, poor_amount = poor_aided + count, poor_amount + int(total or 0)
    return {
        "drive_id": drive.id,
        "year": drive.year,
        "name": drive.name,
        "funds": [
            {"fund_source": s, "budget": b, "granted": spent.get(s, 0), "left": b - spent.get(s, 0)}
            for s, b in sorted(budgets.items())
        ],
        "applications": counted,
        "aided": aided,
        "amount": amount,
        "poor_village_aided": poor_aided,
        "poor_village_amount": poor_amount,
        "poor_village_share": round(poor_amount / amount, 4) if amount else None,
    }


async def listing(ctx: Context, caller: Principal) -> dict[str, Any]:
    callers.require(caller, callers.OFFICER)
    async with ctx.db.sessions() as session:
        rows = (await session.execute(select(drives).order_by(drives.c.year, drives.c.id))).all()
    items = [{"drive_id": r.id, "year": r.year, "name": r.name} for r in rows]
    return {"items": items, "total": len(items), "next": None}
