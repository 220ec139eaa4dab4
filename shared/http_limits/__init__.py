"""Before a request body is read: the caller's credential, then the body's size.

FastAPI reads and parses a body before it runs a route's dependencies, so without this a
30 MB body was read in full before the 401 of a route that needs a token. This middleware
checks when the body is first pulled: for a route that depends on the caller
(`shared.auth.optional_principal`, which `Caller` builds on), a request without
`Authorization`/`X-API-Key` is 401 and a credential that is present is checked (a JWT check
is microseconds; API keys are cached) before a byte is read. The principal found is kept for
the route's dependency, which then does not check again. Bodies over the service's limit are
413, by Content-Length or while streaming (nothing past the limit is pulled).
"""

from shared.http_limits.answers import Refused, header, too_large_text, wants_english
from shared.http_limits.guard import NO_BODY, RequestGuard, fixed_limit, install

__all__ = [
    "NO_BODY",
    "Refused",
    "RequestGuard",
    "fixed_limit",
    "header",
    "install",
    "too_large_text",
    "wants_english",
]
