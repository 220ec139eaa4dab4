"""One progress bar for the long commands (rich, which typer already brings). In shared, not
services/cli, because service-owned commands (`zuofeng reporting rebuild`) draw it too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

Update = Callable[[int, int], None]  # (done, total)
quiet = False  # `zuofeng --quiet`: no bar even on a terminal


@contextmanager
def bar(what: str) -> Iterator[Update]:
    """`update(done, total)` moves the bar; on stderr, so stdout stays the command's answer.
    Drawn only when stderr is a terminal: piped, logged or captured by a test, nothing shows."""
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())  # fmt: skip
    with Progress(
        *columns, console=console, transient=False, disable=quiet or not console.is_terminal
    ) as progress:
        task = progress.add_task(what, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
