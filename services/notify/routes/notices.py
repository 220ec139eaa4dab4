"""A unit's in-app inbox over HTTP: its notices, newest first, and marking one read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import func, select, update

from services.notify.context import Ctx
from services.notify.models import notices
from shared.auth import Caller, require_role
from shared.errors import Refusal, wants_english
from shared.http_params import INT_MAX

router = APIRouter(prefix="/api/v1", tags=["notify"])
# The unit's people who work its cases (architecture.md, "Roles and isolation"): notices name
# cases, so a role that reads no case data (clerk, integrator) has no inbox, nor has the
# auditor, who reads the audit trail rather than acting on a unit's notices.
INBOX_READERS = ("officer", "leader", "supervisor", "city_office", "inspector")


@router.get("/inbox")
async def inbox(
    request: Request,
    ctx: Ctx,
    caller: Caller,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[int | None, Query(ge=0, le=INT_MAX)] = None,
) -> dict[str, Any]:
    """The caller's unit's notices, newest first (English with `Accept-Language: en`); for
    the unit's officers, leaders, supervisors, city office and inspectors only (403 else)."""
    require_role(caller, *INBOX_READERS)
    english = wants_english(request)
    base = select(notices).where(notices.c.unit == caller.unit)
    async with ctx.db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        page = base.order_by(notices.c.id.desc()).limit(limit + 1)
        if cursor is not None:
            page = page.where(notices.c.id < cursor)
        rows = (await session.execute(page)).mappings().all()
    items = [_item(r, english) for r in rows[:limit]]
    return {
        "items": items,
        "total": total,
        "next": str(items[-1]["id"]) if len(rows) > limit else None,
    }


def _item(r: Any, english: bool) -> dict[str, Any]:
    return {
        "id": r["id"],
        "case_id": r["case_id"],
        "event_type": r["event_type"],
        "title": (english and r["title_en"]) or r["title"],
        "body": (english and r["body_en"]) or r["body"],
        "created_at": r["created_at"].isoformat(),
        "read": r["read"],
    }


@router.post("/inbox/{notice_id}/read")
async def mark_read(
    notice_id: Annotated[int, Path(ge=0, le=INT_MAX)], ctx: Ctx, caller: Caller
) -> dict[str, Any]:
    """Scope first (another unit's notice is 404), then the role (403)."""
    theirs = (notices.c.id == notice_id, notices.c.unit == caller.unit)
    async with ctx.db.sessions() as session, session.begin():
        if (await session.execute(select(notices.c.id).where(*theirs))).first() is None:
            raise Refusal.not_found("no such notice", "no such notice")
        require_role(caller, *INBOX_READERS)
        await session.execute(update(notices).where(*theirs).values(read=True))
    return {"id": notice_id, "read": True}
