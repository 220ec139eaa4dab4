"""The whole system as real processes (for fault tests and benchmarks): a bundled nats-server,
one PostgreSQL database per service, and each service under `zuofeng serve`, each of which can
be killed with -9 and started again."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nats

from shared import migrate
from shared.bus import init_bus
from shared.natsserver import NatsProcess, start_nats
from tests.pg import free_port

SERVICES = ("intake", "cases", "notify", "reporting")
OPTIONAL = ("federation",)  # started when the stack is given its database
SECRET = "procstack-jwt-secret-long-enough-for-hs256"


@dataclass
class ProcStack:
    base: Path
    database_urls: dict[str, str]
    retry_delays: str = "0.5,1,2,4,8,15"
    nats: NatsProcess | None = None
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Load comes from one address: per-client public limits off (0 turns a limit off).
    extra_env: dict[str, str] = field(
        default_factory=lambda: {
            "ZUOFENG_INTAKE_PUBLIC_SUBMIT_RATE": "0",
            "ZUOFENG_INTAKE_LOOKUP_RATE": "0",
            # A delivery claimed by a notify killed with -9 is retried after the lease: short
            # here so fault runs settle in seconds (the repeat keeps its delivery id).
            "ZUOFENG_NOTIFY_DELIVERY_LEASE": "15",
            "ZUOFENG_NOTIFY_DELIVERY_RETRY_BASE": "1",
            "ZUOFENG_NOTIFY_DELIVERY_RETRY_CAP": "8",
            # The webhook receiver listens on 127.0.0.1 (internal targets are denied by default).
            "ZUOFENG_NOTIFY_WEBHOOK_INTERNAL_TARGETS": "true",
        }
    )

    @property
    def services(self) -> tuple[str, ...]:
        return (*SERVICES, *(s for s in OPTIONAL if s in self.database_urls))

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def env(self, service: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZUOFENG_")}
        assert self.nats is not None
        prefix = f"ZUOFENG_{service.upper()}_"
        env |= {
            "ZUOFENG_NATS_URL": self.nats.url,
            "ZUOFENG_VAR_DIR": str(self.base / "var"),
            "ZUOFENG_JWT_SECRET": SECRET,
            "ZUOFENG_RETRY_DELAYS": self.retry_delays,
            "ZUOFENG_LOG_LEVEL": "WARNING",
            f"{prefix}PORT": str(self.ports[service]),
            f"{prefix}DATABASE_URL": self.database_urls[service],
            "PYTHONUNBUFFERED": "1",
        }
        return env | self.extra_env

    def start_nats(self) -> None:
        port = self.nats.port if self.nats else -1  # a restart keeps the port clients know
        self.nats = start_nats(self.base / "nats", port=port)

    async def prepare(self) -> None:
        self.start_nats()
        assert self.nats is not None
        nc = await nats.connect(self.nats.url)
        await init_bus(nc.jetstream(), max_deliver=7, ack_wait=30)
        await nc.close()
        for service in self.services:
            await asyncio.to_thread(migrate.upgrade, service, self.database_urls[service])
            self.ports[service] = free_port()

    def start(self, service: str) -> None:
        log = open(self.base / f"{service}.log", "ab")  # noqa: SIM115 - the child writes it
        self.procs[service] = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", service],
            env=self.env(service),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, service: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url(service)}/readyz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(
            f"{service} not ready; log: {(self.base / f'{service}.log').read_text()[-2000:]}"
        )

    def start_all(self) -> None:
        for service in self.services:
            self.start(service)
        for service in self.services:
            self.wait_ready(service)

    def kill(self, service: str) -> None:
        proc = self.procs.pop(service)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

    def restart(self, service: str) -> None:
        self.kill(service)
        self.start(service)
        self.wait_ready(service)

    def pid(self, service: str) -> int:
        return self.procs[service].pid

    def stop(self) -> None:
        for service, proc in list(self.procs.items()):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            del self.procs[service]
        if self.nats:
            self.nats.stop()
