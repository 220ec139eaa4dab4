"""Issue 22, the campaign's supervised tasks (督办) end to end on real NATS and PostgreSQL: a
measure's task from assignment through a responsible unit's progress report, a sent-back report
and acceptance; another unit's task warned, overdue and escalated by the sweeper; 举一反三 after
a concluded case; a second village data request refused; the risk-weighted draw of where to
inspect. One stack for the module, time injected (no test waits for days)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nats.js import JetStreamContext
from sqlalchemy import select

from services.cases.inspections.sampling import sample
from services.cases.inspections.tables import sampling_draws
from services.cases.sweeper import sweep
from shared.events import Envelope
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.test_cases_harness import CITY, Clock, Running, cases_running, headers
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.e2e
DECHENG = headers("371402-fpb", "officer", "officer-dc")
NINGJIN = headers("371422-fpb", "officer", "officer-nj")
ZZB = headers("city-zzb", "officer", "officer-zzb")
CLERK = headers("371402-fpb", "clerk")


@pytest.fixture(scope="module")
async def stack(
    nats_here: NatsProcess, pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Running]:
    url = in_thread(pg_server.create_database())
    var = tmp_path_factory.mktemp("var")
    async with cases_running(nats_here.url, url, Path(var), Clock()) as running:
        yield running


async def task_events(js: JetStreamContext, task_id: str, count: int) -> list[Envelope]:
    """The task's events on the SUPERVISION stream once there are `count`."""
    found: list[Envelope] = []

    async def enough() -> bool:
        sub = await js.pull_subscribe("zuofeng.v1.*.task.>", stream="SUPERVISION")
        try:
            pending = (await sub.consumer_info()).num_pending
            msgs = await sub.fetch(pending, timeout=5) if pending else []
        finally:
            await sub.unsubscribe()
        events = [Envelope.model_validate_json(m.data) for m in msgs]
        found[:] = [e for e in events if e.aggregate_id == task_id]
        return len(found) >= count

    await eventually(enough, timeout=15)
    return sorted(found, key=lambda e: e.sequence)


async def call(
    running: Running, method: str, path: str, who: dict[str, str], body: Any = None,
    status: int = 200,
) -> Any:  # fmt: skip
    answer = await running.http.request(method, f"/api/v1{path}", headers=who, json=body)
    assert answer.status_code == status, (path, answer.status_code, answer.text)
    return answer.json()


async def test_measures_name_their_lead_and_responsible_units(stack: Running) -> None:
    measures = {m["id"]: m for m in (await call(stack, "GET", "/measures", DECHENG))["items"]}
    assert list(measures) == ["一", "二", "三", "四", "五", "九"]
    assert measures["一"]["lead_units"] == ["city-fpb", "city-zzb"]
    assert measures["二"]["lead_units"][0] == "city-zzb"
    assert {"371402-fpb", "371472-fpb", "city-fl"} <= set(measures["四"]["responsible_units"])
    assert "村级每年根据统一部署只填报一次建档立卡信息系统数据" in measures["四"]["text"]
    await call(stack, "GET", "/measures", CLERK, status=403)


async def test_a_task_reported_sent_back_accepted_and_another_escalated(stack: Running) -> None:
    body = {
        "measure": "一", "title": "各县市区报送年度学习培训计划", "due": "2025-03-13",
        "units": ["371402-fpb", "371422-fpb"],
    }  # fmt: skip
    await call(stack, "POST", "/tasks", DECHENG, body, status=403)  # only the city office
    mine, theirs = (await call(stack, "POST", "/tasks", CITY, body, status=201))["ids"]
    listed = await call(stack, "GET", "/tasks", DECHENG)
    assert [t["id"] for t in listed["items"]] == [mine]  # a unit sees its own tasks only
    await call(stack, "GET", f"/tasks/{theirs}", DECHENG, status=404)
    report = {"text": "已制定培训计划", "figures": {"培训人次": 120}, "attachments": ["a1"]}
    await call(stack, "POST", f"/tasks/{mine}/report", NINGJIN, report, status=404)
    task = await call(stack, "POST", f"/tasks/{mine}/report", DECHENG, report)
    assert task["status"] == "reported" and task["reports"][0]["figures"] == {"培训人次": 120}
    await call(stack, "POST", f"/tasks/{mine}/accept", DECHENG, status=403)  # not a lead unit
    back = {"reason": "缺少乡镇一级的培训安排"}
    task = await call(stack, "POST", f"/tasks/{mine}/send-back", ZZB, back)
    assert task["status"] == "sent_back" and task["reports"][0]["decision"] == "sent_back"
    await call(stack, "POST", f"/tasks/{mine}/accept", ZZB, status=409)  # nothing to review
    again = {**report, "text": "已补充乡镇培训安排"}
    await call(stack, "POST", f"/tasks/{mine}/report", DECHENG, again)
    task = await call(stack, "POST", f"/tasks/{mine}/accept", ZZB)
    assert (task["status"], task["deadline"], task["version"]) == ("accepted", "met", 5)
    stack.clock.advance(days=8)  # three days before the due date
    assert await sweep(stack.ctx) == 1  # the open task is warned, the accepted one not
    stack.clock.advance(days=3)  # past the due date
    assert await sweep(stack.ctx) == 2  # overdue and escalated
    assert await sweep(stack.ctx) == 0  # once
    mine_events = await task_events(stack.js, mine, 5)
    assert [e.type for e in mine_events] == [
        "task.assigned", "task.progress_reported", "task.sent_back", "task.progress_reported",
        "task.accepted",
    ]  # fmt: skip
    events = await task_events(stack.js, theirs, 4)
    assert [e.type for e in events] == [
        "task.assigned", "task.deadline_approaching", "task.overdue", "task.escalated",
    ]  # fmt: skip
    assert [e.sequence for e in events] == [1, 2, 3, 4] and events[0].county == "371422"
    assert events[3].data["to_unit"] == "city-fpb"  # Ningjin office's sector supervisor
    overdue = await call(stack, "GET", "/tasks?overdue=true", CITY)
    assert [t["id"] for t in overdue["items"]] == [theirs]


async def test_a_concluded_case_spawns_an_institution_task(stack: Running) -> None:
    envelope = await stack.report(content="某村驻村工作队员走读，平时不在村，群众找不到人。")
    case = await stack.case_of(envelope.aggregate_id)
    cid, unit = case["id"], case["handling_unit"]
    officer = headers(unit, "officer", "officer-case")
    follow = {"case": cid, "title": "建立驻村干部考勤制度", "due": "2025-06-30"}
    await call(stack, "POST", "/tasks/follow-up", officer, follow, status=409)  # not concluded
    await stack.act(cid, "accept", officer)
    await stack.act(cid, "start-investigation", officer)
    await stack.act(cid, "conclude", officer, {"finding": "substantiated", "summary": "问题属实"})
    task = await call(stack, "POST", "/tasks/follow-up", officer, follow, status=201)
    assert (task["kind"], task["measure"], task["source_case"]) == ("institution", "九", cid)
    assert task["lead_units"] == [unit] and task["status"] == "assigned"
    events = await task_events(stack.js, task["id"], 1)
    assert events[0].data["source_case"] == cid


async def datarequest_events(js: JetStreamContext) -> list[Envelope]:
    sub = await js.pull_subscribe("zuofeng.v1.*.datarequest.>", stream="SUPERVISION")
    try:
        pending = (await sub.consumer_info()).num_pending
        msgs = await sub.fetch(pending, timeout=5) if pending else []
    finally:
        await sub.unsubscribe()
    return [Envelope.model_validate_json(m.data) for m in msgs]


async def test_a_second_village_data_request_is_refused_with_the_rule(stack: Running) -> None:
    village = {"county": "371422", "township": "371422-chaihudian", "village": "前刘村"}
    first = {**village, "kind": "registration", "title": "2025年度建档立卡信息采集"}
    done = await call(stack, "POST", "/data-requests", NINGJIN, first, status=201)
    assert done["outcome"] == "registered" and done["year"] == 2025
    again = {**village, "village": " 前刘村", "kind": "registration", "title": "贫困户信息再核对"}
    answer = await stack.http.post("/api/v1/data-requests", headers=ZZB, json=again)
    assert answer.status_code == 409
    assert "村级每年根据统一部署只填报一次建档立卡信息系统数据" in answer.json()["detail"]
    english = await stack.http.post(
        "/api/v1/data-requests", headers={**ZZB, "Accept-Language": "en"}, json=again
    )
    assert "once a year" in english.json()["detail"]
    other = {**village, "kind": "other_data", "title": "产业项目台账填报"}
    answer = await stack.http.post("/api/v1/data-requests", headers=NINGJIN, json=other)
    assert answer.status_code == 409 and "不得以任何理由要求村级填报其他数据" in answer.text
    check = {**village, "kind": "check", "check_kind": "督查", "title": "驻村帮扶督查"}
    assert (await call(stack, "POST", "/data-requests", NINGJIN, check, status=201))["outcome"] == (
        "registered"
    )
    repeat = await call(stack, "POST", "/data-requests", ZZB, check, status=201)
    assert repeat["outcome"] == "flagged" and "不重复组织" in repeat["rule"]
    bad = await stack.http.post(
        "/api/v1/data-requests", headers=NINGJIN, json={**check, "check_kind": None}
    )
    assert bad.status_code == 422
    register = await call(stack, "GET", "/data-requests?county=371422", CITY)
    outcomes = sorted(r["outcome"] for r in register["items"])
    assert outcomes == ["flagged", "refused", "refused", "refused", "registered", "registered"]
    mine = await call(stack, "GET", "/data-requests", ZZB)
    assert {r["requesting_unit"] for r in mine["items"]} == {"city-zzb"}

    async def published() -> bool:
        return len(await datarequest_events(stack.js)) == 6

    await eventually(published, timeout=15)
    events = await datarequest_events(stack.js)
    refused = [e for e in events if e.type == "datarequest.refused"]
    assert len(refused) == 3 and refused[0].county == "371422"
    assert refused[0].data["repeats"] == done["id"]


async def test_the_risk_weighted_draw_is_reproducible_and_recorded(stack: Running) -> None:
    visit = {
        "kind": "planned", "county": "371422", "township": "柴胡店镇", "visit_on": "2025-03-14",
        "inspectors": ["王五"],
    }  # fmt: skip
    planned = await call(stack, "POST", "/inspections", NINGJIN, visit, status=201)
    await call(stack, "POST", f"/inspections/{planned['id']}/visit", NINGJIN)
    first = await sample(stack.ctx, "371422", 3, seed="dezhou-2025")
    weights = {c["unit"]: c for c in first["candidates"]}
    assert set(weights) == {
        "371422-lg",
        "371422-fpb",
        "371422-chaihudian",
        "371422-duji",
        "371422-chaihudian-xiwangzhuang",
        "371422-chaihudian-xiwangzhuang-wt",
    }  # the discipline organ is not visited
    assert weights["371422-chaihudian"]["days_since_visit"] == 0  # visited today
    assert weights["371422-duji"]["days_since_visit"] == 365  # never
    assert weights["371422-fpb"]["overdue"] == 1  # its escalated task
    assert weights["371422-duji"]["weight"] > weights["371422-chaihudian"]["weight"]
    again = await sample(stack.ctx, "371422", 3, seed="dezhou-2025")
    assert again["picked"] == first["picked"] and len(first["picked"]) == 3
    async with stack.ctx.db.sessions() as session:
        seeds = (await session.execute(select(sampling_draws.c.seed))).scalars().all()
    assert seeds == ["dezhou-2025", "dezhou-2025"]
