"""The dashboard's supervision section, programme view and alert responsibilities (issues 22
and 23) in Debian's headless Chromium, on a real NATS and PostgreSQL: the events cases and
federation publish become the figures on the pages, a county federation officer sees only her
county, the alerts page filters by 主体责任 / 监督责任, and neither page is wider than a phone.
Screenshots at 1366x768 and 390x844 go to test-artifacts/."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, async_playwright
from sqlalchemy import insert

from services.reporting.models import alerts
from shared.bus import publish_envelope
from shared.db import Database
from tests.e2e.pages_browser import serious_violations
from tests.e2e.test_reporting_dashboard import ARTIFACTS, CHROMIUM, FLAGS, served
from tests.integration.busutil import eventually
from tests.integration.test_reporting_harness import token
from tests.officials_desk import signed_in
from tests.pg import PgServer, in_thread
from tests.sections_world import NOT_KEPT, A, B, federation_events, supervision_events

pytestmark = pytest.mark.e2e
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sections_db(pg_server: PgServer) -> str:
    return in_thread(pg_server.create_database())


async def test_supervision_programmes_and_responsibilities_in_chromium(
    sections_db: str, tmp_path: Path
) -> None:
    async with served(sections_db, tmp_path) as (base, js, settings):
        for envelope in federation_events() + supervision_events():
            await publish_envelope(js, envelope)
        await _until_counted(base)
        await _alerts(settings.database_url)
        city = await signed_in(js, settings, "city-fpb", "city_office")
        county = await signed_in(js, settings, f"{A}-fl", "federation_officer")
        async with _browser(tmp_path, DESK, "desk") as browser:
            await browser.add_cookies([city.browser_cookie(base)])
            page = await browser.new_page()
            await _supervision_section(page, base, "desk")
            await _drilled(page, base)
            await _programme_view(page, base, "desk")
            await _alerts_page(page, base)
        async with _browser(tmp_path, PHONE, "phone") as phone:
            await phone.add_cookies([city.browser_cookie(base)])
            page = await phone.new_page()
            await _supervision_section(page, base, "phone")
            await _programme_view(page, base, "phone-city")
            await phone.clear_cookies()
            await phone.add_cookies([county.browser_cookie(base)])
            await _programme_view(page, base, "phone", only=A)


async def _until_counted(base: str) -> None:
    async def counted() -> bool:
        async with httpx.AsyncClient(base_url=base, headers=token()) as http:
            programmes = (await http.get("/api/v1/stats/programmes")).json()["items"]
            supervision = (await http.get("/api/v1/supervision")).json()
        dezhou = next(item for item in programmes if item["county"] == A)
        return (
            dezhou["selections_published"] == 1
            and dezhou["aid_amount"] == 15000
            and (
                len(supervision["rechecks"]["by_county"]) == 2
                and supervision["rechecks"]["by_county"][1]["reopened"] == 1
                and sum(r["tasks"] for r in supervision["tasks_by_county"]) == 3
                and bool(supervision["inspections"])
                and supervision["inspections"][0]["findings"] == 1
            )
        )

    await eventually(counted, timeout=30)


async def _alerts(url: str) -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    db = Database(url)
    try:
        async with db.sessions() as session, session.begin():
            for scope, key in (("unit", f"{A}-fpb"), ("department", "city-zzb")):
                await session.execute(insert(alerts).values(
                    alert_id=str(uuid.uuid4()), scope=scope, key=key, county=A, crossed_at=at,
                    count=3, threshold=3, window_days=90, window_from=date(2026, 8, 3),
                    window_to=date(2026, 11, 1), raised_at=at, sequence=1))  # fmt: skip
    finally:
        await db.dispose()


@contextlib.asynccontextmanager
async def _browser(
    tmp_path: Path, size: dict[str, int], name: str
) -> AsyncIterator[BrowserContext]:
    phone = size == PHONE
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / f"chromium-{name}"), executable_path=CHROMIUM, headless=True,
            args=FLAGS, locale="zh-CN", viewport=size, is_mobile=phone, has_touch=phone,
        )  # fmt: skip
        try:
            yield context
        finally:
            await context.close()


async def _cells(page: Page, selector: str) -> list[str]:
    return [c.strip() for c in await page.locator(f"{selector} td").all_inner_texts()]


async def _download(page: Page, link: str) -> str:
    async with page.expect_download() as info:
        await page.click(link)
    saved = await (await info.value).path()
    return await asyncio.to_thread(Path(saved).read_text, encoding="utf-8-sig")


async def _no_page_overflow(page: Page) -> None:
    """Nothing makes the page itself scroll sideways (a wide table scrolls inside its box)."""
    wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} is {wide}px wider than the screen"


async def _shot(page: Page, selector: str, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.locator(selector).first.screenshot(path=str(ARTIFACTS / name))


async def _supervision_section(page: Page, base: str, size: str) -> None:
    await page.goto(f"{base}/dashboard")
    section = '[data-testid="supervision"]'
    by_county = f'{section} [data-testid="tasks-by-county"] tr[data-county="{A}"]'
    assert await _cells(page, by_county) == ["德城区", "2", "1", "1", "0", "1"]
    visits = f'{section} [data-testid="inspections"] tr[data-county="{A}"]'
    assert await _cells(page, visits) == ["德城区", "2", "1", "50.0%", "1"]
    failed = f'{section} [data-testid="rechecks-county"] tr[data-county="{B}"]'
    assert await _cells(page, failed) == ["陵城区", "0", "0", "1", "1"]
    unit = f'{section} [data-testid="rechecks-unit"] tr[data-unit="{A}-fpb"]'
    assert (await _cells(page, unit))[1:] == ["0", "1", "0", "0"]
    if size == "desk":  # the page's own download link, by the browser's page session
        text = await _download(page, f'{section} a[href="/dashboard/export/supervision.csv"]')
        assert "督办任务（县市区）" in text and "回头看（承办单位）" in text
    await _no_page_overflow(page)
    await _shot(page, section, f"reporting-supervision-{size}.png")


async def _drilled(page: Page, base: str) -> None:
    """A county's page shows its own supervision figures, a unit's page the unit's."""
    await page.goto(f"{base}/dashboard/county/{B}")
    section = '[data-testid="supervision"]'
    assert await _cells(page, f'{section} [data-testid="tasks-by-county"] tbody tr') == [
        "陵城区", "1", "0", "0", "0", "0",
    ]  # fmt: skip
    failed = f'{section} [data-testid="rechecks-county"] tbody tr'
    assert await _cells(page, failed) == ["陵城区", "0", "0", "1", "1"]
    assert await page.locator(f'{section} [data-testid="inspections"]').count() == 0  # none
    assert await page.locator(f"{section} a[download]").count() == 0  # the exports: overview
    await _no_page_overflow(page)
    await page.goto(f"{base}/dashboard/unit/{A}-fpb")
    tasks = f'{section} [data-testid="tasks-by-unit"] tbody tr'
    assert await _cells(page, tasks) == ["（一）", "德城区扶贫办", "2", "1", "1", "0", "1"]
    await _shot(page, section, "reporting-supervision-unit-desk.png")


async def _programme_view(page: Page, base: str, size: str, only: str | None = None) -> None:
    await page.goto(f"{base}/dashboard/programmes")
    assert await page.title() == "妇联项目 · 德州市扶贫领域作风问题专项治理"
    aid = f'[data-testid="aid"] tr[data-county="{A}"]'
    assert await _cells(page, aid) == ["德城区", "3", "1", "2", "15000", "66.7%"]
    gaps = f'[data-testid="programme-coverage"] tr[data-county="{A}"]'
    assert await _cells(page, gaps) == ["德城区", "50.0%", "红星村"]
    homes = f'[data-testid="programme-homes"] tr[data-county="{A}"]'
    assert await _cells(page, homes) == ["德城区", "2", "50.0%", "0", "1", "1", "80"]
    if size == "desk":
        text = await _download(page, 'a[href="/dashboard/export/programmes.csv"]')
        assert text.startswith("县市区,两癌救助申请") and "德城区,3,1,2,15000" in text
    counties = await page.locator('[data-testid="aid"] tbody tr').count()
    assert (counties == 1) if only else (counties > 2)
    text = await page.locator("main").inner_text()
    assert not [secret for secret in NOT_KEPT if secret in text]
    await page.screenshot(path=str(ARTIFACTS / f"reporting-programmes-{size}.png"), full_page=True)
    assert await serious_violations(page) == []
    await _no_page_overflow(page)


async def _alerts_page(page: Page, base: str) -> None:
    await page.goto(f"{base}/dashboard/alerts")
    duties = page.locator('[data-testid="alerts"] td[data-responsibility]')
    assert sorted(await duties.all_inner_texts()) == ["主体责任", "监督责任"]
    await page.select_option("#responsibility", "supervision")
    await page.click('[data-testid="responsibility-filter"] button')
    await page.wait_for_url(f"{base}/dashboard/alerts?responsibility=supervision")
    assert await duties.all_inner_texts() == ["监督责任"]
    assert await page.locator("#responsibility").input_value() == "supervision"
    await _shot(page, "main section", "reporting-alerts-responsibility-desk.png")
