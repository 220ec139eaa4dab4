"""A unit's inbox notices read and marked read: the one code behind the JSON inbox routes and
the inbox page (issue 17), so both see and change the same rows under the same rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from services.notify.models import notices
from shared.auth import Principal, require_role
from shared.db import Database
from shared.errors import Refusal

# The unit's people who work its cases (architecture.md, "Roles and isolation"): notices name
# cases, so a role that reads no case data (clerk, integrator) has no inbox, nor has the
# auditor, who reads the audit trail rather than acting on a unit's notices.
INBOX_READERS = ("officer", "leader", "supervisor", "city_office", "inspector")


async def unit_notices(
    db: Database, unit: str, english: bool, limit: int, *,
    cursor: int | None = None, offset: int = 0, unread_first: bool = False,
) -> tuple[list[dict[str, Any]], int, int, bool]:  # fmt: skip
    """(notices, total, unread, more after these): newest first, or unread first then newest;
    paged by `cursor` (ids below it, newest first only) or `offset`."""
    base = select(notices).where(notices.c.unit == unit)
    order = (notices.c.read.asc(), notices.c.id.desc()) if unread_first else (notices.c.id.desc(),)
    page = base.order_by(*order).limit(limit + 1).offset(offset)
    if cursor is not None:
        page = page.where(notices.c.id < cursor)
    async with db.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        unread_rows = base.where(notices.c.read.is_(False)).subquery()
        unread = await session.scalar(select(func.count()).select_from(unread_rows))
        rows = (await session.execute(page)).mappings().all()
    items = [_item(r, english) for r in rows[:limit]]
    return items, int(total or 0), int(unread or 0), len(rows) > limit


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


async def mark_read(db: Database, caller: Principal, notice_id: int) -> None:
    """Scope first (another unit's notice is 404), then the role (403)."""
    theirs = (notices.c.id == notice_id, notices.c.unit == caller.unit)
    async with db.sessions() as session, session.begin():
        if (await session.execute(select(notices.c.id).where(*theirs))).first() is None:
            raise Refusal.not_found("没有这条通知", "no such notice")
        require_role(caller, *INBOX_READERS)
        await session.execute(update(notices).where(*theirs).values(read=True))


async def mark_all_read(db: Database, caller: Principal) -> int:
    """Every unread notice of the caller's unit read; how many were unread."""
    require_role(caller, *INBOX_READERS)
    mine = (notices.c.unit == caller.unit, notices.c.read.is_(False))
    async with db.sessions() as session, session.begin():
        done = await session.execute(update(notices).where(*mine).values(read=True))
    return int(getattr(done, "rowcount", 0) or 0)
