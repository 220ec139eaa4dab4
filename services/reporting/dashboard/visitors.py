"""Who is looking at a dashboard page: the bearer token (the `Authorization` header, for API
callers and scripts, as before) or the officials' page session every service shares
(shared.websession, issue 17); the dashboard no longer signs anyone in itself."""

from __future__ import annotations

from fastapi import Request

from services.reporting.access import READERS
from services.reporting.context import Context
from shared.auth import AuthError, Principal, principal_from_token
from shared.errors import Refusal
from shared.websession import PageSession, SignInRequired, page_session


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


async def page_caller(request: Request, ctx: Context) -> Principal | None:
    """Whoever the token or the session names; a bad or expired one just means the public
    view."""
    if (token := _bearer(request)) is not None:
        try:
            return await principal_from_token(request, token)
        except AuthError:
            return None
    session = await page_session(request)
    return session.principal if session is not None else None


async def reader_or_none(request: Request, ctx: Context) -> Principal | None:
    caller = await page_caller(request, ctx)
    return caller if caller is not None and caller.role in READERS else None


async def reader(request: Request, ctx: Context) -> Principal:
    """Signed out: to sign-in (a page, never raw JSON); a bad token: 401 (API callers); a
    role that does not read reports: 403 (as the API)."""
    caller = await page_caller(request, ctx)
    if caller is None:
        if _bearer(request) is not None:
            raise Refusal.unauthorized("令牌无效或已过期", "invalid or expired token")
        raise SignInRequired()
    if caller.role not in READERS:
        text = f"role {caller.role} may not read the dashboard"
        raise Refusal.forbidden(f"角色 {caller.role} 无权查看统计详情", text)
    return caller


async def session_of(request: Request) -> PageSession | None:
    """The page session (for its form token), when the page is seen through one."""
    return None if _bearer(request) is not None else await page_session(request)
