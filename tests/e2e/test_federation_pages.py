"""The Women's Federation's officials' pages in Debian's headless Chromium, zh-CN, against the
four services and federation (issue 23): a village cadre signs in at cases' sign-in page and
submits two aid applications from the form (each answered with the applicant's receipt); the
city federation's officer finds them in the list, opens one (the only page with the medical and
payment details) and takes it from the eligibility check to disbursement and closure, and
refuses the other with a reason the applicant reads with her receipt. The cadre reaches neither
the list nor an application; the officer's landing page links the federation's pages; the
programme records list what was recorded, children by reference only. axe-core finds nothing
serious; screenshots at 1366×768 and 390×844 go to a temporary directory, not the repository.

Everyone signs in with a password through cases' sign-in page; federation officers, who see
the sealed medical and payment details, with the second factor too (enrolled on first sign-in
with the code computed from the secret the page shows). The city federation's officer, who may
take every step, walks the application; county scope is tested over the API."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page

from services.cases.signin import accounts
from services.federation.main import create_app as federation_app
from services.federation.settings import FederationSettings
from shared import migrate
from shared.natsserver import start_nats
from tests.e2e.pages_browser import serious_violations
from tests.e2e.stack import SECRET, Stack, running_stack, token
from tests.e2e.test_officials_pages import PASSWORD, _chromium, sign_in_as
from tests.pg import PgServer, free_port, in_thread

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("FEDERATION_SHOTS", "/tmp/federation-pages"))
COUNTY = "371422"
CADRE_UNIT = "371422-chaihudian-xiwangzhuang"  # the village committee the cadre works in
PEOPLE = {
    "zhou.fl": ("city-fl", "federation_officer", "周市妇联"),
    "wang.cadre": (CADRE_UNIT, "village_cadre", "王村妇联"),
    "chen.fl": ("371402-fl", "federation_officer", "陈德城区妇联"),  # another county's
}
OFFICER = token("city-fl", "federation_officer")
APPLICANT = {
    "applicant_name": "刘桂英丙丁",
    "household_ref": "HH-371422-0420",
    "certificate_ref": "ZD-2018-4242",
    "hospital": "宁津县人民医院丙",
    "bank": "宁津农商银行",
    "account_holder": "刘桂英丙丁",
    "account_number": "6228480402564890018",
}


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def databases(pg_server: PgServer) -> dict[str, str]:
    names = ("intake", "cases", "notify", "reporting", "federation")
    return {name: in_thread(pg_server.create_database()) for name in names}


@contextlib.asynccontextmanager
async def _stack(tmp_path: Path, databases: dict[str, str]) -> AsyncIterator[tuple[Stack, str]]:
    """The four services and federation, their pages linked as `zuofeng run` links them."""
    nats_server = start_nats(tmp_path / "nats")
    port = free_port()
    federation = f"http://127.0.0.1:{port}"
    extra = {"cases": {"page_origins": {"federation": federation}}}
    try:
        async with running_stack(nats_server.url, databases, tmp_path / "var", extra=extra) as s:
            ctx = s.apps["cases"].state.context  # type: ignore[attr-defined]
            for login, (unit, role, name) in PEOPLE.items():
                await accounts.add(ctx, login, unit, role, name, PASSWORD)
            await asyncio.to_thread(migrate.upgrade, "federation", databases["federation"])
            settings = FederationSettings(
                nats_url=nats_server.url, database_url=databases["federation"],
                var_dir=tmp_path / "var", jwt_secret=SECRET, port=port,
                page_origins={"cases": s.urls["cases"], "federation": federation},
            )  # fmt: skip
            server = uvicorn.Server(
                uvicorn.Config(
                    federation_app(settings), host="127.0.0.1", port=port, log_level="warning"
                )  # fmt: skip
            )
            task = asyncio.create_task(server.serve())
            try:
                async with httpx.AsyncClient() as http:
                    for _ in range(300):
                        with contextlib.suppress(httpx.HTTPError):
                            if (await http.get(f"{federation}/readyz")).status_code == 200:
                                break
                        assert not task.done()
                        await asyncio.sleep(0.1)
                yield s, federation
            finally:
                server.should_exit = True
                await task
    finally:
        nats_server.stop()


async def _sign_in(browser: Browser, stack: Stack, login: str, then: str) -> Page:
    return await sign_in_as(browser, stack, login, PEOPLE[login][1], then)


async def _both_sizes(page: Page, url: str, name: str) -> None:
    """Screenshots of a page at 1366×768 and 390×844 in the person's own browser; at the
    phone's width nothing scrolls sideways."""
    await page.goto(url)
    for width, height in ((1366, 768), (390, 844)):
        await page.set_viewport_size({"width": width, "height": height})
        await page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        scroll = await page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (name, width, scroll)
    await page.set_viewport_size({"width": 1366, "height": 768})


async def _submit(page: Page, village: str, **overrides: str) -> str:
    """The cadre's form filled and sent; the receipt the page shows once."""
    await page.locator("#village_id").select_option(village)
    await page.locator("#diagnosis").select_option(overrides.pop("diagnosis", "cervical"))
    for field, value in (APPLICANT | overrides).items():
        await page.locator(f"#{field}").fill(value)
    await page.locator("#send").click()
    await page.wait_for_load_state()
    receipt = (await page.get_by_test_id("receipt").inner_text()).strip()
    assert len(receipt) >= 8
    return receipt


async def _step(page: Page, action: str, **fields: str) -> None:
    """One step's form on the application page, sent; the page says it is saved."""
    form = page.locator(f"#a-{action}")
    for name, value in fields.items():
        control = form.locator(f"[name={name}]").first
        kind = await control.evaluate("e => e.tagName + ':' + (e.type || '')")
        if kind.startswith("SELECT"):
            await control.select_option(value)
        elif kind.endswith(":checkbox"):
            await control.check()
        else:
            await control.fill(value)
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    assert await page.get_by_test_id("saved").count() == 1, await page.content()


async def _status(http: httpx.AsyncClient, federation: str, receipt: str) -> dict[str, Any]:
    answer = await http.post(f"{federation}/api/v1/aid/status", json={"receipt": receipt})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def _records(http: httpx.AsyncClient, federation: str) -> dict[str, str]:
    """A poor village with a school, a pairing, a home and a nomination; a drive."""

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await http.post(f"{federation}{path}", json=body, headers=OFFICER)
        assert answer.status_code == 201, (path, answer.text)
        return answer.json()  # type: ignore[no-any-return]

    village = await post("/api/v1/villages", {"county": COUNTY, "name": "西王庄村", "poor": True,
                                              "left_behind": True})  # fmt: skip
    vid = village["village_id"]
    school = await post("/api/v1/schools", {"county": COUNTY, "village_id": vid,
                                            "name": "西王庄村四点半学校"})  # fmt: skip
    await post("/api/v1/pairings", {"county": COUNTY, "village_id": vid,
                                    "school_id": school["school_id"],
                                    "child_category": "left_behind",
                                    "volunteer_kind": "cadre"})  # fmt: skip
    await post("/api/v1/homes", {"county": COUNTY, "village_id": vid, "name": "西王庄村妇儿家园",
                                 "functions": ["education", "family"]})  # fmt: skip
    await post("/api/v1/selections", {"county": COUNTY, "village_id": vid, "kind": "best_family",
                                      "year": 2018, "public_name": "张家"})  # fmt: skip
    drive = await post("/api/v1/aid/drives", {"year": 2018, "name": "2018年两癌救助行动",
                                              "budgets": {"city_charity": 20000}})  # fmt: skip
    return {"village": vid, "drive": drive["drive_id"]}


async def test_an_application_from_the_cadres_form_to_disbursement_and_one_refused(
    tmp_path: Path, databases: dict[str, str], shots: Path
) -> None:
    async with (
        _stack(tmp_path, databases) as (stack, fed),
        _chromium() as browser,
        httpx.AsyncClient(timeout=15) as http,
    ):
        ids = await _records(http, fed)

        # The cadre: the form, two applications, each answered with its receipt.
        cadre = await _sign_in(browser, stack, "wang.cadre", f"{fed}/federation/submit")
        assert await serious_violations(cadre) == []
        # A wrong account number: the form again, the field marked, what she typed kept.
        await cadre.locator("#village_id").select_option(ids["village"])
        await cadre.locator("#diagnosis").select_option("cervical")
        for field, value in (APPLICANT | {"account_number": "账号不详"}).items():
            await cadre.locator(f"#{field}").fill(value)
        await cadre.locator("#phone").fill("call me")  # her contact, optional, checked too
        await cadre.locator("#send").click()
        await cadre.wait_for_load_state()
        assert await cadre.locator("#account_number").get_attribute("aria-invalid") == "true"
        assert await cadre.locator("#phone").get_attribute("aria-invalid") == "true"
        assert await cadre.locator("#hospital").input_value() == APPLICANT["hospital"]
        assert await cadre.get_by_test_id("receipt").count() == 0
        await cadre.goto(f"{fed}/federation/submit")
        paid = await _submit(cadre, ids["village"], phone="13800001234")  # sealed to notify
        await cadre.goto(f"{fed}/federation/submit")
        await cadre.locator("#drive_id").select_option(ids["drive"])
        refused = await _submit(cadre, ids["village"], diagnosis="breast",
                                household_ref="HH-371422-0421",
                                applicant_name="赵某某")  # fmt: skip
        assert await serious_violations(cadre) == []
        # She reaches neither the list nor the details.
        await cadre.goto(f"{fed}/federation/applications")
        assert await cadre.get_by_test_id("refusal").count() == 1
        assert "刘桂英丙丁" not in await cadre.content()

        # The city federation's officer: the list, one application, every step.
        officer = await _sign_in(browser, stack, "zhou.fl", f"{fed}/federation/applications")
        assert await serious_violations(officer) == []
        rows = officer.locator("table a[href^='/federation/applications/']")
        assert await rows.count() == 2
        assert "刘桂英丙丁" not in await officer.content()  # no details on the list
        first = (await _status(http, fed, paid))["application_id"]
        await officer.click(f"a[href^='/federation/applications/{first}']")
        await officer.wait_for_url(f"**/federation/applications/{first}**")
        page_text = await officer.content()
        assert "刘桂英丙丁" in page_text and "6228480402564890018" in page_text
        assert await serious_violations(officer) == []
        for width, height in ((1366, 768), (390, 844)):  # the steps' forms, looked at by hand
            await officer.set_viewport_size({"width": width, "height": height})
            await officer.screenshot(path=str(shots / f"application-check-{width}.png"),
                                     full_page=True)  # fmt: skip
        await officer.set_viewport_size({"width": 1366, "height": 768})
        await _step(officer, "check", registered_poor="yes", rural="yes",
                    diagnosis_confirmed="yes")  # fmt: skip
        await _step(officer, "review")
        await _step(officer, "approve", amount="10000", fund_source="city_charity")
        await _step(officer, "disburse", paid_on="2018-09-10", payment_ref="PZ-2018-0917")
        await _step(officer, "close")
        assert "已办结" in await officer.get_by_test_id("status").inner_text()
        assert await officer.locator("form[id^='a-']").count() == 0  # nothing left to do
        told = await _status(http, fed, paid)
        assert (told["status"], told["amount"]) == ("closed", 10000)

        # Another county's federation: neither in its list nor openable (404, no details).
        other = await _sign_in(browser, stack, "chen.fl", f"{fed}/federation/applications")
        assert await other.locator("table a[href^='/federation/applications/']").count() == 0
        await other.goto(f"{fed}/federation/applications/{first}")
        assert await other.get_by_test_id("refusal").count() == 1
        assert "刘桂英丙丁" not in await other.content()
        await other.close()

        # The other refused with the reason she is told.
        second = (await _status(http, fed, refused))["application_id"]
        await officer.goto(f"{fed}/federation/applications/{second}")
        # A form without the session's token is refused; a step the status does not allow is
        # answered on the page with the reason (409), nothing changed.
        steps = f"{fed}/federation/applications/{second}"
        forged = await officer.request.post(f"{steps}/review", form={"lang": ""})
        assert forged.status == 403
        csrf = await officer.locator("#a-refuse [name=csrf]").get_attribute("value")
        early = await officer.request.post(
            f"{steps}/approve", form={"csrf": csrf or "", "amount": "100",
                                      "fund_source": "city_charity"},
        )  # fmt: skip
        assert early.status == 409 and "不允许此操作" in await early.text()
        assert (await _status(http, fed, refused))["status"] == "submitted"
        await _step(officer, "refuse", reason="诊断证明与医院记录不符，请补充材料后重新申请")
        assert "不予救助" in await officer.get_by_test_id("status").inner_text()
        told = await _status(http, fed, refused)
        assert told["status"] == "refused"
        assert told["reason"] == "诊断证明与医院记录不符，请补充材料后重新申请"

        assert await officer.locator("form[id^='a-']").count() == 0

        # The records, children by reference only; the landing page links the pages.
        for kind, expected in (("schools", "西王庄村四点半学校"), ("pairings", "留守儿童"),
                               ("homes", "家庭教育"), ("selections", "张家")):  # fmt: skip
            await officer.goto(f"{fed}/federation/{kind}")
            assert expected in await officer.get_by_test_id("records").inner_text(), kind
        assert await serious_violations(officer) == []
        await officer.goto(f"{fed}/federation/applications/{first}?lang=en")  # English too
        assert await officer.locator("html").get_attribute("lang") == "en"
        assert "closed" in await officer.get_by_test_id("status").inner_text()
        assert "Applicant's details" in await officer.content()
        await officer.goto(f"{stack.urls['cases']}/signin/done")
        links = await officer.locator("main a").evaluate_all("a => a.map(e => e.href)")
        assert f"{fed}/federation/applications" in links
        assert f"{fed}/federation/submit" in links

        # Screenshots (looked at by hand: /tmp, never the repository).
        shots = (
            (officer, f"{fed}/federation/applications", "applications"),
            (officer, f"{fed}/federation/applications/{first}", "application-closed"),
            (officer, f"{fed}/federation/pairings", "pairings"),
            (cadre, f"{fed}/federation/submit", "submit"),
        )
        for page, url, name in shots:
            await _both_sizes(page, url, name)
        await cadre.close()
        await officer.close()
