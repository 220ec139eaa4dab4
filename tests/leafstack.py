"""A city hub and county leaves on loopback (the bundled binary), configured by what
`zuofeng bus accounts --leaves` writes: each leaf dials the hub through a TCP relay of its own
(`Link`), so a county's link can be cut and restored while both servers keep running; cases
runs at the hub, each county's intake at its leaf (its own database and outbox)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nats
from typer.testing import CliRunner

from services.cli import app as zuofeng
from services.cli.accounts import write_accounts
from shared import migrate
from shared.natsauth import with_credentials
from shared.natsleaf import HUB_DOMAIN, hub_config, start_server
from shared.natsserver import NatsProcess
from tests.pg import free_port
from tests.procstack import ProcStack

A, B = "371402", "371403"
JWT_SECRET = "leafstack-jwt-secret-long-enough-for-hs256"
LINK = "hub-link:7422"  # the remote written by `bus accounts`, pointed at each county's relay


class Link:
    """A county's link to the hub: a TCP relay that can be cut (every connection closed and
    no new one accepted) and restored on the same port."""

    def __init__(self, target: int) -> None:
        self.target, self.port = target, free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()
        self.server = None

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.writers -= {writer, up_writer}


def passwords_of(out: Path) -> dict[str, str]:
    found = {}
    for file in (out / "credentials").glob("*.url"):
        found[file.stem] = unquote(urlsplit(file.read_text().split(",")[0]).password or "")
    return found


@dataclass
class Counties:
    """Hub + one leaf per county, and the accounts written for them."""

    base: Path
    counties: list[str] = field(default_factory=lambda: [A, B])
    hub: NatsProcess | None = None
    leaves: dict[str, NatsProcess] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    leaf_port: int = field(default_factory=free_port)

    def start_hub(self) -> None:
        port = self.hub.port if self.hub else -1  # a restart keeps the port clients know
        auth = (self.base / "accounts" / "auth.conf").read_text()
        config = hub_config(self.base / "hub" / "jetstream", auth, f"127.0.0.1:{self.leaf_port}")
        self.hub = start_server(self.base / "hub", config, port=port)

    async def start(self) -> None:
        out = self.base / "accounts"
        write_accounts(out, self.counties, ["nats://127.0.0.1:4222"], leaves=True,
                       hub_leaf_urls=(f"nats-leaf://{LINK}",), cost=10)  # fmt: skip
        self.passwords = passwords_of(out)
        self.start_hub()
        for county in self.counties:
            self.links[county] = Link(self.leaf_port)
            await self.links[county].restore()
            config = (out / f"leaf-{county}.conf").read_text()
            config = config.replace(LINK, f"127.0.0.1:{self.links[county].port}")
            self.leaves[county] = start_server(self.base / f"leaf-{county}", config)
        # As an operator would: `zuofeng bus init` with each county's own durables.
        counties = [arg for county in self.counties for arg in ("--county", county)]
        env = {"ZUOFENG_NATS_URL": self.url("admin"), "ZUOFENG_VAR_DIR": str(self.base / "var")}
        result = await asyncio.to_thread(
            CliRunner().invoke, zuofeng, ["bus", "init", *counties], env=env
        )
        assert result.exit_code == 0, result.output
        assert f"consumer CASES/intake-cases-{self.counties[0]} applied" in result.output

    def url(self, user: str, county: str | None = None) -> str:
        """A user's URL: at its county's leaf, or at the hub."""
        server = self.leaves[county] if county else self.hub
        assert server is not None
        return with_credentials(server.url, user, self.passwords[user])

    async def linked(self, county: str, timeout: float = 20.0) -> None:
        """Wait until the county's leaf reaches the hub's JetStream again."""
        nc = await nats.connect(
            self.url(f"intake-{county}", county), inbox_prefix=f"_INBOX.intake-{county}"
        )
        try:
            async with asyncio.timeout(timeout):
                while True:
                    with contextlib.suppress(Exception):
                        await nc.jetstream(timeout=1).consumer_info(
                            "CASES", f"intake-cases-{county}"
                        )
                        return
                    await asyncio.sleep(0.3)
        finally:
            await nc.close()

    async def stop(self) -> None:
        for link in self.links.values():
            if link.server:
                await link.cut()
        for server in [*self.leaves.values(), self.hub]:
            if server:
                server.stop()


@dataclass
class CountyProcs(ProcStack):
    """cases at the hub and `intake-<county>` at each county's leaf, as `zuofeng serve`."""

    nats_urls: dict[str, str] = field(default_factory=dict)

    def env(self, name: str) -> dict[str, str]:
        service = name.split("-")[0]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZUOFENG_")}
        prefix = f"ZUOFENG_{service.upper()}_"
        env |= {
            "ZUOFENG_NATS_URL": self.nats_urls[name],
            "ZUOFENG_VAR_DIR": str(self.base / "var"),
            "ZUOFENG_JWT_SECRET": JWT_SECRET,
            "ZUOFENG_RETRY_DELAYS": self.retry_delays,
            "ZUOFENG_LOG_LEVEL": "WARNING",
            f"{prefix}PORT": str(self.ports[name]),
            f"{prefix}DATABASE_URL": self.database_urls[name],
            # A county's intake follows its own county's case events only.
            **({f"{prefix}COUNTY": name.split("-")[1]} if "-" in name else {}),
            "PYTHONUNBUFFERED": "1",
        }
        return env | self.extra_env

    async def prepare_databases(self) -> None:
        for name, url in self.database_urls.items():
            await asyncio.to_thread(migrate.upgrade, name.split("-")[0], url)
            self.ports[name] = free_port()

    def start(self, service: str) -> None:
        log = open(self.base / f"{service}.log", "ab")  # noqa: SIM115 - the child writes it
        self.procs[service] = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", service.split("-")[0]],
            env=self.env(service),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


__all__ = ["A", "B", "HUB_DOMAIN", "JWT_SECRET", "Counties", "CountyProcs", "Link"]
