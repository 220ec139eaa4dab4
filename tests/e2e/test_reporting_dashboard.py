"""The dashboard in real headless Chromium (Debian's, never a downloaded one): the public
summary shows the right totals, signing in adds the detail, a county and a unit drill down,
the exposure board is public. Screenshots go to test-artifacts/."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import uvicorn
from playwright.async_api import BrowserContext, Page, async_playwright

from services.reporting.main import create_app
from shared import migrate
from shared.bus import init_bus, publish_envelope
from shared.natsserver import start_nats
from tests.integration.busutil import eventually
from tests.integration.test_reporting_harness import (
    BASE,
    CaseScript,
    everything,
    recount,
    settings_for,
    token,
    world,
)
from tests.officials_desk import signed_in
from tests.pg import PgServer, free_port, in_thread

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXPOSED = "某村第一书记长期不在岗、帮扶走过场，经查属实，已责令整改并通报。"


@contextlib.asynccontextmanager
async def served(url: str, tmp_path: Path) -> AsyncIterator[tuple[str, Any, Any]]:
    """The reporting service under uvicorn on a free port, with its own nats-server."""
    server = start_nats(tmp_path / "nats")
    nc = await nats.connect(server.url)
    await init_bus(nc.jetstream(), max_deliver=4, ack_wait=5)
    await asyncio.to_thread(migrate.upgrade, "reporting", url)
    port = free_port()
    app = create_app(settings_for(url, server.url, tmp_path / "var", port=port))
    web = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(web.serve())
    try:
        await eventually(lambda: _ready(f"http://127.0.0.1:{port}"), timeout=30)
        yield f"http://127.0.0.1:{port}", nc.jetstream(), app.state.context.settings
    finally:
        web.should_exit = True
        await task
        await nc.close()
        server.stop()


async def _ready(base: str) -> bool:
    async with httpx.AsyncClient() as http:
        try:
            return (await http.get(f"{base}/readyz")).status_code == 200
        except httpx.HTTPError:
            return False


@pytest.fixture
def dashboard_db(pg_server: PgServer) -> str:
    return in_thread(pg_server.create_database())


def _events() -> list[Any]:
    scripts = world(random.Random(21), cases=40)
    exposed = CaseScript("371403", "371403-fpb", 19, "visit", BASE + timedelta(days=2)).open()
    for i, action in enumerate(("accept", "start", "conclude")):
        exposed.step(action, BASE + timedelta(days=3 + i), "substantiated")
    exposed.step("expose", BASE + timedelta(days=9), EXPOSED)
    return everything([*scripts, exposed])


async def test_the_dashboard_in_chromium(dashboard_db: str, tmp_path: Path) -> None:
    events = _events()
    async with served(dashboard_db, tmp_path) as (base, js, settings):
        for envelope in events:
            await publish_envelope(js, envelope)
        await _until_counted(base, recount(events, "county")["totals"])
        ARTIFACTS.mkdir(exist_ok=True)
        async with _browser(tmp_path) as browser:
            page = await browser.new_page()
            await _public_view(page, base, events)
            signed = await signed_in(js, settings, "city-fpb", "city_office")
            await browser.add_cookies([signed.browser_cookie(base)])
            await _signed_in_view(page, base, events)
        await _signed_out_sent_to_sign_in(base)


async def _until_counted(base: str, totals: dict[str, Any]) -> None:
    async def counted() -> bool:
        async with httpx.AsyncClient() as http:
            body = (await http.get(f"{base}/api/v1/stats", headers=token())).json()
        return bool(body["totals"] == totals)

    await eventually(counted, timeout=30)


@contextlib.asynccontextmanager
async def _browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            locale="zh-CN",
            viewport={"width": 1280, "height": 1600},
        )
        try:
            yield context
        finally:
            await context.close()


async def _metric(page: Page, key: str) -> str:
    card = page.locator(f'[data-testid="totals"] [data-metric="{key}"] .v')
    return (await card.inner_text()).strip()


async def _public_view(page: Page, base: str, events: list[Any]) -> None:
    totals = recount(events, "county")["totals"]
    await page.goto(f"{base}/dashboard")
    assert await page.title() == "德州市扶贫领域作风问题专项治理"
    for key in ("received", "cases", "substantiated", "overdue", "exposed"):
        assert await _metric(page, key) == str(totals[key]), key
    rate = totals["accepted"] / totals["cases"] * 100
    assert await _metric(page, "acceptance_rate") == f"{rate:.1f}%"
    county = page.locator('[data-testid="by-county"] g[data-label="陵城区"]')
    expected = next(g for g in recount(events, "county")["groups"] if g["key"] == "371403")
    assert await county.get_attribute("data-value") == str(expected["cases"])
    assert await page.locator('[data-testid="trend"] rect').count() > 0
    assert EXPOSED in await page.locator('[data-testid="exposures"]').inner_text()
    assert await page.locator('[data-testid="overdue-by-unit"]').count() == 0  # detail only
    await page.screenshot(path=str(ARTIFACTS / "reporting-dashboard-public.png"), full_page=True)


async def _signed_in_view(page: Page, base: str, events: list[Any]) -> None:
    await page.goto(f"{base}/dashboard")  # signed in by the shared page session (its cookie)
    assert await page.locator('[data-testid="overdue-by-unit"], p.muted').count() > 0
    assert await page.locator("text=问责预警").count() > 0
    await page.screenshot(path=str(ARTIFACTS / "reporting-dashboard.png"), full_page=True)
    await page.click('[data-testid="by-county"] g[data-label="陵城区"] a')
    await page.wait_for_url(f"{base}/dashboard/county/371403")
    assert await page.locator('[data-testid="heading"]').inner_text() == "陵城区"
    within = [e for e in events if e.data.get("county") == "371403"]
    assert await _metric(page, "cases") == str(recount(within, "county")["totals"]["cases"])
    await page.screenshot(path=str(ARTIFACTS / "reporting-county.png"), full_page=True)
    await page.goto(f"{base}/dashboard/exposures")
    assert EXPOSED in await page.locator('[data-testid="exposures"]').inner_text()
    await page.goto(f"{base}/dashboard?lang=en")
    assert await page.title() == "Dezhou campaign against work-style problems in poverty relief"


async def _signed_out_sent_to_sign_in(base: str) -> None:
    """Signed out, a reader's page sends the browser to sign-in (never raw JSON); a token in
    the Authorization header still works for API callers, and a clerk's is refused."""
    async with httpx.AsyncClient(base_url=base) as http:
        away = await http.get("/dashboard/alerts")
        assert away.status_code == 303 and away.headers["location"].startswith("/signin?next=")
        assert (await http.get("/dashboard/alerts", headers=token())).status_code == 200
        clerk = token(role="clerk")["Authorization"].split(" ", 1)[1]
        refused = await http.get("/dashboard/alerts", headers={"Authorization": f"Bearer {clerk}"})
        assert refused.status_code == 403
