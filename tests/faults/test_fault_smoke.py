"""Fault smoke (part of `make test`): under steady load, kill -9 cases and reporting and start
them again, inject poison and duplicates; then nothing is lost, doubled or stalled.
The whole suite (`make faults`) is in test_faults_full.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest

from bench.loadgen import submit
from tests.faults.checks import assert_invariants, settle
from tests.faults.notices import assert_notified, subscribe
from tests.integration.notify_harness import Receiver
from tests.pg import PgServer, in_thread
from tests.procstack import SERVICES, ProcStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
POISON = 2


@pytest.fixture
def stack_urls(pg_server: PgServer) -> dict[str, str]:
    return {name: in_thread(pg_server.create_database()) for name in SERVICES}


async def _duplicates(js, count: int) -> None:  # type: ignore[no-untyped-def]
    """Re-send stored report events under new message ids: past the dedupe window, as it were."""
    info = await js.stream_info("INTAKE")
    for seq in range(info.state.first_seq, info.state.first_seq + count):
        original = await js.get_msg("INTAKE", seq)
        await js.publish(original.subject, original.data, headers={"Nats-Msg-Id": f"dup-{seq}"})


async def test_kill_restart_poison_and_duplicates_lose_nothing(
    tmp_path: Path, stack_urls: dict[str, str], sink: Receiver
) -> None:
    stack = ProcStack(tmp_path, stack_urls)
    await stack.prepare()
    try:
        await asyncio.to_thread(stack.start_all)
        await subscribe(stack.url("notify"), sink)
        load = asyncio.create_task(submit(stack.url("intake"), rate=15, duration=24))
        await asyncio.sleep(6)
        await asyncio.to_thread(stack.restart, "cases")
        await asyncio.sleep(4)
        await asyncio.to_thread(stack.restart, "reporting")
        nc = await nats.connect(stack.nats.url)  # type: ignore[union-attr]
        js = nc.jetstream()
        for i in range(POISON):
            await js.publish("zuofeng.v1.371402.report.received", b"\xff not an event %d" % i)
        await _duplicates(js, 5)
        result = await load
        assert len(result.accepted) > 200, (
            f"accepted only {len(result.accepted)}: {result.statuses}"
        )
        await settle(js, stack_urls)
        figures = await assert_invariants(js, stack_urls, set(result.accepted), POISON)
        figures |= await assert_notified(stack_urls, sink)
        print(figures)
        await nc.close()
    finally:
        stack.stop()
