"""Who is calling: JWT bearer tokens with the contract's claims (`sub`, `unit`, `role`, `exp`),
HS256 with the local secret or RS256 from an identity provider's JWKS, and API keys
(`X-API-Key`) for integrators and clerks' systems."""

from __future__ import annotations

import asyncio
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
# Where shared.http_limits leaves the caller it checked before the body was read.
CHECKED_PRINCIPAL = "zuofeng_principal"


class Principal(BaseModel):
    """Who is calling: a person or system (`sub`) acting for a unit in a role."""

    model_config = ConfigDict(frozen=True)
    sub: str
    unit: str
    role: Role


class AuthError(Exception):
    """The token is missing, malformed, badly signed or expired."""


def issue_token(
    secret: str,
    *,
    unit: str,
    role: str,
    sub: str,
    ttl: timedelta,
    now: datetime | None = None,
    audience: str | None = None,
    issuer: str | None = None,
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": sub,
        "unit": unit,
        "role": role,
        "iat": issued,
        "exp": issued + ttl,
    }
    claims |= {"aud": audience} if audience else {}
    claims |= {"iss": issuer} if issuer else {}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(
    secret: str,
    token: str,
    *,
    audience: str | None = None,
    issuer: str | None = None,
    max_ttl: timedelta | None = None,
) -> Principal:
    """Check an HS256 token signed with the local secret (and its audience and issuer when
    configured, its lifetime when capped)."""
    if not secret:  # production with HS256 off: no secret, so no HS256 token at all
        raise AuthError("HS256 tokens are not accepted here")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": _required(audience, issuer, max_ttl)},
        )
    except jwt.PyJWTError as exc:
        raise AuthError(str(exc)) from exc
    return _principal(claims, max_ttl)


def verify_oidc_token(
    jwks: jwt.PyJWKClient,
    token: str,
    audience: str | None,
    issuer: str | None,
    max_ttl: timedelta | None = None,
) -> Principal:
    """Check an RS256 token from the organisation's identity provider (keys from its JWKS)."""
    try:
        key = jwks.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            options={
                "require": _required(audience, issuer, max_ttl),
                "verify_aud": audience is not None,
            },
        )
    except (jwt.PyJWTError, ValueError) as exc:
        raise AuthError(str(exc)) from exc
    return _principal(claims, max_ttl)


def _required(audience: str | None, issuer: str | None, max_ttl: timedelta | None) -> list[str]:
    return (
        ["exp", "sub"]
        + (["aud"] if audience else [])
        + (["iss"] if issuer else [])
        + (["iat"] if max_ttl else [])
    )


def _principal(claims: dict[str, object], max_ttl: timedelta | None) -> Principal:
    if max_ttl is not None:
        # A stolen long-lived token stays useful for as long as it claims: cap what we accept.
        lifetime = _number(claims.get("exp")) - _number(claims.get("iat"))
        if lifetime > max_ttl.total_seconds():
            raise AuthError(
                f"token lifetime {lifetime:.0f}s exceeds {max_ttl.total_seconds():.0f}s"
            )
    try:
        return Principal.model_validate({k: claims.get(k) for k in ("sub", "unit", "role")})
    except ValueError as exc:
        raise AuthError(str(exc)) from exc


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AuthError("exp and iat must be numbers")
    return float(value)


async def _from_bearer(request: Request, token: str) -> Principal:
    state = request.app.state
    settings = getattr(state, "settings", None)  # None in bare test apps: no production rules
    max_ttl = settings.enforced_max_ttl if settings is not None else None
    audience, issuer = getattr(state, "jwt_audience", None), getattr(state, "jwt_issuer", None)
    jwks = getattr(state, "jwks", None)
    if jwks is not None and jwt.get_unverified_header(token).get("alg") == "RS256":
        # PyJWKClient fetches (and caches) keys with blocking I/O: keep it off the loop.
        return await asyncio.to_thread(verify_oidc_token, jwks, token, audience, issuer, max_ttl)
    if settings is not None and not settings.accepts_hs256:
        raise AuthError("HS256 tokens are not accepted here")
    return verify_token(state.jwt_secret, token, audience=audience, issuer=issuer, max_ttl=max_ttl)


async def _from_api_key(request: Request, key: str) -> Principal:
    verifier = getattr(request.app.state, "apikeys", None)
    found = await verifier.verify(key) if verifier is not None else None
    if found is None:
        raise _unauthorized(request, "API 密钥无效或已吊销", "invalid or revoked API key")
    return Principal(sub=f"apikey:{found.key_id}", unit=found.unit, role=found.role)  # type: ignore[arg-type]


async def principal_from_token(request: Request, token: str) -> Principal:
    """A bearer token checked as the API checks it (local secret or the identity provider's
    keys), for callers that carry it elsewhere (the dashboard's cookie). Raises AuthError."""
    try:
        return await _from_bearer(request, token)
    except jwt.PyJWTError as exc:
        raise AuthError(str(exc)) from exc


def parse_ttl(text: str) -> timedelta:
    """`8h`, `30m`, `2d`, `45s` → timedelta."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(f"ttl must look like 8h, 30m, 2d or 45s, got {text!r}")
    return timedelta(**{units[text[-1]]: int(text[:-1])})


def _unauthorized(request: Request, zh: str, en: str) -> HTTPException:
    english = request.headers.get("accept-language", "").lower().startswith("en")
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=en if english else zh,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def optional_principal(request: Request) -> Principal | None:
    """The caller when a bearer token or an API key is present (and valid), else None."""
    checked = request.scope.get("state", {}).get(CHECKED_PRINCIPAL)
    if checked is not None:  # shared.http_limits checked it before the body was read
        return checked  # type: ignore[no-any-return]
    api_key = request.headers.get("x-api-key")
    if api_key:
        return await _from_api_key(request, api_key)
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized(
            request,
            "应为 'Authorization: Bearer <令牌>'",
            "expected 'Authorization: Bearer <token>'",
        )
    try:
        return await _from_bearer(request, token)
    except (AuthError, jwt.PyJWTError) as exc:
        raise _unauthorized(request, f"令牌无效：{exc}", f"invalid token: {exc}") from exc


def required_principal(
    request: Request, caller: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    if caller is None:
        raise _unauthorized(
            request, "需要有效的凭据（Bearer 令牌或 API 密钥）", "a bearer token is required"
        )
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
