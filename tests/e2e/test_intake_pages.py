"""The public pages in real headless Chromium at 390×844, zh-CN, against the four services:
an anonymous report with a photo, its receipt, the case followed on the tracking page through
acceptance and closure, a review asked within the window; a named report whose name and phone
appear nowhere in clear (pages, logs, var/). Accessibility by axe-core, page weight measured."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Page

from shared.natsserver import start_nats
from tests.e2e.pages_browser import Weight, phone, serious_violations, shot
from tests.e2e.stack import Stack, running_stack, token
from tests.integration.busutil import eventually

pytestmark = pytest.mark.e2e
CONTENT = "我们村的驻村工作队员一个月就来一两次，平时根本不在村里住，群众有事找不到人。"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000
NAME, PHONE_NUMBER = "欧阳明月", "13912345678"


async def test_the_public_pages_in_chromium(
    tmp_path: Path,
    stack_databases: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ZUOFENG_INTAKE_LOOKUP_RATE", "0")  # the test polls the tracking page
    caplog.set_level(logging.DEBUG)
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack,
            phone(tmp_path) as browser,
            httpx.AsyncClient(timeout=10) as http,
        ):
            page = await browser.new_page()
            code = await _anonymous_report(page, stack.urls["intake"])
            await _followed_to_review(page, http, stack, code)
            await _named_report(page, stack.urls["intake"])
    finally:
        nats_server.stop()
    _nowhere_in_clear(caplog.text, tmp_path / "var")


async def _anonymous_report(page: Page, intake: str) -> str:
    weight = Weight(page)
    await page.goto(f"{intake}/")
    await page.wait_for_load_state("networkidle")
    assert weight.total < 100_000, weight.sizes
    print(f"report form page weight: {weight.total} bytes")  # noqa: T201
    assert await serious_violations(page) == []
    await page.select_option("#county", "371402")
    await page.select_option("#category_hint", "7")
    await page.fill("#subject_unit", "黄河涯镇")
    await page.fill("#content", CONTENT)
    await page.set_input_files("#files", files=[_photo()])
    await page.wait_for_selector("#altcha[data-solved]", state="attached", timeout=60_000)
    await shot(page, "intake-report-form.png")
    await page.click("#send")
    code = (await page.locator('[data-testid="tracking-code"]').inner_text()).strip()
    assert len(code) == 24 and "唯一凭证" in await page.content()
    assert await page.locator("#copy").inner_text() == "复制查询码"  # the script shows it
    assert await serious_violations(page) == []
    await shot(page, "intake-receipt.png")
    return code


def _photo() -> dict[str, Any]:
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": JPEG}


async def _track(page: Page, intake: str, code: str) -> str:
    await page.goto(f"{intake}/track")
    await page.fill("#code", code.lower().replace("-", " "))  # as people type it
    await page.click("form[action='/track'] button")
    return str(await page.locator('[data-testid="status"]').get_attribute("data-status"))


async def _followed_to_review(page: Page, http: httpx.AsyncClient, stack: Stack, code: str) -> None:
    intake, cases, city = (
        stack.urls["intake"],
        stack.urls["cases"],
        token("city-fpb", "city_office"),
    )

    async def opened() -> bool:
        return (await http.get(f"{cases}/api/v1/cases", headers=city)).json()["total"] == 1

    await eventually(opened, timeout=20)
    case = (await http.get(f"{cases}/api/v1/cases", headers=city)).json()["items"][0]
    officer = token(case["handling_unit"], "officer")
    conclude = {"finding": "unsubstantiated", "summary": "经核查，队员按规定驻村"}
    for action, body, status in [
        ("accept", None, "accepted"),
        ("start-investigation", None, "investigating"),
        ("conclude", conclude, "concluded"),
        ("close", None, "closed"),
    ]:
        headers = {**officer, "If-Match": str(case["version"])}
        answer = await http.post(
            f"{cases}/api/v1/cases/{case['id']}/{action}", headers=headers, json=body
        )
        assert answer.status_code == 200, answer.text
        case = answer.json()

        async def shown(status: str = status) -> bool:
            return await _track(page, intake, code) == status

        await eventually(shown, timeout=20)
        if action == "accept":
            await _deadline_shown(page, case)
    assert await page.locator('[data-testid="deadline"]').count() == 0  # closed: none runs
    assert "经核查，队员按规定驻村" in await page.content()
    assert await page.locator('[data-testid="review-until"]').count() == 1
    await page.fill("#reason", "队员仍然不在村里住，请再核查。")
    await shot(page, "intake-track.png")
    assert await serious_violations(page) == []
    await page.click("form[action='/track/review'] button")
    assert await page.locator("p.ok").count() == 1
    assert await page.locator('[data-testid="status"]').get_attribute("data-status") in (
        "closed",
        "review_requested",
        "investigating",
    )


async def _deadline_shown(page: Page, case: dict[str, Any]) -> None:
    """After acceptance the page shows the handling deadline cases set, as a day there."""
    [handle] = [d for d in case["deadlines"] if d["kind"] == "handle"]
    due = datetime.fromisoformat(handle["due"]).astimezone(ZoneInfo("Asia/Shanghai"))
    shown = page.locator('[data-testid="deadline"]')
    assert await shown.get_attribute("data-kind") == "handle"
    assert await shown.inner_text() == f"办理期限：{due.year}年{due.month}月{due.day}日"
    assert datetime.fromisoformat(str(await shown.locator("time").get_attribute("datetime"))) == (
        due
    )


async def _named_report(page: Page, intake: str) -> None:
    await page.goto(f"{intake}/")
    await page.select_option("#county", "371403")
    await page.fill("#content", "村里低保名单优亲厚友，村干部亲属都在名单上，真正困难的没评上。")
    await page.check("#named")
    await page.fill("#name", NAME)
    await page.fill("#phone", PHONE_NUMBER)
    await page.click("#send")
    code = (await page.locator('[data-testid="tracking-code"]').inner_text()).strip()
    receipt = await page.content()
    await _track(page, intake, code)
    for source in (receipt, await page.content()):
        assert NAME not in source and PHONE_NUMBER not in source


def _nowhere_in_clear(logs: str, var: Path) -> None:
    assert NAME not in logs and PHONE_NUMBER not in logs
    for path in var.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert NAME.encode() not in data and PHONE_NUMBER.encode() not in data, path
