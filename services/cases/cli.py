"""Cases: run the deadline sweeper once (operators, cron, catching up after downtime)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

import typer

from services.cases.service import CasesService, utc_now
from services.cases.settings import CasesSettings
from services.cases.sweeper import sweep
from shared.db import Database
from shared.deadlines import load_profiles
from shared.directory import load_directory

app = typer.Typer(no_args_is_help=True)


@app.callback()
def cases() -> None:
    """Cases' operations (a group, so `zuofeng cases sweep` keeps its name)."""


@app.command("sweep")
def sweep_cmd(
    at: Annotated[
        datetime | None, typer.Option(help="sweep as of this moment (ISO 8601, with a zone)")
    ] = None,
) -> None:
    """Warn, mark missed and escalate every deadline due now; safe beside running replicas.

    The events go to the outbox: a running cases service publishes them."""
    if at is not None and at.tzinfo is None:
        raise typer.BadParameter("give a zone, e.g. 2025-03-20T09:00:00+08:00", param_hint="--at")
    written = asyncio.run(_sweep(CasesSettings(), at))
    typer.echo(f"{written} deadline events written")


async def _sweep(settings: CasesSettings, at: datetime | None) -> int:
    assert settings.database_url is not None
    db = Database(settings.database_url)
    service = CasesService(
        db,
        load_directory(),
        load_profiles(),
        settings.resolved_keys_dir,
        now=lambda: at or utc_now(),
    )
    try:
        return await sweep(service)
    finally:
        await db.dispose()
