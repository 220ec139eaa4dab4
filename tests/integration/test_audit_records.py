"""Issue 15 item 15: exports, alert decisions, webhook and API-key changes leave one record
each on the AUDIT stream (no deletes, no purges), with who acted and nothing secret or personal;
a refused action leaves none. Real NATS and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from nats.js import JetStreamContext
from typer.testing import CliRunner

from services.cli import app as zuofeng
from services.notify.models import webhooks
from shared.bus import init_bus
from shared.db import OUTBOX
from shared.natsserver import NatsProcess, start_nats
from tests.integration.busutil import eventually
from tests.integration.notify_harness import bus, notify_settings, running_notify, token_header
from tests.integration.test_outbox_atomicity import answering, counts, refused
from tests.integration.test_reporting_alerts import _substantiated
from tests.integration.test_reporting_harness import BASE, CaseScript, Service, service, token

pytestmark = pytest.mark.integration
__all__ = ["bus"]
HOOK_PATH = "/hook/tok-path-secret"
HOOK = {
    "url": f"https://integrator.example.org{HOOK_PATH}?k=query-secret",
    "event_types": ["case.closed"],
}


async def audit_records(js: JetStreamContext, event_type: str) -> list[tuple[bytes, Any]]:
    """Every `event_type` record on the AUDIT stream: (raw bytes, parsed JSON)."""
    sub = await js.pull_subscribe(f"zuofeng.v1.*.{event_type}", stream="AUDIT")
    try:
        pending = (await sub.consumer_info()).num_pending
        messages = await sub.fetch(pending, timeout=2) if pending else []
        return [(m.data, json.loads(m.data)) for m in messages]
    finally:
        await sub.unsubscribe()


async def until_count(js: JetStreamContext, event_type: str, count: int) -> list[Any]:
    """Wait until exactly `count` records are out (the outbox relay publishes after commit),
    then a little more to see that no other comes."""

    async def out() -> bool:
        return len(await audit_records(js, event_type)) >= count

    await eventually(out, timeout=15)
    await asyncio.sleep(0.5)  # the relay polls every 0.2 s: a stray record would be out by now
    found = await audit_records(js, event_type)
    assert len(found) == count, [e for _, e in found]
    return found


async def test_webhook_changes_are_audited(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 9, smtp_host=None)
    mine, theirs = token_header("city-fpb", "integrator"), token_header("city-jw", "integrator")
    officer = token_header("city-fpb", "officer")
    async with running_notify(settings, js) as (_app, http):
        # Refused: 401, 403, 422 - no record.
        assert (await http.post("/api/v1/webhooks", json=HOOK)).status_code == 401
        assert (await http.post("/api/v1/webhooks", json=HOOK, headers=officer)).status_code == 403
        bad = {**HOOK, "event_types": ["report.received"]}
        assert (await http.post("/api/v1/webhooks", json=bad, headers=mine)).status_code == 422
        created = await http.post("/api/v1/webhooks", json=HOOK, headers=mine)
        assert created.status_code == 201
        sub, secret = created.json()["id"], created.json()["secret"]
        [(raw, record)] = await until_count(js, "audit.webhook_changed", 1)
        assert record["county"] == "371400" and record["producer"] == "notify"
        data = record["data"]
        assert data["action"] == "subscribe" and data["subscription_id"] == sub
        assert (data["actor_unit"], data["actor_role"], data["actor_sub"]) == (
            "city-fpb",
            "integrator",
            "tests",
        )
        assert data["url_host"] == "integrator.example.org"
        assert data["event_types"] == ["case.closed"] and data["counties"] == []
        for hidden in (secret, HOOK_PATH, "query-secret"):
            assert hidden.encode() not in raw
        # Refused changes (another unit's: 404; the officer: 403): no record.
        resume = f"/api/v1/webhooks/{sub}/resume"
        assert (await http.post(resume, headers=theirs)).status_code == 404
        assert (await http.post(resume, headers=officer)).status_code == 403
        assert (await http.delete(f"/api/v1/webhooks/{sub}", headers=officer)).status_code == 403
        assert (await http.post(resume, headers=mine)).status_code == 200
        assert (await http.delete(f"/api/v1/webhooks/{sub}", headers=mine)).status_code == 204
        assert (await http.delete(f"/api/v1/webhooks/{sub}", headers=mine)).status_code == 404
        found = await until_count(js, "audit.webhook_changed", 3)
        assert [r["data"]["action"] for _, r in found] == ["subscribe", "resume", "unsubscribe"]
        assert {r["data"]["subscription_id"] for _, r in found} == {sub}
        assert all(secret.encode() not in raw for raw, _ in found)


async def test_exports_are_audited(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path) as svc:
        scripts = [
            CaseScript("371402", "371402-fpb", 18, "web", BASE).open(),
            CaseScript("371403", "371403-fpb", 6, "letter", BASE + timedelta(days=1)).open(),
        ]
        await svc.until_processed(
            await svc.publish(e for s in scripts for e in s.reports + s.events)
        )
        city, clerk = token(), token("371402-fpb", "clerk")
        get = svc.http.get
        # Refused: 403 (a role that reads no stats), 422 (to before from) - no record.
        assert (await get("/api/v1/export/cases.csv", headers=clerk)).status_code == 403
        assert (await get("/api/v1/export/stats.xlsx", headers=clerk)).status_code == 403
        backwards = {"from": "2018-03-05", "to": "2018-03-01"}
        refused = await get("/api/v1/export/cases.csv", params=backwards, headers=city)
        assert refused.status_code == 422
        assert (await get("/api/v1/export/stats.pdf", headers=city)).status_code == 422
        await asyncio.sleep(0.6)
        assert await audit_records(svc.js, "audit.exported") == []

        narrow = {"county": "371402", "from": "2018-03-01"}
        answers = [
            await get("/api/v1/export/stats.csv", headers=city),
            await get("/api/v1/export/stats.xlsx", params={"group_by": "unit"}, headers=city),
            await get("/api/v1/export/cases.csv", headers=city),
            await get("/api/v1/export/cases.xlsx", params=narrow, headers=city),
        ]
        assert [a.status_code for a in answers] == [200] * 4
        found = await until_count(svc.js, "audit.exported", 4)
        data = [r["data"] for _, r in found]
        assert [(d["export"], d["format"]) for d in data] == [
            ("stats", "csv"),
            ("stats", "xlsx"),
            ("cases", "csv"),
            ("cases", "xlsx"),
        ]
        assert all(
            (d["actor_unit"], d["actor_role"], d["actor_sub"])
            == ("city-fpb", "city_office", "tests")
            for d in data
        )
        assert data[1]["filters"]["group_by"] == "unit"
        assert data[2]["rows"] == 2 and data[3]["rows"] == 1
        assert data[3]["filters"] == {"county": "371402", "from": "2018-03-01"}
        for raw, _ in found:
            for script in scripts:  # no row's content, not even a case id
                assert script.case_id.encode() not in raw


async def test_alert_decisions_are_audited(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path, alert_threshold=2, alert_window_days=30) as svc:
        await _decide(svc)


async def _decide(svc: Service) -> None:
    scripts = [_substantiated(d, "371403-fpb", "371403") for d in (0, 5)]
    await svc.until_processed(await svc.publish(e for s in scripts for e in s.reports + s.events))
    alerts = (await svc.http.get("/api/v1/alerts", headers=token())).json()["items"]
    alert = next(a for a in alerts if a["scope"] == "unit")
    path = f"/api/v1/alerts/{alert['id']}/decision"
    body = {
        "decision": "circular",
        "target": "officials",
        "officials": ["张某"],
        "note": "通报批评",
    }
    # Refused: 404 (outside the view), 403 (role), 422 (no officials named) - no record.
    outsider, officer = token("371402-fpb", "officer"), token("371403-fpb", "officer")
    assert (await svc.http.post(path, json=body, headers=outsider)).status_code == 404
    assert (await svc.http.post(path, json=body, headers=officer)).status_code == 403
    nameless = {"decision": "circular", "target": "officials"}
    assert (await svc.http.post(path, json=nameless, headers=token())).status_code == 422
    assert (await svc.http.post(path, json=body, headers=token())).status_code == 200
    [(raw, record)] = await until_count(svc.js, "audit.alert_decided", 1)
    data = record["data"]
    assert (data["alert_id"], data["decision"], data["target"]) == (
        alert["id"],
        "circular",
        "officials",
    )
    assert (data["actor_unit"], data["actor_role"], data["actor_sub"]) == (
        "city-fpb",
        "city_office",
        "tests",
    )
    assert "张某".encode() not in raw and "通报批评".encode() not in raw


async def test_no_webhook_change_without_its_record(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    """The record is written with the change: if it cannot be, the change is not made."""
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 9, smtp_host=None)
    async with running_notify(settings, js) as (app, _http):
        db = app.state.context.db
        async with answering(app, "http://notify") as http:
            mine = token_header("city-fpb", "integrator")
            async with refused(db.engine, OUTBOX):
                answer = await http.post("/api/v1/webhooks", json=HOOK, headers=mine)
            assert answer.status_code >= 500
            assert await counts(db, webhooks, OUTBOX) == [0, 0]
            assert (await http.post("/api/v1/webhooks", json=HOOK, headers=mine)).status_code == 201
        assert await counts(db, webhooks) == [1]


async def test_no_export_without_its_record(database_url: str, tmp_path: Path) -> None:
    """The record is committed before the export is answered: no record, no export."""
    async with (
        service(database_url, tmp_path) as svc,
        answering(svc.app, "http://reporting") as http,
    ):
        async with refused(svc.db.engine, OUTBOX):
            answer = await http.get("/api/v1/export/cases.csv", headers=token())
        assert answer.status_code >= 500 and "case_id" not in answer.text
        assert await counts(svc.db, OUTBOX) == [0]


def _zuofeng(nats_url: str, var: Path, *args: str) -> Any:
    env = {"ZUOFENG_NATS_URL": nats_url, "ZUOFENG_VAR_DIR": str(var)}
    return CliRunner().invoke(zuofeng, list(args), env=env)


async def test_apikey_commands_publish_their_record(
    nats_server: NatsProcess, js: JetStreamContext, tmp_path: Path
) -> None:
    await init_bus(js, max_deliver=3, ack_wait=5)
    var = tmp_path / "var"
    run = _zuofeng
    made = await asyncio.to_thread(
        run,
        nats_server.url,
        var,
        "apikey",
        "create",
        "--unit",
        "371402-fpb",
        "--role",
        "integrator",
    )
    assert made.exit_code == 0, made.output
    key_id = made.output.split("id:", 1)[1].split()[0]
    key = made.output.split("key:", 1)[1].split()[0]
    refused = await asyncio.to_thread(run, nats_server.url, var, "apikey", "revoke", "0" * 12)
    assert refused.exit_code == 1
    revoked = await asyncio.to_thread(run, nats_server.url, var, "apikey", "revoke", key_id)
    assert revoked.exit_code == 0, revoked.output
    found = [
        (raw, r)
        for raw, r in await audit_records(js, "audit.apikey_changed")
        if r["data"]["key_id"] in (key_id, "0" * 12)
    ]
    assert [r["data"]["action"] for _, r in found] == ["create", "revoke"]
    for raw, record in found:
        data = record["data"]
        assert (data["key_id"], data["unit"], data["role"]) == (key_id, "371402-fpb", "integrator")
        assert data["expires_at"] is not None and record["county"] == "371400"
        assert key.encode() not in raw and key.split("_")[-1].encode() not in raw


async def test_apikey_create_still_shows_the_key_when_its_record_fails(tmp_path: Path) -> None:
    """A bus where `zuofeng bus init` never ran (no AUDIT stream): the key, made and never
    shown again, is printed; the missing record is said and the command exits 1."""
    server = start_nats(tmp_path / "nats")
    try:
        made = await asyncio.to_thread(
            _zuofeng, server.url, tmp_path / "var",
            "apikey", "create", "--unit", "371402-fpb", "--role", "integrator",
        )  # fmt: skip
    finally:
        server.stop()
    assert made.exit_code == 1
    assert "key: zf_" in made.output and "audit record was not published" in made.output
