"""JWT bearer tokens with the contract's claims (`sub`, `unit`, `role`, `exp`): issued and
checked with the local HS256 secret, or checked against an identity provider's RS256 keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from shared.auth.roles import ROLES, AuthError, Principal

ALGORITHM = "HS256"


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


def parse_ttl(text: str) -> timedelta:
    """`8h`, `30m`, `2d`, `45s` → timedelta."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(f"ttl must look like 8h, 30m, 2d or 45s, got {text!r}")
    return timedelta(**{units[text[-1]]: int(text[:-1])})
