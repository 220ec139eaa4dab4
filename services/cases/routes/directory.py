"""Cases' HTTP API: the directory of units (public)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from services.cases.context import Ctx

router = APIRouter(prefix="/api/v1", tags=["cases"])


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
            "dispatched_by": u.dispatched_by,  # a work team's dispatching unit (issue 22)
        }
        for u in ctx.directory.units()
    ]
    return {"items": items, "total": len(items), "next": None}
