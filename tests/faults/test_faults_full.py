"""The whole fault suite (`make faults`): under steady load, kill -9 each service in turn and
start it again, stop and restart NATS, stop and restart the PostgreSQL the services use (an
instance of the test's own), deliver duplicates and poison; then check the invariants."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest

from bench.loadgen import submit
from tests.faults.checks import assert_invariants, settle
from tests.faults.notices import assert_notified, subscribe
from tests.faults.test_fault_smoke import POISON, _duplicates
from tests.integration.notify_harness import Receiver
from tests.pg import PrivatePostgres
from tests.procstack import SERVICES, ProcStack

pytestmark = [pytest.mark.faults, pytest.mark.slow]


@pytest.fixture
def private_pg() -> PrivatePostgres:
    server = PrivatePostgres()
    server.start()
    server.wait_ready()
    yield server  # type: ignore[misc]
    server.destroy()


async def _restart_nats(stack: ProcStack, down: float) -> None:
    assert stack.nats is not None
    await asyncio.to_thread(stack.nats.stop)
    await asyncio.sleep(down)
    await asyncio.to_thread(stack.start_nats)  # same port and store


async def _restart_postgres(pg: PrivatePostgres, down: float) -> None:
    await asyncio.to_thread(pg.stop)
    await asyncio.sleep(down)
    await asyncio.to_thread(pg.start)


async def test_everything_survives_every_fault(
    tmp_path: Path, private_pg: PrivatePostgres, sink: Receiver
) -> None:
    urls = await private_pg.create_databases(SERVICES)
    stack = ProcStack(tmp_path, urls)
    await stack.prepare()
    try:
        await asyncio.to_thread(stack.start_all)
        await subscribe(stack.url("notify"), sink)
        load = asyncio.create_task(submit(stack.url("intake"), rate=20, duration=75))
        for service in SERVICES:
            await asyncio.sleep(5)
            await asyncio.to_thread(stack.restart, service)
        await asyncio.sleep(5)
        await _restart_nats(stack, down=5)
        await asyncio.sleep(8)
        await _restart_postgres(private_pg, down=10)
        result = await load
        assert stack.nats is not None
        nc = await nats.connect(stack.nats.url)
        js = nc.jetstream()
        for i in range(POISON):
            await js.publish("zuofeng.v1.371403.report.received", b'{"poison": %d}' % i)
        await _duplicates(js, 10)
        await settle(js, urls, timeout=240)
        figures = await assert_invariants(js, urls, set(result.accepted), POISON)
        figures |= await assert_notified(urls, sink)
        print(figures, "failed requests:", result.failures, result.statuses)
        assert len(result.accepted) > 500
        await nc.close()
    finally:
        stack.stop()
