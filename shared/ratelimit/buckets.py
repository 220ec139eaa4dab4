"""Per-client token buckets: request rates, and upload quotas in files and bytes.

Buckets live in this process: each replica limits on its own (who the client is:
`shared.ratelimit.clients`)."""

from __future__ import annotations

import time
from collections.abc import Callable

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
