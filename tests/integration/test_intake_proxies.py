"""Rate limits behind a reverse proxy: X-Forwarded-For counts only from a trusted proxy (the
right-most address that is not itself a trusted proxy), a forged one from anyone else buys no
fresh bucket, and IPv6 clients are keyed by their /64."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.natsserver import NatsProcess
from tests.integration.test_intake_harness import Intake, running_intake

pytestmark = pytest.mark.integration
LOOKUP = "/api/v1/reports/ZF-NOPE-0000"  # an unknown code: 404 while the bucket lasts, then 429


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[Intake]:
    async with running_intake(
        nats_server.url,
        database_url,
        tmp_path / "var",
        lookup_rate=0.001,  # one lookup per client, then 429 for the rest of the test
        lookup_burst=1,
        trusted_proxies="10.0.0.0/8, 2001:db8:ffff::1",
    ) as running:
        yield running


async def lookup(intake: Intake, peer: str, **headers: str) -> int:
    """Look up from `peer` (the address the server sees) with these headers; the status."""
    transport = httpx.ASGITransport(app=intake.app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
        answer: Any = await http.get(LOOKUP, headers=headers)
        return int(answer.status_code)


async def test_a_forged_forwarded_for_from_an_untrusted_peer_buys_no_bucket(
    intake: Intake,
) -> None:
    assert await lookup(intake, "198.51.100.7") == 404
    for forged in ("203.0.113.9", "203.0.113.10", "10.0.0.1"):
        assert await lookup(intake, "198.51.100.7", **{"X-Forwarded-For": forged}) == 429


async def test_clients_behind_a_trusted_proxy_get_their_own_buckets(intake: Intake) -> None:
    proxy = "10.0.0.2"
    assert await lookup(intake, proxy, **{"X-Forwarded-For": "203.0.113.1"}) == 404
    assert await lookup(intake, proxy, **{"X-Forwarded-For": "203.0.113.2"}) == 404
    assert await lookup(intake, proxy, **{"X-Forwarded-For": "203.0.113.1"}) == 429
    # What the client wrote itself is left of what the proxy appended: ignored.
    spoofed = {"X-Forwarded-For": "192.0.2.77, 203.0.113.1"}
    assert await lookup(intake, proxy, **spoofed) == 429
    # Through two trusted proxies, the address before them is the client.
    chained = {"X-Forwarded-For": "203.0.113.3, 10.0.0.9"}
    assert await lookup(intake, proxy, **chained) == 404
    assert await lookup(intake, "2001:db8:ffff::1", **{"X-Forwarded-For": "203.0.113.3"}) == 429


async def test_ipv6_addresses_in_one_slash_64_share_a_bucket(intake: Intake) -> None:
    assert await lookup(intake, "2001:db8:1:2::a") == 404
    assert await lookup(intake, "2001:db8:1:2:ffff:ffff:ffff:fffe") == 429
    assert await lookup(intake, "2001:db8:1:3::a") == 404  # the next /64 is someone else
    proxied = {"X-Forwarded-For": "2001:db8:1:2::99"}
    assert await lookup(intake, "10.0.0.2", **proxied) == 429
