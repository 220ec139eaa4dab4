"""`zuofeng deadlines recompute`: after a new year's holiday table arrives (in the packaged
holidays or the county's `holidays/` folder), move the provisional deadlines of open cases and
publish each change as `case.deadlines_recomputed` (through the cases outbox: a running cases
service publishes them). Safe beside running replicas: each case is changed under its lock."""

from __future__ import annotations

import asyncio

import typer

from services.cases.context import build_context
from services.cases.recompute import Moved, recompute
from services.cases.settings import CasesSettings
from services.cli.config import refuse_broken
from shared.db import Database
from shared.progress import bar

app = typer.Typer(help="Case deadlines.", no_args_is_help=True)


@app.callback()
def deadlines() -> None:
    """Case deadlines (a group, so `zuofeng deadlines recompute` keeps its name)."""


@app.command("recompute")
def recompute_cmd() -> None:
    """Recompute provisional deadlines with today's holiday tables; prints what moved."""
    settings = CasesSettings()
    refuse_broken("zuofeng deadlines recompute", settings.config_dir)
    moved = asyncio.run(_recompute(settings))
    for case in moved:
        for kind, (old, new) in case.changes.items():
            typer.echo(f"{case.case_id} {kind}: {old} -> {new}")
    typer.echo(f"{len(moved)} case(s) with deadlines recomputed")


async def _recompute(settings: CasesSettings) -> list[Moved]:
    assert settings.database_url is not None
    db = Database(settings.database_url)
    try:
        with bar("deadlines recompute (open cases)") as update:
            return await recompute(build_context(settings, db), progress=update)
    finally:
        await db.dispose()
