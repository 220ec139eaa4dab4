"""Telling the people through notify with their contact sealed, on real NATS and PostgreSQL:

- 回访 by SMS (issue 26): a closed case's named reporter with a phone gets one SMS with a link
  (through a real HTTP listener standing in for the SMS gateway); following it (in Chromium at
  390px) rates the case (the rating reaches the case as `case.rated`), a second use is refused;
  sent back (发回重办) and closed again, the case asks again with a new link, and the old one
  rates nothing; the phone and the links' tokens appear on no stream.
- 两癌 aid applicants (issue 23): federation seals her contact to notify on submission; notify,
  as its own fenced NATS user on its `notify-federation` durable, tells one applicant of her
  refusal with the reason (SMS) and another of each step to the payment (mail, through a real
  SMTP server); neither phone nor address appears in clear on any stream or in notify's and
  federation's tables, and no notice names the illness.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import uvicorn
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.federation.main import create_app as federation_app
from services.federation.settings import FederationSettings
from services.notify.main import create_app as notify_app
from services.notify.settings import NotifySettings
from shared import migrate
from shared.bus import init_bus
from shared.natsauth import (
    authorization_block,
    load_or_create_passwords,
    user_names,
    with_credentials,
)
from shared.natsserver import start_nats
from shared.streams import STREAMS
from tests.e2e.federation_stack import token as federation_token
from tests.e2e.pages_browser import PHONE as PHONE_SIZE
from tests.e2e.pages_browser import phone, serious_violations
from tests.e2e.stack import running_stack, token
from tests.integration.busutil import eventually
from tests.integration.notify_harness import Receiver, smtp_sink, webhook_receiver
from tests.pg import PgServer, free_port

pytestmark = pytest.mark.e2e
PHONE = "13912340077"
REPORT = {
    "channel": "web",
    "county": "371402",
    "content": "驻村工作队员长期不在岗，村里的危房改造名单也没有公示。",
    "reporter": {"anonymous": False, "name": "周八", "phone": PHONE},
}
SURVEY_LINK = re.compile(r"(https?://\S+/survey/[A-Za-z0-9_\-]+)")


async def _stream_bytes(nats_url: str, streams: list[str]) -> bytes:
    """Every message (subject, headers and data) of these streams, concatenated."""
    nc = await nats.connect(nats_url)
    found = b""
    try:
        js = nc.jetstream()
        for stream in streams:
            info = await js.stream_info(stream)
            for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
                msg = await js.get_msg(stream, seq)
                found += msg.subject.encode() + repr(msg.headers).encode() + (msg.data or b"")
    finally:
        await nc.close()
    return found


# --- 回访 by SMS ------------------------------------------------------------------------------


async def test_a_closed_cases_reporter_rates_it_once_through_the_sms_link(
    tmp_path: Path, stack_databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"SMTP_HOST": "", "DELIVERY_POLL_INTERVAL": "0.1"}.items():
        monkeypatch.setenv(f"ZUOFENG_NOTIFY_{name}", value)
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with webhook_receiver() as gateway:
            monkeypatch.setenv("ZUOFENG_NOTIFY_SMS_GATEWAY_URL", gateway.url)
            async with (
                running_stack(
                    nats_server.url, stack_databases, tmp_path / "var", linked=True
                ) as stack,
                httpx.AsyncClient(timeout=30) as http,  # a generous wait, never a speed check
            ):
                link, case_id = await _closed_and_texted(http, stack.urls, gateway)
                await _rated_once(http, stack.urls, link, case_id, tmp_path)
                assert len(_surveys(gateway)) == 1, "one survey per closing"
                await _sent_back_and_asked_again(http, stack.urls, gateway, link, case_id)
        on_bus = await _stream_bytes(nats_server.url, ["INTAKE", "CASES", "NOTIFY"])
    finally:
        nats_server.stop()
    assert PHONE.encode() not in on_bus
    for asked in _surveys(gateway):  # the tokens travel by SMS only
        assert asked["text"].rsplit("/", 1)[1].encode() not in on_bus
    assert b'"recipient_kind":"survey"' in on_bus.replace(b" ", b"")  # its delivery, by id


def _surveys(gateway: Receiver) -> list[dict[str, Any]]:
    bodies = [json.loads(call["body"]) for call in gateway.calls]
    return [body for body in bodies if "/survey/" in body["text"]]


async def _closed_and_texted(
    http: httpx.AsyncClient, urls: dict[str, str], gateway: Receiver
) -> str:
    sent = await http.post(f"{urls['intake']}/api/v1/reports", json=REPORT)
    assert sent.status_code == 202, sent.text
    city = token("city-fpb", "city_office")

    async def opened() -> bool:
        listed = await http.get(f"{urls['cases']}/api/v1/cases", headers=city)
        return bool(listed.json()["total"] == 1)

    await eventually(opened, timeout=20)
    case = (await http.get(f"{urls['cases']}/api/v1/cases", headers=city)).json()["items"][0]
    officer = token(case["handling_unit"], "officer")
    for action, body in (
        ("accept", None),
        ("start-investigation", None),
        ("conclude", {"finding": "unsubstantiated", "summary": "经核查，工作队员按规定在岗。"}),
        ("close", None),
    ):
        answer = await http.post(
            f"{urls['cases']}/api/v1/cases/{case['id']}/{action}", json=body, headers=officer
        )
        assert answer.status_code == 200, answer.text

    async def texted() -> bool:
        return len(_surveys(gateway)) == 1

    await eventually(texted, timeout=30)
    survey = _surveys(gateway)[0]
    assert survey["to"] == PHONE
    found = SURVEY_LINK.search(survey["text"])
    assert found, survey["text"]
    assert found.group(1).startswith(urls["intake"] + "/survey/")
    return found.group(1), case["id"]


async def _rated_once(
    http: httpx.AsyncClient, urls: dict[str, str], link: str, case_id: str, tmp_path: Path
) -> None:
    page = await http.get(link)
    assert page.status_code == 200 and 'data-testid="survey"' in page.text, page.text
    assert "no-referrer" in page.headers.get("referrer-policy", "")
    assert REPORT["content"] not in page.text  # the link shows nothing of the case
    async with phone(tmp_path) as browser:  # as the reporter's phone opens the SMS link
        tab = await browser.new_page()
        await tab.goto(link)
        assert await serious_violations(tab) == []
        wide = await tab.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE_SIZE["width"], "no sideways scrolling at 390px"
        await tab.check("input[value='unsatisfied']")
        await tab.fill("#comment", "危房改造名单仍未公示")
        await tab.click("form button")
        await tab.wait_for_selector('[data-testid="survey-rated"]')
        assert await serious_violations(tab) == []
    city = token("city-fpb", "city_office")

    async def recorded() -> bool:
        detail = await http.get(f"{urls['cases']}/api/v1/cases/{case_id}", headers=city)
        return any(e["type"] == "case.rated" for e in detail.json()["timeline"])

    await eventually(recorded, timeout=20)
    detail = (await http.get(f"{urls['cases']}/api/v1/cases/{case_id}", headers=city)).json()
    entry = next(e for e in detail["timeline"] if e["type"] == "case.rated")
    assert entry["data"]["rating"] == "unsatisfied" and entry["data"]["needs_answer"]
    again = await http.post(link, data={"rating": "unsatisfied"})
    assert again.status_code == 409 and 'data-testid="survey-closed"' in again.text
    assert 'data-testid="survey-closed"' in (await http.get(link)).text
    forged = link[:-6] + ("AAAAAA" if not link.endswith("AAAAAA") else "BBBBBB")
    assert (await http.get(forged)).status_code == 404


async def _sent_back_and_asked_again(
    http: httpx.AsyncClient, urls: dict[str, str], gateway: Receiver, old: str, case_id: str
) -> None:
    """发回重办, handled and closed again: a new reply, a new SMS; the old link rates nothing."""
    cases, city = urls["cases"], token("city-fpb", "city_office")
    sent_back = await http.post(
        f"{cases}/api/v1/cases/{case_id}/send-back", json={"reason": "名单未公示"}, headers=city
    )
    assert sent_back.status_code == 200, sent_back.text
    unit = (await http.get(f"{cases}/api/v1/cases/{case_id}", headers=city)).json()
    officer = token(unit["handling_unit"], "officer")
    for action, body in (
        ("conclude", {"finding": "unsubstantiated", "summary": "名单已于村务公开栏公示。"}),
        ("close", None),
    ):
        answer = await http.post(
            f"{cases}/api/v1/cases/{case_id}/{action}", json=body, headers=officer
        )
        assert answer.status_code == 200, answer.text

    async def asked_again() -> bool:
        return len(_surveys(gateway)) == 2

    await eventually(asked_again, timeout=30)
    found = SURVEY_LINK.search(_surveys(gateway)[1]["text"])
    assert found and found.group(1) != old
    new = found.group(1)
    assert 'data-testid="survey-closed"' in (await http.get(old)).text  # not for this reply
    assert (await http.post(old, data={"rating": "satisfied"})).status_code == 409
    rated = await http.post(new, data={"rating": "satisfied"})
    assert rated.status_code == 200 and 'data-testid="survey-rated"' in rated.text, rated.text


# --- 两癌 aid applicants ----------------------------------------------------------------------

APPLICANT_PHONE = "13688990011"
APPLICANT_MAIL = "aid-applicant-e2e@example.net"
COUNTY, CITY_FL = "371402", federation_token("city-fl", "federation_officer")
COUNTY_FL = federation_token(f"{COUNTY}-fl", "federation_officer")
CADRE = federation_token(f"{COUNTY}-fl-v1", "village_cadre")
DETAILS = {
    "applicant_name": "赵某某丙",
    "household_ref": "HH-371402-7301",
    "diagnosis": "breast",
    "certificate_ref": "ZD-2026-0301",
    "hospital": "德州市第二人民医院",
    "bank": "农村信用社",
    "account_holder": "赵某某丙",
    "account_number": "6222020200998877",
}


@contextlib.asynccontextmanager
async def _served(app: Any) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_aid_applicants_are_told_each_step_with_their_contact_sealed(
    tmp_path: Path, pg_server: PgServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    counties = [COUNTY, "371403"]
    passwords = load_or_create_passwords(tmp_path / "users.json", user_names(counties))
    server = start_nats(tmp_path / "nats", authorization=authorization_block(passwords, counties))
    admin = with_credentials(server.url, "admin", passwords["admin"])
    databases = {name: await pg_server.create_database() for name in ("federation", "notify")}
    try:
        nc = await nats.connect(admin)
        await init_bus(nc.jetstream(), max_deliver=4, ack_wait=5)
        await nc.close()
        for name, url in databases.items():
            await asyncio.to_thread(migrate.upgrade, name, url)
        var = tmp_path / "var"
        with smtp_sink() as sink:
            async with webhook_receiver() as gateway:
                notify = notify_app(
                    NotifySettings(
                        nats_url=with_credentials(server.url, "notify", passwords["notify"]),
                        database_url=databases["notify"],
                        var_dir=var,
                        smtp_host="127.0.0.1",
                        smtp_port=sink.port,
                        smtp_security="none",
                        sms_gateway_url=gateway.url,
                        delivery_poll_interval=0.1,
                        outbox_poll_interval=0.2,
                    )
                )
                federation = federation_app(
                    FederationSettings(
                        nats_url=with_credentials(
                            server.url, "federation", passwords["federation"]
                        ),
                        database_url=databases["federation"],
                        var_dir=var,
                        jwt_secret="e2e-federation-jwt-secret-long-enough-for-hs256",
                        port=free_port(),
                    )
                )
                async with (
                    notify.router.lifespan_context(notify),
                    _served(federation) as url,
                    httpx.AsyncClient(timeout=15) as http,
                ):
                    await _refused_and_aided(http, f"{url}/api/v1", sink, gateway)
        on_bus = await _stream_bytes(admin, [s.name for s in STREAMS])
        tables = await _table_text(databases)
    finally:
        server.stop()
    # Every log line but the test's own SMTP server's (which is the recipient's side).
    logged = "\n".join(
        f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith("mail.")
    )
    assert "zuofeng" in logged  # the services' logs were captured
    for secret in (APPLICANT_PHONE, APPLICANT_MAIL, DETAILS["account_number"], "赵某某丙"):
        assert secret.encode() not in on_bus, secret
        assert secret not in tables, secret
        assert secret not in logged, secret


async def _refused_and_aided(
    http: httpx.AsyncClient, api: str, sink: Any, gateway: Receiver
) -> None:
    village = await http.post(
        f"{api.removesuffix('/api/v1')}/api/v1/villages",
        json={"county": COUNTY, "name": "幸福村", "poor": True, "left_behind": False},
        headers=COUNTY_FL,
    )
    assert village.status_code == 201, village.text
    village_id = village.json()["village_id"]

    async def submit(contact: dict[str, str], headers: Any, household: str) -> str:
        body = {
            "county": COUNTY,
            "village_id": village_id,
            "details": DETAILS | {"household_ref": household},
            "contact": contact,
        }
        answer = await http.post(f"{api}/aid/applications", json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["application_id"])

    async def step(app_id: str, action: str, body: Any, who: Any) -> None:
        answer = await http.post(
            f"{api}/aid/applications/{app_id}/{action}", json=body, headers=who
        )
        assert answer.status_code == 200, answer.text

    refused = await submit({"phone": APPLICANT_PHONE}, None, "HH-371402-7301")
    check = {"registered_poor": True, "rural": False, "diagnosis_confirmed": True}
    await step(refused, "check", check, COUNTY_FL)
    aided = await submit({"email": APPLICANT_MAIL}, CADRE, "HH-371402-7302")
    await step(aided, "check", check | {"rural": True}, COUNTY_FL)
    await step(aided, "review", None, COUNTY_FL)
    await step(aided, "approve", {"amount": 8000, "fund_source": "city_charity"}, CITY_FL)
    await step(aided, "disburse", {"paid_on": "2026-12-05", "payment_ref": "PAY-1"}, CITY_FL)

    async def told() -> bool:
        return len(gateway.calls) == 2 and len(sink.to(APPLICANT_MAIL)) == 5

    await eventually(told, timeout=30)
    texts = [json.loads(call["body"]) for call in gateway.calls]
    assert {t["to"] for t in texts} == {APPLICANT_PHONE}
    assert "已收到" in texts[0]["text"]
    assert "未获通过" in texts[1]["text"] and "申请人不是农村妇女" in texts[1]["text"]
    subjects = [mail.subject for mail in sink.to(APPLICANT_MAIL)]
    assert subjects == [
        "您的救助申请已收到",
        "您的救助申请已通过资格审核",
        "您的救助申请已通过县妇联审查",
        "您的救助申请已获批准",
        "您的救助金已发放",
    ]
    bodies = [mail.body for mail in sink.to(APPLICANT_MAIL)]
    assert "8000 元" in bodies[3] and "8000 元" in bodies[4] and "2026年12月5日" in bodies[4]
    for text in [t["text"] for t in texts] + bodies + subjects:
        for word in ("癌", "乳腺", "宫颈", "赵某某丙", "6222020200998877"):
            assert word not in text


async def _table_text(databases: dict[str, str]) -> str:
    """Every row of the two services' tables as text (the sealed boxes are ciphertext)."""
    out = []
    for url in databases.values():
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                meta = MetaData()
                await conn.run_sync(meta.reflect)
                for table in meta.sorted_tables:
                    for row in (await conn.execute(select(table))).all():
                        out.append(repr(tuple(row)))
        finally:
            await engine.dispose()
    return "\n".join(out)
