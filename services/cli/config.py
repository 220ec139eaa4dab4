"""`zuofeng config check DIR`: a county configuration directory checked as the services would
load it, every problem as `file:line: field: message`; `zuofeng serve` runs the same check
and refuses to start on a broken directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.cases.routing.check import check_routing
from shared import configdir
from shared.configcheck import check
from shared.directory import load_directory
from shared.directory.loader import PACKAGED_FILE
from shared.yamlmarks import Problem

PACKAGED_DIRECTORY = Path(__file__).parents[2] / "shared" / "directory" / PACKAGED_FILE
app = typer.Typer(help="A county's own configuration directory.", no_args_is_help=True)


@app.callback()
def config() -> None:
    """A county's own configuration (a group, so `zuofeng config check` keeps its name)."""


def problems(root: Path) -> list[Problem]:
    """Every problem of `root`: its shared files, then its routing rules against its directory."""
    found = check(root)
    if found:
        return found  # the routing check needs a directory that loads
    path = configdir.file(configdir.DIRECTORY, root) or PACKAGED_DIRECTORY
    return check_routing(root, load_directory(path))


@app.command("check")
def check_cmd(
    root: Annotated[Path, typer.Argument(help="the configuration directory (ZUOFENG_CONFIG_DIR)")],
) -> None:
    """Print OK, or every problem with its file and line (exit 1)."""
    found = problems(root)
    for problem in found:
        typer.echo(str(problem))
    if found:
        typer.echo(f"{len(found)} problem(s) in {root}", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: {root}")


def refuse_broken(command: str, root: Path | None) -> None:
    """Exit 2 naming every problem (no traceback) when `root` would not load."""
    found = problems(root) if root is not None else []
    for problem in found:
        typer.echo(f"{command}: {problem}", err=True)
    if found:
        typer.echo(f"{command}: refusing to start: fix {root} (zuofeng config check)", err=True)
        raise typer.Exit(2)
