"""The API-key verifier without a bus: key format checked before any lookup, a bounded cache,
signed records only, expiry, and keys only for clerk and integrator roles."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from nats.js.errors import KeyNotFoundError

from shared import apikeys
from shared.auth import Caller
from shared.settings import service_settings

SECRET = "unit-test-apikey-signing-secret-0123456789"


@dataclass
class Entry:
    value: bytes


class FakeKV:
    """The part of nats-py's KeyValue the module uses; counts lookups."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.gets = 0

    async def get(self, key: str) -> Entry:
        self.gets += 1
        if key not in self.data:
            raise KeyNotFoundError
        return Entry(self.data[key])

    async def put(self, key: str, value: bytes) -> int:
        self.data[key] = value
        return 1


class FakeJS:
    def __init__(self) -> None:
        self.kv = FakeKV()

    async def key_value(self, bucket: str) -> FakeKV:
        assert bucket == apikeys.BUCKET
        return self.kv


def _verifier(js: FakeJS, **kwargs: Any) -> apikeys.ApiKeyVerifier:
    return apikeys.ApiKeyVerifier(lambda: js, SECRET, **kwargs)


@pytest.mark.parametrize(
    "key",
    [
        "zf_nope_nope",
        "zf_a*b>c.d_" + "x" * 43,  # wildcards and dots: nats-py refuses such a key (a 500 before)
        "zf_ABCDEF012345_" + "x" * 43,  # upper case
        "zf_abcdef01234_" + "x" * 43,  # 11 hex
        "zf_abcdef0123456_" + "x" * 43,  # 13 hex
        "zf_abcdef012345_" + "x" * 42,
        "zf_abcdef012345_" + "x" * 43 + "\n",
        "zf_abcdef012345_" + "é" * 43,
        "zf__" + "x" * 43,
        "",
    ],
)
async def test_a_malformed_key_is_refused_before_any_lookup(key: str) -> None:
    js = FakeJS()
    assert await _verifier(js).verify(key) is None
    assert js.kv.gets == 0
    assert apikeys.key_id_of(key) is None


async def test_a_created_key_verifies_and_its_record_is_signed() -> None:
    js = FakeJS()
    key_id, key = await apikeys.create(js, "371402-fpb", "integrator", SECRET)  # type: ignore[arg-type]
    assert apikeys.key_id_of(key) == key_id
    record = json.loads(js.kv.data[key_id])
    assert record["sig"] == apikeys.signature(SECRET, record)
    assert key not in js.kv.data[key_id].decode()  # only its hash is stored
    found = await _verifier(js).verify(key)
    assert found == apikeys.ApiKey(key_id, "371402-fpb", "integrator", revoked=False)


@pytest.mark.parametrize(
    "change",
    [
        {"role": "inspector"},  # the attack: a planted record for a stronger role
        {"unit": "city-jw"},
        {"revoked": False, "expires_at": "2999-01-01T00:00:00+00:00"},
        {"sig": "0" * 64},
        {"sig": None},
    ],
)
async def test_a_record_changed_without_the_signing_key_is_refused(change: dict[str, Any]) -> None:
    js = FakeJS()
    key_id, key = await apikeys.create(js, "371402-fpb", "integrator", SECRET)  # type: ignore[arg-type]
    record = json.loads(js.kv.data[key_id]) | change
    if change.get("sig", "") is None:
        del record["sig"]
    js.kv.data[key_id] = json.dumps(record).encode()
    assert await _verifier(js).verify(key) is None


async def test_a_record_signed_with_another_key_is_refused() -> None:
    js = FakeJS()
    _, key = await apikeys.create(js, "371402-fpb", "clerk", "x" * 40)  # type: ignore[arg-type]
    assert await _verifier(js).verify(key) is None


async def test_an_expired_key_is_refused() -> None:
    now = datetime.now(UTC)
    key_id, key = "abcdef012345", "zf_abcdef012345_" + "k" * 43
    record = {
        "id": key_id,
        "hash": apikeys.hash_key(key),
        "unit": "371402-fpb",
        "role": "clerk",
        "revoked": False,
        "created_at": (now - timedelta(days=400)).isoformat(),
        "expires_at": (now - timedelta(seconds=1)).isoformat(),
    }
    record["sig"] = apikeys.signature(SECRET, record)
    assert apikeys.check_record(SECRET, key_id, key, record) is None
    record["expires_at"] = (now + timedelta(hours=1)).isoformat()
    record["sig"] = apikeys.signature(SECRET, record)
    assert apikeys.check_record(SECRET, key_id, key, record) is not None
    del record["expires_at"]  # never expiring: not a record we sign
    record["sig"] = apikeys.signature(SECRET, record)
    assert apikeys.check_record(SECRET, key_id, key, record) is None


async def test_revoked_is_refused() -> None:
    js = FakeJS()
    key_id, key = await apikeys.create(js, "371402-fpb", "integrator", SECRET)  # type: ignore[arg-type]
    assert await apikeys.revoke(js, key_id, SECRET)  # type: ignore[arg-type]
    assert await _verifier(js, cache_seconds=0).verify(key) is None
    assert not await apikeys.revoke(js, "a*b", SECRET)  # type: ignore[arg-type]


@pytest.mark.parametrize("role", ["inspector", "city_office", "officer", "discipline", "x"])
async def test_keys_only_for_clerks_and_integrators(role: str) -> None:
    with pytest.raises(ValueError, match="clerk or integrator"):
        await apikeys.create(FakeJS(), "371402-fpb", role, SECRET)  # type: ignore[arg-type]


async def test_a_key_has_a_lifetime() -> None:
    js = FakeJS()
    key_id, _ = await apikeys.create(js, "371402-fpb", "clerk", SECRET, ttl=timedelta(days=30))  # type: ignore[arg-type]
    record = json.loads(js.kv.data[key_id])
    lifetime = datetime.fromisoformat(record["expires_at"]) - datetime.fromisoformat(
        record["created_at"]
    )
    assert lifetime == timedelta(days=30)
    with pytest.raises(ValueError):
        await apikeys.create(js, "371402-fpb", "clerk", SECRET, ttl=timedelta(0))  # type: ignore[arg-type]


async def test_the_cache_is_bounded_and_keeps_the_recently_used() -> None:
    js = FakeJS()
    _, good = await apikeys.create(js, "371402-fpb", "integrator", SECRET)  # type: ignore[arg-type]
    verifier = _verifier(js, cache_size=3)
    assert await verifier.verify(good) is not None
    for _ in range(50):  # invented keys, well formed
        await verifier.verify(f"zf_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}")
        assert await verifier.verify(good) is not None  # used again: stays cached
    assert len(verifier._cache) == 3
    before = js.kv.gets
    await verifier.verify(good)
    assert js.kv.gets == before  # still served from the cache


async def test_an_odd_key_is_a_401_not_a_500() -> None:
    app = FastAPI()
    app.state.jwt_secret = "local-secret-long-enough-for-hs256-tokens"
    app.state.jwks, app.state.jwt_audience, app.state.jwt_issuer = None, None, None
    app.state.apikeys = _verifier(FakeJS())

    @app.get("/me")
    async def me(caller: Caller) -> dict[str, str]:
        return caller.model_dump()

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for key in ("zf_a*b_c", "zf_" + "f" * 12 + "_" + "x" * 43, "zf_..._x"):
            assert (await http.get("/me", headers={"X-API-Key": key})).status_code == 401


def test_production_needs_a_strong_signing_key(tmp_path: Path) -> None:
    settings = service_settings("intake", 8001)
    base: dict[str, Any] = {
        "environment": "production",
        "jwt_secret": "j" * 40,
        "jwt_audience": "zuofeng",
        "jwt_issuer": "https://dezhou.example/zuofeng",
        "var_dir": tmp_path,
        "session_secret": "w" * 32,
    }
    weak_ones: list[dict[str, Any]] = [{}, {"apikey_secret": "short"}, {"apikey_secret": "k" * 31}]
    for weak in weak_ones:
        with pytest.raises(ValueError, match="ZUOFENG_APIKEY_SECRET"):
            settings(**base, **weak)
    assert settings(**base, apikey_secret="k" * 32).resolved_apikey_secret() == "k" * 32
    local = settings(var_dir=tmp_path)
    first = local.resolved_apikey_secret()
    assert first == local.resolved_apikey_secret() and len(first) >= 32
    assert (tmp_path / "apikey.secret").stat().st_mode & 0o777 == 0o600
