"""Forms' anti-forgery token: an HMAC of the session id with the sessions' secret. A cross-site
form cannot read the session cookie, so it cannot compute the token; every service can check a
token made by another (one secret), so a sign-out form on notify's page posts to the sign-in
service. Before sign-in (the sign-in form itself) the token is tied to a random value kept in a
cookie of its own (double submit)."""

from __future__ import annotations

import hashlib
import hmac


def csrf_token(secret: str, bound_to: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{bound_to}".encode(), hashlib.sha256).hexdigest()


def forms_csrf_ok(secret: str, bound_to: str, sent: object) -> bool:
    if not bound_to or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(csrf_token(secret, bound_to), sent)
