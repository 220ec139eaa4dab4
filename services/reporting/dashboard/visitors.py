"""Who is looking at a dashboard page: the bearer token (the `Authorization` header) or the
session (the cookie set by `/login`, holding only a random session id, never the token)."""

from __future__ import annotations

from fastapi import Request

from services.reporting.access import READERS
from services.reporting.context import Context
from services.reporting.sessions import session_caller
from shared.auth import AuthError, Principal, principal_from_token
from shared.errors import Refusal

COOKIE = "zuofeng_session"


async def page_caller(request: Request, ctx: Context) -> Principal | None:
    """Whoever the token or the session names; a bad or expired one just means the public
    view."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            return await principal_from_token(request, token)
        except AuthError:
            return None
    session_id = request.cookies.get(COOKIE, "")
    if not session_id:
        return None
    return await session_caller(ctx.db, session_id, ctx.clock())


async def reader_or_none(request: Request, ctx: Context) -> Principal | None:
    caller = await page_caller(request, ctx)
    return caller if caller is not None and caller.role in READERS else None


async def reader(request: Request, ctx: Context) -> Principal:
    """401 without a valid token; 403 for a role that does not read reports (as the API)."""
    caller = await page_caller(request, ctx)
    if caller is None:
        raise Refusal.unauthorized("sign in at /login", "sign in at /login")  # English only
    if caller.role not in READERS:
        text = f"role {caller.role} may not read the dashboard"
        raise Refusal.forbidden(text, text)
    return caller
