"""Who a client is, for its rate limits: moved to `shared.ratelimit.clients` (federation
throttles the same way); the names stay here for intake's modules."""

from shared.ratelimit.clients import client_key, proxy_hosts

__all__ = ["client_key", "proxy_hosts"]
