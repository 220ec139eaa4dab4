"""Cases' HTTP API (reads): the directory, case lists, case detail and the audit trail for those
entitled."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import store, transactions, views
from services.cases.audit import trail
from services.cases.context import Context, Ctx
from services.cases.domain.refusals import no_such_case
from services.cases.models import case_reports, cases
from services.cases.scope import CASE_READERS, HANDLERS, case_filter, relation
from shared.auth import Caller, Principal, require_role
from shared.deadlines import TZ, end_of_day

router = APIRouter(prefix="/api/v1", tags=["cases"])
LIST_FIELDS = (
    "id", "status", "version", "county", "problem", "handling_unit", "lead_unit",
    "rectifying_unit", "channel", "finding", "transfer_to", "triage", "overdue", "exposed",
    "received_at", "updated_at",
)  # fmt: skip


@router.get("/units")
async def units(ctx: Ctx) -> dict[str, Any]:
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
        for u in ctx.directory.units()
    ]
    return {"items": items, "total": len(items), "next": None}


def _text_match(caller: Principal, q: str) -> ColumnElement[bool]:
    # The report text is searched only where the caller may read it (not a rectifier's rows).
    found = or_(cases.c.id == q, cases.c.content.contains(q))
    if caller.role in HANDLERS:
        mine = or_(cases.c.handling_unit == caller.unit, cases.c.lead_unit == caller.unit)
        return or_(cases.c.id == q, and_(mine, cases.c.content.contains(q)))
    return found if caller.role in CASE_READERS else false()


def _filtered(query: Select[Any], caller: Principal, **given: Any) -> Select[Any]:
    checks = {
        "status": lambda v: cases.c.status == v,
        "county": lambda v: cases.c.county == v,
        "unit": lambda v: cases.c.handling_unit == v,
        "problem": lambda v: cases.c.problem == v,
        "overdue": lambda v: cases.c.overdue.is_(v),
        # Dates are days in Asia/Shanghai, on the report's receipt.
        "date_from": lambda v: cases.c.received_at >= datetime.combine(v, datetime.min.time(), TZ),
        "date_to": lambda v: cases.c.received_at <= end_of_day(v),
        "q": lambda v: _text_match(caller, v),
    }
    for name, value in given.items():
        if value is not None:
            query = query.where(checks[name](value))
    return query


def _cursor(row: Any) -> str:
    raw = f"{row['received_at'].isoformat()}|{row['id']}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _after(cursor: str) -> ColumnElement[bool]:
    try:
        at_text, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        at = datetime.fromisoformat(at_text)
    except ValueError:
        raise HTTPException(422, [{"loc": ["query", "cursor"], "msg": "bad cursor"}]) from None
    return or_(cases.c.received_at < at, and_(cases.c.received_at == at, cases.c.id < case_id))


@router.get("/cases")
async def list_cases(
    ctx: Ctx,
    caller: Caller,
    status: str | None = None,
    county: str | None = None,
    unit: str | None = None,
    problem: int | None = None,
    overdue: bool | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Cases the caller may see, newest first; `next` is the cursor of the following page."""
    require_role(caller, *CASE_READERS)
    base = select(*[cases.c[name] for name in LIST_FIELDS])
    base = base.where(case_filter(ctx.directory, caller))
    filters = dict(
        status=status, county=county, unit=unit, problem=problem, overdue=overdue,
        date_from=date_from, date_to=date_to, q=q,
    )  # fmt: skip
    base = _filtered(base, caller, **filters)
    async with ctx.db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        page = base.order_by(cases.c.received_at.desc(), cases.c.id.desc()).limit(limit + 1)
        if cursor:
            page = page.where(_after(cursor))
        rows = (await session.execute(page)).mappings().all()
        # Who searched for what and which cases it showed (the search text is the caller's
        # own words about cases, kept like a note; the cases' content is not).
        shown = [row["id"] for row in rows[:limit]]
        asked = {k: str(v) for k, v in filters.items() if v is not None}
        detail = {"filters": asked, "cursor": cursor, "total": total, "shown": shown}
        await trail.record(ctx, session, caller, "list", None, detail)
    items = [{k: views.plain(v) for k, v in row.items()} for row in rows[:limit]]
    more = len(rows) > limit
    return {"items": items, "total": total, "next": _cursor(rows[limit - 1]) if more else None}


async def case_detail_for(ctx: Context, caller: Principal, case_id: str) -> dict[str, Any]:
    """The detail the caller may see; a 404 Refusal outside its scope."""
    require_role(caller, *CASE_READERS)
    async with ctx.db.sessions() as session:
        for attempt in range(1, transactions.ATTEMPTS + 1):
            case = await store.load(session, case_id)
            seen = relation(ctx.directory, caller, case.row) if case else None
            if case is None or seen is None:
                raise no_such_case()
            reports = await _reports(session, case_id)
            # Until one state was read: a writer may commit between these statements.
            if attempt == transactions.ATTEMPTS or await store.unchanged(session, case):
                await trail.record(ctx, session, caller, "read", case_id)
                return views.detail(ctx.directory, caller, case, seen, reports)
    raise AssertionError("unreachable")


async def _reports(session: AsyncSession, case_id: str) -> list[dict[str, Any]]:
    linked = select(case_reports).where(case_reports.c.case_id == case_id)
    rows = await session.execute(linked.order_by(case_reports.c.linked_at))
    return [dict(row) for row in rows.mappings()]


@router.get("/cases/{case_id}")
async def case_detail(case_id: str, ctx: Ctx, response: Response, caller: Caller) -> dict[str, Any]:
    """One case with its timeline; 404 when it is outside the caller's scope. `ETag` = version."""
    detail = await case_detail_for(ctx, caller, case_id)
    response.headers["ETag"] = str(detail["version"])
    return detail


@router.get("/audit")
async def audit_trail(
    ctx: Ctx,
    caller: Caller,
    case: Annotated[str | None, Query(max_length=36)] = None,  # a case id (audited as asked)
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> dict[str, Any]:
    """The audit trail (auditors only): who read or did what to which case, when, from where."""
    require_role(caller, "auditor")
    async with ctx.db.sessions() as session:
        items = await trail.entries(session, case, limit + 1, cursor)
        asked = {"case": case, "cursor": cursor, "shown": len(items[:limit])}
        await trail.record(ctx, session, caller, "audit-read", case, asked)
    page = items[:limit]
    return {
        "items": page,
        "total": len(page),
        "next": str(page[-1]["id"]) if len(items) > limit else None,
    }
