"""A unit's in-app inbox over HTTP: its notices, newest first, and marking one read (the rows
and rules are `inbox_notices`', shared with the inbox page)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from services.notify import inbox_notices
from services.notify.context import Ctx
from services.notify.inbox_notices import INBOX_READERS, unit_notices
from shared.auth import Caller, require_role
from shared.errors import wants_english
from shared.http_params import INT_MAX

router = APIRouter(prefix="/api/v1", tags=["notify"])


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
    items, total, _, more = await unit_notices(ctx.db, caller.unit, english, limit, cursor=cursor)
    return {"items": items, "total": total, "next": str(items[-1]["id"]) if more else None}


@router.post("/inbox/{notice_id}/read")
async def mark_read(
    notice_id: Annotated[int, Path(ge=0, le=INT_MAX)], ctx: Ctx, caller: Caller
) -> dict[str, Any]:
    """Scope first (another unit's notice is 404), then the role (403)."""
    await inbox_notices.mark_read(ctx.db, caller, notice_id)
    return {"id": notice_id, "read": True}
