"""Reporting: rebuild the projections from the streams."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from services.reporting.alerts.rule import AlertRule
from services.reporting.rebuild.run import Result, rebuild
from services.reporting.settings import ReportingSettings
from shared.db import Database
from shared.directory import load_directory

app = typer.Typer(no_args_is_help=True)


@app.callback()
def reporting() -> None:
    """Reporting's operations (a group, so `zuofeng reporting rebuild` keeps its name)."""


@app.command("rebuild")
def rebuild_cmd(
    batch: Annotated[int, typer.Option(min=1, max=10000, help="events per transaction")] = 2000,
) -> None:
    """Replay the INTAKE and CASES streams from the start into fresh tables and switch over."""
    settings = ReportingSettings()
    result = asyncio.run(_run(settings, batch))
    total = sum(result.events.values())
    typer.echo(
        f"rebuilt from {total} events ({result.per_second:,.0f}/s, {result.seconds:.1f} s); "
        f"{result.skipped} skipped; {result.alerts_raised} alerts raised"
    )


async def _run(settings: ReportingSettings, batch: int) -> Result:
    assert settings.database_url is not None
    db = Database(settings.database_url)
    rule = AlertRule(settings.alert_threshold, settings.alert_window_days)
    url = settings.resolved_nats_url()
    try:
        return await rebuild(db, url, load_directory(), rule, batch, typer.echo)
    finally:
        await db.dispose()
