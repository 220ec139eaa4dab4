"""Bodies are bounded on every service, and a route that needs a credential refuses a request
without one (or with a bad one) before it reads the body.

Each service's real app (its `create_app`) behind httpx's ASGI transport, which pulls the body
only when the app asks for it: the streamed body counts what was pulled.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import issue_token

SECRET = "body-limit-test-secret-long-enough-for-hs256"
MB = 1024 * 1024
CHUNK = 64 * 1024
# A protected POST route of each service (the case/alert ids need not exist: the answer comes
# before any lookup).
PROTECTED = {
    "cases": "/api/v1/cases/c-1/accept",
    "notify": "/api/v1/webhooks",
    "reporting": "/api/v1/alerts/a-1/decision",
    "intake": "/api/v1/reports/import",
}
LIMITED = ("cases", "notify", "reporting")


class Streamed:
    """A body of `total` bytes in chunks, counting what the server pulled."""

    def __init__(self, total: int) -> None:
        self.total, self.pulled = total, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.total:
            piece = b"x" * min(CHUNK, self.total - self.pulled)
            self.pulled += len(piece)
            yield piece


def _settings_class(service: str) -> Any:
    return getattr(
        importlib.import_module(f"services.{service}.settings"), f"{service.title()}Settings"
    )


def _app(service: str, tmp_path: Path, **fields: Any) -> FastAPI:
    settings = _settings_class(service)(
        var_dir=tmp_path,
        nats_url="nats://127.0.0.1:1",  # never connected: no lifespan under ASGITransport
        database_url=f"sqlite+aiosqlite:///{tmp_path / service}.db",
        jwt_secret=SECRET,
        **fields,
    )
    return importlib.import_module(f"services.{service}.main").create_app(settings)  # type: ignore[no-any-return]


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _bearer(role: str = "city_office", unit: str = "city-fpb") -> dict[str, str]:
    token = issue_token(SECRET, unit=unit, role=role, sub="t", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


async def _post(app: FastAPI, path: str, body: Streamed, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        kind = "multipart/form-data; boundary=b" if path.endswith("/import") else "application/json"
        return await http.post(path, content=body, headers={"Content-Type": kind, **headers})


@pytest.mark.parametrize("service", sorted(PROTECTED))
@pytest.mark.parametrize("credential", [{}, {"Authorization": "Bearer not-a-token"}])
async def test_no_or_bad_credential_is_401_before_the_body(
    service: str, credential: dict[str, str], tmp_path: Path
) -> None:
    body = Streamed(30 * MB)
    answer = await _post(_app(service, tmp_path), PROTECTED[service], body, credential)
    assert answer.status_code == 401, answer.text
    assert body.pulled <= CHUNK, f"{body.pulled} bytes read before the 401"
    assert _chinese(answer.json()["detail"])  # zh-CN first
    assert answer.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("service", LIMITED)
async def test_over_the_limit_streamed_is_413_without_reading_the_rest(
    service: str, tmp_path: Path
) -> None:
    body = Streamed(30 * MB)
    app = _app(service, tmp_path, max_body_bytes=200_000)
    answer = await _post(app, PROTECTED[service], body, _bearer())
    assert answer.status_code == 413, answer.text
    assert body.pulled <= 200_000 + 2 * CHUNK, f"{body.pulled} bytes read"
    assert answer.json() == {"detail": "请求体超过 200000 字节"}


@pytest.mark.parametrize("service", LIMITED)
async def test_declared_length_over_the_limit_is_413_at_once(service: str, tmp_path: Path) -> None:
    body = Streamed(2 * MB)
    headers = {**_bearer(), "Content-Length": str(2 * MB), "Accept-Language": "en"}
    answer = await _post(_app(service, tmp_path), PROTECTED[service], body, headers)
    assert answer.status_code == 413, answer.text
    assert body.pulled == 0
    assert answer.json() == {"detail": "request body exceeds 1000000 bytes"}


@pytest.mark.parametrize("service", LIMITED)
def test_the_limit_is_a_setting_per_service(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"ZUOFENG_{service.upper()}_MAX_BODY_BYTES", "12345")
    settings = _settings_class(service)(var_dir=tmp_path)
    assert settings.max_body_bytes == 12345


async def test_a_small_body_with_a_good_token_reaches_the_route(tmp_path: Path) -> None:
    """The guard lets a good caller through, and the route sees the caller the guard found."""
    body = Streamed(100)
    answer = await _post(
        _app("notify", tmp_path), "/api/v1/webhooks", body, _bearer("officer", "371402-fpb")
    )
    assert answer.status_code not in (401, 413), answer.text
    assert body.pulled == 100
