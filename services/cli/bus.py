"""`zuofeng bus`: streams, consumers and buckets created or updated as the NATS admin."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

import typer

from services.cli.common import settings as cli_settings
from services.cli.common import with_js
from shared.bus import init_bus
from shared.settings.streams import StreamSettings

app = typer.Typer(help="Streams and consumers.", no_args_is_help=True)


def _counties(value: list[str] | None) -> list[str] | None:
    for code in value or []:
        if not re.fullmatch(r"\d{6}", code):
            raise typer.BadParameter(f"a county is a 6-digit code, got {code!r}")
    return value


@app.command("init")
def bus_init(
    replicas: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=5,
            help="copies of every stream, consumer and bucket (default ZUOFENG_STREAM_REPLICAS, "
            "else 1); 3 on a 3-node cluster; existing streams are changed to it",
        ),
    ] = None,
    county: Annotated[
        list[str] | None,
        typer.Option(
            help="a county that runs its intake at its own leaf (repeat): its own durables, "
            "filtered to its subjects (`intake-cases-<county>`)",
            callback=_counties,
        ),
    ] = None,
) -> None:
    """Create or update every stream, consumer and bucket (safe to run again); as NATS admin.
    Limits per stream family come from `ZUOFENG_STREAM_*` (docs/operations.md)."""
    settings = cli_settings()
    streams = StreamSettings()
    if replicas is not None:
        streams = streams.model_copy(update={"replicas": replicas})

    async def go(js: Any) -> list[str]:
        return await init_bus(
            js,
            max_deliver=settings.max_deliver,
            ack_wait=settings.ack_wait,
            streams=streams,
            counties=county or (),
        )

    for line in asyncio.run(with_js(go)):
        typer.echo(line)
