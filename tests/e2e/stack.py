"""The four services in-process under real uvicorn servers, on real NATS and databases."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import uvicorn

from services.cases.main import create_app as cases_app
from services.cases.settings import CasesSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from services.notify.main import create_app as notify_app
from services.notify.settings import NotifySettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from shared import migrate
from shared.auth import issue_token
from shared.bus import init_bus
from tests.pg import free_port

APPS = {
    "intake": (intake_app, IntakeSettings),
    "cases": (cases_app, CasesSettings),
    "notify": (notify_app, NotifySettings),
    "reporting": (reporting_app, ReportingSettings),
}
SECRET = "e2e-jwt-secret-long-enough-for-hs256-keys"


def token(unit: str, role: str) -> dict[str, str]:
    """An hour's bearer token of the stack's secret for a unit's role (sub names both)."""
    signed = issue_token(SECRET, unit=unit, role=role, sub=f"{role}-{unit}", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {signed}"}


@dataclass
class Stack:
    urls: dict[str, str]
    settings: dict[str, object]
    apps: dict[str, object]


async def _serve(app: object, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    return server, task


@contextlib.asynccontextmanager
async def running_stack(
    nats_url: str,
    database_urls: dict[str, str],
    var_dir: Path,
    *,
    linked: bool = False,
    extra: dict[str, dict[str, Any]] | None = None,
    factories: dict[str, dict[str, Any]] | None = None,
) -> AsyncIterator[Stack]:
    """`linked`: the services' pages know each other's origins (as `zuofeng run` sets them);
    `extra`: more settings per service; `factories`: more arguments to a service's create_app
    (e.g. its clock)."""
    nc = await nats.connect(nats_url)
    await init_bus(nc.jetstream(), max_deliver=4, ack_wait=5)
    await nc.close()
    servers, urls, all_settings, apps = [], {}, {}, {}
    ports = {name: free_port() for name in APPS}
    origins = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        for name, (factory, settings_class) in APPS.items():
            await asyncio.to_thread(migrate.upgrade, name, database_urls[name])
            port = ports[name]
            settings = settings_class(
                nats_url=nats_url,
                database_url=database_urls[name],
                var_dir=var_dir,
                jwt_secret=SECRET,
                port=port,
                retry_delays=(0.2, 0.5, 1.0),
                **({"page_origins": origins} if linked else {}),
                **(extra or {}).get(name, {}),
            )
            apps[name] = factory(settings, **(factories or {}).get(name, {}))
            servers.append(await _serve(apps[name], port))
            urls[name], all_settings[name] = f"http://127.0.0.1:{port}", settings
        await _until_ready(urls)
        yield Stack(urls=urls, settings=all_settings, apps=apps)
    finally:
        for server, task in servers:
            server.should_exit = True
            await task


async def _until_ready(urls: dict[str, str], timeout: float = 30.0) -> None:
    async with httpx.AsyncClient() as client:
        deadline = asyncio.get_running_loop().time() + timeout
        for url in urls.values():
            while (await client.get(f"{url}/readyz")).status_code != 200:
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"{url} not ready")
                await asyncio.sleep(0.1)
