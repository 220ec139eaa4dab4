"""Load generation for the intake benchmark: a lean keep-alive HTTP/1.1 client and NATS
requests, open-loop at a fixed rate (latency counted from the scheduled send, so a slow server
cannot hide queueing) or closed-loop at maximum. Used by bench/intake_throughput.py."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nats.aio.client import Client

CONTENT = (
    "我们村的驻村工作队员一个月就来一两次，平时根本不在村里住，群众有事找不到人，反映多次没有结果。"
)
COUNTIES = ("371402", "371403", "371422", "371423", "371424", "371425", "371426")
Send = Callable[[int], Awaitable[bool]]


def body(i: int, named_share: float) -> dict[str, Any]:
    """A web report; `named_share` of them carry a name and phone (sealed by intake)."""
    report: dict[str, Any] = {
        "channel": "web",
        "county": COUNTIES[i % len(COUNTIES)],
        "content": f"{CONTENT}（第{i}件）",
        "category_hint": 18,
    }
    if random.random() < named_share:
        report["reporter"] = {"anonymous": False, "name": "王某", "phone": f"139{i:08d}"}
    return report


@dataclass
class Result:
    label: str
    sent: int = 0
    accepted: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


class HttpPool:
    """Keep-alive connections to the intake replicas; one request per connection at a time."""

    def __init__(self, ports: list[int], named_share: float) -> None:
        self.ports, self.named_share = ports, named_share
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    async def _connection(
        self, fresh: bool = False
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.idle and not fresh:
            return self.idle.pop()
        self.opened += 1
        return await asyncio.open_connection("127.0.0.1", self.ports[self.opened % len(self.ports)])

    def request(self, i: int) -> bytes:
        data = json.dumps(body(i, self.named_share), ensure_ascii=False).encode()
        head = (
            "POST /api/v1/reports HTTP/1.1\r\nhost: intake\r\ncontent-type: application/json\r\n"
            f"idempotency-key: {uuid.uuid4()}\r\ncontent-length: {len(data)}\r\n\r\n"
        )
        return head.encode() + data

    async def send(self, i: int) -> bool:
        payload = self.request(i)
        try:
            return await self._exchange(payload, fresh=False)
        except (asyncio.IncompleteReadError, ConnectionResetError):
            # The server closed an idle keep-alive connection; the Idempotency-Key makes a
            # second try safe.
            return await self._exchange(payload, fresh=True)

    async def _exchange(self, payload: bytes, fresh: bool) -> bool:
        reader, writer = await self._connection(fresh)
        writer.write(payload)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        answer = await reader.readexactly(length)
        self.idle.append((reader, writer))
        if head[9:12] != b"202":
            raise RuntimeError(f"{head[9:12].decode()} {answer[:200].decode(errors='replace')}")
        return True

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


class NatsRequests:
    """Integrator submissions over NATS request-reply."""

    def __init__(self, nc: Client, token: str, named_share: float) -> None:
        self.nc, self.named_share = nc, named_share
        self.headers = {"Authorization": f"Bearer {token}"}

    async def send(self, i: int) -> bool:
        report = body(i, self.named_share) | {"channel": "integrator"}
        headers = self.headers | {"Idempotency-Key": str(uuid.uuid4())}
        subject = f"zuofeng.v1.{report['county']}.intake.submit"
        reply = await self.nc.request(
            subject, json.dumps(report, ensure_ascii=False).encode(), timeout=30, headers=headers
        )
        answer = json.loads(reply.data)
        if "report_id" not in answer:
            raise RuntimeError(str(answer)[:200])
        return True


async def fixed_rate(label: str, send: Send, rate: float, seconds: float, start: int) -> Result:
    """Open loop: request i is due at t0 + i/rate whether or not earlier ones finished."""
    result = Result(label)
    total = int(rate * seconds)
    loop = asyncio.get_running_loop()
    began = loop.time()

    async def one(i: int, due: float) -> None:
        ok = False
        try:
            ok = await send(start + i)
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            result.failures[f"{type(exc).__name__}: {exc}"[:160]] += 1
            ok = False
        result.latencies.append(loop.time() - due)
        result.accepted += ok
        result.errors += not ok

    tasks = []
    for i in range(total):
        due = began + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
        result.sent += 1
    await asyncio.gather(*tasks)
    result.seconds = loop.time() - began
    return result


async def closed_loop(label: str, send: Send, total: int, concurrency: int, start: int) -> Result:
    """As fast as `concurrency` requests in flight allow."""
    result = Result(label)
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            began = time.perf_counter()
            try:
                ok = await send(start + i)
            except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                result.failures[f"{type(exc).__name__}: {exc}"[:160]] += 1
                ok = False
            result.latencies.append(time.perf_counter() - began)
            result.sent += 1
            result.accepted += ok
            result.errors += not ok

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - began
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pids_of(fragment: str) -> list[int]:
    """Processes whose command line holds `fragment` (PostgreSQL backends name their database)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if fragment.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class CpuMeter:
    """CPU used per process group between `start` and `stop`, to show where the time goes."""

    def __init__(self, groups: dict[str, list[int] | str]) -> None:
        self.groups = groups
        self.before: dict[int, float] = {}

    def _pids(self, group: list[int] | str) -> list[int]:
        return pids_of(group) if isinstance(group, str) else group

    def start(self) -> None:
        self.before = {p: cpu_seconds(p) for g in self.groups.values() for p in self._pids(g)}

    def stop(self) -> dict[str, float]:
        return {
            name: sum(cpu_seconds(p) - self.before.get(p, 0.0) for p in self._pids(group))
            for name, group in self.groups.items()
        }
