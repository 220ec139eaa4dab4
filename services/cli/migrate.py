"""`zuofeng migrate`: each service's migrations applied to its own database."""

from __future__ import annotations

from typing import Annotated

import typer

from services.cli.common import settings
from shared import migrate


def migrate_cmd(services: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Apply every service's migrations (or the named ones) to its configured database."""
    for service in services or migrate.SERVICES:
        database_url = settings(service).database_url
        assert database_url is not None
        migrate.upgrade(service, database_url)
        typer.echo(f"{service}: migrated")
