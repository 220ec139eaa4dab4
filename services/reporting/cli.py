"""Reporting: rebuild every projection from the streams; write a month's briefing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from services.reporting.alerts.rule import AlertRule
from services.reporting.briefing.files import MONTH, BriefingFile, Format, briefing_file
from services.reporting.context import Context
from services.reporting.periods import local_day
from services.reporting.rebuild.projections import SOURCES
from services.reporting.rebuild.run import Result, rebuild
from services.reporting.scorecards.board import thresholds
from services.reporting.settings import ReportingSettings
from shared.bus import connect
from shared.db import Database
from shared.directory import load_directory
from shared.progress import bar

app = typer.Typer(no_args_is_help=True)


@app.callback()
def reporting() -> None:
    """Reporting's operations (a group, so `zuofeng reporting rebuild` keeps its name)."""


@app.command("rebuild")
def rebuild_cmd(
    batch: Annotated[int, typer.Option(min=1, max=10000, help="events per transaction")] = 2000,
) -> None:
    """Replay the streams of reporting's durables from the start into fresh copies of every
    projection (facts and counts, scorecards, re-checks, supervision, programmes) and switch
    over."""
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
    total, read = await _messages(url), 0
    try:
        with bar("reporting rebuild (events)") as update:

            def advance(n: int) -> None:
                nonlocal read
                read += n
                update(min(read, total), total)  # more may arrive during the run

            update(0, total)
            result = await rebuild(db, url, load_directory(), rule, batch, typer.echo, advance)
            update(total, total)  # the tail, read at the switch, is not counted batch by batch
            return result
    finally:
        await db.dispose()


async def _messages(url: str) -> int:
    """What the replay will read: the streams' message counts now."""
    nc = await connect(url, "zuofeng-reporting-rebuild-count")
    try:
        js = nc.jetstream()
        streams = dict.fromkeys(source.stream for source in SOURCES)
        return sum([(await js.stream_info(stream)).state.messages for stream in streams])
    finally:
        await nc.close()


@app.command("briefing")
def briefing_cmd(
    month: Annotated[str, typer.Option(help="the month, YYYY-MM")],
    county: Annotated[str | None, typer.Option(help="a county code (default: the city)")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="docx or pdf")] = "docx",
    out: Annotated[Path | None, typer.Option(help="file to write (default: its own name)")] = None,
) -> None:
    """Write the month's work briefing (工作通报) as .docx or .pdf, from the same figures as
    GET /api/v1/stats."""
    import re

    if not re.fullmatch(MONTH, month):
        raise typer.BadParameter("YYYY-MM, e.g. 2018-03", param_hint="--month")
    settings = ReportingSettings()
    found = asyncio.run(_briefing(settings, month, county, fmt))
    path = out or Path(found.name)
    path.write_bytes(found.content)
    typer.echo(f"wrote {path} ({len(found.content):,} bytes)")


async def _briefing(
    settings: ReportingSettings, month: str, county: str | None, fmt: Format
) -> BriefingFile:
    assert settings.database_url is not None
    db = Database(settings.database_url)
    ctx = Context.build(settings, db)
    if county is not None and county not in dict(ctx.directory.counties()):
        raise typer.BadParameter(f"unknown county {county}", param_hint="--county")
    try:
        async with db.sessions() as session:
            today = local_day(ctx.clock())
            return await briefing_file(
                session, ctx.names(False), month, county, fmt, today, thresholds(ctx)
            )
    finally:
        await db.dispose()
