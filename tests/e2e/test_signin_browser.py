"""Signing in in Chromium (issue 17): an inspector's password, first-time TOTP enrolment
(the secret read off the page, the code computed with pyotp), and the browser lands on another
service's page (reporting's `/dashboard`) holding a session every service honours."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest

from services.cases.signin import accounts
from shared.natsserver import start_nats
from shared.websession import decode_session
from tests.e2e.pages_browser import phone, serious_violations
from tests.e2e.stack import running_stack

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


async def test_password_and_totp_sign_in_lands_on_another_service(
    tmp_path: Path, stack_databases: dict[str, str]
) -> None:
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(nats_server.url, stack_databases, tmp_path / "var", linked=True) as stack,
            phone(tmp_path) as browser,
        ):
            cases, reporting = stack.urls["cases"], stack.urls["reporting"]
            ctx = stack.apps["cases"].state.context  # type: ignore[attr-defined]
            await accounts.add(ctx, "zhao.jw", "371402-jw", "inspector", "赵纪检", PASSWORD)

            page = await browser.new_page()
            await page.goto(f"{cases}/signin?next={reporting}/dashboard")
            assert await serious_violations(page) == []
            await page.get_by_label("登录名").fill("zhao.jw")
            await page.get_by_label("密码").fill("not the password")
            await page.get_by_role("button", name="登录").click()
            assert "登录名或密码不正确" in await page.locator("#signin-error").inner_text()
            await page.get_by_label("密码").fill(PASSWORD)
            await page.get_by_role("button", name="登录").click()
            await page.wait_for_url(f"{cases}/signin/totp**")
            assert await page.locator(".qr svg").count() == 1
            assert await serious_violations(page) == []
            secret = await page.locator("#totp-secret").inner_text()
            await page.get_by_label("6位验证码").fill(pyotp.TOTP(secret).now())
            await page.get_by_role("button", name="验证").click()
            await page.wait_for_url(f"{reporting}/dashboard")

            cookies = {c["name"]: c["value"] for c in await browser.cookies(reporting)}
            websession = stack.apps["reporting"].state.websession  # type: ignore[attr-defined]
            claims = decode_session(websession.secret, cookies["zuofeng_session"])
            assert claims is not None and claims.role == "inspector"
            assert claims.method == "password+totp" and claims.unit == "371402-jw"
            assert await websession.store.alive(claims, websession.clock(), websession.idle)
    finally:
        nats_server.stop()
