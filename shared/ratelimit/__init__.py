"""Rate limits on public HTTP routes, for every service that has them (intake's reports and
lookups, federation's aid applications and status): per-client token buckets (`buckets`), who
the client is behind a trusted proxy (`clients`) and the 429 with Retry-After (`throttle`).
Moved here from intake so federation throttles the same way without importing intake."""

from shared.ratelimit.buckets import RateLimiter, UploadQuota
from shared.ratelimit.clients import client_key, proxy_hosts, trusted_networks
from shared.ratelimit.throttle import request_host, throttle

__all__ = [
    "RateLimiter",
    "UploadQuota",
    "client_key",
    "proxy_hosts",
    "request_host",
    "throttle",
    "trusted_networks",
]
