"""Settings with the contract's names, and tokens with the contract's claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.auth import AuthError, Caller, issue_token, parse_ttl, verify_token
from shared.bus import retry_delay
from shared.settings import service_settings

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
