"""Inspection use cases: a visit planned (or recorded as it happens), marked visited, and each
finding made a report through intake and linked to the visit; each step writes the visit and
its event in one transaction (`sequence` = the visit's version)."""

from __future__ import annotations

import uuid
from typing import Any

from nats.aio.client import Client
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import scope, transactions
from services.cases.audit import trail
from services.cases.context import Context
from services.cases.inspections.intake import submit_finding
from services.cases.inspections.tables import inspection_findings, inspections
from services.cases.transactions import Conflict
from shared import outbox
from shared.auth import Principal
from shared.errors import Refusal
from shared.events import REGISTRY, make_event

FACTS = ("county", "township", "village", "kind", "unit", "visit_on", "status", "version")


def no_such_inspection() -> Refusal:
    return Refusal.not_found("没有该督查记录", "no such inspection")


def visible(ctx: Context, caller: Principal, row: Any) -> bool:
    """An unannounced visit is told to nobody it visits: the inspecting unit (and a supervisor
    above it), the city office and auditors see a visit; no one else."""
    units = scope.overseen(ctx.directory, caller)
    return units is None or row["unit"] in units


async def plan(ctx: Context, caller: Principal, body: dict[str, Any]) -> str:
    """A visit of the caller's unit, in a county it covers (its own, or any for the city)."""
    unit = ctx.directory.unit(caller.unit) if caller.unit in ctx.directory else None
    if unit is None or unit.county not in (body["county"], ctx.directory.city_code):
        zh = "只能督查本单位所辖县市区"
        raise Refusal.forbidden(zh, "a unit inspects only the county it covers")
    now = ctx.now()
    row = {
        **{k: body.get(k) for k in ("kind", "county", "township", "village", "visit_on", "notes")},
        "id": str(uuid.uuid4()), "unit": caller.unit, "inspectors": body["inspectors"],
        "status": "planned", "version": 1, "created_by": caller.sub, "created_at": now,
        "updated_at": now,
    }  # fmt: skip

    async def work(session: AsyncSession) -> str:
        await session.execute(insert(inspections).values(**row))
        await _stage(session, row, "inspection.planned", ctx)
        detail = {"inspection": row["id"], "kind": row["kind"], "county": row["county"]}
        await trail.record(ctx, session, caller, "inspection-plan", None, detail)
        return str(row["id"])

    return await transactions.retrying(ctx, work)


async def visited(
    ctx: Context, caller: Principal, inspection_id: str, body: dict[str, Any]
) -> None:
    async def work(session: AsyncSession) -> None:
        row = await _load(session, ctx, caller, inspection_id)
        if row["status"] != "planned":
            raise Refusal.conflict("该次督查已记录为已走访", "the visit is already recorded")
        changes = {k: v for k, v in body.items() if v is not None} | {"status": "visited"}
        row = await _advance(session, ctx, row, changes)
        await _stage(session, row, "inspection.visited", ctx, inspectors=len(row["inspectors"]))
        detail = {"inspection": inspection_id}
        await trail.record(ctx, session, caller, "inspection-visited", None, detail)

    await transactions.retrying(ctx, work)


async def report_finding(
    ctx: Context, caller: Principal, nc: Client, inspection_id: str, body: dict[str, Any]
) -> None:
    """The finding goes to intake first (idempotent), then is linked to the visit."""
    async with ctx.db.sessions() as session:
        row = await _load(session, ctx, caller, inspection_id)
    if row["status"] != "visited":
        raise Refusal.conflict("走访后方可报告发现的问题", "record the visit before its findings")
    report_id = await submit_finding(ctx, nc, row, body)

    async def work(session: AsyncSession) -> None:
        current = await _load(session, ctx, caller, inspection_id)
        linked = await session.scalar(
            select(inspection_findings.c.finding_no).where(
                inspection_findings.c.report_id == report_id
            )
        )
        if linked is not None:
            return  # the same finding sent again: intake gave the same report
        number = 1 + int(
            await session.scalar(
                select(func.count()).where(inspection_findings.c.inspection_id == inspection_id)
            )
            or 0
        )
        await session.execute(
            insert(inspection_findings).values(
                inspection_id=inspection_id, finding_no=number, report_id=report_id,
                summary=(body.get("title") or body["content"])[:200], created_by=caller.sub,
                created_at=ctx.now(),
            )
        )  # fmt: skip
        current = await _advance(session, ctx, current, {})
        await _stage(
            session, current, "inspection.finding_reported", ctx, finding_no=number,
            report_id=report_id,
        )  # fmt: skip
        detail = {"inspection": inspection_id, "finding_no": number, "report": report_id}
        await trail.record(ctx, session, caller, "inspection-finding", None, detail)

    await transactions.retrying(ctx, work)


async def _load(
    session: AsyncSession, ctx: Context, caller: Principal, inspection_id: str
) -> dict[str, Any]:
    query = select(inspections).where(inspections.c.id == inspection_id)
    found = (await session.execute(query)).mappings().first()
    if found is None or not visible(ctx, caller, found):
        raise no_such_inspection()
    return dict(found)


async def _advance(
    session: AsyncSession, ctx: Context, row: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    values = changes | {"version": row["version"] + 1, "updated_at": ctx.now()}
    changed = await session.execute(
        update(inspections)
        .where(inspections.c.id == row["id"], inspections.c.version == row["version"])
        .values(**values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(row["id"])
    return row | values


async def _stage(
    session: AsyncSession, row: dict[str, Any], event_type: str, ctx: Context, **data: Any
) -> None:
    facts = {k: row[k] for k in FACTS} | {"inspection_id": row["id"]}
    payload = REGISTRY[(event_type, 1)].model_validate(facts | data)
    # Under the inspecting unit's county, as a case goes under its handling unit's: a city
    # unit's unannounced visit never shows on the visited county's subjects.
    county = ctx.county_of(row["unit"], row["county"])
    envelope = make_event(
        payload, county=county, aggregate_id=row["id"], sequence=row["version"],
        producer="cases", occurred_at=ctx.now(),
    )  # fmt: skip
    await outbox.add(session, envelope)
