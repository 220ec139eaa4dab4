"""Intake throughput: accepted reports per second and p50/p99 latency at fixed rates and at
maximum, over HTTP (and NATS request-reply), against the bundled nats-server
(`sync_interval: always`) and the local PostgreSQL (a throwaway database). In the same run, raw
nats-py awaited JetStream publishes on the same server are the yardstick.

    .venv/bin/python bench/intake_throughput.py                      # the table and the ratio
    .venv/bin/python bench/intake_throughput.py --profile            # + where the time goes
    .venv/bin/python bench/intake_throughput.py --replicas 2 --transports http,nats

"Accepted" means answered 202 (report, step, idempotency record and outbox row committed);
the relay's publishing is measured too: `published/s` counts from the first request until the
outbox is empty. Intake runs as its own process(es) (`uvicorn`, one worker each), the load
generator in this one; all share the machine with NATS and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import nats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.intake_load import (  # noqa: E402
    CpuMeter,
    HttpPool,
    NatsRequests,
    Result,
    closed_loop,
    fixed_rate,
)
from shared import migrate  # noqa: E402
from shared.auth import issue_token  # noqa: E402
from shared.bus import init_bus  # noqa: E402
from shared.natsserver import start_nats  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-jwt-secret-long-enough-for-hs256-keys"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, profile: str | None, server_name: str = "uvicorn") -> None:
    """Child process: one intake replica under uvicorn (as `zuofeng serve` runs it: uvloop,
    httptools, no proxy headers) or granian (to compare; not a dependency), profiled when
    asked."""
    from services.intake.main import create_app

    app = create_app()
    run = _granian(app, port) if server_name == "granian" else _uvicorn(app, port)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    try:
        run()
    finally:
        if profiler and profile:
            profiler.disable()
            profiler.dump_stats(profile)


def _uvicorn(app: object, port: int) -> Callable[[], None]:
    import uvicorn

    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )
    return uvicorn.Server(config).run


def _granian(app: object, port: int) -> Callable[[], None]:
    from granian.constants import Interfaces  # type: ignore[import-not-found]
    from granian.server.embed import Server  # type: ignore[import-not-found]

    server = Server(app, address="127.0.0.1", port=port, interface=Interfaces.ASGI)
    return lambda: asyncio.run(server.serve())


async def yardstick(url: str, payload: bytes, n: int, in_flight: int) -> float:
    """Raw nats-py awaited JetStream publishes of a report-sized payload, `in_flight` at once."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(name="BENCH_YARDSTICK", subjects=["bench.yardstick.>"])
    tag = uuid.uuid4().hex[:8]
    gate = asyncio.Semaphore(in_flight)

    async def one(i: int) -> None:
        async with gate:
            await js.publish(f"bench.yardstick.{i % 16}", payload, stream="BENCH_YARDSTICK",
                             headers={"Nats-Msg-Id": f"{tag}-{i}"})  # fmt: skip

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    rate = n / (time.perf_counter() - started)
    await nc.close()
    return rate


async def outbox_drained(dsn: str, timeout: float = 300) -> float:
    """Seconds until the outbox holds no unpublished row."""
    conn = await asyncpg.connect(dsn)
    started = time.perf_counter()
    try:
        while await conn.fetchval("select count(*) from outbox where published_at is null"):
            if time.perf_counter() - started > timeout:
                raise TimeoutError("outbox not drained")
            await asyncio.sleep(0.02)
    finally:
        await conn.close()
    return time.perf_counter() - started


def row(result: Result, published: float | None = None) -> str:
    for failure, count in result.failures.most_common(3):
        print(f"  ({count}x {failure})", file=sys.stderr)
    pub = f"{published:,.0f}" if published else "–"
    return (
        f"| {result.label} | {result.sent:,} | {result.rate:,.0f} | {pub} | "
        f"{result.percentile(0.5):.1f} | {result.percentile(0.99):.1f} | {result.errors} |"
    )


async def wait_ready(ports: list[int]) -> None:
    async with httpx.AsyncClient() as client:
        for port in ports:
            for _ in range(300):
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise TimeoutError(f"intake on {port} never became ready")


async def run(args: argparse.Namespace) -> None:
    base = Path(tempfile.mkdtemp(prefix="zuofeng-intake-bench-"))
    server = start_nats(base / "nats")
    name = f"zuofeng_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    children: list[subprocess.Popen[bytes]] = []
    try:
        await asyncio.to_thread(
            migrate.upgrade, "intake", dsn.replace("postgresql:", "postgresql+asyncpg:")
        )
        nc = await nats.connect(server.url)
        await init_bus(nc.jetstream(), max_deliver=9, ack_wait=30)
        ports = [free_port() for _ in range(args.replicas)]
        children = [spawn(port, base, server.url, dsn, args, i) for i, port in enumerate(ports)]
        await wait_ready(ports)
        meter = CpuMeter(
            {
                "intake": [child.pid for child in children],
                "nats-server": [server.pid],
                "postgresql": name,
                "load generator": [os.getpid()],
            }
        )
        await measure(args, server.url, nc, ports, dsn, meter)
        await nc.close()
    finally:
        for child in children:
            child.send_signal(2)
        for child in children:
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:  # granian's embedded server ignores SIGINT
                child.kill()
        server.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    if args.profile:
        show_profile([base / f"profile-{i}.out" for i in range(args.replicas)])
    shutil.rmtree(base, ignore_errors=True)


def spawn(
    port: int, base: Path, nats_url: str, dsn: str, args: argparse.Namespace, i: int
) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "ZUOFENG_NATS_URL": nats_url,
        "ZUOFENG_INTAKE_DATABASE_URL": dsn.replace("postgresql:", "postgresql+asyncpg:"),
        "ZUOFENG_VAR_DIR": str(base / "var"),
        "ZUOFENG_JWT_SECRET": SECRET,
        "ZUOFENG_LOG_LEVEL": "WARNING",
        # The benchmark is one client hammering: per-client limits off.
        "ZUOFENG_INTAKE_PUBLIC_SUBMIT_RATE": "0",
        "ZUOFENG_INTAKE_LOOKUP_RATE": "0",
    }
    command = [sys.executable, __file__, "--serve", str(port), "--server", args.server]
    if args.profile:
        command += ["--profile-out", str(base / f"profile-{i}.out")]
    return subprocess.Popen(command, env=env)


async def measure(
    args: argparse.Namespace, url: str, nc: nats.NATS, ports: list[int], dsn: str, meter: CpuMeter
) -> None:
    from bench.intake_load import body

    payload = (str(body(0, 1.0)) * 3).encode()[:1500]  # about a report.received envelope
    yard1 = await yardstick(url, payload, args.yardstick_n, 1)
    yard_c = await yardstick(url, payload, args.yardstick_n, args.concurrency)
    print(
        f"\nyardstick, raw nats-py awaited JetStream publish ({len(payload)} B): "
        f"{yard1:,.0f}/s one at a time, {yard_c:,.0f}/s with {args.concurrency} in flight\n"
    )
    print("| run | requests | accepted/s | published/s | p50 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    token = issue_token(
        SECRET, unit="province-12317", role="integrator", sub="bench", ttl=timedelta(hours=2)
    )
    start = 0
    best = 0.0
    for transport in args.transports.split(","):
        pool = (
            HttpPool(ports, args.named)
            if transport == "http"
            else NatsRequests(nc, token, args.named)
        )
        await closed_loop(f"{transport} warm-up", pool.send, 300, 16, start)
        start += 1000
        await outbox_drained(dsn)
        for rate in args.rates:
            meter.start()
            result = await fixed_rate(
                f"{transport} {rate:g}/s", pool.send, rate, args.seconds, start
            )
            start += len(result.latencies)
            await outbox_drained(dsn)
            print(row(result), flush=True)
            print_cpu(meter.stop(), result.accepted)
        began = time.perf_counter()
        meter.start()
        result = await closed_loop(
            f"{transport} max ({args.concurrency} in flight)",
            pool.send,
            args.max_n,
            args.concurrency,
            start,
        )
        start += args.max_n
        await outbox_drained(dsn)
        published = args.max_n / (time.perf_counter() - began)
        cpu = meter.stop()
        print(row(result, published), flush=True)
        print_cpu(cpu, args.max_n)
        best = max(best, min(result.rate, published))
        if isinstance(pool, HttpPool):
            await pool.close()
    print(
        f"\nratio: {best:,.0f} accepted and published/s = {best / yard1:.0%} of the yardstick "
        f"one at a time, {best / yard_c:.0%} of it with {args.concurrency} in flight"
    )


def print_cpu(cpu: dict[str, float], reports: int) -> None:
    """The phase's CPU per accepted report (drain included), with the load average beside it:
    the machine is shared, a busy one inflates every figure."""
    spent = ", ".join(f"{k} {v * 1000 / max(reports, 1):.2f}" for k, v in cpu.items())
    load = os.getloadavg()[0]
    print(f"|  | CPU ms per report: {spent} (load {load:.1f}) | | | | | |", flush=True)


def show_profile(paths: list[Path]) -> None:
    found = [str(p) for p in paths if p.exists()]
    if not found:
        print("no profile written")
        return
    stats = pstats.Stats(*found)
    print("\nserver profile, own time by package (the profiler roughly doubles every cost):")
    for package, seconds, share in by_package(stats)[:20]:
        print(f"  {share:6.1%} {seconds:7.2f} s  {package}")
    print("\nserver profile, by own time:")
    stats.sort_stats("tottime").print_stats(25)


def by_package(stats: pstats.Stats) -> list[tuple[str, float, float]]:
    """Own time summed per installed package, stdlib module or project file."""
    totals: dict[str, float] = {}
    for (path, _, name), entry in stats.stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in path:
            key = path.split("site-packages/", 1)[1].split("/", 1)[0]
        elif "/services/" in path or "/shared/" in path:
            key = path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1]
        elif path == "~":
            key = name  # a C function: epoll wait, socket send, x25519 ...
        else:
            key = "stdlib " + Path(path).parent.name + "/" + Path(path).name
        totals[key] = totals.get(key, 0.0) + entry[2]
    grand = sum(totals.values()) or 1.0
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    return [(key, seconds, seconds / grand) for key, seconds in ranked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rates", type=lambda s: [float(x) for x in s.split(",")], default=[100, 200, 500]
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each fixed-rate run")
    parser.add_argument("--max-n", type=int, default=6000, help="requests in the maximum run")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--named", type=float, default=0.5, help="share of named (sealed) reports")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--transports", default="http,nats", help="http, nats or http,nats")
    parser.add_argument("--yardstick-n", type=int, default=3000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--server", choices=("uvicorn", "granian"), default="uvicorn", help="intake's ASGI server"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.profile_out, args.server)
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
