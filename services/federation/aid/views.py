"""What each reader sees of an application: the reviewing federation officers everything (the
sealed details opened in memory), the list its steps only, the applicant her status and the
reason she was refused."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from services.federation import callers
from services.federation.aid import workflow
from services.federation.aid.applications import load_in_scope
from services.federation.aid.details import keyed_hash, open_details
from services.federation.context import Context
from services.federation.models import applications
from shared.auth import Principal
from shared.errors import Refusal

log = logging.getLogger("zuofeng.federation.aid")
LISTED = ("id", "county", "village_id", "poor_village", "drive_id", "year", "submitted_by",
          "status", "at_step", "due_at", "amount", "fund_source", "paid_on", "public_reason",
          "created_at", "updated_at")  # fmt: skip


def _row(row: Any, ctx: Context) -> dict[str, Any]:
    item = {key: getattr(row, key) for key in LISTED}
    due = row.due_at
    item["overdue"] = due is not None and due < ctx.clock()
    return item


async def for_officer(ctx: Context, caller: Principal, app_id: str) -> dict[str, Any]:
    """The whole application with its medical and payment details, for the federation that
    reviews it; `no-store` is set by the route."""
    async with ctx.db.sessions() as session:
        row = await load_in_scope(session, ctx, caller, app_id)
    item = _row(row, ctx)
    item["payment_ref"] = row.payment_ref
    item["details"] = open_details(ctx, row.id, row.sealed, row.key_id)
    # Who opened whose details, by ids only: the trail of a read of sensitive data.
    log.info(
        "aid details opened",
        extra={"application_id": row.id, "actor_unit": caller.unit, "actor_sub": caller.sub},
    )
    return item


async def listing(
    ctx: Context, caller: Principal, county: str | None, status: str | None, limit: int,
    offset: int,
) -> dict[str, Any]:  # fmt: skip
    """The applications the caller's federation sees, oldest deadline first; no details."""
    callers.require(caller, callers.OFFICER)
    own = callers.county_of(caller, ctx.directory)
    query = select(applications)
    if not callers.is_city(caller, ctx.directory):
        query = query.where(applications.c.county == own)
    if county is not None:
        query = query.where(applications.c.county == county)
    if status is not None:
        query = query.where(applications.c.status == status)
    async with ctx.db.sessions() as session:
        total = (
            await session.execute(select(func.count()).select_from(query.subquery()))
        ).scalar_one()
        order = (applications.c.due_at.is_(None), applications.c.due_at, applications.c.id)
        rows = (await session.execute(query.order_by(*order).limit(limit).offset(offset))).all()
    more = offset + len(rows) < total
    return {
        "items": [_row(row, ctx) for row in rows],
        "total": total,
        "next": str(offset + len(rows)) if more else None,
    }


async def for_applicant(ctx: Context, receipt: str, english: bool) -> dict[str, Any]:
    """Her application's step, what is due and, refused, the reason she is told."""
    wanted = keyed_hash(ctx, "receipt", receipt)
    async with ctx.db.sessions() as session:
        query = select(applications).where(applications.c.receipt_hash == wanted)
        row = (await session.execute(query)).first()
    if row is None:
        raise Refusal.not_found("回执码无效", "unknown receipt")
    zh, en = workflow.WORDS[row.status]
    return {
        "application_id": row.id,
        "status": row.status,
        "step": en if english else zh,
        "due_at": row.due_at,
        "amount": row.amount,
        "reason": row.public_reason,
    }
