"""Cases' HTTP API: the directory, case lists and case detail for those entitled."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from sqlalchemy import Select, func, select

from services.cases.models import case_history, cases, deadlines
from services.cases.scope import CASE_READERS, case_filter
from shared.auth import Caller, require_role
from shared.directory import Directory

router = APIRouter(prefix="/api/v1", tags=["cases"])
PUBLIC_LIST = (
    "id",
    "status",
    "version",
    "county",
    "problem",
    "handling_unit",
    "channel",
    "overdue",
    "exposed",
    "received_at",
    "updated_at",
)


def _directory(request: Request) -> Directory:
    return request.app.state.directory


@router.get("/units")
async def units(request: Request) -> dict[str, Any]:
    """The directory of units (public)."""
    items = [
        {
            "id": u.id,
            "name": u.name,
            "kind": u.kind,
            "level": u.level,
            "county": u.county,
            "supervisors": [{"unit": s.unit, "by": s.by} for s in u.supervisors],
        }
        for u in _directory(request).units()
    ]
    return {"items": items, "total": len(items), "next": None}


def _filtered(
    query: Select[Any],
    status: str | None,
    county: str | None,
    unit: str | None,
    problem: int | None,
    overdue: bool | None,
    date_from: date | None,
    date_to: date | None,
    q: str | None,
) -> Select[Any]:
    checks = [
        (status, lambda v: cases.c.status == v),
        (county, lambda v: cases.c.county == v),
        (unit, lambda v: cases.c.handling_unit == v),
        (problem, lambda v: cases.c.problem == v),
        (overdue, lambda v: cases.c.overdue.is_(v)),
        (date_from, lambda v: func.date(cases.c.received_at) >= v),
        (date_to, lambda v: func.date(cases.c.received_at) <= v),
        (q, lambda v: cases.c.content.contains(v)),
    ]
    for value, condition in checks:
        if value is not None:
            query = query.where(condition(value))
    return query


@router.get("/cases")
async def list_cases(
    request: Request,
    caller: Caller,
    status: str | None = None,
    county: str | None = None,
    unit: str | None = None,
    problem: int | None = None,
    overdue: bool | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Cases the caller may see, newest first; `cursor` is the last id of the previous page."""
    require_role(caller, *CASE_READERS)
    base = select(*[cases.c[name] for name in PUBLIC_LIST]).where(
        case_filter(_directory(request), caller)
    )
    base = _filtered(base, status, county, unit, problem, overdue, date_from, date_to, q)
    db = request.app.state.runtime.db
    async with db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        page = base.order_by(cases.c.id).limit(limit + 1)
        if cursor:
            page = page.where(cases.c.id > cursor)
        rows = (await session.execute(page)).mappings().all()
    items = [_public(dict(row)) for row in rows[:limit]]
    return {"items": items, "total": total, "next": items[-1]["id"] if len(rows) > limit else None}


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


@router.get("/cases/{case_id}")
async def case_detail(
    case_id: str, request: Request, response: Response, caller: Caller
) -> dict[str, Any]:
    """One case with its timeline; 404 when it is outside the caller's scope."""
    require_role(caller, *CASE_READERS)
    db = request.app.state.runtime.db
    async with db.sessions() as session:
        query = select(cases).where(cases.c.id == case_id, case_filter(_directory(request), caller))
        row = (await session.execute(query)).mappings().first()
        if row is None:
            raise HTTPException(404, "no such case")
        history = (
            (
                await session.execute(
                    select(case_history)
                    .where(case_history.c.case_id == case_id)
                    .order_by(case_history.c.sequence)
                )
            )
            .mappings()
            .all()
        )
        clocks = (
            (await session.execute(select(deadlines).where(deadlines.c.case_id == case_id)))
            .mappings()
            .all()
        )
    response.headers["ETag"] = str(row["version"])
    return _detail(dict(row), history, clocks)


def _detail(row: dict[str, Any], history: Any, clocks: Any) -> dict[str, Any]:
    hidden = {"identity_sealed", "reporter_index", "subject_person"}
    detail = _public({k: v for k, v in row.items() if k not in hidden})
    detail["deadlines"] = [_public(dict(c)) for c in clocks]
    detail["timeline"] = [
        {
            "sequence": h["sequence"],
            "type": h["event_type"],
            "at": h["at"].isoformat(),
            "actor_unit": h["actor_unit"],
            "data": h["data"],
        }
        for h in history
    ]
    return detail
