"""What several command groups need: the settings to act with and a JetStream connection."""

from __future__ import annotations

from typing import Any

from services.catalog import settings_of
from shared.bus import connect
from shared.settings import BaseServiceSettings


def settings(service: str = "cli") -> BaseServiceSettings:
    return settings_of(service)


async def with_js(work: Any) -> Any:
    """Run `work(js)` on a fresh connection as the CLI's NATS user, then close it."""
    nc = await connect(settings().resolved_nats_url(), "zuofeng-cli")
    try:
        return await work(nc.jetstream())
    finally:
        await nc.close()
