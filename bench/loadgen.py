"""Realistic varied reports submitted over HTTP at a fixed rate (open loop) or as fast as the
service answers (closed loop). Used by `make bench` and the fault suite.

aiohttp, not httpx: the generator shares the machine's two cores with what it measures, and
httpx cost it 6.5 ms of CPU per report at full speed (a third of a core taken from the services).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

COUNTIES = (
    "371402",
    "371403",
    "371422",
    "371423",
    "371424",
    "371425",
    "371426",
    "371427",
    "371428",
    "371481",
    "371482",
    "371471",
    "371472",
)
NOISE = ("", "请尽快处理。", "希望上级领导重视。", "我已经反映过好几次了。", "谢谢！")


def texts() -> list[str]:
    corpus = Path(__file__).resolve().parents[1] / "services/cases/classifier/corpus"
    data = yaml.safe_load((corpus / "train.yaml").read_text())
    return [item["text"] for item in data["reports"] if len(item["text"]) >= 10]


@dataclass
class Load:
    """What a run accepted and how long each request took."""

    accepted: dict[str, float] = field(default_factory=dict)  # report_id -> send time
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.accepted) / max(self.finished - self.started, 1e-9)


def body(rng: random.Random, corpus: list[str], county: str | None = None) -> dict[str, object]:
    """A report of `county` (default: any county of the city)."""
    report: dict[str, object] = {
        "channel": "web",
        "county": county or rng.choice(COUNTIES),
        "content": rng.choice(corpus) + rng.choice(NOISE),
    }
    if rng.random() < 0.3:
        report["reporter"] = {
            "anonymous": False,
            "name": "群众",
            "phone": f"13{rng.randint(0, 999999999):09d}",
        }
    return report


async def _one(
    http: aiohttp.ClientSession, url: str, report: dict[str, object], load: Load
) -> None:
    sent = time.perf_counter()
    try:
        async with http.post(f"{url}/api/v1/reports", json=report) as answer:
            status = answer.status
            accepted = (await answer.json())["report_id"] if status == 202 else None
    except (aiohttp.ClientError, TimeoutError, ValueError):
        load.failures += 1  # not accepted: the client knows it must retry
        return
    load.latencies.append(time.perf_counter() - sent)
    load.statuses[status] = load.statuses.get(status, 0) + 1
    if accepted is not None:
        load.accepted[accepted] = sent
    else:
        load.failures += 1


async def submit(
    url: str, *, rate: float | None, duration: float, concurrency: int = 32, seed: int = 1
) -> Load:
    """Open loop at `rate` per second; closed loop with `concurrency` workers when rate is None."""
    rng, corpus, load = random.Random(seed), texts(), Load()
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await drive(
            http, url, load, lambda: body(rng, corpus),
            rate=rate, duration=duration, concurrency=concurrency,
        )  # fmt: skip
    return load


async def drive(
    http: aiohttp.ClientSession,
    url: str,
    load: Load,
    make: Callable[[], dict[str, object]],
    *,
    rate: float | None,
    duration: float,
    concurrency: int,
) -> None:
    """Reports made by `make` sent to intake at `url`: open loop at `rate` per second, or
    closed loop with `concurrency` workers when rate is None; recorded in `load`."""
    load.started = time.perf_counter()
    end = load.started + duration
    if rate is None:

        async def worker() -> None:
            while time.perf_counter() < end:
                await _one(http, url, make(), load)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    else:
        tasks, n = [], 0
        while (due := load.started + n / rate) < end:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(_one(http, url, make(), load)))
            n += 1
        await asyncio.gather(*tasks)
    load.finished = time.perf_counter()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
