"""`zuofeng dlq`: look at the dead letters and publish them back."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

from services.cli.common import with_js
from shared import dlq
from shared.progress import bar

app = typer.Typer(help="The dead-letter stream.", no_args_is_help=True)


@app.command("list")
def dlq_list(
    consumer: Annotated[str | None, typer.Option(help="only this consumer's letters")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show what is in the dead-letter stream, oldest first."""

    letters = asyncio.run(with_js(lambda js: dlq.list_dead_letters(js, consumer)))
    for letter in letters:
        row = {
            "seq": letter.seq,
            "consumer": letter.consumer,
            "subject": letter.subject,
            "deliveries": letter.deliveries,
            "dead_at": letter.dead_at,
            "error": letter.error,
        }
        typer.echo(
            json.dumps(row, ensure_ascii=False)
            if as_json
            else f"{letter.seq:>6}  {letter.consumer:<20} {letter.subject:<40} {letter.error}"
        )
    if not letters and not as_json:
        typer.echo("the dead-letter stream is empty")


@app.command("replay")
def dlq_replay(
    consumer: Annotated[str | None, typer.Option(help="only this consumer's letters")] = None,
    seq: Annotated[int | None, typer.Option(help="only this DLQ sequence")] = None,
) -> None:
    """Publish dead letters back to their subjects and remove them from the DLQ."""

    async def go(js: Any) -> int:
        letters = await dlq.list_dead_letters(js, consumer)
        chosen = [x for x in letters if seq is None or x.seq == seq]
        with bar("dlq replay (letters)") as update:
            update(0, len(chosen))
            for done, letter in enumerate(chosen, 1):
                await dlq.replay(js, letter)
                update(done, len(chosen))
        return len(chosen)

    typer.echo(f"replayed {asyncio.run(with_js(go))} message(s)")
