"""The audit trail of cases: every read (a case, a list, the trail itself), every action and
every reveal, appended to the keyed hash chain `audit_log` (`chain.py`) with who, when, what
and from where.

Actions and reveals are written in the transaction of the change they record; a read commits
its own entry. The source address comes from the request (a middleware sets it per request).
"""

from __future__ import annotations

import contextvars
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from services.cases.audit import chain
from services.cases.context import Context
from services.cases.models import audit_log
from shared.auth import Principal

_source: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_source", default=None)
# Reads have no transaction of their own to ride on: their entry commits by itself.
READS = frozenset({"read", "list", "audit-read"})


class RequestSource:
    """Pure ASGI middleware: remembers the client address for the audit entries of a request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        token = _source.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _source.reset(token)


async def record(
    ctx: Context,
    session: AsyncSession,
    caller: Principal,
    action: str,
    case_id: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append that `caller` did `action` (on the case, or on none for a list or a trail read):
    ids, filters and reasons only, no personal data."""
    entry = chain.Entry(
        actor_sub=caller.sub,
        actor_unit=caller.unit,
        actor_role=caller.role,
        action=action,
        case_id=case_id,
        source=_source.get(),
        detail=detail or {},
    )
    await chain.append(session, audit_log, entry, ctx.audit_key)
    if action in READS:
        await session.commit()


async def entries(
    session: AsyncSession, case_id: str | None, limit: int, after: int | None
) -> list[dict[str, Any]]:
    query = select(audit_log).order_by(audit_log.c.id).limit(limit)
    if case_id is not None:
        query = query.where(audit_log.c.case_id == case_id)
    if after is not None:
        query = query.where(audit_log.c.id > after)
    rows = (await session.execute(query)).mappings().all()
    return [{**dict(row), "at": row["at"].isoformat()} for row in rows]
