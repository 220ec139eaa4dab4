"""The inspections' HTTP API: visits planned or unannounced, recorded as visited, their
findings made reports through intake (linked to the visit and, once opened, to the case)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, func, select

from services.cases import scope
from services.cases.context import Context, Ctx
from services.cases.inspections import work
from services.cases.inspections.tables import inspection_findings, inspections
from services.cases.models import case_reports
from services.cases.tasks.routes import READERS, roles
from shared.auth import Caller, Principal, require_role
from shared.http_params import IsoDate

router = APIRouter(prefix="/api/v1", tags=["inspections"])
INSPECTORS = ("officer", "leader", "supervisor", "city_office", "inspector")
Name = Annotated[str, Field(min_length=1, max_length=50)]


async def _on_visit(inspection_id: str, ctx: Ctx, caller: Caller) -> None:
    """Scope (404) then role (403), before the body is read."""
    async with ctx.db.sessions() as session:
        query = select(inspections).where(inspections.c.id == inspection_id)
        row = (await session.execute(query)).first()
    if row is None or not work.visible(ctx, caller, row._mapping):
        raise work.no_such_inspection()
    require_role(caller, *INSPECTORS)


ON_VISIT = [Depends(_on_visit)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VisitBody(Body):
    """A visit: planned, or unannounced (暗访); who goes, when, which township and village."""

    kind: Literal["planned", "unannounced"]
    county: Annotated[str, Field(pattern=r"^\d{6}$")]
    township: Annotated[str, Field(max_length=64)] | None = None
    village: Annotated[str, Field(max_length=50)] | None = None
    visit_on: IsoDate
    inspectors: Annotated[list[Name], Field(min_length=1, max_length=20)]
    notes: Annotated[str, Field(max_length=2000)] | None = None


class VisitedBody(Body):
    visit_on: IsoDate | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None


class FindingBody(Body):
    """What was found, as the report intake will take (the inspection channel)."""

    content: Annotated[str, Field(min_length=10, max_length=5000)]
    title: Annotated[str, Field(max_length=200)] | None = None
    subject_unit_id: Annotated[str, Field(max_length=64)] | None = None
    subject_person: Annotated[str, Field(max_length=100)] | None = None
    category_hint: Annotated[int, Field(ge=1, le=99)] | None = None


@router.post("/inspections", status_code=status.HTTP_201_CREATED, dependencies=roles(*INSPECTORS))
async def plan_visit(body: VisitBody, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """Plan a visit (or record one as it happens, then mark it visited)."""
    inspection_id = await work.plan(ctx, caller, body.model_dump())
    return await _detail(ctx, caller, inspection_id)


@router.post("/inspections/{inspection_id}/visit", dependencies=ON_VISIT)
async def record_visit(
    inspection_id: str, ctx: Ctx, caller: Caller, body: VisitedBody | None = None
) -> dict[str, Any]:
    """The visit took place (its day, if other than planned, and notes)."""
    await work.visited(ctx, caller, inspection_id, body.model_dump() if body else {})
    return await _detail(ctx, caller, inspection_id)


@router.post("/inspections/{inspection_id}/findings", dependencies=ON_VISIT)
async def report_finding(
    inspection_id: str, body: FindingBody, ctx: Ctx, caller: Caller, request: Request
) -> dict[str, Any]:
    """A finding becomes a report through intake's inspection channel, linked to the visit."""
    nc = request.app.state.runtime.broker.connection
    await work.report_finding(ctx, caller, nc, inspection_id, body.model_dump())
    return await _detail(ctx, caller, inspection_id)


def _scope(ctx: Context, caller: Principal) -> ColumnElement[bool]:
    """SQL of `work.visible`."""
    return scope.register_filter(ctx.directory, caller, READERS, inspections.c.unit)


@router.get("/inspections")
async def list_visits(
    ctx: Ctx,
    caller: Caller,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    kind: Literal["planned", "unannounced"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,6}$")] = None,
) -> dict[str, Any]:
    """Visits the caller may see, latest first; filters `county`, `kind`."""
    require_role(caller, *READERS)
    query = select(inspections).where(_scope(ctx, caller))
    for column, value in ((inspections.c.county, county), (inspections.c.kind, kind)):
        if value is not None:
            query = query.where(column == value)
    offset = int(cursor or 0)
    async with ctx.db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        order = (inspections.c.visit_on.desc(), inspections.c.id)
        rows = (
            await session.execute(query.order_by(*order).offset(offset).limit(limit))
        ).mappings()
        items = [_plain(r) for r in rows]
    following = str(offset + limit) if offset + len(items) < (total or 0) else None
    return {"items": items, "total": total, "next": following}


@router.get("/inspections/{inspection_id}")
async def visit_detail(inspection_id: str, ctx: Ctx, caller: Caller) -> dict[str, Any]:
    """One visit with its findings, each with the report and (once opened) the case."""
    return await _detail(ctx, caller, inspection_id)


async def _detail(ctx: Context, caller: Principal, inspection_id: str) -> dict[str, Any]:
    async with ctx.db.sessions() as session:
        query = select(inspections).where(inspections.c.id == inspection_id)
        row = (await session.execute(query)).mappings().first()
        if row is None or not work.visible(ctx, caller, row):
            raise work.no_such_inspection()
        found = (
            select(inspection_findings, case_reports.c.case_id)
            .outerjoin(case_reports, case_reports.c.report_id == inspection_findings.c.report_id)
            .where(inspection_findings.c.inspection_id == inspection_id)
            .order_by(inspection_findings.c.finding_no)
        )
        findings = [_plain(f) for f in (await session.execute(found)).mappings()]
    return _plain(row) | {"findings": findings}


def _plain(row: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in dict(row).items()}
