"""The deadline sweeper on a real database (PostgreSQL and SQLite) and nats-server: warnings,
missed deadlines and escalations exactly once per deadline with two replicas sweeping at the
same time, catching up after downtime, with time injected (no test waits for days)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from services.cases.context import Context
from services.cases.sweeper import sweep
from shared.db import Database
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.test_cases_harness import (
    Clock,
    Running,
    case_events,
    cases_running,
    headers,
    own_nats,
    published,
)

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]
OFFICER = headers("371402-fpb", "officer", "officer-1")
CASES = 12


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


async def open_cases(running: Running, n: int) -> list[str]:
    reports = [await running.report(content=f"第{i}号：驻村工作队员长期不在村") for i in range(n)]
    return [str((await running.case_of(r.aggregate_id))["id"]) for r in reports]


def replica(running: Running, url: str) -> Context:
    """Another replica's context: its own connections, the same database and clock."""
    s = running.ctx
    return Context(
        s.settings, Database(url), s.directory, s.profiles, s.keys_dir, now=running.clock
    )


async def both(replicas: list[Context]) -> int:
    return sum(await asyncio.gather(*(sweep(r) for r in replicas)))


def types(events: list[Any]) -> Counter[str]:
    return Counter(e.type for e in events)


async def test_two_replicas_warn_miss_and_escalate_once(
    running: Running, database_url: str
) -> None:
    ids = await open_cases(running, CASES)
    replicas = [replica(running, database_url), replica(running, database_url)]
    try:
        assert await both(replicas) == 0  # nothing is due yet
        running.clock.advance(days=12, hours=14)  # 2025-03-15 16:00 Dezhou: 3 days left
        assert await both(replicas) == CASES * 2  # two opening clocks each
        assert await both(replicas) == 0
        running.clock.advance(days=3)  # past the end of day 15
        assert await both(replicas) == CASES * 4  # overdue + escalated, per clock
        assert await both(replicas) == 0
    finally:
        for r in replicas:
            await r.db.dispose()
    events = await published(running.js, ids[0], 7)
    assert types(events) == {
        "case.opened": 1,
        "case.deadline_approaching": 2,
        "case.overdue": 2,
        "case.escalated": 2,
    }
    assert [e.sequence for e in events] == list(range(1, 8))
    escalated = [e for e in events if e.type == "case.escalated"]
    assert {e.data["to_unit"] for e in escalated} == {"city-fpb"}  # Decheng's sector supervisor
    assert all(e.data["automatic"] and e.data["deadline"]["kind"] for e in escalated)
    await eventually(lambda: _drained(running))
    everything = types(await case_events(running.js))
    assert (everything["case.overdue"], everything["case.escalated"]) == (CASES * 2, CASES * 2)
    detail = await running.detail(ids[0])
    assert detail["overdue"] and detail["escalated_to"] == "city-fpb" and detail["version"] == 7


async def test_after_downtime_a_pass_catches_up_without_late_warnings(running: Running) -> None:
    (cid,) = await open_cases(running, 1)
    await running.act(cid, "accept", OFFICER)  # meets the opening clocks, starts `handle`
    running.clock.advance(days=90)  # the service was down for three months
    assert await sweep(running.ctx) == 2
    events = await published(running.js, cid, 4)
    assert [e.type for e in events[2:]] == ["case.overdue", "case.escalated"]
    assert events[2].data["deadline"]["kind"] == "handle"
    assert await sweep(running.ctx) == 0


async def test_acting_in_time_stops_the_clock(running: Running) -> None:
    (cid,) = await open_cases(running, 1)
    running.clock.advance(days=5)
    await running.act(cid, "reject", OFFICER, {"reason": "不属于受理范围"})
    running.clock.advance(days=60)
    assert await sweep(running.ctx) == 0  # the review window lapses quietly
    states = {d["kind"]: d["state"] for d in (await running.detail(cid))["deadlines"]}
    assert states == {
        "register_and_dispose": "met",
        "accept_decision": "met",
        "assignment_dispute": "met",  # the reply closes the window to dispute (退单)
        "review_request": "lapsed",
    }


async def test_the_background_sweeper_runs_in_every_replica(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    async with cases_running(own_nats.url, database_url, tmp_path / "v1", clock) as first:
        (cid,) = await open_cases(first, 1)
    clock.advance(days=20)  # both replicas start after the deadline passed
    fast = {"sweeper": True, "sweep_interval": 0.1}
    async with (
        cases_running(own_nats.url, database_url, tmp_path / "v2", clock, **fast) as a,
        cases_running(own_nats.url, database_url, tmp_path / "v3", clock, **fast),
    ):
        await published(a.js, cid, 5)
        assert await sweep(a.ctx) == 0  # nothing is owed any more: the clocks are missed
        await eventually(lambda: _drained(a))
        events = await case_events(a.js, cid)
    assert types(events) == {"case.opened": 1, "case.overdue": 2, "case.escalated": 2}


async def _drained(running: Running) -> bool:
    return await running.app.state.runtime.relay.pending() == 0
