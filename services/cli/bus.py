"""`zuofeng bus`: streams, consumers and buckets created or updated as the NATS admin."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from services.cli.common import settings as cli_settings
from services.cli.common import with_js
from shared.bus import init_bus

app = typer.Typer(help="Streams and consumers.", no_args_is_help=True)


@app.command("init")
def bus_init() -> None:
    """Create or update every stream, consumer and bucket (safe to run again); as NATS admin."""
    settings = cli_settings()

    async def go(js: Any) -> list[str]:
        return await init_bus(js, max_deliver=settings.max_deliver, ack_wait=settings.ack_wait)

    for line in asyncio.run(with_js(go)):
        typer.echo(line)
