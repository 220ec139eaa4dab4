"""Two replicas of cases on one durable consumer and one database: every report becomes exactly
one case, repeats arriving at once join one case, and nothing a replica needs lives in memory."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from services.cases.models import case_reports, cases
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.test_cases_harness import (
    TIMELY,
    Clock,
    Running,
    case_events,
    cases_running,
    own_nats,
)
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.integration
__all__ = ["own_nats"]
REPORTS = 60


async def counted(running: Running) -> tuple[int, int]:
    async with running.ctx.db.sessions() as session:
        opened = await session.scalar(select(func.count()).select_from(cases))
        linked = await session.scalar(select(func.count()).select_from(case_reports))
    return int(opened or 0), int(linked or 0)


async def two_replicas(url: str, database_url: str, tmp_path: Path) -> Any:
    clock, fast = Clock(), {"pull_batch": 10}
    return (
        cases_running(url, database_url, tmp_path / "a", clock, **fast),
        cases_running(url, database_url, tmp_path / "b", clock, **fast),
    )


async def test_every_report_becomes_one_case(
    own_nats: NatsProcess, database_url: str, tmp_path: Path
) -> None:
    first, second = await two_replicas(own_nats.url, database_url, tmp_path)
    async with first as a, second as b:
        reports = [
            a.report(content=f"第{i}号反映：帮扶干部只发钱不帮扶", reporter_index=f"r{i}")
            for i in range(REPORTS)
        ]
        await asyncio.gather(*reports)
        await eventually(lambda: _all_in(a, REPORTS), timeout=60)
        events = await stream(a, REPORTS)
        assert b.app.state.context is not a.app.state.context
    assert Counter(e.type for e in events) == {"case.opened": REPORTS}
    assert len({e.aggregate_id for e in events}) == REPORTS


async def stream(running: Running, n: int) -> list[Any]:
    """All case events once `n` are on the stream."""
    events: list[Any] = []

    async def arrived() -> bool:
        events[:] = await case_events(running.js)
        return len(events) >= n

    await eventually(arrived, timeout=30)
    return events


async def _all_in(running: Running, n: int) -> bool:
    return await counted(running) == (n, n)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    return in_thread(pg_server.create_database())


async def test_repeats_arriving_at_once_join_one_case(
    own_nats: NatsProcess, pg_url: str, tmp_path: Path
) -> None:
    """PostgreSQL (the deployment with several replicas): advisory locks order the repeats."""
    first, second = await two_replicas(own_nats.url, pg_url, tmp_path)
    async with first as a, second:
        repeats = [
            a.report(subject_unit="宁津县扶贫办", content=f"第{i}次反映：{TIMELY}")
            for i in range(20)
        ]
        await asyncio.gather(*repeats)
        await eventually(lambda: _linked(a, 20), timeout=60)
        assert (await counted(a))[0] == 1
        opened = await stream(a, 20)
    assert Counter(e.type for e in opened) == {"case.opened": 1, "case.merged": 19}
    assert sorted(e.sequence for e in opened) == list(range(1, 21))


async def _linked(running: Running, n: int) -> bool:
    return (await counted(running))[1] == n
