"""Issue 22's supervised tasks and inspection visits are in cases' audit trail like case
actions: who assigned, reported, sent back, accepted, planned and recorded a visit, in the
transaction of the change, on the keyed chain that still verifies; the trail names ids only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.cases.audit import chain
from services.cases.models import audit_log
from shared.natsserver import NatsProcess
from tests.integration.test_cases_harness import Clock, Running, cases_running, headers, own_nats

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]
CITY = headers("city-fpb", "city_office", "city-1")
OFFICER = headers("371402-fpb", "officer", "officer-1")
AUDITOR = headers("city-jw", "auditor", "auditor-1")


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def call(running: Running, path: str, who: dict[str, str], body: Any, status: int) -> Any:
    answer = await running.http.post(f"/api/v1{path}", headers=who, json=body)
    assert answer.status_code == status, (path, answer.text)
    return answer.json()


async def trail(running: Running) -> list[dict[str, Any]]:
    answer = await running.http.get("/api/v1/audit", headers=AUDITOR, params={"limit": 500})
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["items"] if e["action"] != "audit-read"]


async def test_task_and_visit_actions_are_audited_on_the_chain(running: Running) -> None:
    body = {"measure": "一", "title": "制定培训计划", "due": "2025-04-30", "units": ["371402-fpb"]}
    (task,) = (await call(running, "/tasks", CITY, body, 201))["ids"]
    await call(running, f"/tasks/{task}/report", OFFICER, {"text": "已完成第一批培训。"}, 200)
    await call(running, f"/tasks/{task}/send-back", CITY, {"reason": "缺少签到表"}, 200)
    await call(running, f"/tasks/{task}/report", OFFICER, {"text": "补充签到表。"}, 200)
    await call(running, f"/tasks/{task}/accept", CITY, None, 200)
    refused = await running.http.post(f"/api/v1/tasks/{task}/accept", headers=CITY)
    assert refused.status_code == 409  # a refused action changes nothing, records nothing
    visit = {"kind": "unannounced", "county": "371402", "township": "黄河涯镇",
             "visit_on": "2025-03-10", "inspectors": ["张三", "李四"]}  # fmt: skip
    planned = await call(running, "/inspections", CITY, visit, 201)
    await call(running, f"/inspections/{planned['id']}/visit", CITY, {"notes": "直奔村组"}, 200)

    entries = await trail(running)
    assert [(e["action"], e["actor_unit"], e["actor_role"]) for e in entries] == [
        ("task-assign", "city-fpb", "city_office"),
        ("task-report", "371402-fpb", "officer"),
        ("task-send-back", "city-fpb", "city_office"),
        ("task-report", "371402-fpb", "officer"),
        ("task-accept", "city-fpb", "city_office"),
        ("inspection-plan", "city-fpb", "city_office"),
        ("inspection-visited", "city-fpb", "city_office"),
    ]
    assert entries[0]["detail"] == {"tasks": [task], "measure": "一", "parent": None}
    assert [e["detail"].get("report_no") for e in entries[1:5]] == [1, 1, 2, 2]
    assert all(e["detail"].get("task") == task for e in entries[1:5])
    assert entries[5]["detail"] == {
        "inspection": planned["id"], "kind": "unannounced", "county": "371402",
    }  # fmt: skip
    # Ids and facts only: no report text, no inspector's name, no reason in the trail.
    text = repr(entries)
    assert all(s not in text for s in ("已完成第一批培训", "张三", "缺少签到表", "直奔村组"))
    async with running.ctx.db.sessions() as session:
        assert await chain.verify(session, audit_log, running.ctx.audit_key) == []
