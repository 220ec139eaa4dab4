"""Rate limits on HTTP routes: 429 with Retry-After once a client has used its allowance."""

from __future__ import annotations

from fastapi import HTTPException, Request

from services.intake.context import Context
from services.intake.limits import RateLimiter, client_key
from shared.errors import wants_english


def limit(ctx: Context, request: Request, limiter: RateLimiter) -> None:
    """429 with Retry-After when this client has used up its allowance."""
    wait = limiter.retry_after(client_key(request_host(request)))
    if wait > 0:
        ctx.metrics.rejected("rate_limited")
        message = "too many requests" if wants_english(request) else "请求过于频繁，请稍后再试"
        raise HTTPException(429, message, headers={"Retry-After": str(int(wait) + 1)})


def request_host(request: Request) -> str | None:
    """The client's address (behind a trusted proxy, the one it forwarded)."""
    return request.client.host if request.client else None
