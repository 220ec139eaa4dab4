"""The officials' pages in real headless Chromium at 1366×768, zh-CN, against the four services,
each person signed in through cases' sign-in page with a password (and the second factor where
the role needs one, enrolled on first sign-in with the code computed from the secret the page
shows): a clerk enters two hotline calls at the desk, the officer and the leader take one to
closure (with an extension approved on the leader's approvals page) and transfer the other,
which discipline inspection closes after revealing the reporter for a stated reason; the city
office classifies and assigns an unclear one from triage; the supervisor and the auditor use
their pages. A second test shows that an officer of the accused unit and an officer of another
county reach the case from no page. axe-core finds nothing serious; screenshots of the
workbench, a case page and the triage page go to docs/screenshots/."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pyotp
import pytest
from playwright.async_api import Browser, Page, async_playwright

from services.cases.signin import accounts, totp
from shared.natsserver import start_nats
from tests.e2e.pages_browser import serious_violations
from tests.e2e.stack import Stack, running_stack
from tests.e2e.test_reporting_dashboard import CHROMIUM, FLAGS
from tests.integration.busutil import eventually

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery staple"
# login: (unit, role, name)
PEOPLE = {
    "wang.clerk": ("371402-fpb", "clerk", "王登记"),
    "li.officer": ("371402-fpb", "officer", "李承办"),
    "zhang.leader": ("371402-fpb", "leader", "张分管"),
    "liu.supervisor": ("371402-lg", "supervisor", "刘督查"),
    "zhao.jw": ("371402-jw", "inspector", "赵纪检"),
    "sun.audit": ("city-fpb", "auditor", "孙审计"),
    "zhou.city": ("city-fpb", "city_office", "周市办"),
    "chen.other": ("371403-fpb", "officer", "陈陵城"),
}
STAYS = "我们村的驻村工作队员一个月就来一两次，平时根本不在村里住，群众有事找不到人。"
MOVES = "驻村干部虚报帮扶台账，套取扶贫资金，群众很有意见。"
UNCLEAR = "有个事情想反映一下，具体情况当面再说。"
ACCUSED = "德城区扶贫办的干部搞形式主义，材料层层加码，以会议落实会议。"


@asynccontextmanager
async def _stack(tmp_path: Path, databases: dict[str, str]) -> AsyncIterator[Stack]:
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with running_stack(nats_server.url, databases, tmp_path / "var", linked=True) as s:
            ctx = s.apps["cases"].state.context  # type: ignore[attr-defined]
            for login, (unit, role, name) in PEOPLE.items():
                await accounts.add(ctx, login, unit, role, name, PASSWORD)
            yield s
    finally:
        nats_server.stop()


@asynccontextmanager
async def _chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def _sign_in(browser: Browser, stack: Stack, login: str, then: str) -> Page:
    """A person's own browser, signed in through the sign-in page, on `then`."""
    return await sign_in_as(browser, stack, login, PEOPLE[login][1], then)


async def sign_in_as(browser: Browser, stack: Stack, login: str, role: str, then: str) -> Page:
    """A browser at 1366×768 signed in as `login` (password PASSWORD) through cases' sign-in
    page, with the second factor enrolled from the secret the page shows where `role` needs
    one; on `then`."""
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = await context.new_page()
    await page.goto(f"{stack.urls['cases']}/signin?next={then}")
    await page.get_by_label("登录名").fill(login)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    if role in totp.REQUIRED_FOR:
        await page.wait_for_url("**/signin/totp**")
        secret = await page.locator("#totp-secret").inner_text()
        await page.get_by_label("6位验证码").fill(pyotp.TOTP(secret).at(time.time()))
        await page.get_by_role("button", name="验证").click()
    await page.wait_for_url(then.split("?")[0] + "**")
    return page


async def _act(page: Page, action: str, **fields: str) -> None:
    """Fill one action's form on the case page and send it; the page says it is saved."""
    form = page.locator(f"#a-{action}")
    for name, value in fields.items():
        control = form.locator(f"[name={name}]").first
        kind = await control.evaluate("e => e.tagName + ':' + (e.type || '')")
        if kind.startswith("SELECT"):
            await control.select_option(value)
        elif kind.endswith(":radio"):
            await form.locator(f"[name={name}][value={value}]").check()
        else:
            await control.fill(value)
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    assert "已保存" in await page.content(), action


async def _desk(page: Page, content: str, named: bool = False, subject: str = "") -> str:
    """The clerk enters a hotline call at the desk; the tracking code on the receipt."""
    await page.locator("#county").select_option("371402")
    await page.locator("#content").fill(content)
    if subject:
        await page.locator("#subject_unit").fill(subject)
    if named:
        await page.locator("#named").check()
        await page.locator("#name").fill("韩梅梅")
        await page.locator("#phone").fill("13800000000")
    await page.locator("#register").click()
    code = await page.get_by_test_id("tracking-code").inner_text()
    assert code.strip()
    await page.goto(page.url.split("/desk")[0] + "/desk")  # ready for the next call
    return code.strip()


async def _open_from_workbench(page: Page, stack: Stack, words: str) -> str:
    """The officer's workbench, searched until the call's case is there; opens it."""
    link = page.locator("table a[href^='/case/']")

    async def listed() -> bool:
        await page.goto(f"{stack.urls['cases']}/workbench?q={words}")
        return await link.count() == 1

    await eventually(listed, timeout=30)
    await link.click()
    await page.wait_for_url("**/case/**")
    return page.url.rsplit("/case/", 1)[1].split("?")[0]


async def test_cases_walked_through_the_pages_by_each_role(
    tmp_path: Path, stack_databases: dict[str, str]
) -> None:
    async with _stack(tmp_path, stack_databases) as stack, _chromium() as browser:
        cases, intake = stack.urls["cases"], stack.urls["intake"]
        clerk = await _sign_in(browser, stack, "wang.clerk", f"{intake}/desk")
        assert await serious_violations(clerk) == []
        await _desk(clerk, STAYS)
        await _desk(clerk, MOVES, named=True)
        await _desk(clerk, UNCLEAR)

        # One case to closure: the officer accepts and asks for more time, the leader approves
        # it from the approvals page, the officer investigates, concludes and closes.
        officer = await _sign_in(browser, stack, "li.officer", f"{cases}/workbench")
        assert await serious_violations(officer) == []
        await officer.screenshot(path=str(SHOTS / "officials-workbench.png"))
        stays = await _open_from_workbench(officer, stack, "驻村工作队员")
        assert await serious_violations(officer) == []
        await officer.screenshot(path=str(SHOTS / "officials-case.png"))
        assert "韩梅梅" not in await officer.content()
        await _act(officer, "accept")
        await _act(officer, "request-extension", days="10", reason="需要走访全部农户核实")
        leader = await _sign_in(browser, stack, "zhang.leader", f"{cases}/approvals")
        assert await serious_violations(leader) == []
        await leader.click(f"a[href^='/case/{stays}']")
        await _act(leader, "decide-extension", approve="yes", reason="同意")
        await officer.goto(f"{cases}/case/{stays}")
        await _act(officer, "start-investigation")
        await _act(
            officer, "conclude", finding="unsubstantiated", summary="经核查，队员按规定在岗。"
        )
        await _act(officer, "close")
        assert "已结案" in await officer.content()

        # One case transferred to discipline inspection, which reveals the named reporter for a
        # stated reason (shown once) and closes it.
        moves = await _open_from_workbench(officer, stack, "虚报帮扶台账")
        await _act(officer, "transfer", to="discipline_inspection", reason="涉嫌违纪，移送纪委监委")
        assert "已移送" in await officer.content()
        inspector = await _sign_in(browser, stack, "zhao.jw", f"{cases}/case/{moves}")
        await inspector.locator("#a-reveal [name=reason]").fill("核实举报内容需联系举报人")
        await inspector.locator("#a-reveal button[type=submit]").click()
        await inspector.wait_for_load_state()
        assert "韩梅梅" in await inspector.content()
        await inspector.goto(f"{cases}/case/{moves}")
        assert "韩梅梅" not in await inspector.content()  # shown once
        await _act(inspector, "close")
        assert "已结案" in await inspector.content()

        # The city office: the transfer is on its list; the unclear call is classified and
        # assigned from triage.
        city = await _sign_in(browser, stack, "zhou.city", f"{cases}/transfers")
        assert moves[:8] in await city.content()
        await city.goto(f"{cases}/triage")
        assert await serious_violations(city) == []
        await city.screenshot(path=str(SHOTS / "officials-triage.png"))
        await city.locator("table a[href^='/case/']").first.click()
        await _act(city, "reclassify", problem="18")
        await _act(city, "assign", unit="371402-fpb")

        supervisor = await _sign_in(browser, stack, "liu.supervisor", f"{cases}/approvals")
        assert await supervisor.locator("h1").count() == 1
        assert await serious_violations(supervisor) == []
        auditor = await _sign_in(browser, stack, "sun.audit", f"{cases}/audit")
        await auditor.locator("#a-verify").check()
        verify_form = auditor.locator("form", has=auditor.locator("#a-verify"))
        await verify_form.locator("button[type=submit]").click()
        await auditor.wait_for_load_state()
        assert "审计日志完整" in await auditor.locator("#verdict").inner_text()


async def test_the_accused_unit_and_another_county_reach_the_case_from_no_page(
    tmp_path: Path, stack_databases: dict[str, str]
) -> None:
    async with _stack(tmp_path, stack_databases) as stack, _chromium() as browser:
        cases, intake = stack.urls["cases"], stack.urls["intake"]
        clerk = await _sign_in(browser, stack, "wang.clerk", f"{intake}/desk")
        await _desk(clerk, ACCUSED, subject="德城区扶贫办")
        city = await _sign_in(browser, stack, "zhou.city", f"{cases}/workbench")
        case_id = await _open_from_workbench(city, stack, "层层加码")
        assert "德城区扶贫办" in await city.content()  # the accused, named on the case

        for login in ("li.officer", "chen.other"):  # the accused unit's officer; Lingcheng's
            page = await _sign_in(browser, stack, login, f"{cases}/workbench")
            for words in ("层层加码", case_id[:8]):
                await page.goto(f"{cases}/workbench?q={words}")
                assert await page.locator("table a[href^='/case/']").count() == 0, login
            pages = itertools.chain(
                [f"{cases}/case/{case_id}"],
                (f"{cases}/{p}" for p in ("approvals", "triage", "transfers", "exposure-board")),
            )
            for url in pages:
                answer = await page.goto(url)
                assert answer is not None and answer.status in (403, 404), (login, url)
                assert "层层加码" not in await page.content(), (login, url)
            # Nor by sending an action's form (its token is the person's own).
            token = await page.evaluate(
                "() => fetch('/workbench').then(r => r.text())"
                '.then(t => (t.match(/name="csrf" value="([^"]+)"/) || [])[1])'
            )
            status = await page.evaluate(
                "([url, token]) => fetch(url, {method: 'POST', body: new URLSearchParams("
                "{csrf: token, text: '看看'})}).then(r => r.status)",
                [f"/case/{case_id}/note", token],
            )
            assert status == 404, login
