"""The image's entrypoint: settings from secret files, then `zuofeng ARGS`.

Every file in ``$ZUOFENG_ENV_DIR`` (``/run/secrets``) named like a setting
(``ZUOFENG_JWT_SECRET``, ``ZUOFENG_CASES_DATABASE_URL``, ``ZUOFENG_NATS_URL`` …) becomes that
environment variable, its content without the trailing newline, unless the variable is already
set. So no secret is written in a compose file or a pod spec: compose's ``secrets:`` (with a
``target`` named like the variable) and Kubernetes Secrets mounted as files both fit.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

NAME = re.compile(r"ZUOFENG_[A-Z0-9_]+")


def settings_from_files(directory: Path, environ: dict[str, str]) -> dict[str, str]:
    """The environment with every ``ZUOFENG_*`` file of `directory` added (set ones win)."""
    out = dict(environ)
    if not directory.is_dir():
        return out
    for path in sorted(directory.iterdir()):
        if NAME.fullmatch(path.name) and path.is_file() and path.name not in out:
            out[path.name] = path.read_text().rstrip("\n")
    return out


def main(argv: list[str]) -> None:
    directory = Path(os.environ.get("ZUOFENG_ENV_DIR", "/run/secrets"))
    environ = settings_from_files(directory, dict(os.environ))
    zuofeng = str(Path(sys.executable).with_name("zuofeng"))
    os.execve(zuofeng, [zuofeng, *argv], environ)


if __name__ == "__main__":
    main(sys.argv[1:])
