"""`zuofeng docs`: the AsyncAPI and OpenAPI documents written from the code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def docs(out: Annotated[Path, typer.Option(help="where to write")] = Path("docs")) -> None:
    """Write the AsyncAPI document of every service and the OpenAPI of every HTTP API."""
    from services.docs import write_docs

    for path in write_docs(out):
        typer.echo(f"wrote {path}")
