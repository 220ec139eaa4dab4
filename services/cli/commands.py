"""The `zuofeng` command: the one composition root allowed to import every service.

One module per command group; this module puts them together in the order `zuofeng --help`
lists them, then adds each service's own sub-commands (`services/<name>/cli.py`). Importing it
imports every command's code; `services.cli.main` imports it only for commands other than
`serve` and `run` (see services/cli/__init__.py)."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from services.catalog import PORTS
from services.cli import (
    HELP,
    accounts,
    apikey,
    audit,
    backup,
    bus,
    dlq,
    keys,
    migrate,
    serve,
    token,
    user,
)
from services.cli import classifier as classifier_command
from services.cli import config as config_command
from services.cli import deadlines as deadlines_command
from services.cli import demo as demo_command
from services.cli import docs as docs_command
from services.cli import inspections as inspections_command
from shared import progress

app = typer.Typer(help=HELP, no_args_is_help=True)


@app.callback()
def _options(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bars")] = False,
) -> None:
    progress.quiet = quiet


app.command()(serve.run)
app.command()(serve.serve)
app.command("migrate")(migrate.migrate_cmd)
app.command()(token.token)
app.command()(docs_command.docs)
app.command()(demo_command.demo)
# Backup and restore join `zuofeng bus` from their own module (bus.py is the cluster's).
bus.app.command("backup")(backup.bus_backup)
bus.app.command("restore")(backup.bus_restore)
bus.app.command("accounts")(accounts.accounts)  # owned by its own module, not bus.py
app.add_typer(bus.app, name="bus")
app.add_typer(backup.db_app, name="db")
app.add_typer(dlq.app, name="dlq")
app.add_typer(audit.app, name="audit")
app.add_typer(apikey.app, name="apikey")
app.add_typer(user.app, name="user")
app.add_typer(keys.app, name="keys")
app.add_typer(config_command.app, name="config")
app.add_typer(deadlines_command.app, name="deadlines")
app.add_typer(classifier_command.app, name="classifier")
app.add_typer(inspections_command.app, name="inspections")


def _add_service_commands() -> None:
    """Each service may bring sub-commands (`services/<name>/cli.py` with a typer `app`)."""
    for service in PORTS:
        try:
            module = importlib.import_module(f"services.{service}.cli")
        except ModuleNotFoundError as exc:
            if exc.name != f"services.{service}.cli":
                raise
            continue
        app.add_typer(module.app, name=service, help=module.__doc__)


_add_service_commands()
