"""The whole system as real processes on a 3-node NATS cluster: ProcStack's services, each given
every node's URL (`ZUOFENG_NATS_URL` comma separated), cases and notify as two replicas each,
streams, consumers and buckets at three replicas."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass, field

import nats
from nats.js import JetStreamContext

from shared import migrate
from shared.bus import init_bus
from shared.natscluster import NatsCluster
from shared.settings.streams import StreamSettings
from tests.pg import free_port
from tests.procstack import SERVICES, ProcStack


@dataclass
class ClusterStack(ProcStack):
    cluster: NatsCluster | None = None
    replicas: dict[str, int] = field(default_factory=lambda: {"cases": 2, "notify": 2})

    @property
    def instances(self) -> list[str]:
        """`cases`, `cases-2`, …: each one process with its own port and log."""
        return [
            service if n == 1 else f"{service}-{n}"
            for service in SERVICES
            for n in range(1, self.replicas.get(service, 1) + 1)
        ]

    def env(self, service: str) -> dict[str, str]:
        assert self.cluster is not None
        env = super().env(service.split("-")[0])  # the service's own settings …
        prefix = f"ZUOFENG_{service.split('-')[0].upper()}_"
        # … on every node of the cluster, on this instance's own port.
        return env | {
            "ZUOFENG_NATS_URL": self.cluster.url,
            f"{prefix}PORT": str(self.ports[service]),
        }

    def start_nats(self) -> None:
        """ProcStack's single server stands for the cluster's first node (its env needs one)."""
        assert self.cluster is not None
        self.nats = self.cluster.nodes[0]

    async def prepare(self) -> None:
        self.cluster = NatsCluster(self.base / "nats", size=3)
        self.cluster.start_all()
        await self.cluster.wait_ready()
        self.start_nats()
        nc = await nats.connect(self.cluster.url.split(","))
        try:
            await _init_replicated(nc.jetstream(), replicas=3)
        finally:
            await nc.close()
        for service in SERVICES:
            await asyncio.to_thread(migrate.upgrade, service, self.database_urls[service])
        for instance in self.instances:
            self.ports[instance] = free_port()

    def start(self, service: str) -> None:
        log = open(self.base / f"{service}.log", "ab")  # noqa: SIM115 - the child writes it
        self.procs[service] = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", service.split("-")[0]],
            env=self.env(service),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_all(self) -> None:
        for instance in self.instances:
            self.start(instance)
        for instance in self.instances:
            self.wait_ready(instance)

    def stop(self) -> None:
        self.nats = None  # the cluster's nodes are stopped below, once
        super().stop()
        if self.cluster is not None:
            self.cluster.stop()


async def _init_replicated(js: JetStreamContext, replicas: int, timeout: float = 30.0) -> None:
    """`zuofeng bus init --replicas N`, again until every peer has joined the meta group."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            await init_bus(
                js, max_deliver=7, ack_wait=30, streams=StreamSettings(replicas=replicas)
            )
            return
        except Exception:  # noqa: BLE001 - "insufficient resources" until peers are known
            if loop.time() > deadline:
                raise
            await asyncio.sleep(1.0)


async def stream_leader(js: JetStreamContext, stream: str) -> str:
    """The server name leading a stream now (STREAM.INFO's cluster.leader)."""
    info = await js.stream_info(stream)
    assert info.cluster is not None and info.cluster.leader, f"{stream} has no leader"
    return info.cluster.leader


async def wait_current(js: JetStreamContext, streams: list[str], timeout: float = 60.0) -> None:
    """Until every replica of each stream is current again (a restarted node caught up)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        lagging = []
        for name in streams:
            try:
                info = await js.stream_info(name)
            except Exception:  # noqa: BLE001 - leader being elected
                lagging.append(name)
                continue
            cluster = info.cluster
            replicas = cluster.replicas if cluster and cluster.replicas else []
            if not cluster or not cluster.leader or any(not r.current for r in replicas):
                lagging.append(name)
        if not lagging:
            return
        assert loop.time() < deadline, f"streams not current: {lagging}"
        await asyncio.sleep(1.0)
