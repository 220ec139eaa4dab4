"""`make bench`: the whole system under load, as processes, on PostgreSQL and the bundled NATS.

Phases at fixed rates, then as fast as intake answers: accepted/s, intake latency, report → case
opened → counted in reporting, consumer lag (its peak, and where it stood when the load ended),
peak RSS and CPU milliseconds per report of each service. Then the replay speed (reporting's
rebuild from the streams the load filled) and the bus yardsticks. Prints a table and writes
bench/results/e2e.json. The load generator runs on the same two cores as what it measures.
Run: .venv/bin/python bench/e2e_load.py [--phases 100:60,300:300,max:60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import history, yardstick  # noqa: E402
from bench.loadgen import Load, percentile, submit  # noqa: E402
from shared.streams import CONSUMERS  # noqa: E402
from tests.faults.checks import rows  # noqa: E402
from tests.pg import PrivatePostgres  # noqa: E402
from tests.procstack import SERVICES, ProcStack  # noqa: E402

RESULTS = Path(__file__).parent / "results"
TICK = 100  # clock ticks per second in /proc/<pid>/stat


def cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def postgres_cpu_ms(pg: PrivatePostgres) -> float:
    """The private PostgreSQL's CPU: its postmaster and every backend (children's ended time
    is in the postmaster's own counters)."""
    postmaster = int((pg.data / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(entry.name) == postmaster:
            total += sum(int(f) for f in fields[11:15]) * 1000 / TICK
        elif int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) * 1000 / TICK
    return total


def others_cpu_ms(stack: ProcStack, pg: PrivatePostgres) -> dict[str, float]:
    """What the services share the machine with: the database, the bus and this generator."""
    assert stack.nats is not None
    me = os.times()
    return {
        "postgres": postgres_cpu_ms(pg),
        "nats": cpu_ms(stack.nats.pid),
        "load generator": (me.user + me.system) * 1000,
    }


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb(pid: int) -> float:
    """The highest RSS since the process started (VmHWM), so across the phases so far."""
    return _status_mb(pid, "VmHWM")


def steady_rss_mb(samples: list[tuple[float, float]], started: float, finished: float) -> float:
    """The median RSS over the second half of the load (the first half is the climb to it);
    `samples` are (perf_counter, MB), one a second."""
    middle = started + (finished - started) / 2
    held = sorted(mb for at, mb in samples if middle <= at <= finished)
    return held[len(held) // 2] if held else float("nan")


async def transactions(stack: ProcStack) -> int:
    """Commits and rollbacks so far in the services' databases (this query's own included)."""
    names = ", ".join(f"'{url.rsplit('/', 1)[1]}'" for url in stack.database_urls.values())
    query = (
        "SELECT sum(xact_commit + xact_rollback)::bigint FROM pg_stat_database "
        f"WHERE datname IN ({names})"
    )
    return int((await rows(stack.database_urls["reporting"], query))[0][0] or 0)


async def lag(js) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out = {}
    for cdef in CONSUMERS:
        info = await js.consumer_info(cdef.stream, cdef.durable)
        out[cdef.durable] = info.num_pending + info.num_ack_pending
    return out


async def phase(
    stack: ProcStack,
    pg: PrivatePostgres,
    js,  # type: ignore[no-untyped-def]
    opened: dict[str, float],
    rate: float | None,
    duration: float,
) -> dict:  # type: ignore[type-arg]
    spies = profile(stack, rate)
    xacts_before = await transactions(stack)
    cpu_before = {s: cpu_ms(stack.pid(s)) for s in SERVICES}
    others_before = others_cpu_ms(stack, pg)
    max_lag: dict[str, int] = {}
    last_lag: dict[str, int] = {}
    loads: list[float] = []
    rss: dict[str, list[tuple[float, float]]] = {s: [] for s in SERVICES}

    async def watch() -> None:
        while True:
            loads.append(os.getloadavg()[0])
            for s in SERVICES:
                rss[s].append((time.perf_counter(), _status_mb(stack.pid(s), "VmRSS")))
            last_lag.update(await lag(js))
            for name, value in last_lag.items():
                max_lag[name] = max(max_lag.get(name, 0), value)
            await asyncio.sleep(1)

    watcher = asyncio.create_task(watch())
    if rate == 0:  # idle: what the services cost with nothing to do (milliseconds per second)
        load = Load(started=time.perf_counter())
        await asyncio.sleep(duration)
        load.finished = time.perf_counter()
    else:
        load = await submit(stack.url("intake"), rate=rate, duration=duration, concurrency=48)
    end_lag = dict(last_lag)  # the last sample before the load stopped
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
    expected = phase.total + len(load.accepted)  # type: ignore[attr-defined]
    if counted < expected:
        print(f"  counted {counted:,} of {expected:,} reports after 120 s", flush=True)
    phase.total += len(load.accepted)  # type: ignore[attr-defined]
    watcher.cancel()
    cpu_after = {s: cpu_ms(stack.pid(s)) for s in SERVICES}
    others_after = others_cpu_ms(stack, pg)
    await asyncio.sleep(1.0)  # PostgreSQL flushes its statistics about once a second
    xacts = await transactions(stack) - xacts_before
    for spy in spies:
        spy.send_signal(2)  # py-spy writes its profile on SIGINT
    for spy in spies:
        spy.wait(timeout=30)
    e2e = [opened[r] - sent for r, sent in load.accepted.items() if r in opened]
    per = max(len(load.accepted), 1) if rate != 0 else max(load.finished - load.started, 1e-9)
    return {
        "rate": "max" if rate is None else ("idle" if rate == 0 else rate),
        "duration": duration,
        "accepted": len(load.accepted),
        "accepted_per_s": load.rate,
        "failed": load.failures,
        "intake_ms": {q: percentile(load.latencies, q / 100) * 1000 for q in (50, 95, 99)},
        "case_opened_ms": {q: percentile(e2e, q / 100) * 1000 for q in (50, 95, 99)},
        "opened_of_accepted": len(e2e),
        "drain_after_load_s": drained_at - load.finished,
        "counted_after_load_s": counted_at - load.finished,
        "max_lag": max_lag,
        "lag_at_end_of_load": end_lag,
        # For the idle phase: per second, not per report.
        "cpu_ms_per_report": {s: (cpu_after[s] - cpu_before[s]) / per for s in SERVICES}
        | {name: (after - others_before[name]) / per for name, after in others_after.items()},
        # PostgreSQL transactions (commits and rollbacks) of the services' databases, per
        # report: a count that does not depend on what else the machine does.
        "transactions_per_report": xacts / per,
        # The machine's 1-minute load average over the phase (lowest, highest): other work on
        # the same cores shows here, and CPU per report is the figure it disturbs least.
        "load_avg": [min(loads, default=0.0), max(loads, default=0.0)],
        "wall_s": counted_at - load.started,
        "peak_rss_mb": {s: peak_rss_mb(stack.pid(s)) for s in SERVICES},
        # Issue 27's "steady" figure: what a service holds once the rate has been held a while.
        "steady_rss_mb": {s: steady_rss_mb(rss[s], load.started, load.finished) for s in SERVICES},
    }


phase.total = 0  # type: ignore[attr-defined]
PROFILE_DIR: Path | None = None  # --profile: py-spy flame data of each service per phase


def profile(stack: ProcStack, rate: float | None) -> list[subprocess.Popen[bytes]]:
    """py-spy sampling each service for the phase (collapsed stacks, one file per service),
    non-blocking so the services are not paused; its own CPU is not counted in theirs."""
    if PROFILE_DIR is None:
        return []
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                spy,
                "record",
                "--nonblocking",
                "--format",
                "raw",
                "--rate",
                "50",
                "--pid",
                str(stack.pid(s)),
                "--output",
                str(PROFILE_DIR / f"{s}-{'max' if rate is None else rate}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for s in SERVICES
    ]


async def replay(stack: ProcStack) -> dict[str, float]:
    """Reporting's rebuild from the streams the load filled, beside the running service."""
    from services.reporting.alerts.rule import AlertRule
    from services.reporting.rebuild.run import rebuild
    from shared.db import Database
    from shared.directory import load_directory

    assert stack.nats is not None
    db = Database(stack.database_urls["reporting"])
    try:
        result = await rebuild(db, stack.nats.url, load_directory(), AlertRule())
    finally:
        await db.dispose()
    return {
        "events": sum(result.events.values()),
        "seconds": result.seconds,
        "events_per_s": result.per_second,
    }


async def main(phases: list[tuple[float | None, float]]) -> dict:  # type: ignore[type-arg]
    # A PostgreSQL of the bench's own, with stock settings (autovacuum and fsync on), so figures
    # do not depend on how the machine's server is tuned: the shared one here runs without
    # autovacuum, and its planner then scans whole tables.
    pg = PrivatePostgres(durable=True)
    pg.start()
    pg.wait_ready()
    urls = await pg.create_databases(SERVICES)
    stack = ProcStack(Path(tempfile.mkdtemp(prefix="zuofeng-bench-")), urls)
    await stack.prepare()
    try:
        await asyncio.to_thread(stack.start_all)
        assert stack.nats is not None
        nc = await nats.connect(stack.nats.url)
        opened: dict[str, float] = {}

        async def on_opened(msg) -> None:  # type: ignore[no-untyped-def]
            data = json.loads(msg.data)["data"]
            # A repeat report (同一事项) joins an open case (`case.merged`): in a case all the same.
            report = data.get("merged_report_id") or data["report_id"]
            opened[report] = time.perf_counter()

        await nc.subscribe("zuofeng.v1.*.case.opened", cb=on_opened)
        await nc.subscribe("zuofeng.v1.*.case.merged", cb=on_opened)
        js = nc.jetstream()
        # Not measured: first connections, statement caches and imports settle.
        warm = await submit(stack.url("intake"), rate=20, duration=10, concurrency=8, seed=0)
        phase.total += len(warm.accepted)  # type: ignore[attr-defined]
        await asyncio.sleep(5)
        done = []
        for rate, duration in phases:
            print(
                f"phase {'max' if rate is None else rate or 'idle'}/s for {duration:.0f} s ...",
                flush=True,
            )
            done.append(await phase(stack, pg, js, opened, rate, duration))
        await nc.close()
        print("replay ...", flush=True)
        try:
            replayed: dict[str, Any] = {"replay": await replay(stack)}
        except Exception as exc:  # noqa: BLE001 - the phases' figures are kept all the same
            print(f"replay failed: {type(exc).__name__}: {exc}", flush=True)
            replayed = {"replay_error": f"{type(exc).__name__}: {exc}"}
    finally:
        stack.stop()
        pg.destroy()
    print("yardsticks ...", flush=True)
    return {"phases": done, **replayed, "yardstick": await yardstick.main(3000)}


def table(result: dict) -> str:  # type: ignore[type-arg]
    lines = [
        f"{'rate':>6} {'secs':>5} {'accepted/s':>10} {'intake p50/p95/p99 ms':>22} "
        f"{'→case p50/p95/p99 ms':>22} {'counted +s':>10} {'lag max/end':>12}"
    ]
    for p in result["phases"]:
        i, c = p["intake_ms"], p["case_opened_ms"]
        end = max(p["lag_at_end_of_load"].values(), default=0)
        low, high = p.get("load_avg", (0.0, 0.0))
        lines.append(
            f"{p['rate']!s:>6} {p['duration']:>5.0f} {p['accepted_per_s']:>10.0f} "
            f"{i[50]:>6.0f}/{i[95]:>6.0f}/{i[99]:>7.0f} {c[50]:>6.0f}/{c[95]:>6.0f}/{c[99]:>7.0f} "
            f"{p['counted_after_load_s']:>10.1f} {max(p['max_lag'].values()):>6}/{end:<5}"
            f" load {low:.1f}-{high:.1f}"
        )
    lines.append("consumer lag, peak per phase: " + "; ".join(
        f"{name} " + "/".join(str(p["max_lag"].get(name, 0)) for p in result["phases"])
        for name in result["phases"][0]["max_lag"]
    ))  # fmt: skip
    lines.append(
        "service     peak RSS MB   steady RSS MB per phase   CPU ms/report per phase ("
        + ", ".join(str(p["rate"]) for p in result["phases"]) + ")"
    )  # fmt: skip
    for s in SERVICES:
        cpu = " / ".join(f"{p['cpu_ms_per_report'][s]:.2f}" for p in result["phases"])
        rss = max(p["peak_rss_mb"][s] for p in result["phases"])
        steady = " / ".join(f"{p.get('steady_rss_mb', {}).get(s, math.nan):.0f}"
                            for p in result["phases"])  # fmt: skip
        lines.append(f"{s:<11} {rss:>11.0f}   {steady:>23}   {cpu}")
    lines.append(
        "PostgreSQL transactions per report: "
        + " / ".join(f"{p.get('transactions_per_report', 0):.1f}" for p in result["phases"])
    )
    for other in ("postgres", "nats", "load generator"):
        cpu = " / ".join(f"{p['cpu_ms_per_report'][other]:.2f}" for p in result["phases"])
        lines.append(f"{other:<14} {'':>8}   {cpu}")
    lines.append(
        "all of it     (2 cores = 2,000 ms/s) "
        + " / ".join(
            f"{sum(p['cpu_ms_per_report'].values()):.2f} ms = "
            f"{sum(p['cpu_ms_per_report'].values()) * p['accepted_per_s'] / 20:.0f}% of the machine"
            for p in result["phases"]
        )
    )
    r = result.get("replay")
    lines.append(
        f"replay: {r['events']:,} events in {r['seconds']:.1f} s = {r['events_per_s']:,.0f} events/s"
        if r
        else f"replay: failed ({result.get('replay_error')})"
    )
    y = result["yardstick"]
    lines.append(
        f"yardstick: awaited publish {y['awaited_publish_per_s']:.0f}/s, async publish "
        f"{y['async_publish_per_s']:.0f}/s, raw pull {y['raw_pull_consume_per_s']:.0f}/s, our no-op "
        f"consumer {y['our_noop_consumer_per_s']:.0f}/s ({y['ratio_ours_to_raw_pull']:.0%} of raw pull)"
    )
    best = max(p["accepted_per_s"] for p in result["phases"])
    lines.append(
        f"best accepted/s {best:.0f} = {best / y['awaited_publish_per_s']:.0%} of awaited publish, "
        f"{best / y['async_publish_per_s']:.0%} of async publish"
        + (
            f"; replay = {r['events_per_s'] / y['raw_pull_consume_per_s']:.0%} of raw pull"
            if r
            else ""
        )
    )
    return "\n".join(lines)


def parse_phases(text: str) -> list[tuple[float | None, float]]:
    """`100:60,300:300,max:60`: (reports/s, or None for as fast as intake answers; seconds).
    `idle:30` (rate 0) sends nothing: its CPU figures are milliseconds per second."""
    phases = []
    for part in text.split(","):
        rate, _, seconds = part.partition(":")
        value = {"max": None, "idle": 0.0}.get(rate) if rate in ("max", "idle") else float(rate)
        phases.append((value, float(seconds or 60)))
    return phases


def run(argv: list[str]) -> dict:  # type: ignore[type-arg]
    parser = argparse.ArgumentParser(prog="bench/e2e_load.py")
    # The targets: p99 report -> case under 250 ms at 100/s; 300/s held for five minutes.
    parser.add_argument("--phases", default="100:60,300:300,max:60")
    parser.add_argument("--profile", type=Path, help="py-spy each service per phase into DIR")
    parser.add_argument(
        "--no-history", action="store_true", help="do not add this run to bench/results/history"
    )
    args = parser.parse_args(argv)
    global PROFILE_DIR
    PROFILE_DIR = args.profile
    outcome = asyncio.run(main(parse_phases(args.phases)))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "e2e.json").write_text(json.dumps(outcome, indent=2, default=str))
    print(table(outcome))
    entry = history.line_of(outcome, args.phases)
    if args.profile:
        entry["profiled"] = True  # py-spy's sampling adds to the services' CPU
    print("history: " + history.summary(entry))
    if not args.no_history:
        print(history.comparison(entry, history.append(entry)))
    return outcome


if __name__ == "__main__":
    run(sys.argv[1:])
