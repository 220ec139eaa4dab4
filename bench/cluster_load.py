"""`make bench ARGS=--cluster`: the city's counties at once on a 3-node NATS cluster (streams,
consumers and buckets at three replicas) with two replicas of every service, on PostgreSQL.

Every county of the directory sends its own reports to one of the two intakes (the counties
alternate): first at `--rate` reports per second each (open loop) for `--duration` seconds, then
as fast as intake answers (`--workers` per county) for `--max` seconds. Per phase: the accepted
rate, then per county its accepted rate, report → case opened p50/p95/p99 and its backlog
(accepted, no case yet: peak and where it stood when the load ended); each durable's lag
(pending + unacknowledged, peak and end); reporting's count against what was accepted; CPU
milliseconds per report of all the processes. Writes bench/results/cluster.json.
Run: .venv/bin/python -m bench --cluster [--rate 5 --duration 60 --max 30 --workers 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import nats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.e2e_load import cpu_ms, postgres_cpu_ms  # noqa: E402
from bench.loadgen import Load, body, drive, percentile, texts  # noqa: E402
from shared.directory import load_directory  # noqa: E402
from shared.streams import CONSUMERS, STREAMS  # noqa: E402
from tests.faults.checks import rows  # noqa: E402
from tests.faults.cluster_stack import ClusterStack  # noqa: E402
from tests.pg import PrivatePostgres  # noqa: E402
from tests.procstack import SERVICES  # noqa: E402

RESULTS = Path(__file__).parent / "results"
QUANTILES = (50, 95, 99)


@dataclass
class Watch:
    """Samples taken every second while a phase's load runs."""

    backlog_peak: dict[str, int] = field(default_factory=dict)
    backlog_end: dict[str, int] = field(default_factory=dict)
    lag_peak: dict[str, int] = field(default_factory=dict)
    lag_end: dict[str, int] = field(default_factory=dict)


async def durable_lag(js: Any) -> dict[str, int]:
    lag = {}
    for cdef in CONSUMERS:
        info = await js.consumer_info(cdef.stream, cdef.durable)
        lag[cdef.durable] = (info.num_pending or 0) + (info.num_ack_pending or 0)
    return lag


async def sample(js: Any, loads: dict[str, Load], opened: dict[str, float], seen: Watch) -> None:
    while True:
        for county, load in loads.items():
            waiting = sum(1 for report in load.accepted if report not in opened)
            seen.backlog_end[county] = waiting
            seen.backlog_peak[county] = max(seen.backlog_peak.get(county, 0), waiting)
        with contextlib.suppress(Exception):  # a sample missed while a leader moves
            seen.lag_end = await durable_lag(js)
        for durable, lag in seen.lag_end.items():
            seen.lag_peak[durable] = max(seen.lag_peak.get(durable, 0), lag)
        await asyncio.sleep(1.0)


def cpu_now(stack: ClusterStack, pg: PrivatePostgres) -> dict[str, float]:
    """CPU ms so far: each service (its replicas together), the NATS nodes, PostgreSQL, this
    generator."""
    assert stack.cluster is not None
    spent = {s: sum(cpu_ms(stack.pid(i)) for i in stack.instances if i.split("-")[0] == s)
             for s in SERVICES}  # fmt: skip
    spent["nats"] = sum(cpu_ms(node.pid) for node in stack.cluster.nodes if node is not None)
    spent["postgres"] = postgres_cpu_ms(pg)
    me = os.times()
    spent["load generator"] = (me.user + me.system) * 1000
    return spent


async def phase(
    stack: ClusterStack,
    pg: PrivatePostgres,
    js: Any,
    opened: dict[str, float],
    counties: list[str],
    *,
    rate: float | None,
    duration: float,
    workers: int,
    counted_before: int,
) -> dict[str, Any]:
    intakes = [i for i in stack.instances if i.split("-")[0] == "intake"]
    loads = {county: Load() for county in counties}
    seen = Watch()
    corpus, cpu_before = texts(), cpu_now(stack, pg)

    def reports_of(county: str) -> Callable[[], dict[str, object]]:
        rng = random.Random(county)
        return lambda: body(rng, corpus, county)

    load_before = os.getloadavg()[0]
    watcher = asyncio.create_task(sample(js, loads, opened, seen))
    connector = aiohttp.TCPConnector(limit=len(counties) * max(workers, 4) * 2)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=30)
    ) as http:
        started = time.perf_counter()
        await asyncio.gather(*(
            drive(http, stack.url(intakes[n % len(intakes)]), loads[county],
                  reports_of(county),
                  rate=rate, duration=duration, concurrency=workers)
            for n, county in enumerate(counties)
        ))  # fmt: skip
        finished = time.perf_counter()
    watcher.cancel()
    # What else ran on the machine: the services share its cores with anything else running.
    machine_load = (load_before, os.getloadavg()[0])
    accepted = sum(len(load.accepted) for load in loads.values())
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and any(
        report not in opened for load in loads.values() for report in load.accepted
    ):
        await asyncio.sleep(0.2)
    drained = time.perf_counter() - finished
    counted = counted_before
    while time.monotonic() < deadline and counted < counted_before + accepted:
        counted = (await rows(stack.database_urls["reporting"], "SELECT count(*) FROM report_facts"))[0][0]  # fmt: skip
        await asyncio.sleep(0.5)
    cpu_after = cpu_now(stack, pg)
    latencies: list[float] = []
    per_county = {}
    for county, load in loads.items():
        e2e = [opened[r] - sent for r, sent in load.accepted.items() if r in opened]
        latencies += e2e
        per_county[county] = {
            "accepted": len(load.accepted),
            "accepted_per_s": len(load.accepted) / (finished - started),
            "failed": load.failures,
            "case_opened_ms": {q: percentile(e2e, q / 100) * 1000 for q in QUANTILES},
            "opened": len(e2e),
            "backlog_peak": seen.backlog_peak.get(county, 0),
            "backlog_end_of_load": seen.backlog_end.get(county, 0),
        }
    return {
        "rate_per_county": rate or "max",
        "duration": duration,
        "accepted": accepted,
        "accepted_per_s": accepted / (finished - started),
        "failed": sum(load.failures for load in loads.values()),
        "statuses": {
            status: sum(load.statuses.get(status, 0) for load in loads.values())
            for status in sorted({s for load in loads.values() for s in load.statuses})
        },
        "intake_ms": {
            q: percentile([x for load in loads.values() for x in load.latencies], q / 100) * 1000
            for q in QUANTILES
        },
        "load_average_1min": machine_load,
        "case_opened_ms": {q: percentile(latencies, q / 100) * 1000 for q in QUANTILES},
        "opened_after_load_s": drained,
        "counted": counted - counted_before,
        "counties": per_county,
        "lag_peak": seen.lag_peak,
        "lag_end_of_load": seen.lag_end,
        "cpu_ms_per_report": {
            name: (cpu_after[name] - cpu_before[name]) / max(accepted, 1) for name in cpu_after
        },
    }


async def main(rate: float, duration: float, max_for: float, workers: int) -> dict[str, Any]:
    counties = [code for code, _ in load_directory().counties()]
    pg = PrivatePostgres(durable=True)  # stock settings, as e2e_load (fsync on)
    pg.start()
    pg.wait_ready()
    urls = await pg.create_databases(SERVICES)
    stack = ClusterStack(Path(tempfile.mkdtemp(prefix="zuofeng-cluster-bench-")), urls)
    stack.replicas = {service: 2 for service in SERVICES}
    try:
        await stack.prepare()
        assert stack.cluster is not None
        await asyncio.to_thread(stack.start_all)
        nc = await nats.connect(stack.cluster.url.split(","), max_reconnect_attempts=-1)
        opened: dict[str, float] = {}

        async def on_opened(msg: Any) -> None:
            opened[json.loads(msg.data)["data"]["report_id"]] = time.perf_counter()

        await nc.subscribe("zuofeng.v1.*.case.opened", cb=on_opened)
        js = nc.jetstream()
        done, counted = [], 0
        # Not measured: connections, statement caches and imports settle.
        warm = await phase(stack, pg, js, opened, counties[:2], rate=5, duration=8, workers=1,
                           counted_before=0)  # fmt: skip
        counted = warm["accepted"]
        for each, seconds in ((rate, duration), (None, max_for)):
            if not seconds:
                continue
            print(f"phase {each or 'max'}/s x {len(counties)} counties, {seconds:.0f} s ...",
                  flush=True)  # fmt: skip
            result = await phase(stack, pg, js, opened, counties, rate=each, duration=seconds,
                                 workers=workers, counted_before=counted)  # fmt: skip
            counted += result["counted"]
            done.append(result)
        stored = await streams_stored(js)
        await nc.close()
    finally:
        stack.stop()
        pg.destroy()
    return {
        "nodes": 3,
        "replicas": stack.replicas,
        "counties": counties,
        "phases": done,
        "reports": counted,
        "streams": stored,
    }


async def streams_stored(js: Any) -> dict[str, dict[str, int]]:
    """Messages and bytes each stream holds (on each node: three replicas) after the runs."""
    stored = {}
    for definition in STREAMS:
        state = (await js.stream_info(definition.name)).state
        stored[definition.name] = {"messages": state.messages, "bytes": state.bytes}
    return stored


def table(result: dict[str, Any]) -> str:
    lines = []
    for p in result["phases"]:
        c, i, la = p["case_opened_ms"], p["intake_ms"], p["load_average_1min"]
        lines += [
            f"== {p['rate_per_county']}/s per county x {len(result['counties'])} counties, "
            f"{p['duration']:.0f} s: accepted {p['accepted']} ({p['accepted_per_s']:.1f}/s), "
            f"failed {p['failed']} (answers {p['statuses']}), counted {p['counted']}; intake "
            f"p50/p95/p99 {i[50]:.0f}/{i[95]:.0f}/{i[99]:.0f} ms; report -> case p50/p95/p99 "
            f"{c[50]:.0f}/{c[95]:.0f}/{c[99]:.0f} ms; all opened {p['opened_after_load_s']:.1f} s "
            f"after the load; machine load average {la[0]:.1f} -> {la[1]:.1f} on "
            f"{os.cpu_count()} cores",
            f"{'county':<8} {'accepted/s':>10} {'-> case p50/p95/p99 ms':>24} "
            f"{'backlog peak/end':>17}",
        ]
        for county, row in p["counties"].items():
            q = row["case_opened_ms"]
            lines.append(
                f"{county:<8} {row['accepted_per_s']:>10.1f} "
                f"{q[50]:>8.0f}/{q[95]:>6.0f}/{q[99]:>7.0f} "
                f"{row['backlog_peak']:>10}/{row['backlog_end_of_load']:<6}"
            )
        lines.append("durable lag peak/end: " + "; ".join(
            f"{name} {p['lag_peak'].get(name, 0)}/{p['lag_end_of_load'].get(name, 0)}"
            for name in p["lag_peak"]
        ))  # fmt: skip
        cpu = p["cpu_ms_per_report"]
        lines.append("CPU ms per report: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
                     + f"; all {sum(cpu.values()):.1f}")  # fmt: skip
    reports = max(result.get("reports", 0), 1)
    lines.append(f"streams after {reports} reports (each node holds a copy): " + "; ".join(
        f"{name} {s['messages']} msgs {s['bytes'] / 1e6:.1f} MB = {s['bytes'] / reports:,.0f} B/report"
        for name, s in result.get("streams", {}).items() if s["messages"]
    ))  # fmt: skip
    return "\n".join(lines)


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench/cluster_load.py")
    parser.add_argument("--rate", type=float, default=5.0, help="reports/s per county")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds at --rate")
    parser.add_argument("--max", type=float, default=30.0, help="seconds as fast as it goes")
    parser.add_argument("--workers", type=int, default=3, help="per county in the max phase")
    args = parser.parse_args(argv)
    outcome = asyncio.run(main(args.rate, args.duration, args.max, args.workers))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cluster.json").write_text(json.dumps(outcome, indent=2, default=str))
    print(table(outcome))
    return outcome


if __name__ == "__main__":
    run(sys.argv[1:])
