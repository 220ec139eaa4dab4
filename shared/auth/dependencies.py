"""FastAPI dependencies: the caller from a bearer token or an API key (`X-API-Key`), and the
role check, answering 401 and 403 in the caller's language."""

from __future__ import annotations

import asyncio
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status

from shared.auth.roles import AuthError, Principal
from shared.auth.tokens import verify_oidc_token, verify_token

# Where shared.http_limits leaves the caller it checked before the body was read.
CHECKED_PRINCIPAL = "zuofeng_principal"


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


# async, as every dependency here: FastAPI runs a plain `def` one in its thread pool.
async def required_principal(
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
