"""Yardsticks: what the bus itself allows from Python on this machine.

Raw nats-py on a bundled nats-server (file store, `sync_interval: always`, as shipped): awaited
JetStream publish, pipelined (async) publish, raw pull consume; and our own durable consumer
(`Consumers.durable` and our pull loop) doing nothing, so service figures can be read as ratios.
Run: .venv/bin/python bench/yardstick.py [--n 5000]
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

from shared.bus import init_bus  # noqa: E402
from shared.natsserver import start_nats  # noqa: E402
from shared.settings import service_settings  # noqa: E402
from shared.streams import ConsumerDef, consumer_config  # noqa: E402
from shared.subscriptions import Consumers  # noqa: E402
from tests.factories import report_received  # noqa: E402

RESULTS = Path(__file__).parent / "results"


async def awaited_publish(js, subject: str, n: int) -> float:  # type: ignore[no-untyped-def]
    payload = b"x" * 300
    started = time.perf_counter()
    for i in range(n):
        await js.publish(subject, payload, headers={"Nats-Msg-Id": f"a{i}"})
    return n / (time.perf_counter() - started)


async def async_publish(js, subject: str, n: int) -> float:  # type: ignore[no-untyped-def]
    payload = b"x" * 300
    started = time.perf_counter()
    futures = [
        await js.publish_async(subject, payload, headers={"Nats-Msg-Id": f"b{i}"}) for i in range(n)
    ]
    await asyncio.gather(*futures)
    return n / (time.perf_counter() - started)


async def raw_pull(js, subject: str, n: int) -> float:  # type: ignore[no-untyped-def]
    sub = await js.pull_subscribe(subject, durable="yard-raw", stream="INTAKE")
    got, started = 0, time.perf_counter()
    while got < n:
        for msg in await sub.fetch(min(100, n - got), timeout=5):
            await msg.ack()
            got += 1
    return n / (time.perf_counter() - started)


async def our_consumer(url: str, js, county: str, n: int) -> float:  # type: ignore[no-untyped-def]
    from faststream.nats import NatsBroker

    settings = service_settings("bench", 0)(nats_url=url, pull_batch=100)
    cdef = ConsumerDef("yard-ours", "INTAKE", f"zuofeng.v1.{county}.report.>", "bench")
    await js.add_consumer("INTAKE", consumer_config(cdef, max_deliver=9, ack_wait=30))
    done = asyncio.Event()
    seen = 0

    async def noop(envelope, payload) -> None:  # type: ignore[no-untyped-def]
        nonlocal seen
        seen += 1
        if seen == n:
            done.set()

    broker = NatsBroker(url, logger=None)
    consumers = Consumers(broker, settings)
    consumers.durable(cdef, noop)
    started = time.perf_counter()
    await broker.start()
    loops = consumers.start()
    await done.wait()
    rate = n / (time.perf_counter() - started)
    for task in loops:
        task.cancel()
    await broker.stop()
    return rate


async def main(n: int) -> dict[str, float]:
    server = start_nats(Path(tempfile.mkdtemp(prefix="zuofeng-yard-")))
    try:
        nc = await nats.connect(server.url)
        js = nc.jetstream()
        await init_bus(js, max_deliver=9, ack_wait=30)
        county = "999001"
        subject = f"zuofeng.v1.{county}.report.received"
        figures = {
            "awaited_publish_per_s": await awaited_publish(js, subject, n),
            "async_publish_per_s": await async_publish(js, subject, n * 4),
            "raw_pull_consume_per_s": await raw_pull(js, subject, n * 4),
        }
        ours = "999002"  # real envelopes for our consumer to parse, on a subject of their own
        for _ in range(n * 4):
            await js.publish_async(
                f"zuofeng.v1.{ours}.report.received", report_received(ours).to_bytes()
            )
        await js.publish_async_completed()
        figures["our_noop_consumer_per_s"] = await our_consumer(server.url, js, ours, n * 4)
        figures["ratio_ours_to_raw_pull"] = (
            figures["our_noop_consumer_per_s"] / figures["raw_pull_consume_per_s"]
        )
        await nc.close()
        return figures
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    # Under `make bench` (runpy) the arguments are the runner's, not ours.
    args = parser.parse_args(sys.argv[1:] if sys.argv[0].endswith("yardstick.py") else [])
    result = asyncio.run(main(args.n))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "yardstick.json").write_text(json.dumps(result, indent=2))
    for name, value in result.items():
        print(f"{name:<28} {value:>12,.2f}")
