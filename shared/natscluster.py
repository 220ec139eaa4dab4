"""A JetStream cluster of bundled `nats-server`s on loopback (fault tests, benchmarks, a local
try of `zuofeng bus init --replicas 3`): N nodes routed to each other under one cluster name,
each with its own store directory, client port and route port, each killable and restartable
on the same ports and store (as a node of a real cluster comes back).
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from shared.natsserver import NatsProcess, start_nats

NODE = """
server_name: {name}
cluster {{
  name: {cluster}
  listen: 127.0.0.1:{route_port}
  routes: [{routes}]
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class NatsCluster:
    base: Path
    size: int = 3
    name: str = "zuofeng"
    ports: list[int] = field(default_factory=list)
    route_ports: list[int] = field(default_factory=list)
    nodes: list[NatsProcess | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError("a cluster has at least one node")
        self.ports = self.ports or [free_port() for _ in range(self.size)]
        self.route_ports = self.route_ports or [free_port() for _ in range(self.size)]
        self.nodes = [None] * self.size

    def server_name(self, index: int) -> str:
        return f"n{index + 1}"

    def node_url(self, index: int) -> str:
        return f"nats://127.0.0.1:{self.ports[index]}"

    @property
    def url(self) -> str:
        """Every node, comma separated: the form `ZUOFENG_NATS_URL` takes."""
        return ",".join(self.node_url(i) for i in range(self.size))

    def index_of(self, server_name: str) -> int:
        return [self.server_name(i) for i in range(self.size)].index(server_name)

    def start(self, index: int, timeout: float = 15.0) -> None:
        routes = ", ".join(
            f"nats-route://127.0.0.1:{port}"
            for i, port in enumerate(self.route_ports)
            if i != index
        )
        extra = NODE.format(
            name=self.server_name(index),
            cluster=self.name,
            route_port=self.route_ports[index],
            routes=routes,
        )
        self.nodes[index] = start_nats(
            self.base / self.server_name(index),
            port=self.ports[index],
            timeout=timeout,
            extra=extra,
        )

    def start_all(self) -> None:
        for index in range(self.size):
            self.start(index)

    def kill(self, index: int) -> None:
        """kill -9: no flush, no goodbye to the routes."""
        node = self.nodes[index]
        if node is not None:
            node.kill()
        self.nodes[index] = None

    def stop(self) -> None:
        for index, node in enumerate(self.nodes):
            if node is not None:
                node.stop()
            self.nodes[index] = None

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Until every running node answers for JetStream (its meta leader elected). Peers may
        still be joining: creating an R3 stream can fail a moment longer (retry it)."""
        import nats

        deadline = time.monotonic() + timeout
        running = [i for i, node in enumerate(self.nodes) if node is not None]
        while True:
            try:
                for index in running:
                    nc = await nats.connect(self.node_url(index), allow_reconnect=False)
                    try:
                        await nc.jetstream().account_info()  # answers once a meta leader is
                    finally:
                        await nc.close()
                return
            except Exception:  # noqa: BLE001 - not yet; the deadline decides
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
