"""/docs and /redoc in Debian's headless Chromium with no network beyond the service: the
Swagger UI and ReDoc assets come from the service itself and its CSP lets them run (issue 19).
Every request that leaves the service is refused and recorded, as is every CSP violation."""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Page, Route, async_playwright

from services.docs import docs_app
from tests.e2e.test_reporting_dashboard import CHROMIUM, FLAGS
from tests.integration.busutil import eventually
from tests.pg import free_port

pytestmark = pytest.mark.e2e


@contextlib.asynccontextmanager
async def serving(service: str) -> AsyncIterator[str]:
    """The service's app as built for documents (nothing to connect to) under uvicorn."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = docs_app(service)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    web = uvicorn.Server(config)
    task = asyncio.create_task(web.serve())
    base = f"http://127.0.0.1:{port}"

    async def up() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            async with httpx.AsyncClient() as http:
                return (await http.get(f"{base}/openapi.json")).status_code == 200
        return False

    try:
        await eventually(up, timeout=30)
        yield base
    finally:
        web.should_exit = True
        await task


class Offline:
    """Requests beyond `base` are aborted and kept; console errors (CSP reports) are kept."""

    def __init__(self, page: Page, base: str) -> None:
        self.base, self.outside, self.errors = base, list[str](), list[str]()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    async def route(self, route: Route) -> None:
        if route.request.url.startswith(self.base + "/"):
            await route.continue_()
        else:
            self.outside.append(route.request.url)
            await route.abort()


async def _open(tmp_path: Path, base: str, path: str, ready: str) -> tuple[Offline, int, str]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = await browser.new_page(locale="zh-CN")
            watch = Offline(page, base)
            await page.route("**/*", watch.route)
            await page.goto(f"{base}{path}")
            await page.wait_for_selector(ready, timeout=30_000)
            count = await page.locator(ready).count()
            text = await page.inner_text("body")
        finally:
            await browser.close()
    return watch, count, text


@pytest.mark.parametrize("service", ["cases", "intake"])
async def test_swagger_ui_renders_every_operation_offline(tmp_path: Path, service: str) -> None:
    async with serving(service) as base:
        async with httpx.AsyncClient() as http:
            paths = (await http.get(f"{base}/openapi.json")).json()["paths"]
        watch, shown, text = await _open(tmp_path, base, "/docs", ".opblock")
    operations = sum(len(ops) for ops in paths.values())
    assert shown == operations
    assert "Authorize" in text  # the security schemes are offered
    assert watch.outside == []
    assert watch.errors == []


async def test_redoc_renders_offline(tmp_path: Path) -> None:
    async with serving("cases") as base:
        watch, _, text = await _open(tmp_path, base, "/redoc", "[data-section-id]")
    assert "/api/v1/cases" in text or "List Cases" in text
    assert "bearerAuth" in text
    assert watch.outside == []
    # ReDoc's footer links its maker's logo from a CDN (no option turns it off): the policy
    # blocks it before any request is made, the one refusal expected here.
    logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    assert [e for e in watch.errors if not (logo in e and "Content Security Policy" in e)] == []
