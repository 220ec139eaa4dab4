"""Discipline inspection's four ways of disposing of a transferred case (谈话函询,
初步核实, 暂存待查, 予以了结) and its quarterly results for the city office, over HTTP on a
real nats-server and PostgreSQL and SQLite: who may record a way, on which case, what is
published, and what the quarter counts for whom."""

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
    published,
)

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]

OFFICER = headers("371402-fpb", "officer", "officer-1")
INSPECTOR = headers("371402-jw", "inspector", "insp-1")
ELSEWHERE = headers("371403-jw", "inspector", "insp-2")
CITY_JW = headers("city-jw", "inspector", "insp-3")


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def quarter(running: Running, who: dict[str, str], year: int = 2025, q: int = 1) -> Any:
    answer = await running.http.get(
        f"/api/v1/discipline/quarterly?year={year}&quarter={q}", headers=who
    )
    return answer


async def test_disposal_ways_and_the_quarterly_results(running: Running) -> None:
    envelope = await running.report()
    cid = (await running.case_of(envelope.aggregate_id))["id"]
    await running.act(cid, "dispose", INSPECTOR, {"way": "talk_inquiry"}, status=404)
    await running.act(cid, "dispose", OFFICER, {"way": "talk_inquiry"}, status=403)
    await running.act(cid, "transfer", OFFICER, {"to": "discipline_inspection", "reason": "违纪"})
    talk = {"way": "talk_inquiry", "reason": "先行谈话函询"}
    await running.act(cid, "dispose", OFFICER, talk, status=403)
    await running.act(cid, "dispose", CITY, talk, status=403)
    await running.act(cid, "dispose", INSPECTOR, {"way": "warning"}, status=422)
    done = (await running.act(cid, "dispose", INSPECTOR, talk)).json()
    assert done["status"] == "transferred" and done["timeline"][-1]["type"] == "case.disposed"
    disposed = (await published(running.js, cid, 3))[2]
    assert disposed.type == "case.disposed" and disposed.data["way"] == "talk_inquiry"
    assert "先行谈话函询" not in str(disposed.data)  # the reason stays with the case
    await running.act(cid, "dispose", INSPECTOR, {"way": "preliminary_verification"})
    running.clock.advance(days=10)
    await running.act(cid, "close", INSPECTOR)
    await running.act(cid, "dispose", INSPECTOR, {"way": "concluded"}, status=409)

    report = (await quarter(running, CITY)).json()
    ways = {"talk_inquiry": 1, "preliminary_verification": 1, "shelved": 0, "concluded": 0}
    assert report["total"] == {"transferred": 1, "disposed": ways, "closed": 1}
    assert [u["unit"] for u in report["units"]] == ["371402-jw"]
    assert (await quarter(running, INSPECTOR)).json()["total"]["transferred"] == 1
    assert (await quarter(running, CITY_JW)).json()["total"]["transferred"] == 1  # under it
    assert (await quarter(running, ELSEWHERE)).json()["units"] == []
    assert (await quarter(running, CITY, q=2)).json()["units"] == []
    current = await running.http.get("/api/v1/discipline/quarterly", headers=CITY)
    assert (current.json()["year"], current.json()["quarter"]) == (2025, 1)  # the clock's
    assert (await quarter(running, OFFICER)).status_code == 403
    bad = await quarter(running, CITY, q=5)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "quarter"]
