"""Before a request body is read: the caller's credential, then the body's size.

FastAPI reads and parses a body before it runs a route's dependencies, so without this a
30 MB body was read in full before the 401 of a route that needs a token. This middleware
checks when the body is first pulled: for a route that depends on the caller
(`shared.auth.optional_principal`, which `Caller` builds on), a request without
`Authorization`/`X-API-Key` is 401 and a credential that is present is checked (a JWT check
is microseconds; API keys are cached) before a byte is read. The principal found is kept for
the route's dependency, which then does not check again. Bodies over the service's limit are
413, by Content-Length or while streaming (nothing past the limit is pulled).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import auth

NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


class Refused(HTTPException):
    """Raised from `receive` before any body is handed out; an HTTPException so FastAPI's body
    parsing lets it through and the app's handler answers (401 or 413, not "malformed")."""


class RequestGuard:
    """On the first read of a body: 401 without a good credential where the route needs or
    reads one, then 413 over `limit_for(path)` bytes (declared, or counted while streaming).

    Checked when the body is first pulled rather than on arrival: by then the router has put
    the matched route in the scope, so its dependencies say whether it reads the caller, and
    no byte has been taken from the client yet."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int] | None = None) -> None:
        self.app, self.limit_for = app, limit_for
        self._needs: dict[int, tuple[bool, bool]] = {}  # id(route) -> (reads caller, requires)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in NO_BODY:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"]) if self.limit_for else None
        seen, checked, started = 0, False, False

        async def guarded_receive() -> Message:
            nonlocal seen, checked
            if not checked:
                checked = True
                await self._check_caller(scope)
                declared = header(scope, b"content-length")
                if limit is not None and declared.isdigit() and int(declared) > limit:
                    raise _too_large(scope, limit)
            message = await receive()
            seen += len(message.get("body", b""))
            if limit is not None and seen > limit:
                raise _too_large(scope, limit)  # nothing more is pulled
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except Refused as exc:  # read outside the app's exception handling: answer here
            if started:
                raise
            response = JSONResponse({"detail": exc.detail}, exc.status_code, exc.headers)
            await response(scope, _no_receive, send)

    async def _check_caller(self, scope: Scope) -> None:
        reads, requires = self._route_needs(scope.get("route"))
        if not reads:
            return
        if not (header(scope, b"authorization") or header(scope, b"x-api-key")):
            if requires:
                raise _unauthorized(scope)
            return
        try:
            principal = await auth.optional_principal(Request(scope))
        except HTTPException as exc:
            if exc.status_code != 401:
                raise
            raise _unauthorized(scope) from None
        scope.setdefault("state", {})[auth.CHECKED_PRINCIPAL] = principal

    def _route_needs(self, route: object) -> tuple[bool, bool]:
        if not isinstance(route, APIRoute):
            return False, False
        key = id(route)
        if key not in self._needs:
            self._needs[key] = (
                _depends_on(route.dependant, auth.optional_principal),
                _depends_on(route.dependant, auth.required_principal),
            )
        return self._needs[key]


def install(app: FastAPI, limit_for: Callable[[str], int] | None) -> None:
    """Add the guard innermost of the app's middleware, so its 401 and 413 answers still get
    the security headers and are counted on /metrics. `limit_for=None`: sizes are bounded by
    another middleware (intake's, which keeps its per-path limits and Open311 shape)."""
    app.user_middleware.append(Middleware(RequestGuard, limit_for=limit_for))


def fixed_limit(limit: int) -> Callable[[str], int]:
    return lambda _path: limit


def _depends_on(dependant: Dependant, wanted: Callable[..., Any]) -> bool:
    return any(dep.call is wanted or _depends_on(dep, wanted) for dep in dependant.dependencies)


def header(scope: Scope, wanted: bytes) -> str:
    """A request header from the ASGI scope (\"\" when absent)."""
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return ""


def wants_english(scope: Scope) -> bool:
    """Texts for users are zh-CN unless the caller asks for English."""
    return header(scope, b"accept-language").lower().startswith("en")


def too_large_text(limit: int, english: bool) -> str:
    return f"request body exceeds {limit} bytes" if english else f"请求体超过 {limit} 字节"


def _too_large(scope: Scope, limit: int) -> Refused:
    return Refused(413, too_large_text(limit, wants_english(scope)))


def _unauthorized(scope: Scope) -> Refused:
    text = (
        "a valid bearer token or API key is required"
        if wants_english(scope)
        else "需要有效的凭据（Bearer 令牌或 API 密钥）"
    )
    return Refused(401, text, headers={"WWW-Authenticate": "Bearer"})


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
