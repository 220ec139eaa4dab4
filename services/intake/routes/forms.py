"""The lists report forms need: the numbered problems and the counties."""

from __future__ import annotations

from fastapi import APIRouter

from services.intake.context import Ctx

router = APIRouter(prefix="/api/v1", tags=["intake"])


@router.get("/problems")
async def problems(ctx: Ctx) -> dict[str, object]:
    """The numbered problem list, for forms."""
    items = [
        {"number": p.number, "title": p.title, "title_en": p.title_en}
        for p in ctx.taxonomy.problems()
    ]
    return {"items": items, "total": len(items), "next": None}


@router.get("/counties")
async def counties(ctx: Ctx) -> dict[str, object]:
    """The county-level areas reports may name, for forms."""
    items = [{"code": code, "name": name} for code, name in ctx.directory.counties()]
    return {"items": items, "total": len(items), "next": None}
