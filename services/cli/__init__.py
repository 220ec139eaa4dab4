"""The `zuofeng` command (services.cli.commands puts every command together).

This package's own import is light on purpose: every service's process starts as
`zuofeng serve <service>` (`python -m services.cli serve <service>` under `make run` and the
tests), and putting every command together imports every command's code: alembic, each
service's CLI (reporting's briefing, notify's samples, cases' classifier tools) and the other
services' modules, about 40 MB more memory in each service for commands it never runs. `serve`
and `run` get an app with those two commands only; anything else gets the whole command."""

from __future__ import annotations

import sys
from typing import Any

HELP = "Zuofeng (作风): run, operate and inspect the system."
# The commands that start processes: their app leaves out every other command's imports.
SERVING = ("serve", "run")


def main() -> None:
    if sys.argv[1:] == ["run"]:
        # `make run`'s launcher lives as long as the services: it leaves out even typer.
        from services.launcher import launch

        raise SystemExit(launch())
    if sys.argv[1:2] and sys.argv[1] in SERVING:
        import typer

        from services.cli import serve

        serving = typer.Typer(help=HELP, no_args_is_help=True)
        serving.command()(serve.run)
        serving.command()(serve.serve)
        serving()
        return
    from services.cli.commands import app

    app()


def __getattr__(name: str) -> Any:
    """`from services.cli import app`: the whole command, built on first use."""
    if name == "app":
        from services.cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
