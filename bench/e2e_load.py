"""`make bench`: the whole system under load, as processes, on PostgreSQL and the bundled NATS.

Fixed rates, then as fast as intake answers: accepted/s, intake latency, report → case opened →
counted in reporting, consumer lag, peak RSS and CPU milliseconds per report of each service;
and the bus yardsticks measured in the same run. Prints a table and writes bench/results/e2e.json.
Run: .venv/bin/python bench/e2e_load.py [--rates 100,300] [--duration 60] [--max-duration 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import nats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import yardstick  # noqa: E402
from bench.loadgen import Load, percentile, submit  # noqa: E402
from shared.streams import CONSUMERS  # noqa: E402
from tests.faults.checks import rows  # noqa: E402
from tests.pg import PgServer, find_admin_dsn  # noqa: E402
from tests.procstack import SERVICES, ProcStack  # noqa: E402

RESULTS = Path(__file__).parent / "results"
TICK = 100  # clock ticks per second in /proc/<pid>/stat


def cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def lag(js) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out = {}
    for cdef in CONSUMERS:
        info = await js.consumer_info(cdef.stream, cdef.durable)
        out[cdef.durable] = info.num_pending + info.num_ack_pending
    return out


async def phase(
    stack: ProcStack, js, opened: dict[str, float], rate: float | None, duration: float
) -> dict:  # type: ignore[no-untyped-def]
    cpu_before = {s: cpu_ms(stack.pid(s)) for s in SERVICES}
    max_lag: dict[str, int] = {}

    async def watch() -> None:
        while True:
            for name, value in (await lag(js)).items():
                max_lag[name] = max(max_lag.get(name, 0), value)
            await asyncio.sleep(1)

    watcher = asyncio.create_task(watch())
    load: Load = await submit(stack.url("intake"), rate=rate, duration=duration, concurrency=48)
    deadline = time.monotonic() + 120
    while any(r not in opened for r in load.accepted) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    drained_at = time.perf_counter()
    counted = 0
    while time.monotonic() < deadline:
        counted = (
            await rows(stack.database_urls["reporting"], "SELECT count(*) FROM report_facts")
        )[0][0]
        if counted >= phase.total + len(load.accepted):  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.2)
    counted_at = time.perf_counter()
    phase.total += len(load.accepted)  # type: ignore[attr-defined]
    watcher.cancel()
    e2e = [opened[r] - sent for r, sent in load.accepted.items() if r in opened]
    return {
        "rate": rate or "max",
        "accepted": len(load.accepted),
        "accepted_per_s": load.rate,
        "failed": load.failures,
        "intake_ms": {q: percentile(load.latencies, q / 100) * 1000 for q in (50, 95, 99)},
        "case_opened_ms": {q: percentile(e2e, q / 100) * 1000 for q in (50, 95, 99)},
        "opened_of_accepted": len(e2e),
        "drain_after_load_s": drained_at - load.finished,
        "counted_after_load_s": counted_at - load.finished,
        "max_lag": max_lag,
        "cpu_ms_per_report": {
            s: (cpu_ms(stack.pid(s)) - cpu_before[s]) / max(len(load.accepted), 1) for s in SERVICES
        },
        "peak_rss_mb": {s: peak_rss_mb(stack.pid(s)) for s in SERVICES},
    }


phase.total = 0  # type: ignore[attr-defined]


async def main(rates: list[float], duration: float, max_duration: float) -> dict:  # type: ignore[type-arg]
    admin, _ = await find_admin_dsn()
    assert admin, "a PostgreSQL is needed (127.0.0.1:5432 or ZUOFENG_TEST_DATABASE_URL)"
    pg = PgServer(admin)
    urls = {name: await pg.create_database() for name in SERVICES}
    stack = ProcStack(Path(tempfile.mkdtemp(prefix="zuofeng-bench-")), urls)
    await stack.prepare()
    try:
        await asyncio.to_thread(stack.start_all)
        assert stack.nats is not None
        nc = await nats.connect(stack.nats.url)
        opened: dict[str, float] = {}

        async def on_opened(msg) -> None:  # type: ignore[no-untyped-def]
            opened[json.loads(msg.data)["data"]["report_id"]] = time.perf_counter()

        await nc.subscribe("zuofeng.v1.*.case.opened", cb=on_opened)
        js = nc.jetstream()
        phases = [await phase(stack, js, opened, rate, duration) for rate in rates]
        phases.append(await phase(stack, js, opened, None, max_duration))
        await nc.close()
    finally:
        stack.stop()
        await pg.drop_all()
    return {"phases": phases, "yardstick": await yardstick.main(3000)}


def table(result: dict) -> str:  # type: ignore[type-arg]
    lines = [
        f"{'rate':>6} {'accepted/s':>10} {'intake p50/p95/p99 ms':>24} {'→case p50/p95/p99 ms':>24} "
        f"{'counted +s':>10} {'max lag':>8}"
    ]
    for p in result["phases"]:
        i, c = p["intake_ms"], p["case_opened_ms"]
        lines.append(
            f"{p['rate']!s:>6} {p['accepted_per_s']:>10.0f} {i[50]:>7.0f}/{i[95]:>6.0f}/{i[99]:>7.0f} "
            f"{c[50]:>7.0f}/{c[95]:>6.0f}/{c[99]:>7.0f} {p['counted_after_load_s']:>10.1f} "
            f"{max(p['max_lag'].values()):>8}"
        )
    lines.append("service     peak RSS MB   CPU ms/report (at max)")
    last = result["phases"][-1]
    for s in SERVICES:
        lines.append(
            f"{s:<11} {last['peak_rss_mb'][s]:>11.0f} {last['cpu_ms_per_report'][s]:>15.2f}"
        )
    y = result["yardstick"]
    lines.append(
        f"yardstick: awaited publish {y['awaited_publish_per_s']:.0f}/s, async publish "
        f"{y['async_publish_per_s']:.0f}/s, raw pull {y['raw_pull_consume_per_s']:.0f}/s, our no-op "
        f"consumer {y['our_noop_consumer_per_s']:.0f}/s ({y['ratio_ours_to_raw_pull']:.0%} of raw pull)"
    )
    best = max(p["accepted_per_s"] for p in result["phases"])
    lines.append(
        f"best accepted/s {best:.0f} = {best / y['awaited_publish_per_s']:.0%} of awaited publish"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="100,300")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--max-duration", type=float, default=30)
    args = parser.parse_args(sys.argv[1:] if sys.argv[0].endswith("e2e_load.py") else [])
    outcome = asyncio.run(
        main([float(r) for r in args.rates.split(",")], args.duration, args.max_duration)
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "e2e.json").write_text(json.dumps(outcome, indent=2, default=str))
    print(table(outcome))
