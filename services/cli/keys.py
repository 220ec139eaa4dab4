"""`zuofeng keys`: the identity holders' sealing keys listed and rotated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.cli.common import settings

app = typer.Typer(help="Sealing keys of the holders (notify, discipline, federation).")
# Federation seals aid applications' medical and payment details to its own key (issue 23) and
# reads its public key at each submission, so a rotation needs no restart there.
HOLDERS = ("notify", "discipline", "federation")
KeysDir = Annotated[
    Path | None, typer.Option(help="where the keys live (default: ZUOFENG_VAR_DIR/keys)")
]


def _keys_dir(keys_dir: Path | None) -> Path:
    return keys_dir or settings().var_dir / "keys"


@app.command("list")
def keys_list(keys_dir: KeysDir = None) -> None:
    """Each holder's key ids: the current one first, then the retired ones still kept."""
    from shared import sealing

    for holder in HOLDERS:
        ring = sealing.keyring(_keys_dir(keys_dir), holder)
        current = list(ring)[-1]
        retired = [k for k in ring if k != current]
        typer.echo(f"{holder}: current {current}; retired {', '.join(retired) or '-'}")


@app.command("rotate")
def keys_rotate(
    holder: Annotated[str, typer.Argument(help="notify | discipline | federation")],
    keys_dir: KeysDir = None,
) -> None:
    """New key pair for a holder; the old private key is kept to open earlier reports.
    Restart intake to seal new reports to the new public key (until then it seals to the
    retired one, which still opens)."""
    from shared import sealing

    if holder not in HOLDERS:
        typer.echo(f"unknown holder {holder!r}; one of {', '.join(HOLDERS)}", err=True)
        raise typer.Exit(2)
    retired, new = sealing.rotate(_keys_dir(keys_dir), holder)
    typer.echo(f"{holder}: retired {retired}, now {new}; restart intake to seal to it")
