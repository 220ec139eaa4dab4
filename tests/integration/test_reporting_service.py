"""Reporting end to end on real NATS and a real database: events in, stats, phases, exports,
the public exposure board, the ranking and the business metrics out."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from services.reporting.models import COUNT_FIELDS
from shared.directory import load_directory
from tests.integration.busutil import eventually
from tests.integration.test_reporting_harness import (
    BASE,
    CaseScript,
    Service,
    everything,
    lone_report,
    recount,
    service,
    token,
    world,
)

pytestmark = pytest.mark.integration
KEYS = {"key", *COUNT_FIELDS, "median_days_to_accept", "median_days_to_close"}
EXPOSURE_TEXT = "某县某村驻村工作队员长期不在岗，经查属实，已责令整改并通报。"


def _scripts() -> list[CaseScript]:
    scripts = world(random.Random(3), cases=25)
    exposed = CaseScript("371481", "city-zzb", 17, "letter", BASE + timedelta(days=3)).open()
    for i, action in enumerate(("accept", "start", "conclude", "require", "submit", "verify")):
        exposed.step(action, BASE + timedelta(days=4 + i), "substantiated")
    exposed.step("expose", BASE + timedelta(days=12), EXPOSURE_TEXT)
    return [*scripts, exposed]


async def _loaded(svc: Service) -> list[Any]:
    events = everything(_scripts()) + [lone_report("371402", BASE + timedelta(days=1))]
    await svc.publish(events)
    await svc.until_processed(len(events))
    return events


async def test_stats_exports_and_board(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path) as svc:
        events = await _loaded(svc)
        await _stats_match(svc, events)
        await _phases(svc, events)
        await _exports_parse_back(svc)
        await _board(svc)
        await _unit_pages(svc)
        await _ranking_and_roles(svc)
        await _metrics(svc)


async def _stats_match(svc: Service, events: list[Any]) -> None:
    city = token()
    for group_by in ("county", "unit", "problem", "channel", "period"):
        answer = await svc.http.get("/api/v1/stats", params={"group_by": group_by}, headers=city)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"groups", "totals"}
        assert all(set(group) == KEYS for group in [*body["groups"], body["totals"]])
        assert body == recount(events, group_by)
    weekly = await svc.http.get(
        "/api/v1/stats", params={"group_by": "period", "period": "week"}, headers=city
    )
    assert weekly.json() == recount(events, "period", "week")


async def _phases(svc: Service, events: list[Any]) -> None:
    city = token()
    phases = (await svc.http.get("/api/v1/phases")).json()["items"]
    assert {"id": "2018-q1", "name": "2018年第一季度"}.items() <= phases[1].items()
    q1 = await svc.http.get("/api/v1/stats", params={"phase": "2018-q1"}, headers=city)
    assert q1.json() == recount(events, "county", "day", date(2018, 1, 1), date(2018, 3, 31))
    narrowed = await svc.http.get(
        "/api/v1/stats", params={"phase": "2018-q2", "to": "2018-04-10"}, headers=city
    )
    assert narrowed.json() == recount(events, "county", "day", date(2018, 4, 1), date(2018, 4, 10))
    bad = await svc.http.get("/api/v1/stats", params={"phase": "2019-q9"}, headers=city)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "phase"]
    assert "未知的阶段" in bad.json()["detail"][0]["msg"]
    english = await svc.http.get(
        "/api/v1/stats", params={"phase": "x"}, headers=city | {"Accept-Language": "en"}
    )
    assert english.json()["detail"][0]["msg"].startswith("unknown phase")


async def _exports_parse_back(svc: Service) -> None:
    city = token()
    stats = (
        await svc.http.get("/api/v1/stats", params={"group_by": "county"}, headers=city)
    ).json()
    expected = [[g["key"], *(g[f] for f in COUNT_FIELDS)] for g in stats["groups"]]
    expected.append(["合计", *(stats["totals"][f] for f in COUNT_FIELDS)])
    as_csv = await svc.http.get("/api/v1/export/stats.csv", headers=city)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["分组", "名称", "收到举报", "案件"]
    assert [[r[0], *map(int, r[2:11])] for r in rows[1:]] == expected
    as_xlsx = await svc.http.get("/api/v1/export/stats.xlsx", headers=city)
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [[r[0], *r[2:11]] for r in cells[1:]] == expected
    await _case_export(svc, stats["totals"])


async def _case_export(svc: Service, totals: dict[str, Any]) -> None:
    city = token()
    as_csv = await svc.http.get("/api/v1/export/cases.csv", headers=city)
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert len(rows) == totals["cases"]
    found = sum(r["核查结论"] in ("substantiated", "partly") for r in rows)
    assert found == totals["substantiated"]
    assert sum(r["曝光"] == "是" for r in rows) == totals["exposed"]
    as_xlsx = await svc.http.get(
        "/api/v1/export/cases.xlsx", params={"county": "371481"}, headers=city
    )
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][:3] == ("案件编号", "县市区代码", "县市区")
    assert {row[1] for row in cells[1:]} == {"371481"} and cells[1][2] == "乐陵市"
    own = token("371402-fpb", "officer")
    mine = await svc.http.get("/api/v1/export/cases.csv", headers=own)
    units = {r["承办单位"] for r in csv.DictReader(io.StringIO(mine.content.decode("utf-8-sig")))}
    assert units <= {"371402-fpb"}


async def _board(svc: Service) -> None:
    board = await svc.http.get("/api/v1/exposures")  # public: no token
    assert board.status_code == 200
    items = board.json()["items"]
    totals = (await svc.http.get("/api/v1/stats", headers=token())).json()["totals"]
    assert len(items) == board.json()["total"] == totals["exposed"]
    assert EXPOSURE_TEXT in [item["text"] for item in items]
    assert all(set(item) == {"id", "county", "problem", "exposed_at", "text"} for item in items)
    assert "经核查属实" not in board.text  # the conclusion's summary is not on the board


async def _unit_pages(svc: Service) -> None:
    shown = await svc.http.get("/dashboard/unit/371402-fpb", headers=token())
    assert shown.status_code == 200 and "德城区扶贫办" in shown.text
    assert (await svc.http.get("/dashboard/unit/371402-nosuch", headers=token())).status_code == 404
    stranger = await svc.http.get("/dashboard/unit/371402-nosuch")
    assert stranger.status_code == 303  # to sign-in, whether the unit exists or not: no hint
    assert stranger.headers["location"].startswith("/signin?next=")


async def _ranking_and_roles(svc: Service) -> None:
    ranking = await svc.http.get("/api/v1/ranking", params={"year": 2018}, headers=token())
    items = ranking.json()["items"]
    assert items and items[0]["rank"] == 1
    assert [i["received"] for i in items] == sorted((i["received"] for i in items), reverse=True)
    assert ranking.json()["responsibility"] == "main"
    await _supervision_apart(svc)
    assert (await svc.http.get("/api/v1/stats")).status_code == 401
    integrator = token("city-fpb", "integrator")
    assert (await svc.http.get("/api/v1/stats", headers=integrator)).status_code == 403


async def _supervision_apart(svc: Service) -> None:
    """监督责任 ranks the supervising units by what is reported about the units they oversee,
    apart from 主体责任 (what is reported about a unit itself)."""
    directory = load_directory()
    asked = {"year": 2018, "limit": 500}
    main = (await svc.http.get("/api/v1/ranking", params=asked, headers=token())).json()
    both = {**asked, "responsibility": "supervision"}
    sup = (await svc.http.get("/api/v1/ranking", params=both, headers=token())).json()
    assert sup["responsibility"] == "supervision" and sup["items"]
    own = {i["unit"]: i["received"] for i in main["items"]}
    for item in sup["items"]:
        overseen = [u for u in own if u in directory and item["unit"] in
                    {s.unit for s in directory.supervisors_of(u)}]  # fmt: skip
        assert item["received"] == sum(own[u] for u in overseen), item
    bad = {**asked, "responsibility": "both"}
    refused = await svc.http.get("/api/v1/ranking", params=bad, headers=token())
    assert refused.status_code == 422


async def _metrics(svc: Service) -> None:
    async def shown() -> bool:
        text = (await svc.http.get("/metrics")).text
        return "zuofeng_reporting_open_cases{" in text and "zuofeng_reporting_consumer_lag{" in text

    await eventually(shown, timeout=15)
    text = (await svc.http.get("/metrics")).text
    groups = (await svc.http.get("/api/v1/stats", headers=token())).json()["groups"]
    exposed = next(g["exposed"] for g in groups if g["key"] == "371481")
    assert f'zuofeng_reporting_exposures{{county="371481"}} {exposed}.0' in text
    assert 'zuofeng_reporting_consumer_lag{consumer="reporting-cases",stream="CASES"} 0.0' in text
    assert "zuofeng_reporting_time_to_accept_seconds_bucket{" in text
