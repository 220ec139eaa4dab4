"""The officials' case pages in real headless Chromium at 1366×768, zh-CN, against the four
services: one case walked from report to closure and one to a transfer closed by discipline
inspection, through the pages only (signed in with tests/officials.py's session cookie until the
sign-in form is merged); axe-core finds nothing serious; screenshots of the workbench, a case
page and the triage page go to docs/screenshots/."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, async_playwright

from shared.natsserver import start_nats
from tests.e2e.pages_browser import serious_violations
from tests.e2e.stack import Stack, running_stack
from tests.e2e.test_reporting_dashboard import CHROMIUM, FLAGS
from tests.integration.busutil import eventually
from tests.officials import session_token
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DECHENG = "371402-fpb"
CONTENT = "我们村的驻村工作队员一个月就来一两次，平时根本不在村里住，群众有事找不到人。"


@pytest.fixture
def stack_databases(pg_server: PgServer) -> dict[str, str]:
    names = ("intake", "cases", "notify", "reporting")
    return {name: in_thread(pg_server.create_database()) for name in names}


async def test_cases_walked_through_the_pages(
    tmp_path: Path, stack_databases: dict[str, str]
) -> None:
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack,
            async_playwright() as pw,
            httpx.AsyncClient(timeout=10) as http,
        ):
            browser = await pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
                locale="zh-CN", viewport={"width": 1366, "height": 768},
            )  # fmt: skip
            try:
                closed = await _report(http, stack, CONTENT)
                moved = await _report(http, stack, "驻村干部虚报帮扶台账，套取扶贫资金。")
                unclear = await _report(http, stack, "有个事情想反映一下，具体情况当面再说。")
                page = await browser.new_page()
                await _to_closure(page, browser, stack, closed)
                await _to_transfer(page, browser, stack, moved)
                await _triage(page, browser, stack, unclear)
            finally:
                await browser.close()
    finally:
        nats_server.stop()


async def _report(http: httpx.AsyncClient, stack: Stack, content: str) -> str:
    """A web report (the public's step); the case id it opened."""
    body = {"channel": "web", "county": "371402", "content": content}
    assert (await http.post(f"{stack.urls['intake']}/api/v1/reports", json=body)).is_success
    app = stack.apps["cases"]
    found: list[str] = []

    async def opened() -> bool:
        from sqlalchemy import select

        from services.cases.models import cases

        async with app.state.context.db.sessions() as session:  # type: ignore[attr-defined]
            rows = (await session.execute(select(cases.c.id, cases.c.content))).all()
        found[:] = [i for i, text in rows if text == content]
        return bool(found)

    await eventually(opened, timeout=20)
    return found[0]


async def _as(browser: BrowserContext, stack: Stack, unit: str, role: str) -> None:
    await browser.clear_cookies()
    value = await session_token(stack.apps["cases"], unit, role)  # type: ignore[arg-type]
    url = stack.urls["cases"]
    await browser.add_cookies([{"name": "zuofeng_session", "value": value, "url": url}])


async def _act(page: Page, action: str, **fields: str) -> None:
    form = page.locator(f"#a-{action}")
    for name, value in fields.items():
        control = form.locator(f"[name={name}]")
        if await control.evaluate("e => e.tagName") == "SELECT":
            await control.select_option(value)
        else:
            await control.fill(value)
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    assert "已保存" in await page.content(), action


async def _to_closure(page: Page, browser: BrowserContext, stack: Stack, cid: str) -> None:
    await _as(browser, stack, DECHENG, "officer")
    await page.goto(f"{stack.urls['cases']}/workbench")
    assert await serious_violations(page) == []
    await page.screenshot(path=str(SHOTS / "officials-workbench.png"), full_page=False)
    await page.click(f"a[href^='/case/{cid}']")
    assert await serious_violations(page) == []
    await page.screenshot(path=str(SHOTS / "officials-case.png"), full_page=False)
    await _act(page, "accept")
    await _act(page, "start-investigation")
    await _act(page, "conclude", finding="unsubstantiated", summary="经核查，队员按规定在岗。")
    await _act(page, "close")
    assert "已结案" in await page.content()


async def _to_transfer(page: Page, browser: BrowserContext, stack: Stack, cid: str) -> None:
    await _as(browser, stack, DECHENG, "officer")
    await page.goto(f"{stack.urls['cases']}/case/{cid}")
    await _act(page, "transfer", to="discipline_inspection", reason="涉嫌违纪，移送纪委监委")
    assert "已移送" in await page.content()
    await _as(browser, stack, "371402-jw", "inspector")
    await page.goto(f"{stack.urls['cases']}/case/{cid}")
    await _act(page, "close")
    assert "已结案" in await page.content()


async def _triage(page: Page, browser: BrowserContext, stack: Stack, cid: str) -> None:
    await _as(browser, stack, "city-fpb", "city_office")
    await page.goto(f"{stack.urls['cases']}/triage")
    assert await serious_violations(page) == []
    await page.screenshot(path=str(SHOTS / "officials-triage.png"), full_page=False)
    await page.click(f"a[href^='/case/{cid}']")
    await _act(page, "reclassify", problem="18")
    await _act(page, "assign", unit=DECHENG)
