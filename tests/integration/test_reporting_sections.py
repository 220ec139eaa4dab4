"""Issues 22 and 23 through the reporting service on a real NATS (SQLite and PostgreSQL):
federation's programme events, published out of order and twice, reach the per-county
programme figures and their exports inside each caller's counties, and nothing sensitive
reaches reporting's tables; supervision and re-check events reach the supervision figures by
county and unit; alerts say which responsibility they are counted under and filter by it."""

from __future__ import annotations

import io
import random
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import insert, select

from services.reporting.models import alerts
from services.reporting.programmes.tables import prog_aid, prog_items, prog_villages
from services.reporting.supervision.tables import sup_rechecks
from tests.integration.test_reporting_harness import Service, service, token
from tests.officials_desk import signed_in
from tests.sections_world import (
    NOT_KEPT,
    PROGRAMMES,
    A,
    B,
    federation_events,
    supervision_events,
)


async def test_programme_events_reach_the_figures_in_any_order(
    database_url: str, tmp_path: Path
) -> None:
    events = federation_events()
    shuffled = random.Random(23).sample(events, len(events))
    async with service(database_url, tmp_path) as svc:
        await svc.publish(shuffled + shuffled[:5])  # the bus drops the re-sends
        await svc.until_processed(len(events))
        body = await _get(svc, "/api/v1/stats/programmes", token("city-fl", "federation_officer"))
        found = {item["county"]: item for item in body["items"]}
        assert len(found) > 2  # every county, those with nothing yet at 0
        for county, expected in PROGRAMMES.items():
            assert {k: found[county][k] for k in expected} == expected, county
        own = await _get(svc, "/api/v1/stats/programmes", token(f"{B}-fl", "federation_officer"))
        assert [item["county"] for item in own["items"]] == [B]
        officer = await _get(svc, "/api/v1/stats/programmes", token(f"{A}-fpb", "officer"))
        assert [item["county"] for item in officer["items"]] == [A]
        refused = await svc.http.get("/api/v1/stats/programmes", headers=token(role="clerk"))
        assert refused.status_code == 403
        await _exports(svc)
        assert await _stored_text(svc) and not [s for s in NOT_KEPT if s in await _stored_text(svc)]


async def _get(svc: Service, path: str, headers: dict[str, str]) -> Any:
    answer = await svc.http.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _exports(svc: Service) -> None:
    county = token(f"{A}-fl", "federation_officer")
    csv = await svc.http.get("/api/v1/export/programmes.csv", headers=county)
    assert csv.status_code == 200 and csv.text.count("\n") == 2  # the header and 德城区
    assert "德城区" in csv.text and "红星村" in csv.text and "66.7%" in csv.text
    xlsx = await svc.http.get("/api/v1/export/programmes.xlsx", headers=token())
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    dezhou = next(r for r in rows if r[0] == "德城区")
    assert dezhou[1:5] == [3, 1, 2, 15000] and len(rows) > 3


async def _stored_text(svc: Service) -> str:
    """Everything reporting keeps of the programmes, as text."""
    async with svc.db.sessions() as session:
        rows = []
        for table in (prog_aid, prog_items, prog_villages):
            rows += [tuple(r) for r in (await session.execute(select(table))).all()]
    return repr(rows)


async def test_supervision_and_rechecks_by_county_and_unit(
    database_url: str, tmp_path: Path
) -> None:
    events = supervision_events()
    async with service(database_url, tmp_path) as svc:
        await svc.publish(random.Random(22).sample(events, len(events)))
        await svc.until_processed(len(events))
        city = await _get(svc, "/api/v1/supervision", token())
        assert city["tasks_by_county"] == [
            {"county": A, "tasks": 2, "reported": 1, "accepted": 1, "sent_back": 0, "overdue": 1},
            {"county": B, "tasks": 1, "reported": 0, "accepted": 0, "sent_back": 0, "overdue": 0},
        ]
        assert city["inspections"][0] | {"unannounced_share": 0.5} == city["inspections"][0]
        assert city["rechecks"]["by_county"] == [
            {"county": A, "due": 0, "passed": 1, "failed": 0, "reopened": 0},
            {"county": B, "due": 0, "passed": 0, "failed": 1, "reopened": 1},
        ]
        assert [r["unit"] for r in city["rechecks"]["by_unit"]] == [f"{A}-fpb", f"{B}-fpb"]
        mine = await _get(svc, "/api/v1/supervision", token(f"{B}-fpb", "officer"))
        assert [r["county"] for r in mine["rechecks"]["by_county"]] == [B]
        assert [r["county"] for r in mine["tasks_by_county"]] == [B]
        exported = await svc.http.get("/api/v1/export/supervision.csv", headers=token())
        assert "回头看（县市区）" in exported.text and "督办任务（县市区）" in exported.text
        async with svc.db.sessions() as session:
            steps = (await session.execute(select(sup_rechecks.c.step))).scalars().all()
        assert sorted(steps) == ["due", "due", "failed", "passed", "reopened"]


async def test_alerts_say_and_filter_by_their_responsibility(
    database_url: str, tmp_path: Path
) -> None:
    async with service(database_url, tmp_path) as svc:
        async with svc.db.sessions() as session, session.begin():
            for scope, key in (("unit", f"{A}-fpb"), ("county", A), ("department", "city-zzb")):
                await session.execute(insert(alerts).values(**_alert(scope, key)))
        every = await _get(svc, "/api/v1/alerts", token())
        assert {(i["scope"], i["responsibility"]) for i in every["items"]} == {
            ("unit", "main"), ("county", "main"), ("department", "supervision"),
        }  # fmt: skip
        duty = await _get(svc, "/api/v1/alerts?responsibility=supervision", token())
        assert [i["scope"] for i in duty["items"]] == ["department"]
        own = await _get(svc, "/api/v1/alerts?responsibility=main", token())
        assert sorted(i["scope"] for i in own["items"]) == ["county", "unit"]
        page = await svc.http.get("/dashboard/alerts?responsibility=supervision", headers=token())
        assert page.status_code == 200 and "监督责任" in page.text
        assert 'data-responsibility="main"' not in page.text
        bad = await svc.http.get("/api/v1/alerts?responsibility=both", headers=token())
        assert bad.status_code == 422
        settings = svc.app.state.context.settings
        signed = await signed_in(svc.js, settings, "city-fpb", "city_office")
        one = await svc.http.get(f"/dashboard/alerts/{duty['items'][0]['id']}",
                                 headers=signed.headers)  # fmt: skip
        assert one.status_code == 200
        assert '<dd data-responsibility="supervision">监督责任</dd>' in one.text


def _alert(scope: str, key: str) -> dict[str, Any]:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    return {"alert_id": str(uuid.uuid4()), "scope": scope, "key": key, "county": A,
            "crossed_at": at, "count": 3, "threshold": 3, "window_days": 90,
            "window_from": date(2026, 8, 3), "window_to": date(2026, 11, 1), "raised_at": at,
            "sequence": 1}  # fmt: skip
