"""Webhook catch-up on a real HTTP listener and NATS server: an integrator whose endpoint was
down lists what its subscription missed since a ledger number or a time and has it sent again
with the same delivery ids; another unit sees none of it; the request is audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from nats.js import JetStreamContext
from sqlalchemy import update

from services.notify.models import webhooks
from shared.events import Envelope, parse_envelope
from tests.integration.busutil import eventually
from tests.integration.notify_harness import (
    Receiver,
    bus,
    case_event,
    new_case_id,
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
MINE = token_header("371402-fpb", "integrator")
THEIRS = token_header("371403-fpb", "integrator")


async def _audit(js: JetStreamContext) -> list[Envelope]:
    sub = await js.pull_subscribe("zuofeng.v1.*.audit.webhook_changed", stream="AUDIT")
    try:
        return [parse_envelope(m.data) for m in await sub.fetch(20, timeout=2)]
    finally:
        await sub.unsubscribe()


async def test_missed_deliveries_are_listed_and_sent_again_with_the_same_ids(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 1)
    async with webhook_receiver() as receiver, running_notify(settings, js) as (app, http):
        answer = await http.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "event_types": ["case.opened", "case.accepted"]},
            headers=MINE,
        )
        assert answer.status_code == 201, answer.text
        hook = answer.json()["id"]
        receiver.secret = answer.json()["secret"]
        receiver.script = [500] * settings.delivery_max_attempts  # the endpoint is down
        await publish(js, case_event("case.opened", new_case_id(), None, 1))
        await eventually(lambda: _calls(receiver, settings.delivery_max_attempts, app, js))
        await publish(js, case_event("case.accepted", new_case_id(), None, 2))  # back up
        await eventually(lambda: _calls(receiver, settings.delivery_max_attempts + 1, app, js))
        before = list(receiver.calls)

        listed = await http.get(f"/api/v1/webhooks/{hook}/deliveries?after=0", headers=MINE)
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert [(i["event_type"], i["status"]) for i in items] == [
            ("case.opened", "failed"),
            ("case.accepted", "delivered"),
        ]
        first, second = items
        assert first["delivery_id"] == before[0]["delivery"]
        assert second["delivery_id"] == before[-1]["delivery"]
        after_first = await http.get(
            f"/api/v1/webhooks/{hook}/deliveries", params={"after": first["seq"]}, headers=MINE
        )
        assert [i["delivery_id"] for i in after_first.json()["items"]] == [second["delivery_id"]]
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        none_yet = await http.get(
            f"/api/v1/webhooks/{hook}/deliveries", params={"since": later}, headers=MINE
        )
        assert none_yet.json()["items"] == []
        unix = await http.get(f"/api/v1/webhooks/{hook}/deliveries?since=0", headers=MINE)
        assert unix.status_code == 422
        for method, path, body in (
            ("GET", f"/api/v1/webhooks/{hook}/deliveries", None),
            ("POST", f"/api/v1/webhooks/{hook}/redeliver", {"after": 0}),
        ):
            other = await http.request(method, path, json=body, headers=THEIRS)
            assert other.status_code == 404, "another unit's subscription does not exist for it"
        assert (
            await http.post(f"/api/v1/webhooks/{hook}/redeliver", json={}, headers=MINE)
        ).status_code == 422

        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        again = await http.post(
            f"/api/v1/webhooks/{hook}/redeliver", json={"since": since}, headers=MINE
        )
        assert again.status_code == 200, again.text
        assert again.json()["redelivered"] == [first["delivery_id"], second["delivery_id"]]
        await eventually(lambda: _calls(receiver, len(before) + 2, app, js))
        relisted = await http.get(f"/api/v1/webhooks/{hook}/deliveries", headers=MINE)
        assert {i["status"] for i in relisted.json()["items"]} == {"delivered"}

        async with app.state.context.db.sessions() as session, session.begin():
            await session.execute(
                update(webhooks).where(webhooks.c.id == hook).values(suspended_at=datetime.now(UTC))
            )
        suspended = await http.post(
            f"/api/v1/webhooks/{hook}/redeliver", json={"after": 0}, headers=MINE
        )
        assert suspended.status_code == 409
    resent = receiver.calls[len(before) :]
    assert [c["delivery"] for c in resent] == [first["delivery_id"], second["delivery_id"]]
    assert all(c["valid"] and c["status"] == 200 for c in resent)
    assert resent[0]["body"] == before[0]["body"]  # the same envelope
    assert json.loads(resent[1]["body"])["type"] == "case.accepted"
    ends = [
        (e.type, e.data["delivery_id"])
        for e in await notifications(js)
        if e.data["channel"] == "webhook"
    ]
    assert sorted(ends) == sorted(
        [
            ("notification.failed", first["delivery_id"]),
            ("notification.delivered", second["delivery_id"]),
            ("notification.delivered", first["delivery_id"]),
            ("notification.delivered", second["delivery_id"]),
        ]
    )
    actions = [e.data["action"] for e in await _audit(js)]
    assert actions == ["subscribe", "redeliver"]


async def _calls(receiver: Receiver, count: int, app: FastAPI, js: JetStreamContext) -> bool:
    return len(receiver.calls) == count and await settled(app, js)
