"""What `make run` does before the services start, in a short-lived child of the launcher.

The ports, the NATS users and streams, every service's migrations, the demo accounts and the
banner need alembic, SQLAlchemy, pydantic, nats-py and the services' settings: about 100 MB
that the launcher would otherwise hold for as long as `make run` runs (issue 27: the whole tree
under 600 MB). This process does them and exits; the launcher keeps only what supervises.

The launcher starts the bundled nats-server itself (so it is the launcher's child, stopped by
it). The conversation, one JSON object a line: this process sends {"var", "nats"} (the
server's configuration, or null when ZUOFENG_NATS_URL names an external one), the launcher
answers {"url"} once the server listens, and this process sends the result: the environment of
each service, the ports to watch for readiness and the banner.
Run by services.launcher: `python -m services.launch_setup <fd to the launcher>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from services.catalog import PORTS, settings_of
from shared import migrate
from shared.auth import issue_token
from shared.bus import connect, init_bus
from shared.directory import load_directory
from shared.natsauth import (
    authorization_block,
    load_or_create_passwords,
    user_names,
    with_credentials,
)
from shared.natsserver import CONFIG
from shared.settings import BaseServiceSettings
from shared.taxonomy import load_taxonomy

SERVICES = PORTS


def _settings(service: str) -> BaseServiceSettings:
    return settings_of(service)


def _stop_stale_nats(var: Path) -> None:
    """A NATS left behind by a launcher that was killed (its pid file is still there)."""
    pid_file = var / "nats.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip() or 0)
    with contextlib.suppress(ProcessLookupError, PermissionError, FileNotFoundError):
        if "nats-server" in Path(f"/proc/{pid}/cmdline").read_text():
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.1)
    pid_file.unlink(missing_ok=True)


def _check_ports_free() -> None:
    for service in SERVICES:
        port = _settings(service).port
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", int(port or 0))) == 0:
                raise SystemExit(
                    f"port {port} for {service} is taken: another `make run`?"
                    f" (set ZUOFENG_{service.upper()}_PORT)"
                )


def _nats_config(var: Path) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """What the launcher starts nats-server with (the fenced bus: a user per service and per
    county), the passwords, and the counties."""
    _stop_stale_nats(var)
    counties = [code for code, _ in load_directory().counties()]
    passwords = load_or_create_passwords(var / "nats-users.json", user_names(counties))
    base = var / "nats"
    config = CONFIG.format(store=base / "jetstream") + authorization_block(passwords, counties)
    port = int(os.environ.get("ZUOFENG_NATS_PORT", "-1"))
    return {"base": str(base), "config": config, "port": port}, passwords, counties


async def _init_bus(url: str, settings: BaseServiceSettings) -> None:
    nc = await connect(url, "zuofeng-launcher")
    try:
        await init_bus(nc.jetstream(), max_deliver=settings.max_deliver, ack_wait=settings.ack_wait)
    finally:
        await nc.close()


def _banner(url: str, settings: BaseServiceSettings, signin: list[str]) -> str:
    directory = load_directory()
    office = directory.city_office()
    token = issue_token(
        settings.resolved_jwt_secret(),
        unit=office.id,
        role="city_office",
        sub="make-run",
        ttl=timedelta(hours=12),
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    lines = [
        "Zuofeng (作风) is running",
        f"  NATS        {url}  (users and passwords: var/nats-users.json)",
    ]
    lines += [f"  {name:<11} http://127.0.0.1:{_settings(name).port}/docs" for name in SERVICES]
    lines += [
        f"  report page http://127.0.0.1:{_settings('intake').port}/  (track a report at /track,"
        " the exposure board at /exposures)",
        f"  dashboard   http://127.0.0.1:{_settings('reporting').port}/dashboard",
        *signin,
        f"  mail        {_mail_line()}",
        f"  directory   {len(directory.units())} units, {len(directory.counties())} counties;"
        f" problem list {load_taxonomy().version}",
        f"  token ({office.name}, city_office, 12h):",
        f"    {token}",
        "  other tokens: .venv/bin/zuofeng token --unit UNIT_ID --role ROLE",
        f"    (unit ids: GET http://127.0.0.1:{_settings('cases').port}/api/v1/units)",
        "  Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def _demo_accounts() -> list[str]:
    """Demo accounts for every role (cases' database), and how to sign in with them."""
    from services.cases.settings import CasesSettings  # the launcher composes the services
    from services.cases.signin import demo

    cases = CasesSettings()
    password = asyncio.run(demo.ensure_demo(cases))
    return demo.banner(password, f"http://127.0.0.1:{cases.port}/signin")


def _mail_line() -> str:
    from services.notify.settings import NotifySettings  # the launcher composes the services

    notify = NotifySettings()
    if notify.email_enabled:
        return f"to SMTP {notify.smtp_host}:{notify.smtp_port}"
    return "off (README: 'Mail to a local SMTP sink'); notices go to the inbox and webhooks"


def _page_origins() -> str:
    origins = []
    for service in SERVICES:
        settings = _settings(service)
        origins.append(f"{service}=http://{settings.host}:{settings.port}")
    return ",".join(origins)


def _send(to_launcher: TextIO, message: dict[str, Any]) -> None:
    to_launcher.write(json.dumps(message) + "\n")
    to_launcher.flush()


def prepare(to_launcher: TextIO, from_launcher: TextIO) -> None:
    cli = _settings("cli")
    var = cli.var_dir.resolve()
    var.mkdir(parents=True, exist_ok=True)
    _check_ports_free()
    configured = os.environ.get("ZUOFENG_NATS_URL")
    if configured:
        _send(to_launcher, {"var": str(var), "nats": None})
        url, server_url = configured, configured
        services = {service: configured for service in SERVICES}
    else:
        nats, passwords, _ = _nats_config(var)
        _send(to_launcher, {"var": str(var), "nats": nats})
        server_url = json.loads(from_launcher.readline())["url"]
        url = with_credentials(server_url, "admin", passwords["admin"])
        url_file = var / "nats.url"
        url_file.touch(mode=0o600, exist_ok=True)
        url_file.write_text(url)  # the CLI (dlq, bus init) connects as admin
        services = {name: with_credentials(server_url, name, passwords[name]) for name in SERVICES}
    asyncio.run(_init_bus(url, cli))
    for service in SERVICES:
        database_url = _settings(service).database_url
        assert database_url is not None
        migrate.upgrade(service, database_url)
    _send(
        to_launcher,
        {
            # Each service connects as its own NATS user (the fenced bus).
            "env": {service: {"ZUOFENG_NATS_URL": services[service]} for service in SERVICES},
            # Each service has its own port here: pages link to each other by absolute address
            # (one session cookie serves them all: cookies do not depend on the port).
            "page_origins": _page_origins(),
            "ports": {service: _settings(service).port for service in SERVICES},
            "banner": _banner(server_url, cli, _demo_accounts()),
        },
    )


def main() -> None:
    with os.fdopen(int(sys.argv[1]), "w") as to_launcher:
        prepare(to_launcher, sys.stdin)


if __name__ == "__main__":
    main()
