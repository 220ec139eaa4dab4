"""What a local run (`make run`) keeps under var/ instead of configuration: random secrets and
the bundled NATS server's URL."""

from __future__ import annotations

import secrets
from pathlib import Path


def local_secret(var_dir: Path, name: str) -> str:
    """Read or create a random secret file readable only by its owner."""
    path = var_dir / name
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        if not path.read_text():
            path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def bundled_nats_url(var_dir: Path) -> str:
    """The bundled server's URL written by the launcher.

    Never falls back to 4222: a system NATS may listen there and is not ours.
    """
    url_file = var_dir / "nats.url"
    if url_file.exists():
        return url_file.read_text().strip()
    raise RuntimeError(
        f"ZUOFENG_NATS_URL is unset and {url_file} does not exist: start the bundled "
        "server with `make run` or point ZUOFENG_NATS_URL at a NATS server"
    )
