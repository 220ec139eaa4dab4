"""Digests, permanent failures, suspension and SMS, on real SMTP, HTTP, NATS and databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nats.js import JetStreamContext
from sqlalchemy import func, select

from services.notify.models import deliveries
from tests.integration.busutil import eventually
from tests.integration.notify_harness import (
    bus,
    case_event,
    new_case_id,
    notifications,
    notify_settings,
    publish,
    running_notify,
    sealed_report,
    settled,
    smtp_sink,
    token_header,
    webhook_receiver,
)

pytestmark = pytest.mark.integration
__all__ = ["bus"]
LEADING_GROUP = "lg-371402@units.test"  # takes a daily digest (harness contacts)


def _offset_to_local(hour: int) -> timedelta:
    """How far to move the clock so that it is `hour`:00 in Dezhou on the next such morning."""
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo("Asia/Shanghai"))
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return target - now


async def test_a_digest_holds_the_days_notices_and_urgent_ones_go_at_once(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    offset = [_offset_to_local(10)]
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        clock = lambda: datetime.now(UTC) + offset[0]  # noqa: E731
        async with running_notify(settings, js, clock) as (app, _http):
            lg = {"handling_unit": "371402-lg"}
            first, second = new_case_id(), new_case_id()
            await publish(
                js,
                case_event("case.opened", first, None, 1, **lg),
                case_event("case.opened", second, None, 1, **lg),
                case_event("case.reopened", first, None, 2, **lg),
                case_event("case.overdue", second, None, 2, **lg),
            )
            await eventually(lambda: settled(app, js))
            urgent = sink.to(LEADING_GROUP)
            assert [m.subject[:7] for m in urgent] == ["【紧急·超期】"]
            offset[0] += timedelta(hours=8, minutes=1)  # past 18:00, the digest time
            app.state.context.wake.set()
            await eventually(lambda: _mails_to(sink, LEADING_GROUP, 2))
            # The mail is out before its rows' end is committed: wait for that too.
            await eventually(lambda: _digest_recorded(app))
            async with app.state.context.db.sessions() as session:
                rows = (await session.execute(select(deliveries))).mappings().all()
    digest = sink.to(LEADING_GROUP)[1]
    assert digest.subject.startswith("【作风系统】") and "3 条" in digest.subject
    for short in (first[:8], second[:8]):
        assert short in digest.body
    assert digest.body.count("【新案件】") == 2 and "【案件重新办理】" in digest.body
    in_digest = [r for r in rows if r["batch"] is not None]
    assert len(in_digest) == 3 and {r["status"] for r in in_digest} == {"delivered"}
    assert {r["external_id"] for r in in_digest} == {digest.message["X-Zuofeng-Delivery"]}


async def _digest_recorded(app: Any) -> bool:
    async with app.state.context.db.sessions() as session:
        held = select(func.count()).where(deliveries.c.status == "digest")
        return (await session.scalar(held)) == 0


async def _mails_to(sink: object, address: str, count: int) -> bool:
    return len(sink.to(address)) == count  # type: ignore[attr-defined]


async def test_permanent_failures_are_published_not_dead_lettered_and_suspend_a_webhook(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    with smtp_sink() as sink:
        sink.refuse.add("fpb-371402@units.test")
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with webhook_receiver() as receiver, running_notify(settings, js) as (app, http):
            integrator = token_header("city-fpb", "integrator")
            answer = await http.post(
                "/api/v1/webhooks",
                json={"url": receiver.url, "event_types": ["case.opened"]},
                headers=integrator,
            )
            sub_id, receiver.secret = answer.json()["id"], answer.json()["secret"]
            receiver.script = [503] * 100
            for _ in range(2):
                await publish(js, case_event("case.opened", new_case_id(), None, 1))
            await eventually(lambda: settled(app, js))
            listed = (await http.get("/api/v1/webhooks", headers=integrator)).json()["items"]
            assert listed[0]["suspended"] is True
            assert (
                "zuofeng_notify_webhook_subscriptions_suspended 1.0"
                in (await http.get("/metrics")).text
            )
            calls = len(receiver.calls)
            await publish(js, case_event("case.opened", new_case_id(), None, 1))
            await eventually(lambda: settled(app, js))
            assert len(receiver.calls) == calls, "a suspended subscription gets nothing new"
            resumed = await http.post(f"/api/v1/webhooks/{sub_id}/resume", headers=integrator)
            assert resumed.json()["suspended"] is False
    failed = [e for e in await notifications(js) if e.type == "notification.failed"]
    assert sorted(e.data["channel"] for e in failed) == ["email"] * 3 + ["webhook"] * 2
    email_reasons = {e.data["reason"] for e in failed if e.data["channel"] == "email"}
    assert email_reasons == {"smtp recipients refused [550]"}
    assert calls == 2 * settings.delivery_max_attempts
    assert (await js.stream_info("DLQ")).state.messages == 0


async def test_urgent_notices_and_phone_only_reporters_go_by_sms(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    async with webhook_receiver() as gateway:
        settings = notify_settings(
            url, database_url, tmp_path / "var", 9, smtp_host=None, sms_gateway_url=gateway.url
        )
        async with running_notify(settings, js) as (app, _http):
            phone_only = sealed_report(settings.resolved_keys_dir, phone="13811112222")
            case_id = new_case_id()
            await publish(
                js,
                phone_only,
                case_event("case.opened", case_id, phone_only.aggregate_id, 1),
                case_event("case.rejected", case_id, phone_only.aggregate_id, 2),
                case_event("case.overdue", case_id, phone_only.aggregate_id, 3),
            )
            await eventually(lambda: settled(app, js))
    texts = {call["body"] for call in gateway.calls}
    to = sorted(__import__("json").loads(body)["to"] for body in texts)
    assert to == ["13811112222", "13900000000"], "the reporter, and the unit's urgent notice only"
