"""A few dozen reports driven through the four real services (intake → cases → reporting) on
real NATS and PostgreSQL: the stats, the exposure board, the alerts, the exports, the dashboard
and the metrics show the figures the cases service itself holds."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.natsserver import start_nats
from tests.e2e.driving import EXPOSURE, drive
from tests.e2e.stack import running_stack, token
from tests.integration.busutil import eventually

pytestmark = pytest.mark.e2e
COUNTIES = ("371402", "371403", "371422", "371481")
VILLAGES = "东西南北前后左右上下"


CITY = token("city-fpb", "city_office")


def _report(i: int) -> dict[str, Any]:
    village = VILLAGES[i % len(VILLAGES)] + VILLAGES[(i // len(VILLAGES)) % len(VILLAGES)]
    return {
        "channel": "web",
        "county": COUNTIES[i % len(COUNTIES)],
        "village": f"{village}村",
        "content": f"{village}村的驻村工作队员一个月就来一两次，平时根本不在村里住，"
        f"群众有事找不到人（第{i}件）。",
    }


async def test_reports_driven_through_cases_show_in_reporting(
    tmp_path: Path, stack_databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZUOFENG_INTAKE_PUBLIC_SUBMIT_RATE", "0")  # 0: no rate limit
    monkeypatch.setenv("ZUOFENG_REPORTING_METRICS_INTERVAL", "0.5")
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack,
            httpx.AsyncClient(timeout=20) as http,
        ):
            cases = await _open_cases(http, stack.urls, 24)
            for i, case in enumerate(cases):
                await drive(http, stack.urls["cases"], case, i % 3, token)
            await _check_reporting(http, stack.urls)
    finally:
        nats_server.stop()


async def _open_cases(http: httpx.AsyncClient, urls: dict[str, str], count: int) -> list[Any]:
    for i in range(count):
        answer = await http.post(f"{urls['intake']}/api/v1/reports", json=_report(i))
        assert answer.status_code == 202, answer.text

    async def opened() -> bool:
        listing = await http.get(f"{urls['cases']}/api/v1/cases", headers=CITY)
        return bool(listing.json()["total"] == count)

    await eventually(opened, timeout=60)
    listing = await http.get(f"{urls['cases']}/api/v1/cases", params={"limit": 500}, headers=CITY)
    return sorted(listing.json()["items"], key=lambda c: c["id"])


async def _check_reporting(http: httpx.AsyncClient, urls: dict[str, str]) -> None:
    base = urls["reporting"]
    expected = {"received": 24, "cases": 24, "accepted": 16, "rejected": 8}
    expected |= {"substantiated": 8, "rectified": 8, "exposed": 8, "transferred": 0}

    async def counted() -> bool:
        totals = (await http.get(f"{base}/api/v1/stats", headers=CITY)).json()["totals"]
        return {k: totals[k] for k in expected} == expected

    await eventually(counted, timeout=60)
    listing = await http.get(f"{urls['cases']}/api/v1/cases", params={"limit": 500}, headers=CITY)
    per_county = Counter(c["county"] for c in listing.json()["items"])
    groups = (await http.get(f"{base}/api/v1/stats", headers=CITY)).json()["groups"]
    assert {g["key"]: g["cases"] for g in groups} == dict(per_county)
    board = (await http.get(f"{base}/api/v1/exposures")).json()
    assert board["total"] == 8 and {i["text"] for i in board["items"]} == {EXPOSURE}
    await _alerts_exports_pages(http, base)


async def _alerts_exports_pages(http: httpx.AsyncClient, base: str) -> None:
    async def alerted() -> bool:
        items = (await http.get(f"{base}/api/v1/alerts", headers=CITY)).json()["items"]
        return any(a["scope"] == "department" for a in items)

    await eventually(alerted, timeout=30)  # 8 substantiated under city-fpb's sector line
    exported = await http.get(f"{base}/api/v1/export/cases.csv", headers=CITY)
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 24 and sum(r["曝光"] == "是" for r in rows) == 8
    page = await http.get(f"{base}/dashboard", headers=CITY)
    assert page.status_code == 200 and 'data-metric="exposed"><div class="v">8<' in page.text

    async def measured() -> bool:
        metrics = (await http.get(f"{base}/metrics")).text
        return (
            'zuofeng_reporting_open_cases{county="371402",status="' not in metrics
            and sum(_gauge(line) for line in metrics.splitlines() if line.startswith(EXPOSED_GAUGE))
            == 8
        )

    await eventually(measured, timeout=15)  # every case is closed or rejected: none open


EXPOSED_GAUGE = "zuofeng_reporting_exposures{"


def _gauge(line: str) -> float:
    return float(line.rsplit(" ", 1)[1])
