"""The federation service alone under a real uvicorn server, on the bundled NATS with the
project's users (federation connects as its own fenced user) and a PostgreSQL database."""

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

from services.federation.main import create_app
from services.federation.settings import FederationSettings
from shared import migrate
from shared.auth import issue_token
from shared.bus import init_bus
from shared.natsauth import (
    authorization_block,
    load_or_create_passwords,
    user_names,
    with_credentials,
)
from shared.natsserver import start_nats
from tests.pg import free_port

SECRET = "e2e-federation-jwt-secret-long-enough-for-hs256"
COUNTIES = ["371402", "371403"]


@dataclass
class FederationStack:
    url: str
    admin_nats: str
    database_url: str
    settings: FederationSettings
    app: Any


def token(unit: str, role: str) -> dict[str, str]:
    signed = issue_token(SECRET, unit=unit, role=role, sub=f"e2e-{role}", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {signed}"}


@contextlib.asynccontextmanager
async def federation_stack(base: Path, database_url: str) -> AsyncIterator[FederationStack]:
    passwords = load_or_create_passwords(base / "users.json", user_names(COUNTIES))
    server = start_nats(base / "nats", authorization=authorization_block(passwords, COUNTIES))
    admin = with_credentials(server.url, "admin", passwords["admin"])
    try:
        nc = await nats.connect(admin)
        await init_bus(nc.jetstream(), max_deliver=4, ack_wait=5)
        await nc.close()
        await asyncio.to_thread(migrate.upgrade, "federation", database_url)
        port = free_port()
        settings = FederationSettings(
            nats_url=with_credentials(server.url, "federation", passwords["federation"]),
            database_url=database_url,
            var_dir=base / "var",
            jwt_secret=SECRET,
            port=port,
        )
        app = create_app(settings)
        web = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        task = asyncio.create_task(web.serve())
        url = f"http://127.0.0.1:{port}"
        try:
            await _until_ready(url, task)
            yield FederationStack(url, admin, database_url, settings, app)
        finally:
            web.should_exit = True
            await task
    finally:
        server.stop()


async def _until_ready(url: str, task: asyncio.Task[None], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            if task.done():
                task.result()
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    return
            if loop.time() > deadline:
                raise AssertionError(f"{url} not ready")
            await asyncio.sleep(0.1)
