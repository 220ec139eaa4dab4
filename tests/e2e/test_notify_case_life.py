"""A case's life through the four real services tells the right people on real channels: the
handling unit's inbox and mail, the reporter's mail at acceptance, result and closure (an
anonymous reporter never), and signed webhooks to an integrator; on real NATS and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.natsserver import start_nats
from tests.e2e.stack import running_stack, token
from tests.integration.busutil import eventually
from tests.integration.notify_harness import Receiver, SmtpSink, smtp_sink, webhook_receiver

pytestmark = pytest.mark.e2e
REPORTER = "e2e-reporter-41@example.net"
REPORT = {
    "channel": "web",
    "county": "371402",
    "content": "我们村的驻村工作队员一个月就来一两次，平时根本不在村里住，群众有事找不到人。",
    "reporter": {"anonymous": False, "name": "孙七", "email": REPORTER},
}
ANONYMOUS = {**REPORT, "content": "扶贫资金被挪用修村委会办公楼，贫困户一分钱没有见到。"}
ANONYMOUS.pop("reporter")


async def test_a_case_life_reaches_inbox_mail_and_webhooks(
    tmp_path: Path, stack_databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    nats_server = start_nats(tmp_path / "nats")
    try:
        with smtp_sink() as sink:
            for name, value in {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(sink.port),
                "SMTP_SECURITY": "none",
                "DELIVERY_POLL_INTERVAL": "0.1",
                "WEBHOOK_INTERNAL_TARGETS": "true",  # the receiver listens on 127.0.0.1
            }.items():
                monkeypatch.setenv(f"ZUOFENG_NOTIFY_{name}", value)
            async with (
                webhook_receiver() as receiver,
                running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack,
                httpx.AsyncClient(timeout=10) as http,
            ):
                await _live(http, stack.urls, sink, receiver)
    finally:
        nats_server.stop()


async def _live(
    http: httpx.AsyncClient, urls: dict[str, str], sink: SmtpSink, receiver: Receiver
) -> None:
    subscribed = await http.post(
        f"{urls['notify']}/api/v1/webhooks",
        json={"url": receiver.url, "event_types": ["case.opened", "case.closed"]},
        headers=token("city-fpb", "integrator"),
    )
    assert subscribed.status_code == 201, subscribed.text
    receiver.secret = subscribed.json()["secret"]
    await http.post(f"{urls['intake']}/api/v1/reports", json=ANONYMOUS)
    await http.post(f"{urls['intake']}/api/v1/reports", json=REPORT)
    cases = await _both_opened(http, urls["cases"])
    for case in cases:
        await _drive(http, urls["cases"], case)
    handling = cases[0]["handling_unit"]

    async def told() -> bool:
        return len(sink.to(REPORTER)) == 3 and len(receiver.calls) == 4

    await eventually(told, timeout=30)
    subjects = [mail.subject for mail in sink.to(REPORTER)]
    assert subjects == ["您反映的问题已受理", "您反映问题的办理结果", "您反映的问题已办结"]
    assert all(mail.rcpt == [REPORTER] for mail in sink.to(REPORTER))
    unit_mail = [m for m in sink.mails if m.rcpt != [REPORTER]]
    new_case = [m for m in unit_mail if m.subject.startswith("【新案件】")]
    assert sorted(m.rcpt[0].split("@")[0] for m in new_case) == sorted(
        c["handling_unit"] for c in cases
    )
    # 协办 (issue 22): a case's co-units are told of its steps too; never a handling unit twice.
    co_mail = [m for m in unit_mail if m not in new_case]
    assert all(m.rcpt[0].split("@")[0] not in {c["handling_unit"] for c in cases} for m in co_mail)
    assert all(m.rcpt[0].endswith("@units.zuofeng.example.org") for m in unit_mail), (
        "the anonymous reporter is never written to"
    )
    types = sorted(json.loads(call["body"])["type"] for call in receiver.calls)
    assert types == ["case.closed", "case.closed", "case.opened", "case.opened"]
    assert all(call["valid"] for call in receiver.calls)
    inbox = await http.get(f"{urls['notify']}/api/v1/inbox", headers=token(handling, "officer"))
    assert inbox.json()["total"] >= 1


async def _both_opened(http: httpx.AsyncClient, cases_url: str) -> list[dict[str, Any]]:
    city = token("city-fpb", "city_office")

    async def opened() -> bool:
        return (await http.get(f"{cases_url}/api/v1/cases", headers=city)).json()["total"] == 2

    await eventually(opened, timeout=20)
    return list((await http.get(f"{cases_url}/api/v1/cases", headers=city)).json()["items"])


async def _drive(http: httpx.AsyncClient, cases_url: str, case: dict[str, Any]) -> None:
    officer = token(case["handling_unit"], "officer")
    steps = [
        ("accept", None),
        ("start-investigation", None),
        ("conclude", {"finding": "unsubstantiated", "summary": "经核查，反映问题不属实。"}),
        ("close", None),
    ]
    for action, body in steps:
        answer = await http.post(
            f"{cases_url}/api/v1/cases/{case['id']}/{action}", headers=officer, json=body
        )
        assert answer.status_code == 200, answer.text
