"""API keys against a real NATS key-value bucket, and RS256 tokens against a real JWKS endpoint."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from nats.js import JetStreamContext

from shared import apikeys
from shared.auth import Caller

pytestmark = pytest.mark.integration
SECRET = "auth-providers-apikey-signing-secret-0123456789"


def _app() -> FastAPI:
    app = FastAPI()
    app.state.jwt_secret = "local-secret-long-enough-for-hs256-tokens"
    app.state.jwks, app.state.jwt_audience, app.state.jwt_issuer = None, None, None

    @app.get("/me")
    async def me(caller: Caller) -> dict[str, str]:
        return caller.model_dump()

    return app


async def _get(app: FastAPI, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        return await http.get("/me", headers=headers)


async def test_api_key_works_until_revoked(js: JetStreamContext) -> None:
    await apikeys.ensure_bucket(js)  # `zuofeng bus init` makes it; services only read it
    app = _app()
    app.state.apikeys = apikeys.ApiKeyVerifier(lambda: js, SECRET, cache_seconds=0)
    key_id, key = await apikeys.create(js, unit="371402-fpb", role="integrator", secret=SECRET)
    answer = await _get(app, {"X-API-Key": key})
    assert answer.status_code == 200
    assert answer.json() == {"sub": f"apikey:{key_id}", "unit": "371402-fpb", "role": "integrator"}
    assert (await _get(app, {"X-API-Key": key[:-1] + "x"})).status_code == 401
    assert (await _get(app, {"X-API-Key": "zf_nope_nope"})).status_code == 401
    listed = await apikeys.list_keys(js)
    assert key not in json.dumps(listed) and any(item["id"] == key_id for item in listed)
    assert all(item["expires_at"] for item in listed)
    assert await apikeys.revoke(js, key_id, SECRET)
    assert (await _get(app, {"X-API-Key": key})).status_code == 401


@pytest.mark.parametrize(
    "key", ["zf_a*b_x", "zf_a>_x", "zf_a b_x", "zf_.._x", "zf__x", "zf_a.b_" + "x" * 43]
)
async def test_an_odd_api_key_is_a_401_not_a_500(js: JetStreamContext, key: str) -> None:
    """Ids that are no bucket key (wildcards, spaces, dots) once reached the bucket and failed."""
    await apikeys.ensure_bucket(js)
    app = _app()
    app.state.apikeys = apikeys.ApiKeyVerifier(lambda: js, SECRET, cache_seconds=0)
    assert (await _get(app, {"X-API-Key": key})).status_code == 401


async def test_an_expired_api_key_is_refused(js: JetStreamContext) -> None:
    app = _app()
    app.state.apikeys = apikeys.ApiKeyVerifier(lambda: js, SECRET, cache_seconds=0)
    _, key = await apikeys.create(
        js, unit="371402-fpb", role="clerk", secret=SECRET, ttl=timedelta(seconds=1)
    )
    assert (await _get(app, {"X-API-Key": key})).status_code == 200
    await asyncio.sleep(1.1)
    assert (await _get(app, {"X-API-Key": key})).status_code == 401


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", key
    server.shutdown()


def _rs256(key: rsa.RSAPrivateKey, ttl: timedelta, **claims: str) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": "li.si",
        "unit": "city-jw",
        "role": "inspector",
        "iat": now,
        "exp": now + ttl,
        "aud": "zuofeng",
        "iss": "https://idp.example",
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


async def test_identity_provider_tokens_are_checked_against_its_jwks(
    jwks_server: tuple[str, rsa.RSAPrivateKey],
) -> None:
    url, key = jwks_server
    app = _app()
    app.state.jwks = jwt.PyJWKClient(url)
    app.state.jwt_audience, app.state.jwt_issuer = "zuofeng", "https://idp.example"
    good = await _get(app, {"Authorization": f"Bearer {_rs256(key, timedelta(hours=1))}"})
    assert good.status_code == 200 and good.json()["role"] == "inspector"
    expired = _rs256(key, timedelta(seconds=-10))
    assert (await _get(app, {"Authorization": f"Bearer {expired}"})).status_code == 401
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert (
        await _get(app, {"Authorization": f"Bearer {_rs256(other, timedelta(hours=1))}"})
    ).status_code == 401
    wrong_audience = _rs256(key, timedelta(hours=1), aud="someone-else")
    assert (await _get(app, {"Authorization": f"Bearer {wrong_audience}"})).status_code == 401
