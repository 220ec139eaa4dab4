"""Accountability alerts on real NATS: raised once per crossing (redelivery included),
published through the outbox to the REPORTING stream, answered with a decision on record."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from nats.js import JetStreamContext

from tests.integration.busutil import eventually
from tests.integration.test_reporting_harness import BASE, CaseScript, Service, service, token

pytestmark = pytest.mark.integration


def _substantiated(day: float, unit: str = "371402-fpb", county: str = "371402") -> CaseScript:
    """A case of `unit` found substantiated `day` days after BASE."""
    script = CaseScript(county, unit, 18, "web", BASE + timedelta(days=day - 2)).open()
    script.step("accept", BASE + timedelta(days=day - 1))
    script.step("start", BASE + timedelta(days=day - 0.5))
    script.step("conclude", BASE + timedelta(days=day), "substantiated")
    return script


async def _alerts(svc: Service, headers: dict[str, str] | None = None, **params: Any) -> Any:
    answer = await svc.http.get("/api/v1/alerts", params=params, headers=headers or token())
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _stream(js: JetStreamContext, subject: str) -> list[dict[str, Any]]:
    sub = await js.pull_subscribe(subject, stream="REPORTING")
    try:
        pending = (await sub.consumer_info()).num_pending
        messages = await sub.fetch(pending, timeout=2) if pending else []
        return [json.loads(m.data) for m in messages]
    finally:
        await sub.unsubscribe()


async def test_an_alert_fires_once_per_crossing(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path, alert_threshold=3, alert_window_days=30) as svc:
        first = [_substantiated(d) for d in (0, 10)]
        sent = await svc.publish(e for s in first for e in s.reports + s.events)
        await svc.until_processed(sent)
        assert (await _alerts(svc))["total"] == 0
        crossing = [_substantiated(20), _substantiated(25)]
        sent += await svc.publish(e for s in crossing for e in s.reports + s.events)
        await svc.until_processed(sent)
        alerts = (await _alerts(svc))["items"]
        assert sorted((a["scope"], a["key"], a["count"]) for a in alerts) == [
            ("county", "371402", 3),
            ("department", "city-fpb", 3),
            ("unit", "371402-fpb", 3),
        ]
        assert {a["window_to"] for a in alerts} == {(BASE + timedelta(days=20)).date().isoformat()}
        await _redelivered_changes_nothing(svc, first + crossing)
        await _second_crossing(svc)
        await _published(svc, 6)


async def _redelivered_changes_nothing(svc: Service, scripts: list[CaseScript]) -> None:
    """The same events again under new message ids (past JetStream's dedupe): the inbox drops
    them, and even a re-evaluation finds the crossing on record."""
    before = await svc.processed()
    for script in scripts:
        for envelope in script.events:
            headers = {"Nats-Msg-Id": f"again-{envelope.event_id}"}
            subject = f"zuofeng.v1.{envelope.county}.{envelope.type}"
            resent = await svc.js.publish(
                subject, envelope.to_bytes(), stream="CASES", headers=headers
            )
            assert not resent.duplicate  # stored, so redelivered: not vacuous

    async def drained() -> bool:
        info = await svc.js.consumer_info("CASES", "reporting-cases")
        return info.num_pending == 0 and info.num_ack_pending == 0

    await eventually(drained, timeout=20)
    assert await svc.processed() == before
    assert (await _alerts(svc))["total"] == 3


async def _second_crossing(svc: Service) -> None:
    """Months later, three more findings within the window cross again: three more alerts."""
    again = [_substantiated(d) for d in (100, 101, 102)]
    sent = await svc.processed() + await svc.publish(e for s in again for e in s.reports + s.events)
    await svc.until_processed(sent)
    assert (await _alerts(svc, scope="unit"))["total"] == 2
    assert (await _alerts(svc))["total"] == 6


async def _published(svc: Service, count: int) -> None:
    async def all_out() -> bool:
        return len(await _stream(svc.js, "zuofeng.v1.*.alert.frequent_problems")) == count

    await eventually(all_out, timeout=15)
    events = await _stream(svc.js, "zuofeng.v1.*.alert.frequent_problems")
    assert {e["data"]["scope"] for e in events} == {"unit", "county", "department"}
    assert len({e["data"]["alert_id"] for e in events}) == count


async def test_decisions_stay_on_record(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path, alert_threshold=2, alert_window_days=30) as svc:
        scripts = [_substantiated(d, "371403-fpb", "371403") for d in (0, 5)]
        await svc.until_processed(
            await svc.publish(e for s in scripts for e in s.reports + s.events)
        )
        alert = next(a for a in (await _alerts(svc))["items"] if a["scope"] == "unit")
        path = f"/api/v1/alerts/{alert['id']}/decision"
        body = {"decision": "interview", "target": "unit", "note": "约谈县扶贫办主要负责人"}
        officer = token("371403-fpb", "officer")
        assert (await _alerts(svc, officer))["total"] == 2  # its unit's and its county's
        assert (await svc.http.post(path, json=body, headers=officer)).status_code == 403
        outsider = token("371402-fpb", "officer")
        assert (await _alerts(svc, outsider))["total"] == 0
        assert (await svc.http.post(path, json=body, headers=outsider)).status_code == 404
        nameless = {"decision": "circular", "target": "officials"}
        refused = await svc.http.post(path, json=nameless, headers=token())
        assert refused.status_code == 422
        done = await svc.http.post(path, json=body, headers=token())
        assert done.status_code == 200 and done.json()["decision_label"] == "约谈"
        named = {"decision": "circular", "target": "officials", "officials": ["张某"]}
        assert (await svc.http.post(path, json=named, headers=token())).status_code == 200
        decided = (await _alerts(svc, decided=True))["items"]
        assert [d["decision"] for d in decided[0]["decisions"]] == ["interview", "circular"]
        assert (await _alerts(svc, decided=False))["total"] == 2  # its county's, its department's

        async def told() -> bool:
            return len(await _stream(svc.js, "zuofeng.v1.*.alert.decided")) == 2

        await eventually(told, timeout=15)
        published = await _stream(svc.js, "zuofeng.v1.*.alert.decided")
        assert [e["sequence"] for e in published] == [2, 3]
        assert "张某" not in json.dumps(published, ensure_ascii=False)
        assert {e["data"]["responsibility"] for e in published} == {"main"}
        # A department's alert is one of 监督责任, and so is the decision taken on it.
        department = next(a for a in (await _alerts(svc))["items"] if a["scope"] == "department")
        assert department["responsibility"] == "supervision"
        decide = f"/api/v1/alerts/{department['id']}/decision"
        assert (await svc.http.post(decide, json=body, headers=token())).status_code == 200

        async def told_all() -> bool:
            return len(await _stream(svc.js, "zuofeng.v1.*.alert.decided")) == 3

        await eventually(told_all, timeout=15)
        published = await _stream(svc.js, "zuofeng.v1.*.alert.decided")
        by_alert = {e["data"]["alert_id"]: e["data"]["responsibility"] for e in published}
        assert by_alert == {alert["id"]: "main", department["id"]: "supervision"}
