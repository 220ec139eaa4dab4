"""JWT bearer tokens with the contract's claims (`sub`, `unit`, `role`, `exp`).

The minimum every service needs: issue and check tokens, and a FastAPI dependency giving the
caller's unit and role. The security issue adds OIDC/JWKS, API keys and the full rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal, get_args

import jwt
from fastapi import Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict

Role = Literal[
    "clerk", "officer", "leader", "supervisor", "city_office", "inspector", "auditor", "integrator"
]
ROLES: tuple[str, ...] = get_args(Role)
ALGORITHM = "HS256"


class Principal(BaseModel):
    """Who is calling: a person or system (`sub`) acting for a unit in a role."""

    model_config = ConfigDict(frozen=True)
    sub: str
    unit: str
    role: Role


class AuthError(Exception):
    """The token is missing, malformed, badly signed or expired."""


def issue_token(
    secret: str, *, unit: str, role: str, sub: str, ttl: timedelta, now: datetime | None = None
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    issued = now or datetime.now(UTC)
    claims = {"sub": sub, "unit": unit, "role": role, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
        return Principal.model_validate({k: claims.get(k) for k in ("sub", "unit", "role")})
    except (jwt.PyJWTError, ValueError) as exc:
        raise AuthError(str(exc)) from exc


def parse_ttl(text: str) -> timedelta:
    """`8h`, `30m`, `2d`, `45s` → timedelta."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(f"ttl must look like 8h, 30m, 2d or 45s, got {text!r}")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def optional_principal(request: Request) -> Principal | None:
    """The caller when a bearer token is present (and valid), else None."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("expected 'Authorization: Bearer <token>'")
    try:
        return verify_token(request.app.state.jwt_secret, token)
    except AuthError as exc:
        raise _unauthorized(f"invalid token: {exc}") from exc


def required_principal(
    caller: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if caller is None:
        raise _unauthorized("a bearer token is required")
    return caller


Caller = Annotated[Principal, Depends(required_principal)]
MaybeCaller = Annotated[Principal | None, Depends(optional_principal)]


def require_role(caller: Principal, *roles: str) -> None:
    """403 unless the caller has one of `roles` (scope checks, giving 404, come first)."""
    if caller.role not in roles:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"role {caller.role} may not do this; allowed: {', '.join(roles)}",
        )
