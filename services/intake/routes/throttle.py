"""Rate limits on HTTP routes: 429 with Retry-After once a client has used its allowance (the
mechanism is `shared.ratelimit`; intake counts each refusal)."""

from __future__ import annotations

from fastapi import Request

from services.intake.context import Context
from shared.ratelimit import RateLimiter, request_host, throttle

__all__ = ["limit", "request_host"]


def limit(ctx: Context, request: Request, limiter: RateLimiter) -> None:
    """429 with Retry-After when this client has used up its allowance."""
    throttle(request, limiter, lambda: ctx.metrics.rejected("rate_limited"))
