"""`zuofeng token`: a signed HS256 token for local use and scripts."""

from __future__ import annotations

from typing import Annotated

import typer

from services.cli.common import settings as cli_settings
from shared.auth import ROLES, issue_token, parse_ttl


def token(
    unit: Annotated[str, typer.Option(help="unit id from the directory")],
    role: Annotated[str, typer.Option(help=", ".join(ROLES))],
    sub: Annotated[str, typer.Option(help="who the token is for")] = "local-user",
    ttl: Annotated[str, typer.Option(help="lifetime, e.g. 8h, 30m, 2d")] = "8h",
) -> None:
    """Print a signed token (only the token, on stdout)."""
    from shared.directory import load_directory

    directory = load_directory()
    if not directory.holds(unit, role):
        typer.echo(f"unknown unit {unit!r}; see GET /api/v1/units on cases", err=True)
        raise typer.Exit(2)
    try:
        settings = cli_settings()
        lifetime = parse_ttl(ttl)
        cap = settings.enforced_max_ttl
        if cap is not None and lifetime > cap:
            raise ValueError(f"ttl {ttl} exceeds ZUOFENG_JWT_MAX_TTL ({cap})")
        if not settings.accepts_hs256:
            raise ValueError("HS256 tokens are not accepted here (see ZUOFENG_JWT_ALLOW_HS256)")
        typer.echo(
            issue_token(
                settings.resolved_jwt_secret(),
                unit=unit,
                role=role,
                sub=sub,
                ttl=lifetime,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
            )
        )
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
