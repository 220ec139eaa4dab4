"""Accountability alerts reach integrators' webhooks like case events: subscribed by type,
fenced to the integrator's county, signed, on a real HTTP listener and a real NATS server."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from nats.js import JetStreamContext

from shared.events import Envelope, make_event
from shared.events.reporting import AlertFrequentProblems
from tests.integration.busutil import eventually
from tests.integration.notify_harness import (
    bus,
    notifications,
    notify_settings,
    publish,
    running_notify,
    settled,
    token_header,
    webhook_receiver,
)

pytestmark = pytest.mark.integration
__all__ = ["bus"]  # the fixture, imported so pytest finds it here
COUNTY_INTEGRATOR = token_header("371402-fpb", "integrator")  # 德城区


def alert(county: str) -> Envelope:
    alert_id = str(uuid.uuid4())
    payload = AlertFrequentProblems(
        alert_id=alert_id,
        scope="unit",
        key=f"{county}-fpb",
        county=county,
        count=5,
        threshold=3,
        window_days=30,
        window_from=date(2026, 11, 1),
        window_to=date(2026, 11, 30),
    )
    return make_event(
        payload, county=county, aggregate_id=alert_id, sequence=1, producer="reporting"
    )


async def test_an_alert_reaches_the_subscribed_integrator_of_its_county_only(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 1)
    async with webhook_receiver() as receiver, running_notify(settings, js) as (app, http):
        refused = await http.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "event_types": ["report.received"]},
            headers=COUNTY_INTEGRATOR,
        )
        assert refused.status_code == 422
        answer = await http.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "event_types": ["alert.frequent_problems"]},
            headers=COUNTY_INTEGRATOR,
        )
        assert answer.status_code == 201, answer.text
        receiver.secret = answer.json()["secret"]
        own, other = alert("371402"), alert("371403")
        await publish(js, other, own)

        async def delivered() -> bool:
            return len(receiver.calls) == 1 and await settled(app, js)

        await eventually(delivered)
    (call,) = receiver.calls
    assert call["valid"] and call["status"] == 200
    body = json.loads(call["body"])
    assert (body["event_id"], body["type"]) == (str(own.event_id), "alert.frequent_problems")
    hooks = [e for e in await notifications(js) if e.data["channel"] == "webhook"]
    assert [(e.data["event_type"], e.data["delivery_id"]) for e in hooks] == [
        ("alert.frequent_problems", call["delivery"])
    ]
