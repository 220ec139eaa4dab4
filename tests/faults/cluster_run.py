"""One run of the cluster fault scenario: the system on a 3-node NATS cluster under steady load,
NATS nodes killed with -9 and started again, poison and duplicates; then the invariants of
checks.py and notices.py, and the run's counts (accepted, cases, notices, counted, DLQ)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import nats

from bench.loadgen import submit
from shared import dlq
from tests.faults.checks import assert_invariants, rows, settle
from tests.faults.cluster_stack import ClusterStack, stream_leader, wait_current
from tests.faults.notices import assert_notified, subscribe
from tests.faults.test_fault_smoke import _duplicates
from tests.integration.notify_harness import Receiver

STREAMS = ["INTAKE", "CASES", "NOTIFY", "DLQ", "DLQ_ADVISORIES"]


@dataclass
class Plan:
    rate: float  # reports per second
    duration: float  # seconds of load
    kills: tuple[str, ...]  # "node" (one not leading INTAKE) or "leader" (INTAKE's), in turn
    down: float = 6.0  # seconds a killed node stays down
    poison: int = 2
    duplicates: int = 5


async def _kill_and_restart(stack: ClusterStack, js, what: str, down: float) -> str:  # type: ignore[no-untyped-def]
    cluster = stack.cluster
    assert cluster is not None
    leader = await stream_leader(js, "INTAKE")
    if what == "leader":
        victim = cluster.index_of(leader)
    else:
        victim = next(i for i in range(cluster.size) if cluster.server_name(i) != leader)
    cluster.kill(victim)
    await asyncio.sleep(down)
    await asyncio.to_thread(cluster.start, victim)
    await wait_current(js, STREAMS)  # caught up before the next fault
    return f"{what} {cluster.server_name(victim)} (INTAKE led by {leader})"


async def run(tmp_path: Path, urls: dict[str, str], sink: Receiver, plan: Plan) -> dict[str, int]:
    stack = ClusterStack(tmp_path, urls)
    await stack.prepare()
    assert stack.cluster is not None
    nc = await nats.connect(stack.cluster.url.split(","), max_reconnect_attempts=-1)
    try:
        await asyncio.to_thread(stack.start_all)
        await subscribe(stack.url("notify"), sink)
        load = asyncio.create_task(
            submit(stack.url("intake"), rate=plan.rate, duration=plan.duration)
        )
        js = nc.jetstream()
        gap = plan.duration / (len(plan.kills) + 1)
        faults = []
        for what in plan.kills:
            await asyncio.sleep(gap / 2)
            faults.append(await _kill_and_restart(stack, js, what, plan.down))
        for i in range(plan.poison):
            await js.publish("zuofeng.v1.371402.report.received", b"\xff poison %d" % i)
        await _duplicates(js, plan.duplicates)
        result = await load
        await settle(js, urls, timeout=240)
        figures = await assert_invariants(js, urls, set(result.accepted), plan.poison)
        figures |= await assert_notified(urls, sink)
        counted = await rows(urls["reporting"], "SELECT count(*) FROM report_facts")
        letters = await dlq.list_dead_letters(js)
        figures |= {"counted": counted[0][0], "dlq": len(letters)}
        print("cluster faults:", faults, figures, "failed requests:", result.failures)
        assert len(result.accepted) >= plan.rate * plan.duration * 0.9, result.statuses
        return figures
    finally:
        await nc.close()
        stack.stop()
