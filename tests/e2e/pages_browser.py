"""Helpers for the public pages in Debian's headless Chromium at a phone's size: the browser,
the accessibility check (axe-core from the pinned package, injected locally), the page weight."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext, Page, Response, async_playwright

from tests.e2e.test_reporting_dashboard import CHROMIUM, FLAGS

PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@contextlib.asynccontextmanager
async def phone(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            locale="zh-CN",
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
        )
        try:
            yield context
        finally:
            await context.close()


async def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands."""
    results = await Axe().run(page)
    found: list[dict[str, Any]] = results.response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


class Weight:
    """Bytes the page loaded (document, style, scripts) while it is watched."""

    def __init__(self, page: Page) -> None:
        self.sizes: dict[str, int] = {}
        page.on("response", self._seen)

    async def _seen(self, response: Response) -> None:
        with contextlib.suppress(Exception):  # a navigation may discard a body
            self.sizes[response.url] = len(await response.body())

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / name), full_page=True)
