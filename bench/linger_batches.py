"""Events per pulled batch at a steady rate, for a consumer's linger (`ConsumerDef.linger`).

Our pull loop on a bundled nats-server (as shipped), one durable, messages published one at a
time at the rate: how many batches (each one pull round, one transaction and one ack write in
a service) the same events took. Counts, not timings, so a loaded machine changes them little.
Run: .venv/bin/python bench/linger_batches.py [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import nats
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.consumer import PullLoop  # noqa: E402
from shared.natsserver import start_nats  # noqa: E402

RATES = (20.0, 100.0)
LINGERS = (0.05, 0.3)


async def batches(url: str, linger: float, rate: float, seconds: float) -> list[int]:
    """The sizes of the batches `rate × seconds` events came in."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    stream = f"LINGER{int(linger * 1000)}R{int(rate)}"
    await js.add_stream(StreamConfig(name=stream, subjects=[f"{stream}.>"]))
    config = ConsumerConfig(durable_name="d", ack_policy=AckPolicy.EXPLICIT)
    await js.add_consumer(stream, config)
    sizes: list[int] = []
    done = asyncio.Event()
    n = int(rate * seconds)

    async def on_batch(messages: list[Msg]) -> None:
        sizes.append(len(messages))
        await asyncio.gather(*(m.ack() for m in messages))
        if sum(sizes) >= n:
            done.set()

    loop = PullLoop(lambda: js, stream, "d", 256, on_batch, linger=linger)
    task = asyncio.create_task(loop.run())
    await asyncio.sleep(0.5)  # the loop waits on an empty consumer, as between reports
    for _ in range(n):
        await js.publish(f"{stream}.x", b"x")
        await asyncio.sleep(1 / rate)
    await done.wait()
    loop.stopping = True
    task.cancel()
    await nc.close()
    return sizes


async def main(seconds: float) -> None:
    server = start_nats(Path(tempfile.mkdtemp()))
    try:
        for rate in RATES:
            for linger in LINGERS:
                sizes = await batches(server.url, linger, rate, seconds)
                print(
                    f"{rate:.0f}/s, linger {linger * 1000:.0f} ms: {sum(sizes)} events in "
                    f"{len(sizes)} batches, {sum(sizes) / len(sizes):.1f} per batch"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    asyncio.run(main(parser.parse_args().seconds))
