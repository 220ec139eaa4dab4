"""`zuofeng serve` trusts no forwarding header by itself: a local client that forges
X-Forwarded-For is still one client to intake's rate limits (uvicorn's default would trust
127.0.0.1 and hand it a fresh bucket per forged address)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.procstack import SERVICES, ProcStack

pytestmark = pytest.mark.integration


def lookup(url: str, forged: str) -> int:
    request = urllib.request.Request(
        f"{url}/api/v1/reports/AAAA-BBBB-CCCC-DDDD-EEEE", headers={"X-Forwarded-For": forged}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return refused.code


async def test_a_forged_forwarded_for_gets_no_fresh_bucket(tmp_path: Path) -> None:
    urls = {name: f"sqlite+aiosqlite:///{tmp_path / name}.db" for name in SERVICES}
    stack = ProcStack(tmp_path, urls)
    stack.extra_env |= {"ZUOFENG_INTAKE_LOOKUP_RATE": "0.01", "ZUOFENG_INTAKE_LOOKUP_BURST": "2"}
    await stack.prepare()
    try:
        stack.start("intake")
        stack.wait_ready("intake")
        codes = [lookup(stack.url("intake"), f"203.0.113.{n}") for n in range(1, 5)]
    finally:
        stack.stop()
        assert stack.nats is not None
        stack.nats.stop()
    assert codes[:2] == [404, 404]  # an unknown code, within the burst
    assert codes[2:] == [429, 429], codes
