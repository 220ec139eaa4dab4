"""`zuofeng demo`: fill a running system (`make run`) with a campaign year through its public
APIs, the clock moved day by day (services/cli/movable_clock.py), so the dashboard, the
exposure board and the briefings have something to show."""

from __future__ import annotations

import asyncio
import random
import re
from datetime import date, timedelta
from typing import Annotated

import typer

from services.catalog import settings_of
from services.cli.demo_run import Demo, Tally, Target
from services.cli.movable_clock import MovableClock
from shared.auth import issue_token
from shared.directory import load_directory
from shared.progress import bar
from shared.taxonomy import load_taxonomy


def demo(
    months: Annotated[int, typer.Option(min=1, max=36, help="months of campaign to walk")] = 12,
    seed: Annotated[int, typer.Option(help="the same seed makes the same year")] = 2018,
    per_month: Annotated[
        int, typer.Option(min=1, max=2000, help="reports a month, on average")
    ] = 40,
    start: Annotated[
        str | None, typer.Option(help="first month, YYYY-MM (default: the first phase's)")
    ] = None,
) -> None:
    """Fill the running system with a campaign year: reports on every channel, cases accepted,
    extended, concluded, rectified, transferred, exposed, some overdue, alerts decided."""
    cli = settings_of("cli")
    if cli.environment == "production":
        typer.echo("zuofeng demo: refused in production (it moves the services' clock)", err=True)
        raise typer.Exit(2)
    target = Target(*(_url(s) for s in ("intake", "cases", "reporting")))
    first = _first_day(start, target)
    clock = MovableClock(cli.var_dir)
    secret = cli.resolved_jwt_secret()

    def tokens(unit: str, role: str) -> dict[str, str]:
        # One subject per (unit, role): nobody decides their own extension request.
        signed = issue_token(secret, unit=unit, role=role, sub=f"demo:{role}@{unit}",
                             ttl=timedelta(hours=2), audience=cli.jwt_audience,
                             issuer=cli.jwt_issuer)  # fmt: skip
        return {"Authorization": f"Bearer {signed}"}

    made = Demo(target, tokens, clock, load_directory(), load_taxonomy(), random.Random(seed))
    try:
        with bar(f"demo {first:%Y-%m} +{months} months") as update:
            tally = asyncio.run(made.run(first, months, per_month, update))
    finally:
        clock.reset()  # back to the real time, whatever happened
    typer.echo(_summary(tally, target))


def _url(service: str) -> str:
    settings = settings_of(service)
    return f"http://127.0.0.1:{settings.port or settings.default_port}"


def _first_day(start: str | None, target: Target) -> date:
    if start:
        if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", start):
            raise typer.BadParameter("YYYY-MM, e.g. 2018-01", param_hint="--start")
        year, month = (int(p) for p in start.split("-"))
        return date(year, month, 1)
    import httpx

    phases = httpx.get(f"{target.reporting}/api/v1/phases", timeout=10).json()["items"]
    return min((date.fromisoformat(p["from"]) for p in phases), default=date.today().replace(day=1))


def _summary(tally: Tally, target: Target) -> str:
    return (
        f"{tally.reports} reports, {len(tally.cases)} cases, {tally.actions} officials' actions, "
        f"{tally.decisions} alert decisions ({tally.refused} actions refused)\n"
        f"dashboard: {target.reporting}/dashboard"
    )
