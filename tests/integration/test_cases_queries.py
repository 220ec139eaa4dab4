"""Lists with the contract's filters and cursor pagination, the triage queue, and the detail cut
to what each caller may see, on a real nats-server and PostgreSQL and SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.natsserver import NatsProcess
from tests.integration.test_cases_harness import (
    CITY,
    Clock,
    Running,
    cases_running,
    headers,
    own_nats,
)

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]
OFFICER = headers("371402-fpb", "officer", "officer-1")


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def listed(running: Running, query: str, who: dict[str, str] = CITY) -> dict[str, Any]:
    answer = await running.http.get(f"/api/v1/cases?{query}", headers=who)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_filters_and_pages(running: Running) -> None:
    ids = []
    for n in range(5):
        running.clock.advance(days=1)
        envelope = await running.report(
            content=f"第{n}件：驻村工作队员平时不在村里住，群众找不到人"
        )
        ids.append((await running.case_of(envelope.aggregate_id))["id"])
    other = await running.report(
        county="371403", content="扶贫资金被挪用修了办公楼，贫困户产业项目没有落实"
    )
    await running.case_of(other.aggregate_id)
    await running.act(ids[0], "accept", OFFICER)
    assert (await listed(running, "county=371402"))["total"] == 5
    assert (await listed(running, "status=accepted"))["items"][0]["id"] == ids[0]
    assert (await listed(running, "unit=371402-fpb&problem=18"))["total"] == 5
    assert (await listed(running, "problem=23"))["total"] == 1
    assert (await listed(running, "from=2025-03-05&to=2025-03-06&county=371402"))["total"] == 2
    assert (await listed(running, "q=第3件"))["items"][0]["id"] == ids[3]
    assert (await listed(running, "overdue=true"))["total"] == 0
    pages, cursor = [], ""
    while True:
        page = await listed(running, f"county=371402&limit=2{cursor}")
        pages.append([item["id"] for item in page["items"]])
        if page["next"] is None:
            break
        cursor = f"&cursor={page['next']}"
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[:1]]  # newest first, nothing twice
    assert (await listed(running, "", OFFICER))["total"] == 5  # its own unit's only
    bad = await running.http.get("/api/v1/cases?limit=501", headers=CITY)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "limit"]


async def test_unclassified_reports_wait_in_the_city_offices_triage(running: Running) -> None:
    envelope = await running.report(content="有件事想反映一下，具体情况比较复杂，希望有人联系。")
    case = await running.case_of(envelope.aggregate_id)
    assert case["triage"] and case["handling_unit"] == "city-fpb" and case["problem"] is None
    await running.act(case["id"], "reclassify", CITY, {"problem": 99}, 422)
    answer = await running.act(case["id"], "reclassify", CITY, {"problem": 7})
    assert answer.json()["problem"] == 7 and not answer.json()["triage"]
    assigned = await running.act(case["id"], "assign", CITY, {"unit": "371402-fpb"})
    assert assigned.json()["handling_unit"] == "371402-fpb"
    assert (await listed(running, "", OFFICER))["total"] == 1


async def test_the_rectifying_unit_sees_only_the_rectification(running: Running) -> None:
    envelope = await running.report(subject_unit="宁津县柴胡店镇", subject_person="郑十")
    cid = (await running.case_of(envelope.aggregate_id))["id"]
    handler = headers("371422-fpb", "officer", "officer-nj")
    for action, body in [
        ("accept", None),
        ("start-investigation", None),
        ("conclude", {"finding": "substantiated", "summary": "属实"}),
        ("note", {"text": "内部：举报材料在档案室"}),
        (
            "require-rectification",
            {"due": "2025-04-30", "measures": "整改考勤", "unit": "371422-chaihudian"},
        ),
    ]:
        await running.act(cid, action, handler, body)
    township = headers("371422-chaihudian", "officer", "officer-chd")
    await running.act(cid, "submit-rectification", township, {"evidence": "考勤表"})
    seen = await running.detail(cid, township)
    assert seen["relation"] == "rectifier" and "content" not in seen
    assert [t["type"] for t in seen["timeline"]] == [
        "case.rectification_required",
        "case.rectification_submitted",
    ]
    assert seen["timeline"][0]["internal"] == {"measures": "整改考勤"}
    assert [d["kind"] for d in seen["deadlines"]] == ["rectification"]
    assert "内部" not in str(seen) and "郑十" not in str(seen)
    listed_items = (await listed(running, "", township))["items"]
    assert [item["id"] for item in listed_items] == [cid]
    await running.act(cid, "verify-rectification", township, status=403)
