"""Aggregates only show what the caller may see (issue 15.17): stats, their export, the ranking
and the dashboard's drill-down pages, per role, on real NATS and a real database, checked
against the slow recount of only the cases the caller's units handled."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest

from services.reporting.models import COUNT_FIELDS
from shared.events import Envelope
from tests.integration.test_reporting_harness import (
    BASE,
    Service,
    case_facts,
    everything,
    lone_report,
    recount,
    service,
    token,
    world,
)

pytestmark = pytest.mark.integration
SCOPED_GROUPS = ("county", "unit", "problem", "period")
# 371402-lg supervises 371402-fpb; city-fpb's ancestors are city-lg; city-lg sees all.
SUPERVISOR = ("371402-lg", {"371402-lg", "371402-fpb"})


def handled_by(envelopes: Iterable[Envelope], units: set[str]) -> list[Envelope]:
    """The events of the cases `units` handle (as the facts end), with those cases' reports."""
    envelopes = list(envelopes)
    by_case: dict[str, list[Envelope]] = defaultdict(list)
    for e in envelopes:
        if e.type.startswith("case."):
            by_case[e.aggregate_id].append(e)
    kept = {c for c, events in by_case.items() if case_facts(events)["handling_unit"] in units}
    reports = {
        e.data[field]
        for c in kept
        for e in by_case[c]
        for field in ("report_id", "merged_report_id")
        if e.type in ("case.opened", "case.merged") and field in e.data
    }
    return [
        e
        for e in envelopes
        if (e.type.startswith("case.") and e.aggregate_id in kept)
        or (e.type == "report.received" and e.data["report_id"] in reports)
    ]


async def _loaded(svc: Service) -> list[Envelope]:
    events = everything(world(random.Random(11), cases=40)) + [
        lone_report("371402", BASE + timedelta(days=1))
    ]
    await svc.publish(events)
    await svc.until_processed(len(events))
    return events


async def test_aggregates_are_scoped_by_role(database_url: str, tmp_path: Any) -> None:
    async with service(database_url, tmp_path) as svc:
        events = await _loaded(svc)
        await _whole_city_readers(svc, events)
        await _unit_readers(svc, events)
        await _ranking(svc)
        await _pages(svc)


async def _whole_city_readers(svc: Service, events: list[Envelope]) -> None:
    readers = [
        token(),
        token("city-audit", "auditor"),
        token("city-jw", "inspector"),
        token("city-lg", "leader"),
        token("city-fpb", "leader"),
    ]
    for headers in readers:
        for group_by in (*SCOPED_GROUPS, "channel"):
            answer = await svc.http.get(
                "/api/v1/stats", params={"group_by": group_by}, headers=headers
            )
            assert answer.status_code == 200, answer.text
            assert answer.json() == recount(events, group_by)


async def _unit_readers(svc: Service, events: list[Envelope]) -> None:
    officer = ("371402-fpb", "officer", {"371402-fpb"})
    leader = ("371403-fpb", "leader", {"371403-fpb"})
    supervisor = (SUPERVISOR[0], "supervisor", SUPERVISOR[1])
    county_leader = (SUPERVISOR[0], "leader", SUPERVISOR[1])  # leads its county's units
    city_officer = ("city-fpb", "officer", {"city-fpb"})
    for unit, role, units in (officer, leader, supervisor, county_leader, city_officer):
        headers = token(unit, role)
        mine = handled_by(events, units)
        for group_by in SCOPED_GROUPS:
            answer = await svc.http.get(
                "/api/v1/stats", params={"group_by": group_by}, headers=headers
            )
            assert answer.status_code == 200, answer.text
            assert answer.json() == recount(mine, group_by), (unit, role, group_by)
        weekly = await svc.http.get(
            "/api/v1/stats", params={"group_by": "period", "period": "week"}, headers=headers
        )
        assert weekly.json() == recount(mine, "period", "week")
        by_channel = await svc.http.get(
            "/api/v1/stats", params={"group_by": "channel"}, headers=headers
        )
        assert by_channel.status_code == 403
        exported = await svc.http.get("/api/v1/export/stats.csv", headers=headers)
        table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        totals = recount(mine, "county")["totals"]
        assert [int(v) for v in table[-1][2:11]] == [totals[f] for f in COUNT_FIELDS]
    # The officer's own figures are real (the world gives its unit cases), the city's differ.
    own = await svc.http.get("/api/v1/stats", headers=token("371402-fpb", "officer"))
    city = await svc.http.get("/api/v1/stats", headers=token())
    assert 0 < own.json()["totals"]["cases"] < city.json()["totals"]["cases"]


async def _ranking(svc: Service) -> None:
    async def ranked(unit: str, role: str) -> list[str]:
        answer = await svc.http.get(
            "/api/v1/ranking", params={"year": 2018}, headers=token(unit, role)
        )
        assert answer.status_code == 200, answer.text
        return [item["unit"] for item in answer.json()["items"]]

    everyone = await ranked("city-audit", "auditor")
    assert {"371402-fpb", "city-zzb"} <= set(everyone)
    # The city office sees every unit but its own and the leading group above it.
    assert set(await ranked("city-fpb", "city_office")) == set(everyone) - {"city-fpb", "city-lg"}
    # A unit never sees what is reported about itself, nor about a unit above it.
    assert await ranked("371402-fpb", "officer") == []
    assert await ranked("city-zzb", "leader") == []
    assert await ranked(SUPERVISOR[0], "supervisor") == ["371402-fpb"]
    ranks = (
        await svc.http.get(
            "/api/v1/ranking", params={"year": 2018}, headers=token("city-fpb", "city_office")
        )
    ).json()["items"]
    assert [item["rank"] for item in ranks] == list(range(1, len(ranks) + 1))


async def _pages(svc: Service) -> None:
    officer = token("371402-fpb", "officer")
    assert (await svc.http.get("/dashboard/county/371402", headers=officer)).status_code == 404
    assert (await svc.http.get("/dashboard/unit/371403-fpb", headers=officer)).status_code == 404
    assert (await svc.http.get("/dashboard/unit/371402-fpb", headers=officer)).status_code == 200
    supervisor = token(SUPERVISOR[0], "supervisor")
    assert (await svc.http.get("/dashboard/unit/371402-fpb", headers=supervisor)).status_code == 200
    assert (await svc.http.get("/dashboard/unit/city-zzb", headers=supervisor)).status_code == 404
    city = token()
    assert (await svc.http.get("/dashboard/county/371402", headers=city)).status_code == 200
    assert (await svc.http.get("/dashboard/unit/city-zzb", headers=city)).status_code == 200
    # The overview keeps its public figures for everyone; a unit reader's detail is its own.
    page = (await svc.http.get("/dashboard", headers=officer)).text
    assert 'href="/dashboard/county/' not in page and 'href="/dashboard/unit/371403-fpb' not in page
    public = (await svc.http.get("/dashboard")).text
    assert "371402" in public or "德城区" in public
