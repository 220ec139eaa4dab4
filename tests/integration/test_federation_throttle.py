"""Federation's public routes are rate limited per client as intake's are (shared.ratelimit):
an application sent by the woman herself (no credential) and a receipt lookup get 429 with
Retry-After once the client's allowance is spent, in the caller's language, counted on
/metrics; another client, a cadre with a credential, and a client behind a trusted proxy
keep their own allowance. The real service on NATS and PostgreSQL (tests/e2e's stack)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.federation.main import THROTTLED, create_app
from services.federation.settings import FederationSettings
from shared.ratelimit import RateLimiter
from tests.e2e.federation_stack import FederationStack, federation_stack, token
from tests.pg import PgServer

pytestmark = pytest.mark.integration
A = "371402"
RECEIPT = {"receipt": "not-a-receipt-0000"}


@pytest.fixture
async def stack(tmp_path: Path, pg_server: PgServer) -> AsyncIterator[FederationStack]:
    async with federation_stack(tmp_path, await pg_server.create_database()) as running:
        ctx = running.app.state.context
        ctx.public = RateLimiter(rate=0.001, burst=2)  # two each, then 429 for the test
        ctx.lookups = RateLimiter(rate=0.001, burst=2)
        yield running


async def _post(stack: FederationStack, path: str, body: Any, peer: str = "198.51.100.7",
                **headers: str) -> httpx.Response:  # fmt: skip
    """From `peer` (the address the service sees), straight into the running app."""
    transport = httpx.ASGITransport(app=stack.app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://federation") as http:
        return await http.post(path, json=body, headers=headers)


def _application(village_id: str) -> dict[str, Any]:
    return {
        "county": A,
        "village_id": village_id,
        "details": {
            "applicant_name": "李某", "household_ref": "HH-371402-0001", "diagnosis": "breast",
            "certificate_ref": "ZD-1", "hospital": "德州市人民医院", "bank": "农村信用社",
            "account_holder": "李某", "account_number": "62220202000001",
        },
    }  # fmt: skip


async def test_receipt_lookups_get_429_with_retry_after_once_spent(stack: FederationStack) -> None:
    for _ in range(2):
        assert (await _post(stack, "/api/v1/aid/status", RECEIPT)).status_code == 404
    refused = await _post(stack, "/api/v1/aid/status", RECEIPT)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["detail"] == "请求过于频繁，请稍后再试"
    english = await _post(stack, "/api/v1/aid/status", RECEIPT, **{"Accept-Language": "en"})
    assert (english.status_code, english.json()["detail"]) == (429, "too many requests")
    # Another client has its own bucket.
    other = await _post(stack, "/api/v1/aid/status", RECEIPT, peer="198.51.100.8")
    assert other.status_code == 404
    async with httpx.AsyncClient() as http:
        metrics = (await http.get(f"{stack.url}/metrics")).text
    assert 'zuofeng_federation_rate_limited_total{route="status"} 2.0' in metrics


async def test_public_applications_are_limited_and_a_cadres_are_not(
    stack: FederationStack,
) -> None:
    officer = token(f"{A}-fl", "federation_officer")
    body = {"county": A, "name": "前进村", "poor": True, "left_behind": False}
    village = await _post(stack, "/api/v1/villages", body, **officer)
    assert village.status_code == 201, village.text
    application = _application(village.json()["village_id"])
    for _ in range(2):
        assert (await _post(stack, "/api/v1/aid/applications", application)).status_code == 201
    refused = await _post(stack, "/api/v1/aid/applications", application)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # A village cadre submitting for the woman, from the same address, is not throttled.
    cadre = token(f"{A}-fl-v1", "village_cadre")
    assert (await _post(stack, "/api/v1/aid/applications", application, **cadre)).status_code == 201
    # The lookups' bucket is a separate allowance.
    assert (await _post(stack, "/api/v1/aid/status", RECEIPT)).status_code == 404


def test_limits_come_from_the_settings_and_trusted_proxies_are_checked(tmp_path: Path) -> None:
    settings = FederationSettings(
        var_dir=tmp_path, public_submit_rate=0.5, public_submit_burst=3, lookup_rate=0,
        trusted_proxies="10.0.0.0/8, 2001:db8::1",
    )  # fmt: skip
    ctx = create_app(settings, for_docs=True).state.context
    assert (ctx.public.rate, ctx.public.burst) == (0.5, 3)
    assert ctx.lookups.retry_after("anyone") == 0  # rate 0: no limit (tests, benchmarks)
    assert settings.trusted_proxies == ("10.0.0.0/8", "2001:db8::1/128")
    with pytest.raises(ValueError, match="ZUOFENG_FEDERATION_TRUSTED_PROXIES"):
        FederationSettings(var_dir=tmp_path, trusted_proxies="not-an-address")
    doc = create_app(settings, for_docs=True).openapi()
    assert "429" in doc["paths"]["/api/v1/aid/status"]["post"]["responses"]
    assert "429" in doc["paths"]["/api/v1/aid/applications"]["post"]["responses"]
    assert THROTTLED
