"""Security headers on every response (pages and APIs): no sniffing, no framing, no referrer
leaks, and a strict content security policy for pages (scripts and styles from our origin only)."""

from __future__ import annotations

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


# In production every service sits behind TLS: browsers then reach it over TLS only, so a
# session cookie never travels in clear.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task group, so streamed exports stay streamed)."""

    def __init__(
        self, app: ASGIApp, hsts: bool = False, form_origins: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.extra = [HSTS] if hsts else []
        # Officials' forms and the redirects after them may go to another service's pages
        # where each has its own port (`zuofeng run`): exactly those origins, nothing else.
        extra = " ".join(form_origins).encode()
        self.policy = (
            PAGE_POLICY.replace(b"form-action 'self'", b"form-action 'self' " + extra)
            if extra
            else PAGE_POLICY
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in HEADERS.items() if k not in present]
                headers += self.extra
                content_type = dict(headers).get(b"content-type", b"")
                if (
                    content_type.startswith(b"text/html")
                    and b"content-security-policy" not in present
                ):
                    headers.append((b"content-security-policy", self.policy))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
