"""The refusal of a client over its allowance: 429 with Retry-After, in the caller's language."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request

from shared.errors import wants_english
from shared.ratelimit.buckets import RateLimiter
from shared.ratelimit.clients import client_key


def throttle(
    request: Request, limiter: RateLimiter, on_reject: Callable[[], None] = lambda: None
) -> None:
    """429 with Retry-After when this client has used up its allowance (`on_reject` first:
    the service's count of refusals)."""
    wait = limiter.retry_after(client_key(request_host(request)))
    if wait > 0:
        on_reject()
        message = "too many requests" if wants_english(request) else "请求过于频繁，请稍后再试"
        raise HTTPException(429, message, headers={"Retry-After": str(int(wait) + 1)})


def request_host(request: Request) -> str | None:
    """The client's address (behind a trusted proxy, the one it forwarded)."""
    return request.client.host if request.client else None
