"""Signing in through an organisation's identity provider (OIDC authorization-code flow with
PKCE, Authlib's client): the provider's metadata and keys, the authorization address (with
state, nonce and the PKCE challenge), and the callback's checks — the code exchanged with the
verifier, the id_token's signature against the provider's JWKS, its issuer, audience, expiry
and nonce, then the unit and role claims against the directory and the roles."""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jwt

from services.cases.context import Context
from services.cases.signin.accounts import ACCOUNT_ROLES
from shared.errors import Refusal

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

ALGORITHMS = ["RS256", "ES256", "PS256", "EdDSA"]
TIMEOUT = 10.0


@dataclass(frozen=True)
class Start:
    url: str
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True)
class Person:
    sub: str
    login: str
    name: str
    unit: str
    role: str


def refused(en: str, zh: str = "统一身份认证登录失败，请重试或使用账号密码登录") -> Refusal:
    return Refusal.invalid(
        ("query", "code"), zh, f"sign-in with the identity provider failed: {en}"
    )


def _client(ctx: Context, redirect_uri: str) -> AsyncOAuth2Client:
    # Authlib and httpx are imported on the first OIDC sign-in, not at start: with the command
    # line httpx brings (click, rich, pygments) about 6 MB of every cases process, for a
    # sign-in only counties with an identity provider configure.
    import authlib.deprecate  # noqa: F401 - sets its "always" filter first, so ours wins below

    with warnings.catch_warnings():  # Authlib 1.9 notes a future move to httpx2 on import
        warnings.simplefilter("ignore")
        from authlib.integrations.httpx_client import AsyncOAuth2Client

    s = ctx.settings
    return AsyncOAuth2Client(
        s.oidc_client_id, s.oidc_client_secret, scope="openid profile",
        redirect_uri=redirect_uri, code_challenge_method="S256", timeout=TIMEOUT,
    )  # fmt: skip


async def metadata(ctx: Context) -> dict[str, Any]:
    """The provider's discovery document (its issuer must be the configured one)."""
    import httpx  # on the first OIDC sign-in only (see _client)

    issuer = str(ctx.settings.oidc_issuer).rstrip("/")
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        found = (await http.get(f"{issuer}/.well-known/openid-configuration")).json()
    if not isinstance(found, dict) or str(found.get("issuer", "")).rstrip("/") != issuer:
        raise refused("the discovery document names another issuer")
    return found


async def start(ctx: Context, redirect_uri: str) -> Start:
    meta = await metadata(ctx)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    async with _client(ctx, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    return Start(url, state, nonce, verifier)


async def finish(ctx: Context, redirect_uri: str, code: str, verifier: str, nonce: str) -> Person:
    """The person the provider vouches for, once every check holds; else a Refusal."""
    import httpx  # on the first OIDC sign-in only (see _client)

    meta = await metadata(ctx)
    try:
        async with _client(ctx, redirect_uri) as client:
            token = await client.fetch_token(
                meta["token_endpoint"], code=code, code_verifier=verifier
            )
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            keys = jwt.PyJWKSet.from_dict((await http.get(meta["jwks_uri"])).json())
    except Exception as exc:  # the provider refused or is unreachable: say so, not 500
        raise refused(type(exc).__name__) from exc
    claims = _verified(ctx, token.get("id_token", ""), keys, nonce, str(meta["issuer"]))
    return _person(ctx, claims)


def _verified(
    ctx: Context, id_token: str, keys: jwt.PyJWKSet, nonce: str, issuer: str
) -> dict[str, Any]:
    try:
        kid = jwt.get_unverified_header(id_token).get("kid")
        key = next(k for k in keys.keys if kid is None or k.key_id == kid)
        claims: dict[str, Any] = jwt.decode(
            id_token, key, algorithms=ALGORITHMS, audience=ctx.settings.oidc_client_id,
            issuer=issuer,
            options={"require": ["exp", "iat", "sub", "nonce"]},
        )  # fmt: skip
    except (jwt.PyJWTError, StopIteration) as exc:
        raise refused(f"id_token not valid ({type(exc).__name__})") from exc
    if not secrets.compare_digest(str(claims["nonce"]), nonce):
        raise refused("nonce mismatch")
    return claims


def _person(ctx: Context, claims: dict[str, Any]) -> Person:
    unit = str(claims.get(ctx.settings.oidc_unit_claim, ""))
    role = str(claims.get(ctx.settings.oidc_role_claim, ""))
    if unit not in ctx.directory or role not in ACCOUNT_ROLES:
        raise refused(f"unit {unit!r} or role {role!r} is not known here",
                      "您的单位或角色未在本系统登记，请联系管理员")  # fmt: skip
    login = str(claims.get("preferred_username") or claims["sub"])[:64]
    name = str(claims.get("name") or login)[:100]
    return Person(sub=f"oidc:{claims['sub']}", login=login, name=name, unit=unit, role=role)
