"""Why a configuration is unsafe to serve in production: the settings refuse to load while any
of these problems remain (each message names its variable)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.settings.base import BaseServiceSettings

MIN_JWT_SECRET_BYTES = 32  # HS256 keys shorter than the hash are guessable offline (RFC 7518 3.2)
PRODUCTION_MAX_TTL = timedelta(hours=24)


def problems(settings: BaseServiceSettings) -> list[str]:
    """The common settings' problems: tokens (secret, identity provider, audience, issuer,
    lifetime) and the API-key signing key."""
    found: list[str] = []
    if settings.jwt_secret is None and settings.jwt_jwks_url is None:
        found.append("ZUOFENG_JWT_SECRET or ZUOFENG_JWT_JWKS_URL is required in production")
    if settings.jwt_secret is not None and len(settings.jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
        found.append(
            f"ZUOFENG_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes in production"
        )
    if settings.jwt_jwks_url and settings.jwt_secret is not None and not settings.jwt_allow_hs256:
        found.append(
            "ZUOFENG_JWT_SECRET is set with ZUOFENG_JWT_JWKS_URL: HS256 tokens are refused "
            "in production unless ZUOFENG_JWT_ALLOW_HS256=true; unset one of them"
        )
    if settings.jwt_allow_hs256 and settings.jwt_secret is None:
        found.append("ZUOFENG_JWT_ALLOW_HS256=true needs ZUOFENG_JWT_SECRET in production")
    for name in ("audience", "issuer"):
        if not getattr(settings, f"jwt_{name}"):
            found.append(f"ZUOFENG_JWT_{name.upper()} is required in production")
    if not timedelta(0) < settings.jwt_max_ttl <= PRODUCTION_MAX_TTL:
        found.append("ZUOFENG_JWT_MAX_TTL must be between 1s and 24h in production")
    return found + _apikey_problems(settings) + _session_problems(settings)


def _apikey_problems(settings: BaseServiceSettings) -> list[str]:
    if len((settings.apikey_secret or "").encode()) < 32:
        return ["ZUOFENG_APIKEY_SECRET is required in production (at least 32 bytes)"]
    return []


def _session_problems(settings: BaseServiceSettings) -> list[str]:
    found = []
    if len((settings.session_secret or "").encode()) < 32:
        found.append("ZUOFENG_SESSION_SECRET is required in production (at least 32 bytes)")
    if settings.session_cookie_secure is False:
        found.append("ZUOFENG_SESSION_COOKIE_SECURE must not be false in production")
    return found
