"""The request guard: the caller's credential, then the body's size, checked when the body is
first pulled (see the package's docstring for why)."""

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
from shared.http_limits.answers import Refused, header, no_receive, too_large, unauthorized

NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


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
                    raise too_large(scope, limit)
            message = await receive()
            seen += len(message.get("body", b""))
            if limit is not None and seen > limit:
                raise too_large(scope, limit)  # nothing more is pulled
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
            await response(scope, no_receive, send)

    async def _check_caller(self, scope: Scope) -> None:
        reads, requires = self._route_needs(scope.get("route"))
        if not reads:
            return
        if not (header(scope, b"authorization") or header(scope, b"x-api-key")):
            if requires:
                raise unauthorized(scope)
            return
        try:
            principal = await auth.optional_principal(Request(scope))
        except HTTPException as exc:
            if exc.status_code != 401:
                raise
            raise unauthorized(scope) from None
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
