"""Notify's fences (issue 15.3, 15.16): an integrator takes only its own unit's county's case
events, when subscribing, when fanning out and when sending; a unit's inbox is for its people
who work cases. Real tokens, the real notify app on its own NATS server, a real HTTP listener."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from nats.js import JetStreamContext
from sqlalchemy import insert, select, update

from services.notify.models import deliveries, webhooks
from services.notify.samples import sample_payload
from shared.events import Envelope, make_event
from tests.integration.busutil import eventually
from tests.integration.notify_harness import (
    bus,
    case_event,
    new_case_id,
    notify_settings,
    publish,
    running_notify,
    settled,
    token_header,
    webhook_receiver,
)

pytestmark = pytest.mark.integration
__all__ = ["bus"]
HOOK = {"url": "https://integrator.example.org/hook", "event_types": ["case.opened"]}
COUNTY_INTEGRATOR = token_header("371402-fpb", "integrator")  # 德城区
CITY_INTEGRATOR = token_header("city-fpb", "integrator")


def opened_in(county: str) -> Envelope:
    """A case opened under `county` (handled by that county's office)."""
    case_id = new_case_id()
    payload = sample_payload(
        "case.opened", case_id=case_id, handling_unit=f"{county}-fpb", county=county
    )
    return make_event(payload, county=county, aggregate_id=case_id, sequence=1, producer="cases")


async def test_an_integrator_subscribes_only_to_its_own_county(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 9, smtp_host=None)
    async with running_notify(settings, js) as (_app, http):
        mine = await http.post("/api/v1/webhooks", json=HOOK, headers=COUNTY_INTEGRATOR)
        assert mine.status_code == 201, mine.text
        listed = (await http.get("/api/v1/webhooks", headers=COUNTY_INTEGRATOR)).json()
        assert listed["items"][0]["counties"] == ["371402"], "empty means the unit's county"

        named = {**HOOK, "counties": ["371402"]}
        assert (
            await http.post("/api/v1/webhooks", json=named, headers=COUNTY_INTEGRATOR)
        ).status_code == 201
        for other in (["371403"], ["371402", "371403"], ["371400"]):
            body = {**HOOK, "counties": other}
            refused = await http.post("/api/v1/webhooks", json=body, headers=COUNTY_INTEGRATOR)
            assert refused.status_code == 403, (other, refused.text)
        en = {**COUNTY_INTEGRATOR, "Accept-Language": "en"}
        refused = await http.post(
            "/api/v1/webhooks", json={**HOOK, "counties": ["371403"]}, headers=en
        )
        assert "371403" in refused.json()["detail"] and "county" in refused.json()["detail"]
        # An unknown code is still bad input (422 on the field), before any authority question.
        bad = await http.post(
            "/api/v1/webhooks", json={**HOOK, "counties": ["999999"]}, headers=COUNTY_INTEGRATOR
        )
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "counties", 0]

        # A unit the directory does not know has no county to take.
        stranger = token_header("province-12317", "integrator")
        assert (await http.post("/api/v1/webhooks", json=HOOK, headers=stranger)).status_code == 403

        # A city-level integrator may take every county, or name any.
        city = await http.post("/api/v1/webhooks", json=HOOK, headers=CITY_INTEGRATOR)
        assert city.status_code == 201
        some = {**HOOK, "counties": ["371403", "371400"]}
        assert (
            await http.post("/api/v1/webhooks", json=some, headers=CITY_INTEGRATOR)
        ).status_code == 201
        counties = [
            i["counties"]
            for i in (await http.get("/api/v1/webhooks", headers=CITY_INTEGRATOR)).json()["items"]
        ]
        assert sorted(counties) == [[], ["371400", "371403"]]


async def test_a_stored_subscription_never_receives_another_countys_events(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    """A county integrator's subscription stored with no county (as before the fence, or edited
    in the database) gets its own county's events only, through real delivery; a delivery
    queued for another county before the fence is cancelled, never sent."""
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 9, smtp_host=None)
    async with (
        webhook_receiver() as receiver,
        webhook_receiver() as city_receiver,
        running_notify(settings, js) as (app, http),
    ):
        body = {"url": receiver.url, "event_types": ["case.opened"]}
        answer = await http.post("/api/v1/webhooks", json=body, headers=COUNTY_INTEGRATOR)
        assert answer.status_code == 201, answer.text
        sub, receiver.secret = answer.json()["id"], answer.json()["secret"]
        body = {"url": city_receiver.url, "event_types": ["case.opened"]}
        answer = await http.post("/api/v1/webhooks", json=body, headers=CITY_INTEGRATOR)
        city_sub, city_receiver.secret = answer.json()["id"], answer.json()["secret"]
        async with app.state.context.db.sessions() as session, session.begin():
            await session.execute(update(webhooks).where(webhooks.c.id == sub).values(counties=[]))

        own, other = opened_in("371402"), opened_in("371403")
        await publish(js, own, other)

        async def delivered() -> bool:
            return len(city_receiver.calls) == 2 and await settled(app, js)

        await eventually(delivered)
        assert [_event_id(c) for c in receiver.calls] == [str(own.event_id)]
        assert all(c["valid"] for c in receiver.calls)
        assert sorted(_event_id(c) for c in city_receiver.calls) == sorted(
            [str(own.event_id), str(other.event_id)]
        )

        # A delivery of another county's event queued for the county integrator (before the
        # fence): the worker cancels it instead of sending it.
        queued = await _queue_copy(app, str(other.event_id), city_sub, to=sub)

        async def cancelled() -> bool:
            return await _status(app, queued) == "cancelled"

        await eventually(cancelled)
    assert len(receiver.calls) == 1


def _event_id(call: dict[str, Any]) -> str:
    import json

    return str(json.loads(call["body"])["event_id"])


async def _queue_copy(app: Any, event_id: str, sub: str, *, to: str) -> str:
    """A pending copy, for subscription `to`, of `sub`'s webhook delivery of `event_id`."""
    async with app.state.context.db.sessions() as session, session.begin():
        row = (
            (
                await session.execute(
                    select(deliveries).where(
                        deliveries.c.event_id == event_id, deliveries.c.recipient == sub
                    )
                )
            )
            .mappings()
            .one()
        )
        copy = dict(row) | {
            "id": str(uuid.uuid4()),
            "external_id": str(uuid.uuid4()),
            "recipient": to,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": app.state.context.clock(),
            "finished_at": None,
        }
        await session.execute(insert(deliveries).values(**copy))
    app.state.context.wake.set()
    return str(copy["id"])


async def _status(app: Any, delivery_id: str) -> str:
    async with app.state.context.db.sessions() as session:
        found = await session.scalar(
            select(deliveries.c.status).where(deliveries.c.id == delivery_id)
        )
    return str(found)


@pytest.mark.parametrize("role", ["integrator", "auditor", "clerk"])
async def test_a_units_inbox_is_for_its_case_workers_only(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext], role: str
) -> None:
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 9, smtp_host=None)
    officer = token_header("371402-fpb", "officer")
    async with running_notify(settings, js) as (_app, http):
        await publish(js, case_event("case.opened", new_case_id(), None, 1))

        async def noticed() -> bool:
            return (await http.get("/api/v1/inbox", headers=officer)).json()["total"] == 1

        await eventually(noticed)
        notice = (await http.get("/api/v1/inbox", headers=officer)).json()["items"][0]["id"]
        same_unit = token_header("371402-fpb", role)
        assert (await http.get("/api/v1/inbox", headers=same_unit)).status_code == 403
        read = f"/api/v1/inbox/{notice}/read"
        assert (await http.post(read, headers=same_unit)).status_code == 403
        # Another unit's notice stays out of scope (404) before any role question.
        foreign = token_header("371403-fpb", role)
        assert (await http.post(read, headers=foreign)).status_code == 404
        assert (
            await http.post(read, headers=token_header("371403-fpb", "officer"))
        ).status_code == 404
        for worker in ("officer", "leader"):
            assert (
                await http.get("/api/v1/inbox", headers=token_header("371402-fpb", worker))
            ).status_code == 200
        assert (await http.post(read, headers=officer)).json() == {"id": notice, "read": True}
