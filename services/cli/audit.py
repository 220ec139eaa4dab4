"""`zuofeng audit`: the cases service's audit trail checked against its anchors."""

from __future__ import annotations

import typer

app = typer.Typer(help="The audit trail of case reads and actions.", no_args_is_help=True)


@app.command("verify")
def audit_verify() -> None:
    """Recompute the keyed hash chain of the cases service's audit trail and compare it with
    the last anchor on the bus; exit 1 where it breaks."""
    from services.cases.cli import audit_verify as check
    from services.cases.settings import CasesSettings

    intact, message = check(CasesSettings())
    if not intact:
        typer.echo(message, err=True)
        raise typer.Exit(1)
    typer.echo(message)
