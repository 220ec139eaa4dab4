"""The session cookie's value: a token signed with the sessions' secret (HS256), so any service
can tell who the session is for without a lookup, and a forged or edited cookie is refused. It
is not an API token: the bearer-token check uses another secret and these claims carry `sid`."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.auth.roles import Principal, Role

ALGORITHM = "HS256"
AUDIENCE = "zuofeng-pages"  # never accepted where an API token is expected, nor the reverse


class SessionClaims(BaseModel):
    """Who a session is for and until when at most (`exp`: the absolute timeout)."""

    model_config = ConfigDict(frozen=True)
    sid: str
    sub: str
    unit: str
    role: Role
    name: str = ""
    # How the person signed in: "password", "password+totp" or "oidc" (shown in the audit).
    method: str = "password"
    iat: int
    exp: int

    @property
    def principal(self) -> Principal:
        return Principal(sub=self.sub, unit=self.unit, role=self.role)

    @property
    def started(self) -> datetime:
        return datetime.fromtimestamp(self.iat, UTC)

    @property
    def expires(self) -> datetime:
        return datetime.fromtimestamp(self.exp, UTC)


def new_claims(
    principal: Principal, *, name: str, method: str, now: datetime, absolute: timedelta
) -> SessionClaims:
    return SessionClaims(
        sid=secrets.token_urlsafe(24),
        sub=principal.sub,
        unit=principal.unit,
        role=principal.role,
        name=name,
        method=method,
        iat=int(now.timestamp()),
        exp=int((now + absolute).timestamp()),
    )


def encode_session(secret: str, claims: SessionClaims) -> str:
    return jwt.encode(claims.model_dump() | {"aud": AUDIENCE}, secret, algorithm=ALGORITHM)


def decode_session(secret: str, token: str, now: datetime | None = None) -> SessionClaims | None:
    """The claims of a cookie we signed and whose absolute timeout has not passed, else None."""
    if not token or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sid", "sub"], "verify_exp": False},
        )
        found = SessionClaims.model_validate(claims)
    except (jwt.PyJWTError, ValidationError):
        return None
    moment = now or datetime.now(UTC)
    return found if moment.timestamp() < found.exp else None
