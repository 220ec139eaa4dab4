"""Issue 22's supervised tasks told by notify, through the real services on real NATS and
PostgreSQL: the city office assigns a measure's task and the responsible unit finds it in its
inbox and its mailbox (a real SMTP server); its progress report reaches the lead units' inboxes;
the report sent back comes back to the responsible unit with the reason, by mail too."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.natsserver import start_nats
from tests.e2e.stack import running_stack, token
from tests.integration.busutil import eventually
from tests.integration.notify_harness import SmtpSink, smtp_sink

pytestmark = pytest.mark.e2e
RESPONSIBLE = "371402-fpb"
MAILBOX = f"{RESPONSIBLE}@units.zuofeng.example.org"  # the packaged contacts' default
CITY = token("city-fpb", "city_office")
OFFICER = token(RESPONSIBLE, "officer")


async def test_a_task_reaches_the_responsible_unit_then_its_lead_units(
    tmp_path: Path, stack_databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    nats_server = start_nats(tmp_path / "nats")
    try:
        with smtp_sink() as sink:
            for name, value in {
                "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port), "SMTP_SECURITY": "none",
                "DELIVERY_POLL_INTERVAL": "0.1",
            }.items():  # fmt: skip
                monkeypatch.setenv(f"ZUOFENG_NOTIFY_{name}", value)
            async with (
                running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack,
                httpx.AsyncClient(timeout=10) as http,
            ):
                await _live(http, stack.urls, sink)
    finally:
        nats_server.stop()


async def _inbox(http: httpx.AsyncClient, notify: str, unit: str) -> list[dict[str, Any]]:
    answer = await http.get(f"{notify}/api/v1/inbox", headers=token(unit, "officer"))
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def _live(http: httpx.AsyncClient, urls: dict[str, str], sink: SmtpSink) -> None:
    due = (date.today() + timedelta(days=30)).isoformat()
    title = "制定本县扶贫干部培训计划"
    body = {"measure": "一", "title": title, "due": due, "units": [RESPONSIBLE]}
    assigned = await http.post(f"{urls['cases']}/api/v1/tasks", json=body, headers=CITY)
    assert assigned.status_code == 201, assigned.text
    (task_id,) = assigned.json()["ids"]

    async def mailed() -> bool:
        return len(sink.to(MAILBOX)) == 1

    await eventually(mailed, timeout=20)
    mail = sink.to(MAILBOX)[0]
    assert mail.subject.startswith("【督办任务】") and task_id[:8] in mail.subject
    assert "制定本县扶贫干部培训计划" in mail.body and "（一）加强学习培训" in mail.body
    inbox = await _inbox(http, urls["notify"], RESPONSIBLE)
    assert [(n["event_type"], n["case_id"]) for n in inbox] == [("task.assigned", None)]
    assert task_id in inbox[0]["body"] or task_id[:8] in inbox[0]["title"]
    assert await _inbox(http, urls["notify"], "city-zzb") == []  # the lead hears of reports

    tasks = f"{urls['cases']}/api/v1/tasks/{task_id}"
    reported = await http.post(
        f"{tasks}/report", json={"text": "已制定培训计划，培训120人。"}, headers=OFFICER
    )
    assert reported.status_code == 200, reported.text

    async def leads_told() -> bool:
        lead = await _inbox(http, urls["notify"], "city-zzb")
        return [n["event_type"] for n in lead] == ["task.progress_reported"]

    await eventually(leads_told, timeout=20)
    sent_back = await http.post(
        f"{tasks}/send-back", json={"reason": "缺少培训签到表"}, headers=CITY
    )
    assert sent_back.status_code == 200, sent_back.text

    async def told_back() -> bool:
        return len(sink.to(MAILBOX)) == 2

    await eventually(told_back, timeout=20)
    back = sink.to(MAILBOX)[1]
    assert back.subject.startswith("【进展退回】") and "缺少培训签到表" in back.body
    inbox = await _inbox(http, urls["notify"], RESPONSIBLE)
    assert [n["event_type"] for n in inbox] == ["task.sent_back", "task.assigned"]
