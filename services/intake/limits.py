"""Per-client rate limits and request body limits.

Buckets live in this process: each replica limits on its own. A client is its address as the
server sees it, or, when that peer is one of `trusted_proxies`, the right-most address in
X-Forwarded-For that is not itself a trusted proxy (uvicorn's ProxyHeadersMiddleware, mounted
in main.py). An IPv6 client is keyed by its /64: one subscriber's allocation, so walking
through its addresses gains nothing.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http_limits import header, too_large_text, wants_english

MAX_CLIENTS = 100_000


class RateLimiter:
    """Token buckets per client: `rate` tokens a second up to `burst`; rate 0 means no limit.

    A request costs one token unless it says otherwise (an upload's quota in bytes costs its
    size)."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, max(burst, 1), clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def retry_after(self, client: str, cost: float = 1.0) -> float:
        """0 when `client` may go ahead (and takes `cost`), else seconds until it may."""
        wait = self.wait(client, cost)
        if wait == 0:
            self.take(client, cost)
        return wait

    def wait(self, client: str, cost: float = 1.0) -> float:
        """Seconds until `client` has `cost` tokens (0: now); takes nothing."""
        if self.rate <= 0:
            return 0.0
        tokens = self._tokens(client, self.clock())
        return 0.0 if tokens >= cost else (cost - tokens) / self.rate

    def take(self, client: str, cost: float = 1.0) -> None:
        if self.rate <= 0:
            return
        now = self.clock()
        self._buckets[client] = (self._tokens(client, now) - cost, now)
        if len(self._buckets) > MAX_CLIENTS:
            self._forget_idle(now)

    def _tokens(self, client: str, now: float) -> float:
        tokens, then = self._buckets.get(client, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - then) * self.rate)

    def _forget_idle(self, now: float) -> None:
        # A bucket that has refilled is the same as no bucket: drop those.
        full = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}


class UploadQuota:
    """Uploads per client over a window: at most `count` files and `size` bytes (0: no cap).
    Token buckets refilling over the window, so a client that stops regains its allowance."""

    def __init__(self, window: float, count: int, size: int) -> None:
        self.files = RateLimiter(count / window if count and window else 0, count)
        self.bytes = RateLimiter(size / window if size and window else 0, size)

    def retry_after(self, client: str, size: int) -> float:
        """0 when `client` may upload `size` bytes now (and it is counted), else seconds."""
        wait = max(self.files.wait(client), self.bytes.wait(client, size))
        if wait == 0:
            self.files.take(client)
            self.bytes.take(client, size)
        return wait


def client_key(host: str | None) -> str:
    """The bucket an address falls in: IPv4 as is, IPv6 by its /64."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host  # not an address (a unix socket's peer): the name is all there is
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # a dual-stack socket's view of an IPv4 client
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def proxy_hosts(networks: tuple[str, ...]) -> list[str]:
    """The trusted proxies as ProxyHeadersMiddleware matches them, with the IPv4-mapped IPv6
    form of each IPv4 network: a dual-stack socket reports an IPv4 proxy as ::ffff:a.b.c.d."""
    hosts = list(networks)
    for text in networks:
        network = ipaddress.ip_network(text)
        if isinstance(network, ipaddress.IPv4Network):
            hosts.append(f"::ffff:{network.network_address}/{network.prefixlen + 96}")
    return hosts


class TooLarge(HTTPException):
    """The request body passed its limit while being read (an HTTPException, so the framework
    answers 413 instead of calling it a malformed body)."""

    def __init__(self, limit: int, english: bool) -> None:
        super().__init__(413, too_large_text(limit, english))


class BodyLimit:
    """413 for bodies over the limit of their path, by Content-Length or while streaming."""

    def __init__(
        self,
        app: ASGIApp,
        limit_for: Callable[[str], int],
        on_reject: Callable[[], None] = lambda: None,
    ) -> None:
        self.app, self.limit_for, self.on_reject = app, limit_for, on_reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            self.on_reject()
            await _too_large(scope, send, limit)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                self.on_reject()
                raise TooLarge(limit, wants_english(scope))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except TooLarge:  # a route that let it through: answer here
            if not started:
                await _too_large(scope, send, limit)


def _content_length(scope: Scope) -> int | None:
    value = header(scope, b"content-length")
    return int(value) if value.isdigit() else None


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    from starlette.responses import JSONResponse

    text = too_large_text(limit, wants_english(scope))
    body: Any
    if scope["path"].startswith("/open311/"):
        body = [{"code": 413, "description": text}]
    else:
        body = {"detail": text}
    response = JSONResponse(body, status_code=413)
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
