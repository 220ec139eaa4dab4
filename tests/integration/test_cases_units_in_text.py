"""A report naming a unit only in its words (content or title, no `subject_unit`) never reaches
that unit: the unit is accused, handled above it, and its officers see nothing of the case
through the list or the detail. A unit-like name the directory does not know goes to the city
office's triage; ordinary text changes nothing."""

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

NINGJIN_OFFICER = headers("371422-fpb", "officer", "officer-nj")
NINGJIN_LEADER = headers("371422-fpb", "leader", "leader-nj")
TOWNSHIP_OFFICER = headers("371422-chaihudian", "officer", "officer-chd")


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def _hidden_from(running: Running, case_id: str, who: dict[str, str]) -> None:
    listed = await running.http.get("/api/v1/cases?limit=500", headers=who)
    assert listed.status_code == 200
    assert case_id not in {item["id"] for item in listed.json()["items"]}
    searched = await running.http.get(f"/api/v1/cases?q={case_id}", headers=who)
    assert searched.json()["total"] == 0
    detail = await running.http.get(f"/api/v1/cases/{case_id}", headers=who)
    assert detail.status_code == 404


async def test_a_unit_named_only_in_the_content_never_sees_its_case(running: Running) -> None:
    content = (
        "宁津县扶贫办在危房改造补助评定中优亲厚友，把名额给了不符合条件的亲戚，"
        "柴胡店镇的贫困户多次反映都没有结果。"
    )
    report = await running.report(county="371422", content=content)
    case = await running.case_of(report.aggregate_id)
    # Without the text, the county's own office would handle a complaint against itself.
    assert case["handling_unit"] not in ("371422-fpb", "371422-chaihudian")
    assert case["accused_units"] == ["371422-fpb", "371422-chaihudian"]
    assert case["triage"] is False
    for who in (NINGJIN_OFFICER, NINGJIN_LEADER, TOWNSHIP_OFFICER):
        await _hidden_from(running, case["id"], who)
    refused = await running.act(case["id"], "assign", CITY, {"unit": "371422-chaihudian"}, 422)
    assert refused.json()["detail"][0]["loc"] == ["body", "unit"]


async def test_a_unit_named_only_in_the_title_is_accused_too(running: Running) -> None:
    report = await running.report(
        county="371402", title="举报德城区扶贫办", content="扶贫专干长期不在岗，群众有事找不到人。"
    )
    case = await running.case_of(report.aggregate_id)
    assert case["handling_unit"] == "city-fpb" and case["accused_unit"] == "371402-fpb"
    await _hidden_from(running, case["id"], headers("371402-fpb", "officer", "o-dc"))


async def test_an_unknown_unit_named_in_the_text_goes_to_the_city_triage(running: Running) -> None:
    content = "大柳镇政府把扶贫资金挪去修了办公楼，驻村工作队员一个月就来一两次，群众找不到人。"
    report = await running.report(county="371422", content=content)
    case = await running.case_of(report.aggregate_id)
    assert (case["handling_unit"], case["triage"]) == ("city-fpb", True)
    await _hidden_from(running, case["id"], NINGJIN_OFFICER)


async def test_ordinary_text_is_routed_as_before(running: Running) -> None:
    content = (
        "驻村工作队员一个月就来一两次，平时根本不在村里住，乡亲们有事找不到人，到镇上反映也没用。"
    )
    report = await running.report(county="371422", content=content)
    case = await running.case_of(report.aggregate_id)
    assert (case["handling_unit"], case["triage"], case["accused_units"]) == (
        "371422-fpb",
        False,
        [],
    )
    seen = await running.http.get(f"/api/v1/cases/{case['id']}", headers=NINGJIN_OFFICER)
    assert seen.status_code == 200
