"""Security headers on every response (pages and APIs): no sniffing, no framing, no referrer
leaks, and a strict content security policy for pages (scripts and styles from our origin only).

The same layer times each request for `/metrics` (shared.observability.RequestLatency): one
wrapper of `send` per request instead of one per concern."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}
PAGE_POLICY = (
    b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    b"script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
CSP = b"content-security-policy"


# In production every service sits behind TLS: browsers then reach it over TLS only, so a
# session cookie never travels in clear.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")

# Told the request's scope, the status and when the request came in (`time.perf_counter()`)
# as the response starts (after routing).
OnStart = Callable[[Scope, int, float], None]


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task group, so streamed exports stay streamed)."""

    def __init__(
        self,
        app: ASGIApp,
        hsts: bool = False,
        form_origins: tuple[str, ...] = (),
        on_start: OnStart | None = None,
    ) -> None:
        self.app, self.on_start = app, on_start
        self.extra = [HSTS] if hsts else []
        # Officials' forms and the redirects after them may go to another service's pages
        # where each has its own port (`zuofeng run`): exactly those origins, nothing else.
        extra = " ".join(form_origins).encode()
        self.policy = (
            PAGE_POLICY.replace(b"form-action 'self'", b"form-action 'self' " + extra)
            if extra
            else PAGE_POLICY
        )
        # The common answer names none of ours: all of them, computed once.
        self.all_headers = [*HEADERS.items(), *self.extra]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                if self.on_start is not None:
                    self.on_start(scope, message["status"], started)
                message["headers"] = self.added(message.get("headers", ()))
            await send(message)

        await self.app(scope, receive, with_headers)

    def added(self, headers: list[tuple[bytes, bytes]] | tuple[()]) -> list[tuple[bytes, bytes]]:
        """The response's headers with ours: a header the response set itself is kept; pages
        (text/html) get the content security policy unless they brought their own."""
        present: set[bytes] = set()
        content_type = b""
        for name, value in headers:
            lowered = name.lower()
            present.add(lowered)
            if lowered == b"content-type":
                content_type = value
        if present.isdisjoint(HEADERS):
            out = [*headers, *self.all_headers]
        else:
            out = [*headers, *((k, v) for k, v in HEADERS.items() if k not in present)]
            out += self.extra
        if content_type.startswith(b"text/html") and CSP not in present:
            out.append((CSP, self.policy))
        return out
