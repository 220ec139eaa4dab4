"""The auditor's trail page: entries filtered by case, actor and action, newest first, and the
chain checked with its key on request (the check `zuofeng audit verify` makes, without the
bus's anchor). Reading the trail is itself recorded, as the JSON trail's reads are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.cases.audit import trail
from services.cases.audit.verify import Verdict, verify_trail
from services.cases.context import Context
from services.cases.models import audit_log
from shared.auth import Principal

PER_PAGE = 50


async def entries(
    ctx: Context, caller: Principal, given: dict[str, str], before: int | None, verify: bool
) -> tuple[list[dict[str, Any]], int | None, Verdict | None]:
    """A page of entries (newest first), the id to continue before, and the chain's verdict."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(PER_PAGE + 1)
    columns = {"case": audit_log.c.case_id, "actor": audit_log.c.actor_sub}
    for name, column in columns.items():
        if given.get(name):
            query = query.where(column == given[name])
    if given.get("action"):
        query = query.where(audit_log.c.action == given["action"])
    if before is not None:
        query = query.where(audit_log.c.id < before)
    async with ctx.db.sessions() as session:
        rows = [dict(r) for r in (await session.execute(query)).mappings().all()]
        verdict = None
        if verify:
            legacy = ctx.settings.audit_legacy_until
            verdict = await verify_trail(session, ctx.audit_key, legacy, None)
        asked = {**given, "before": before, "verified": verify, "shown": len(rows[:PER_PAGE])}
        await trail.record(ctx, session, caller, "audit-read", given.get("case") or None, asked)
    more = rows[PER_PAGE - 1]["id"] if len(rows) > PER_PAGE else None
    return rows[:PER_PAGE], more, verdict
