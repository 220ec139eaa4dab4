"""`zuofeng inspections sample`: propose where to inspect in a county, weighted by risk, seeded
and recorded (cases' `sampling_draws`)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from services.cases.context import build_context
from services.cases.inspections.sampling import sample
from services.cases.settings import CasesSettings
from shared.db import Database

app = typer.Typer(help="Inspections (督查, 暗访).", no_args_is_help=True)


@app.callback()
def inspections() -> None:
    """Inspections (a group, so `zuofeng inspections sample` keeps its name)."""


@app.command("sample")
def sample_cmd(
    county: Annotated[str, typer.Option(help="the county's 6-digit code")],
    n: Annotated[int, typer.Option(min=1, max=100, help="how many places to propose")],
    seed: Annotated[str | None, typer.Option(help="repeat a draw (default: a fresh seed)")] = None,
) -> None:
    """Draw N units of the county to visit, weighted by reports, substantiated cases, overdue
    handling and time since the last visit; prints the draw and records it."""
    settings = CasesSettings()
    drawn = asyncio.run(_sample(settings, county, n, seed))
    weights = {c["unit"]: c for c in drawn["candidates"]}
    for rank, unit in enumerate(drawn["picked"], 1):
        c = weights[unit]
        typer.echo(
            f"{rank}. {unit} {c['name']} weight {c['weight']} (reports {c['reports']}, "
            f"substantiated {c['substantiated']}, overdue {c['overdue']}, "
            f"{c['days_since_visit']} days since a visit)"
        )
    typer.echo(f"draw {drawn['id']} seed {drawn['seed']}: {len(drawn['candidates'])} candidates")


async def _sample(settings: CasesSettings, county: str, n: int, seed: str | None) -> dict[str, Any]:
    assert settings.database_url is not None
    db = Database(settings.database_url)
    try:
        ctx = build_context(settings, db)
        if county not in {code for code, _ in ctx.directory.counties()}:
            raise typer.BadParameter(f"no county {county} in the directory", param_hint="--county")
        return await sample(ctx, county, n, seed)
    finally:
        await db.dispose()
