"""Cases' HTTP API: the audit trail, for auditors (each read of it audited too)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.cases.audit import trail
from services.cases.context import Ctx
from shared.auth import Caller, require_role

router = APIRouter(prefix="/api/v1", tags=["cases"])


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
