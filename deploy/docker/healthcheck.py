"""The image's HEALTHCHECK: GET /readyz of the service this container serves (exit 0 or 1).

The service is the argument after ``serve`` on PID 1's command line; its port is
``ZUOFENG_<SERVICE>_PORT`` or the default (intake 8001, cases 8002, notify 8003, reporting 8004,
federation 8005).
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path

DEFAULT_PORTS = {
    "intake": 8001,
    "cases": 8002,
    "notify": 8003,
    "reporting": 8004,
    "federation": 8005,
}


def service_of(cmdline: list[str]) -> str | None:
    for before, after in zip(cmdline, cmdline[1:], strict=False):
        if before == "serve" and after in DEFAULT_PORTS:
            return after
    return None


def port_of(service: str, environ: dict[str, str]) -> int:
    return int(environ.get(f"ZUOFENG_{service.upper()}_PORT", DEFAULT_PORTS[service]))


def main() -> int:
    cmdline = Path("/proc/1/cmdline").read_bytes().decode().split("\0")
    service = service_of(cmdline)
    if service is None:
        return 0  # not a service (a migration or another command): nothing to check
    url = f"http://127.0.0.1:{port_of(service, dict(os.environ))}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback only
            return 0 if answer.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
