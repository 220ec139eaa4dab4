"""The four services as `make run` starts them (`zuofeng serve`, one process each, real NATS and
PostgreSQL) under a little load: reports through intake (HTTP and NATS request-reply, one
refused), cases opened from them and driven (accepted, rejected, rectified, exposed, closed,
some left open), notices to the handling units. Shared by the observability tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import nats

from shared.auth import issue_token
from shared.directory import load_directory
from shared.subjects import submit_subject
from tests.e2e.driving import drive
from tests.integration.busutil import eventually
from tests.procstack import SECRET, SERVICES, ProcStack

# Every county reports (a silent one is what the no-reports alert is for).
COUNTIES = tuple(code for code, _ in load_directory().counties())
VILLAGES = "东西南北前后左右上下"
NAME, PHONE, EMAIL = "欧阳测试", "13912345678", "live-reporter-7@example.net"  # never in a log
DRIVEN = 24  # every third substantiated and exposed: 8 in one sector raise an alert
LEFT_OPEN = 4


def token(unit: str, role: str) -> dict[str, str]:
    signed = issue_token(SECRET, unit=unit, role=role, sub="live", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {signed}"}


CITY = token("city-fpb", "city_office")


@contextmanager
def started(base: Path, database_urls: dict[str, str], env: dict[str, str]) -> Iterator[ProcStack]:
    """The stack started (every service ready); stopped whatever happens."""
    stack = ProcStack(base=base, database_urls=database_urls)
    stack.extra_env |= env
    try:
        asyncio.run(stack.prepare())
        stack.start_all()
        yield stack
    finally:
        stack.stop()


def report(i: int) -> dict[str, Any]:
    village = VILLAGES[i % len(VILLAGES)] + VILLAGES[(i // len(VILLAGES)) % len(VILLAGES)]
    return {
        "channel": "web",
        "county": COUNTIES[i % len(COUNTIES)],
        "village": f"{village}村",
        "content": f"{village}村的驻村工作队员一个月就来一两次，平时根本不在村里住，"
        f"群众有事找不到人（第{i}件）。",
        "reporter": {"anonymous": False, "name": NAME, "phone": PHONE, "email": EMAIL},
    }


async def load(stack: ProcStack) -> dict[str, list[str]]:
    """The load; answers the ids it made (report ids, case ids, tracking codes)."""
    urls = {name: stack.url(name) for name in SERVICES}
    made: dict[str, list[str]] = {"reports": [], "cases": [], "tracking": []}
    async with httpx.AsyncClient(timeout=20) as http:
        for i in range(DRIVEN + LEFT_OPEN):
            answer = await http.post(f"{urls['intake']}/api/v1/reports", json=report(i))
            assert answer.status_code == 202, answer.text
            made["reports"].append(answer.json()["report_id"])
            made["tracking"].append(answer.json()["tracking_code"])
        refused = await http.post(f"{urls['intake']}/api/v1/reports", json={"content": "短"})
        assert refused.status_code == 422
        await _over_nats(stack, made)
        cases = await _opened(http, urls["cases"], len(made["reports"]))
        made["cases"] = [c["id"] for c in cases]
        for i, case in enumerate(cases[:DRIVEN]):  # the rest stay open
            await drive(http, urls["cases"], case, i % 3, token)
    return made


async def _over_nats(stack: ProcStack, made: dict[str, list[str]]) -> None:
    assert stack.nats is not None
    nc = await nats.connect(stack.nats.url)
    try:
        body = {**report(99), "channel": "integrator"}
        reply = await nc.request(
            submit_subject(body["county"]),
            json.dumps(body).encode(),
            timeout=10,
            headers=token("city-fpb", "integrator"),
        )
        answer = json.loads(reply.data)
        assert "report_id" in answer, answer
        made["reports"].append(answer["report_id"])
        made["tracking"].append(answer["tracking_code"])
    finally:
        await nc.close()


async def _opened(http: httpx.AsyncClient, base: str, count: int) -> list[dict[str, Any]]:
    async def all_opened() -> bool:
        listing = await http.get(f"{base}/api/v1/cases", headers=CITY)
        return bool(listing.json()["total"] == count)

    await eventually(all_opened, timeout=60)
    listing = await http.get(f"{base}/api/v1/cases", params={"limit": 500}, headers=CITY)
    return sorted(listing.json()["items"], key=lambda c: c["id"])
