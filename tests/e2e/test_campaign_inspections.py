"""Issue 22, inspections end to end on real NATS and PostgreSQL with the four services: an
unannounced visit (暗访) by the city office, hidden from the county it visits, whose finding
becomes a report through intake's inspection channel and opens a case linked to the visit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from shared import apikeys
from shared.events import Envelope
from shared.natsserver import NatsProcess
from tests.e2e.stack import Stack, running_stack
from tests.e2e.stack import token as who
from tests.integration.busutil import eventually
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.e2e


CITY = who("city-fpb", "city_office")
NINGJIN = who("371422-fpb", "officer")


@pytest.fixture(scope="module")
async def stack(
    nats_here: NatsProcess, pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    names = ("intake", "cases", "notify", "reporting")
    urls = {name: in_thread(pg_server.create_database()) for name in names}
    async with running_stack(nats_here.url, urls, tmp_path_factory.mktemp("var")) as running:
        yield running


async def call(
    stack: Stack, method: str, path: str, headers: dict[str, str], body: Any = None,
    status: int = 200,
) -> Any:  # fmt: skip
    async with httpx.AsyncClient(base_url=stack.urls["cases"], timeout=20) as http:
        answer = await http.request(method, f"/api/v1{path}", headers=headers, json=body)
    assert answer.status_code == status, (path, answer.status_code, answer.text)
    return answer.json()


async def test_an_unannounced_visit_finding_becomes_a_case(
    stack: Stack, nats_here: NatsProcess
) -> None:
    visit = {
        "kind": "unannounced", "county": "371422", "township": "柴胡店镇", "village": "前刘村",
        "visit_on": "2026-03-10", "inspectors": ["张三", "李四"],
    }  # fmt: skip
    planned = await call(stack, "POST", "/inspections", CITY, visit, status=201)
    vid = planned["id"]
    assert (planned["status"], planned["unit"]) == ("planned", "city-fpb")
    # The county visited is told nothing: not in its list, 404 by id.
    assert (await call(stack, "GET", "/inspections", NINGJIN))["total"] == 0
    await call(stack, "GET", f"/inspections/{vid}", NINGJIN, status=404)
    await call(stack, "POST", "/inspections", NINGJIN, {**visit, "county": "371402"}, status=403)
    finding = {
        "title": "暗访发现驻村工作队员不在岗",
        "content": "暗访当日驻村工作队两名队员均不在村，村民反映平时很少见到，存在走读问题。",
        "category_hint": 18,
    }
    await call(stack, "POST", f"/inspections/{vid}/findings", CITY, finding, status=409)
    await call(stack, "POST", f"/inspections/{vid}/visit", CITY, {"notes": "直奔村组"})
    done = await call(stack, "POST", f"/inspections/{vid}/findings", CITY, finding)
    (linked,) = done["findings"]
    again = await call(stack, "POST", f"/inspections/{vid}/findings", CITY, finding)
    assert len(again["findings"]) == 1  # the same finding twice is one report

    async def opened() -> bool:
        found = await call(stack, "GET", f"/inspections/{vid}", CITY)
        linked.update(found["findings"][0])
        return linked["case_id"] is not None

    await eventually(opened, timeout=20)
    case = await call(stack, "GET", f"/cases/{linked['case_id']}", CITY)
    assert case["channel"] == "inspection" and case["county"] == "371422"
    assert [r["report_id"] for r in case["reports"]] == [linked["report_id"]]
    listed = await call(stack, "GET", "/inspections?county=371422&kind=unannounced", CITY)
    assert [v["id"] for v in listed["items"]] == [vid]
    events = await _inspection_events(nats_here.url, vid)
    assert [e.type for e in events] == [
        "inspection.planned", "inspection.visited", "inspection.finding_reported",
    ]  # fmt: skip
    # A city unit's visit goes out under the city, never on the visited county's subjects.
    assert {e.county for e in events} == {"371400"} and events[1].data["inspectors"] == 2


async def _inspection_events(url: str, inspection_id: str) -> list[Envelope]:
    import nats

    nc = await nats.connect(url)
    try:
        sub = await nc.jetstream().pull_subscribe("zuofeng.v1.*.inspection.>", stream="SUPERVISION")
        pending = (await sub.consumer_info()).num_pending
        msgs = await sub.fetch(pending, timeout=5) if pending else []
        await sub.unsubscribe()
    finally:
        await nc.close()
    events = [Envelope.model_validate_json(m.data) for m in msgs]
    return sorted((e for e in events if e.aggregate_id == inspection_id), key=lambda e: e.sequence)


async def test_reporting_counts_tasks_visits_and_the_unannounced_share(stack: Stack) -> None:
    task = {"measure": "四", "title": "清理向村级要数据的报表", "due": "2031-06-30",
            "units": ["371422-fpb", "city-fl"]}  # fmt: skip
    await call(stack, "POST", "/tasks", CITY, task, status=201)
    visit = {"kind": "planned", "county": "371422", "township": "杜集镇", "visit_on": "2026-03-12",
             "inspectors": ["赵六"]}  # fmt: skip
    planned = await call(stack, "POST", "/inspections", NINGJIN, visit, status=201)
    await call(stack, "POST", f"/inspections/{planned['id']}/visit", NINGJIN)
    request = {"county": "371422", "village": "西王庄村", "kind": "other_data", "title": "台账"}
    await call(stack, "POST", "/data-requests", NINGJIN, request, status=409)
    seen: dict[str, Any] = {}

    async def counted() -> bool:
        async with httpx.AsyncClient(base_url=stack.urls["reporting"]) as http:
            seen.update((await http.get("/api/v1/supervision", headers=CITY)).json())
        return (
            bool(seen.get("inspections"))
            and seen["inspections"][0]["visits"] == 2
            and bool(seen.get("data_requests"))
            and len(seen.get("tasks", [])) == 2
        )

    await eventually(counted, timeout=20)
    assert seen["inspections"] == [
        {"county": "371422", "visits": 2, "unannounced": 1, "findings": 1,
         "unannounced_share": 0.5},
    ]  # fmt: skip
    assert {(t["measure"], t["unit"], t["tasks"]) for t in seen["tasks"]} == {
        ("四", "371422-fpb", 1), ("四", "city-fl", 1),
    }  # fmt: skip
    assert seen["data_requests"] == [
        {"county": "371422", "registered": 0, "flagged": 0, "refused": 1}
    ]
    async with httpx.AsyncClient(base_url=stack.urls["reporting"]) as http:
        mine = (await http.get("/api/v1/supervision", headers=NINGJIN)).json()
        exported = await http.get("/api/v1/export/supervision.csv", headers=CITY)
    assert [t["unit"] for t in mine["tasks"]] == ["371422-fpb"]  # its own only
    assert mine["inspections"][0]["unannounced"] == 0  # the city's 暗访 is not in its view
    assert exported.status_code == 200 and "督查暗访" in exported.text


async def test_a_finding_goes_to_intake_with_the_clerk_key_when_set(
    stack: Stack, nats_here: NatsProcess
) -> None:
    """A deployment whose tokens come only from an identity provider has no HS256 secret for
    cases to sign a clerk token: the finding goes with intake's clerk API key instead; with
    neither, the finding is refused by name (503), no report made."""
    import nats

    settings = stack.apps["cases"].state.context.settings  # type: ignore[attr-defined]
    visit = {
        "kind": "planned", "county": "371422", "village": "后刘村", "visit_on": "2026-03-11",
        "inspectors": ["王五"],
    }  # fmt: skip
    vid = (await call(stack, "POST", "/inspections", CITY, visit, status=201))["id"]
    await call(stack, "POST", f"/inspections/{vid}/visit", CITY, {"notes": "按计划督查"})
    finding = {
        "title": "台账造假",
        "content": "督查发现该村扶贫台账与实际帮扶情况不符，存在补填痕迹。",
    }
    secret, key_before = settings.jwt_secret, settings.findings_api_key
    settings.jwt_secret = ""  # no secret: as with tokens from an identity provider only
    settings.environment = "production"
    try:
        refused = await call(
            stack, "POST", f"/inspections/{vid}/findings", CITY, finding, status=503
        )
        assert "ZUOFENG_CASES_FINDINGS_API_KEY" in str(refused)
        assert (await call(stack, "GET", f"/inspections/{vid}", CITY))["findings"] == []
        nc = await nats.connect(nats_here.url)
        try:
            intake = stack.apps["intake"].state.context.settings  # type: ignore[attr-defined]
            _, key = await apikeys.create(
                nc.jetstream(),
                unit="city-fpb",
                role="clerk",
                secret=intake.resolved_apikey_secret(),
            )
        finally:
            await nc.close()
        settings.findings_api_key = key
        done = await call(stack, "POST", f"/inspections/{vid}/findings", CITY, finding)
    finally:
        settings.jwt_secret, settings.findings_api_key = secret, key_before
        settings.environment = "local"
    (linked,) = done["findings"]

    async def opened() -> bool:
        found = await call(stack, "GET", f"/inspections/{vid}", CITY)
        linked.update(found["findings"][0])
        return linked["case_id"] is not None

    await eventually(opened, timeout=20)
    case = await call(stack, "GET", f"/cases/{linked['case_id']}", CITY)
    assert case["channel"] == "inspection"
