"""Settings with the contract's names, and tokens with the contract's claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from services import cli
from shared.auth import AuthError, Caller, issue_token, parse_ttl, verify_oidc_token, verify_token
from shared.bus import retry_delay
from shared.runtime import build_app, build_runtime
from shared.settings import BaseServiceSettings, service_settings

SECRET = "unit-test-secret-long-enough-for-hs256"


def test_service_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZUOFENG_CASES_DATABASE_URL", "postgresql+asyncpg://db/cases")
    monkeypatch.setenv("ZUOFENG_CASES_PORT", "9102")
    monkeypatch.setenv("ZUOFENG_NATS_URL", "nats://127.0.0.1:5555")
    monkeypatch.setenv("ZUOFENG_RETRY_DELAYS", "1,2,3")
    settings = service_settings("cases", 8002)()
    assert (settings.database_url, settings.port, settings.resolved_nats_url()) == (
        "postgresql+asyncpg://db/cases",
        9102,
        "nats://127.0.0.1:5555",
    )
    assert settings.max_deliver == 4


def test_defaults_sqlite_under_var_and_never_4222(tmp_path: Path) -> None:
    settings = service_settings("notify", 8003)(var_dir=tmp_path)
    assert (
        settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/notify.db"
        and settings.port == 8003
    )
    with pytest.raises(RuntimeError, match="ZUOFENG_NATS_URL is unset"):
        settings.resolved_nats_url()
    (tmp_path / "nats.url").write_text("nats://127.0.0.1:40001\n")
    assert settings.resolved_nats_url() == "nats://127.0.0.1:40001"


def test_production_needs_a_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ZUOFENG_JWT_SECRET"):
        service_settings("cases", 8002)(environment="production", var_dir=tmp_path)


def test_local_secret_is_created_once(tmp_path: Path) -> None:
    settings = service_settings("cases", 8002)(var_dir=tmp_path)
    first = settings.resolved_jwt_secret()
    assert first == settings.resolved_jwt_secret() and len(first) > 40
    assert (tmp_path / "jwt.secret").stat().st_mode & 0o777 == 0o600


def test_retry_delay_grows_then_holds() -> None:
    delays = (1.0, 2.0, 4.0)
    assert [retry_delay(delays, n) for n in (1, 2, 3, 4, 9)] == [1.0, 2.0, 4.0, 4.0, 4.0]


def test_token_round_trip_and_expiry() -> None:
    token = issue_token(
        SECRET, unit="city-fpb", role="city_office", sub="me", ttl=timedelta(hours=1)
    )
    principal = verify_token(SECRET, token)
    assert (principal.unit, principal.role, principal.sub) == ("city-fpb", "city_office", "me")
    old = issue_token(
        SECRET,
        unit="u",
        role="officer",
        sub="me",
        ttl=timedelta(seconds=1),
        now=datetime.now(UTC) - timedelta(hours=1),
    )
    with pytest.raises(AuthError):
        verify_token(SECRET, old)
    with pytest.raises(AuthError):
        verify_token("another-secret-of-enough-length-for-hs256", token)
    with pytest.raises(ValueError):
        issue_token(SECRET, unit="u", role="mayor", sub="me", ttl=timedelta(hours=1))


@pytest.mark.parametrize(("text", "hours"), [("8h", 8), ("30m", 0.5), ("2d", 48)])
def test_ttl(text: str, hours: float) -> None:
    assert parse_ttl(text) == timedelta(hours=hours)


def test_ttl_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        parse_ttl("8x")


def test_dependency_gives_401_without_or_with_a_bad_token() -> None:
    app = FastAPI()
    app.state.jwt_secret = SECRET

    @app.get("/me")
    async def me(caller: Caller) -> dict[str, str]:
        return {"unit": caller.unit}

    client = TestClient(app)
    assert client.get("/me").status_code == 401
    assert client.get("/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/me", headers={"Authorization": "Basic x"}).status_code == 401
    good = issue_token(SECRET, unit="371402-fpb", role="officer", sub="a", ttl=timedelta(hours=1))
    assert client.get("/me", headers={"Authorization": f"Bearer {good}"}).json() == {
        "unit": "371402-fpb"
    }


# --- production token rules (issue 15, item 7) -------------------------------------------

STRONG = "p" * 32
GOOD_PRODUCTION = {
    "environment": "production",
    "jwt_secret": STRONG,
    "jwt_audience": "zuofeng",
    "jwt_issuer": "https://dezhou.example/zuofeng",
    "apikey_secret": "k" * 32,
    "session_secret": "w" * 32,
}


def _production(tmp_path: Path, **changes: Any) -> BaseServiceSettings:
    fields: dict[str, Any] = {**GOOD_PRODUCTION, "var_dir": tmp_path, **changes}
    return service_settings("cases", 8002)(**{k: v for k, v in fields.items() if v is not None})


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"jwt_secret": "s" * 31}, "ZUOFENG_JWT_SECRET must be at least 32 bytes"),
        ({"jwt_secret": "密" * 10}, "ZUOFENG_JWT_SECRET must be at least 32 bytes"),
        ({"jwt_audience": None}, "ZUOFENG_JWT_AUDIENCE is required"),
        ({"jwt_issuer": None}, "ZUOFENG_JWT_ISSUER is required"),
        ({"jwt_jwks_url": "https://idp.example/jwks"}, "ZUOFENG_JWT_ALLOW_HS256"),
        (
            {"jwt_secret": None, "jwt_jwks_url": "https://idp/j", "jwt_allow_hs256": True},
            "ZUOFENG_JWT_SECRET",
        ),
        ({"jwt_max_ttl": "0"}, "ZUOFENG_JWT_MAX_TTL"),
        ({"jwt_max_ttl": "2d"}, "ZUOFENG_JWT_MAX_TTL"),
    ],
)
def test_production_refuses_unsafe_token_settings(
    tmp_path: Path, changes: dict[str, object], variable: str
) -> None:
    with pytest.raises(ValueError, match=variable):
        _production(tmp_path, **changes)


def test_production_settings_that_are_safe(tmp_path: Path) -> None:
    hs256 = _production(tmp_path)
    assert hs256.accepts_hs256 and hs256.enforced_max_ttl == timedelta(hours=12)
    oidc = _production(tmp_path, jwt_secret=None, jwt_jwks_url="https://idp.example/jwks")
    assert not oidc.accepts_hs256
    # No local secret is created in production: HS256 has no key at all.
    assert oidc.resolved_jwt_secret() == "" and not (tmp_path / "jwt.secret").exists()
    both = _production(tmp_path, jwt_jwks_url="https://idp.example/jwks", jwt_allow_hs256=True)
    assert both.accepts_hs256
    assert _production(tmp_path, jwt_max_ttl="30m").enforced_max_ttl == timedelta(minutes=30)


def test_production_problems_name_every_variable(tmp_path: Path) -> None:
    """One message per problem, each naming its variable (what `zuofeng serve` prints)."""
    local = service_settings("cases", 8002)(var_dir=tmp_path, jwt_secret="short")
    problems = local.model_copy(update={"environment": "production"}).production_problems()
    assert [p.split()[0] for p in problems] == [
        "ZUOFENG_JWT_SECRET",
        "ZUOFENG_JWT_AUDIENCE",
        "ZUOFENG_JWT_ISSUER",
        "ZUOFENG_APIKEY_SECRET",
        "ZUOFENG_SESSION_SECRET",
    ]
    assert local.accepts_hs256 and local.enforced_max_ttl is None  # locally: no cap


def test_hs256_checks_audience_issuer_and_lifetime() -> None:
    aud, iss = "zuofeng", "https://dezhou.example/zuofeng"
    rules = {"audience": aud, "issuer": iss, "max_ttl": timedelta(hours=12)}

    def token(**fields: object) -> str:
        claims = {"unit": "u", "role": "officer", "sub": "me", "ttl": timedelta(hours=1)}
        return issue_token(STRONG, **{"audience": aud, "issuer": iss, **claims, **fields})  # type: ignore[arg-type]

    assert verify_token(STRONG, token(), **rules).sub == "me"  # type: ignore[arg-type]
    for refused in (
        token(audience=None),
        token(audience="another-app"),
        token(issuer=None),
        token(issuer="https://evil.example"),
        token(ttl=timedelta(hours=13)),
    ):
        with pytest.raises(AuthError):
            verify_token(STRONG, refused, **rules)  # type: ignore[arg-type]
    no_iat = jwt.encode(
        {"sub": "me", "unit": "u", "role": "officer", "aud": aud, "iss": iss,
         "exp": datetime.now(UTC) + timedelta(hours=1)},
        STRONG,
        algorithm="HS256",
    )  # fmt: skip
    with pytest.raises(AuthError, match="iat"):
        verify_token(STRONG, no_iat, **rules)  # type: ignore[arg-type]
    with pytest.raises(AuthError):
        verify_token("", token())  # HS256 off: no secret, nothing verifies


def test_rs256_lifetime_is_capped_too() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = SimpleNamespace(
        get_signing_key_from_jwt=lambda _t: SimpleNamespace(key=key.public_key())
    )
    now = datetime.now(UTC)
    claims = {"sub": "me", "unit": "u", "role": "officer", "aud": "z", "iss": "i", "iat": now}
    short = jwt.encode({**claims, "exp": now + timedelta(hours=1)}, key, algorithm="RS256")
    long = jwt.encode({**claims, "exp": now + timedelta(days=30)}, key, algorithm="RS256")
    cap = timedelta(hours=12)
    assert verify_oidc_token(jwks, short, "z", "i", cap).sub == "me"  # type: ignore[arg-type]
    with pytest.raises(AuthError, match="lifetime"):
        verify_oidc_token(jwks, long, "z", "i", cap)  # type: ignore[arg-type]


def _served(settings: BaseServiceSettings) -> TestClient:
    """The app every service builds (shared.runtime.build_app) with a route needing a caller."""
    app = build_app(build_runtime(settings), title="t", description="t")

    @app.get("/me")
    async def me(caller: Caller) -> dict[str, str]:
        return {"sub": caller.sub}

    return TestClient(app)


def _bearer(secret: str, **fields: object) -> dict[str, str]:
    claims = {"unit": "city-fpb", "role": "city_office", "sub": "me", "ttl": timedelta(hours=1)}
    return {"Authorization": "Bearer " + issue_token(secret, **{**claims, **fields})}  # type: ignore[arg-type]


def test_http_refuses_tokens_production_must_not_accept(tmp_path: Path) -> None:
    settings = _production(tmp_path, nats_url="nats://127.0.0.1:1")
    client = _served(settings)
    aud, iss = settings.jwt_audience, settings.jwt_issuer
    good = _bearer(STRONG, audience=aud, issuer=iss)
    assert client.get("/me", headers=good).status_code == 200
    for refused in (
        _bearer(STRONG),  # what `zuofeng token` gave before: no aud, no iss
        _bearer(STRONG, audience="other", issuer=iss),
        _bearer(STRONG, audience=aud, issuer="https://evil.example"),
        _bearer(STRONG, audience=aud, issuer=iss, ttl=timedelta(days=2)),
    ):
        assert client.get("/me", headers=refused).status_code == 401


def test_http_refuses_hs256_beside_an_identity_provider(tmp_path: Path) -> None:
    """The auto-created local secret used to stay valid next to JWKS: not in production."""
    local = service_settings("cases", 8002)(var_dir=tmp_path)
    old_local_secret = local.resolved_jwt_secret()  # what a dev machine or old install holds
    settings = _production(
        tmp_path, jwt_secret=None, jwt_jwks_url="https://idp.invalid/jwks", nats_url="nats://x:1"
    )
    client = _served(settings)
    aud, iss = settings.jwt_audience, settings.jwt_issuer
    for secret in (old_local_secret, "y" * 32):
        answer = client.get("/me", headers=_bearer(secret, audience=aud, issuer=iss))
        assert answer.status_code == 401


def test_cli_token_carries_audience_and_issuer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**GOOD_PRODUCTION, "var_dir": str(tmp_path)}.items():
        monkeypatch.setenv(f"ZUOFENG_{name.upper()}", value)
    runner = CliRunner()
    made = runner.invoke(cli.app, ["token", "--unit", "city-fpb", "--role", "city_office"])
    assert made.exit_code == 0, made.output
    rules = {"audience": "zuofeng", "issuer": GOOD_PRODUCTION["jwt_issuer"]}
    assert verify_token(STRONG, made.stdout.strip(), max_ttl=timedelta(hours=12), **rules)
    too_long = runner.invoke(
        cli.app, ["token", "--unit", "city-fpb", "--role", "city_office", "--ttl", "2d"]
    )
    assert too_long.exit_code == 2 and "ZUOFENG_JWT_MAX_TTL" in too_long.output
