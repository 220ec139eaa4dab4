"""Notify's HTTP API: the contract's webhook routes and status rule, and the inbox in the
caller's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from nats.js import JetStreamContext

from tests.integration.busutil import eventually
from tests.integration.notify_harness import (
    bus,
    case_event,
    new_case_id,
    notify_settings,
    publish,
    running_notify,
    token_header,
)

pytestmark = pytest.mark.integration
__all__ = ["bus"]
HOOK = {"url": "https://integrator.example.org/hook", "event_types": ["case.closed"]}


async def test_webhook_routes_follow_the_contract(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 9, smtp_host=None)
    mine, theirs = token_header("city-fpb", "integrator"), token_header("city-jw", "integrator")
    async with running_notify(settings, js) as (_app, http):
        assert (await http.post("/api/v1/webhooks", json=HOOK)).status_code == 401
        officer = token_header("city-fpb", "officer")
        assert (await http.post("/api/v1/webhooks", json=HOOK, headers=officer)).status_code == 403
        # The role is refused before the body is looked at.
        odd = {**HOOK, "text": "x"}
        assert (await http.post("/api/v1/webhooks", json=odd, headers=officer)).status_code == 403
        bad = {**HOOK, "event_types": ["report.received"]}
        refused = await http.post("/api/v1/webhooks", json=bad, headers=mine)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "event_types", 0]
        assert "case.*" in refused.json()["detail"][0]["msg"]
        created = await http.post("/api/v1/webhooks", json=HOOK, headers=mine)
        assert created.status_code == 201 and set(created.json()) == {"id", "secret"}
        sub = created.json()["id"]
        listed = (await http.get("/api/v1/webhooks", headers=mine)).json()
        assert listed["total"] == 1 and "secret" not in listed["items"][0]
        assert listed["items"][0]["event_types"] == ["case.closed"]
        assert (await http.get("/api/v1/webhooks", headers=theirs)).json()["total"] == 0
        assert (await http.delete(f"/api/v1/webhooks/{sub}", headers=theirs)).status_code == 404
        assert (await http.delete(f"/api/v1/webhooks/{sub}", headers=officer)).status_code == 403
        assert (await http.delete(f"/api/v1/webhooks/{sub}", headers=mine)).status_code == 204
        assert (await http.get("/api/v1/webhooks", headers=mine)).json()["total"] == 0
        assert (await http.delete(f"/api/v1/webhooks/{sub}", headers=mine)).status_code == 404


async def test_inbox_speaks_the_callers_language(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 9, smtp_host=None)
    officer = token_header("371402-fpb", "officer")
    async with running_notify(settings, js) as (_app, http):
        case_id = new_case_id()
        await publish(js, case_event("case.opened", case_id, None, 1))

        async def noticed() -> bool:
            return (await http.get("/api/v1/inbox", headers=officer)).json()["total"] == 1

        await eventually(noticed)
        zh = (await http.get("/api/v1/inbox", headers=officer)).json()["items"][0]
        en_headers = {**officer, "Accept-Language": "en"}
        en = (await http.get("/api/v1/inbox", headers=en_headers)).json()["items"][0]
    assert zh["case_id"] == case_id and zh["title"].startswith("【新案件】")
    assert en["title"].startswith("[New case]") and "assigned to your unit" in en["body"]


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/h",
        "http://10.1.2.3/h",
    ],
)
async def test_webhooks_may_not_point_inside_when_so_configured(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext], target: str
) -> None:
    """Production's default: an integrator cannot aim notify at an internal address (SSRF)."""
    url, js = bus
    settings = notify_settings(
        url, database_url, tmp_path / "var", 9, smtp_host=None, webhook_internal_targets=False
    )
    mine = token_header("city-fpb", "integrator")
    async with running_notify(settings, js) as (_app, http):
        refused = await http.post("/api/v1/webhooks", json={**HOOK, "url": target}, headers=mine)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["body", "url"]
        allowed = await http.post("/api/v1/webhooks", json=HOOK, headers=mine)
        assert allowed.status_code == 201
