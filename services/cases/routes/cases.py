"""Cases' HTTP API: one case's detail, cut to what the caller may see, with `ETag` = version."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import store, transactions, views
from services.cases.audit import trail
from services.cases.context import Context, Ctx
from services.cases.domain.refusals import no_such_case
from services.cases.models import case_reports
from services.cases.scope import CASE_READERS, relation
from shared.auth import Caller, Principal, require_role

router = APIRouter(prefix="/api/v1", tags=["cases"])


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
