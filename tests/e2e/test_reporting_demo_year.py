"""Done-when of issue 25: a seeded demo year (`zuofeng demo`'s walk, small) through the four
services' public APIs with their clock moved day by day; then in Debian's Chromium (zh-CN,
1366x768) the dashboard, a county page and a unit page: every chart has its axes, labels and
data table, the figures equal GET /api/v1/stats, screenshots go to docs/screenshots/; and the
briefing of a demo month opens as .docx and PDF with the stats API's figures."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from playwright.async_api import Page, async_playwright

from services.cli.demo_run import Demo, Tally, Target
from services.cli.movable_clock import MovableClock
from shared.auth import issue_token
from shared.directory import load_directory
from shared.natsserver import start_nats
from shared.taxonomy import load_taxonomy
from tests.e2e.briefing_files import docx_tables, expected_rows, pdf_text, table_rows
from tests.e2e.stack import SECRET, Stack, running_stack
from tests.e2e.test_reporting_dashboard import CHROMIUM, FLAGS
from tests.integration.busutil import eventually
from tests.officials_desk import signed_in
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
START, MONTH = date(2018, 1, 1), "2018-05"
MONTHS = int(os.environ.get("DEMO_MONTHS", "12"))
DIRECTORY = load_directory()
COUNTY_NAMES = dict(DIRECTORY.counties())


def tokens(unit: str, role: str) -> dict[str, str]:
    signed = issue_token(
        SECRET, unit=unit, role=role, sub=f"demo:{role}@{unit}", ttl=timedelta(hours=1)
    )
    return {"Authorization": f"Bearer {signed}"}


CITY = tokens("city-fpb", "city_office")


@pytest.fixture
def demo_databases(pg_server: PgServer) -> dict[str, str]:
    return {
        n: in_thread(pg_server.create_database())
        for n in ("intake", "cases", "notify", "reporting")
    }


@asynccontextmanager
async def _demo_stack(
    tmp_path: Path, databases: dict[str, str]
) -> AsyncIterator[tuple[Stack, MovableClock, str]]:
    server = start_nats(tmp_path / "nats")
    clock = MovableClock(tmp_path / "var")
    (tmp_path / "var").mkdir()
    try:
        async with running_stack(
            server.url, databases, tmp_path / "var", linked=True,
            extra={"cases": {"sweep_interval": 1.0}},
            factories={"intake": {"clock": clock}, "cases": {"now": clock}},
        ) as stack:  # fmt: skip
            stack.apps["reporting"].state.context.clock = clock  # type: ignore[attr-defined]
            yield stack, clock, server.url
    finally:
        server.stop()


async def test_a_demo_year_fills_the_dashboard(
    demo_databases: dict[str, str], tmp_path: Path
) -> None:
    async with _demo_stack(tmp_path, demo_databases) as (stack, clock, nats_url):
        target = Target(stack.urls["intake"], stack.urls["cases"], stack.urls["reporting"])
        demo = Demo(target, tokens, clock, DIRECTORY, load_taxonomy(), random.Random(7))
        began = time.monotonic()
        tally = await demo.run(START, MONTHS, 3, lambda done, total: None)
        spent = time.monotonic() - began
        print(f"demo: {tally.reports} reports, {tally.actions} actions, {spent:.0f} s")
        clock.reset()
        base = stack.urls["reporting"]
        async with httpx.AsyncClient(base_url=base, headers=CITY, timeout=60) as http:
            totals = await _settled(http, tally)
            await _year_is_full(totals, tally)
            api = {
                "county": (await http.get("/api/v1/stats")).json(),
                "month": (
                    await http.get(
                        "/api/v1/stats", params={"group_by": "period", "period": "month"}
                    )
                ).json(),
            }
            await _briefing(http)
        nc = await nats.connect(nats_url)
        try:
            signed = await signed_in(
                nc.jetstream(), stack.settings["reporting"], "city-fpb", "city_office"
            )
        finally:
            await nc.close()
        await _in_chromium(base, signed.browser_cookie(base), api, tmp_path)


async def _settled(http: httpx.AsyncClient, tally: Tally) -> dict[str, Any]:
    """Reporting has every report, and the sweeps have marked the missed deadlines."""

    async def counted() -> bool:
        found = (await http.get("/api/v1/stats")).json()["totals"]
        return bool(found["received"] == tally.reports and found["overdue"] > 0)

    await eventually(counted, timeout=60)
    # The sweeps mark the deadlines the year's end has passed: equal figures 2 s apart.
    before: dict[str, Any] = {}
    for _ in range(30):
        found = (await http.get("/api/v1/stats")).json()["totals"]
        if found == before:
            return found
        before = found
        await asyncio.sleep(2)
    raise AssertionError(f"figures still moving: {before}")


async def _year_is_full(totals: dict[str, Any], tally: Tally) -> None:
    assert tally.refused == 0, tally.refusals
    for field in ("cases", "accepted", "rejected", "substantiated", "rectified", "overdue",
                  "transferred", "exposed"):  # fmt: skip
        assert totals[field] > 0, (field, totals)


async def _briefing(http: httpx.AsyncClient) -> None:
    first, last = f"{MONTH}-01", f"{MONTH}-31"
    stats = (await http.get("/api/v1/stats", params={"from": first, "to": last})).json()
    assert stats["totals"]["received"] > 0
    docx = await http.get("/dashboard/briefing", params={"month": MONTH})
    pdf = await http.get("/dashboard/briefing", params={"month": MONTH, "format": "pdf"})
    expected = expected_rows(stats, lambda k: COUNTY_NAMES.get(k, k))
    assert table_rows(docx_tables(docx.content)[0]) == expected
    printed = pdf_text(pdf.content).replace("\n", "")
    for name, figures in expected.items():
        assert name + "".join(figures) in printed, name


async def _in_chromium(base: str, cookie: Any, api: dict[str, Any], tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            context = await browser.new_context(
                locale="zh-CN", viewport={"width": 1366, "height": 768}
            )
            await context.add_cookies([cookie])
            page = await context.new_page()
            await page.goto(f"{base}/dashboard")
            await _charts_are_whole(page, minimum=9)
            await _tables_equal_api(page, api)
            await page.screenshot(path=str(SHOTS / "dashboard-demo-year.png"), full_page=True)
            busiest = max(api["county"]["groups"], key=lambda g: g["cases"])["key"]
            await page.click(f'[data-testid="by-county"] g[data-label="{COUNTY_NAMES[busiest]}"] a')
            await page.wait_for_url(f"{base}/dashboard/county/{busiest}")
            await _charts_are_whole(page, minimum=5)
            await page.screenshot(path=str(SHOTS / "dashboard-county.png"), full_page=True)
            await page.locator('[data-testid="by-unit"] a').first.click()
            await page.wait_for_url(f"{base}/dashboard/unit/**")
            await _charts_are_whole(page, minimum=4)
            assert await page.locator('[data-testid="cases"] tbody tr').count() > 0
            await page.screenshot(path=str(SHOTS / "dashboard-unit.png"), full_page=True)
        finally:
            await browser.close()


async def _charts_are_whole(page: Page, minimum: int) -> None:
    """Each chart: an SVG with a title, an axis, tick labels, and a table with figures."""
    figures = page.locator("figure.chart-box")
    assert await figures.count() >= minimum
    for i in range(await figures.count()):
        figure = figures.nth(i)
        name = await figure.get_attribute("data-chart")
        if await figure.locator("svg").count() == 0:
            continue  # a chart with no figures says so (e.g. no alerts): no axes to check
        svg = figure.locator("svg")
        assert await svg.locator("title").count() >= 1, name
        if name != "heat":
            assert await svg.locator("line.axis").count() >= 1, name
        assert await svg.locator("text").count() >= 3, name
        assert await figure.locator("table tbody tr").count() >= 1, name


async def _tables_equal_api(page: Page, api: dict[str, Any]) -> None:
    county_rows = await _table(page, "by-county")
    for g in api["county"]["groups"]:
        assert county_rows[COUNTY_NAMES.get(g["key"], g["key"])] == [
            str(g["cases"]),
            str(g["substantiated"]),
        ]
    monthly = await _table(page, "monthly")  # quiet months stand on the axis as zeros
    assert {k: v for k, v in monthly.items() if v != ["0", "0"]} == {
        g["key"]: [str(g["received"]), str(g["cases"])] for g in api["month"]["groups"]
    }
    assert len(monthly) == 12
    for key in ("received", "cases", "overdue", "exposed"):
        card = page.locator(f'[data-testid="totals"] [data-metric="{key}"] .v')
        assert (await card.inner_text()).strip() == str(api["county"]["totals"][key])


async def _table(page: Page, testid: str) -> dict[str, list[str]]:
    rows = page.locator(f'table[data-table="{testid}"] tbody tr')
    out = {}
    for i in range(await rows.count()):
        cells = [c.strip() for c in await rows.nth(i).locator("th, td").all_text_contents()]
        out[cells[0]] = cells[1:]
    return out
