"""Signing a test in to the officials' pages without the sign-in page: a session opened in the
bus's SESSIONS bucket (as `WebSessions.start` opens it) and its signed cookie, for httpx clients
and for Chromium. The desk, inbox and dashboard tests use it (the sign-in pages are tested on
their own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.auth import Principal
from shared.websession import COOKIE, KvSessionStore, csrf_token, encode_session, new_claims


@dataclass(frozen=True)
class Signed:
    """A signed-in official: the cookie's value and the token their forms carry."""

    cookie: str
    csrf: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}"}

    def browser_cookie(self, url: str) -> dict[str, Any]:
        return {"name": COOKIE, "value": self.cookie, "url": url}


async def signed_in(js: Any, settings: Any, unit: str, role: str, name: str = "") -> Signed:
    """Open a session for (unit, role) on the bus that `js` reaches, as `settings` sign it."""
    now = datetime.now(UTC)
    principal = Principal(sub=f"user:{role}-{unit}", unit=unit, role=role)  # type: ignore[arg-type]
    claims = new_claims(
        principal,
        name=name or f"{role}@{unit}",
        method="password",
        now=now,
        absolute=timedelta(hours=settings.session_absolute_hours),
    )
    await KvSessionStore(lambda: js).open(claims, now)
    secret = settings.resolved_session_secret()
    return Signed(encode_session(secret, claims), csrf_token(secret, claims.sid))
