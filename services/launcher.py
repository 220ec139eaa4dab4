"""`make run`: the bundled NATS, streams and migrations, then the four services under honcho.

Ctrl-C (or SIGTERM) stops the services (honcho) and then NATS (SIGTERM, so its store is
flushed). A NATS left behind by a launcher that was killed is stopped on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from honcho.manager import Manager

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
from shared.natsserver import NatsProcess, start_nats
from shared.settings import BaseServiceSettings
from shared.taxonomy import load_taxonomy

SERVICES = PORTS


def _settings(service: str) -> BaseServiceSettings:
    return settings_of(service)


def _stop_stale_nats(var: Path) -> None:
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


def _start_bus(var: Path) -> tuple[str, dict[str, str], NatsProcess | None]:
    """(admin URL, per-service URLs, the server we started or None when external)."""
    configured = os.environ.get("ZUOFENG_NATS_URL")
    if configured:
        return configured, {service: configured for service in SERVICES}, None
    _stop_stale_nats(var)
    counties = [code for code, _ in load_directory().counties()]
    passwords = load_or_create_passwords(var / "nats-users.json", user_names(counties))
    port = int(os.environ.get("ZUOFENG_NATS_PORT", "-1"))
    server = start_nats(
        var / "nats", port=port, authorization=authorization_block(passwords, counties)
    )
    admin = with_credentials(server.url, "admin", passwords["admin"])
    url_file = var / "nats.url"
    url_file.touch(mode=0o600, exist_ok=True)
    url_file.write_text(admin)  # the CLI (dlq, bus init) connects as admin
    (var / "nats.pid").write_text(str(server.pid))
    services = {name: with_credentials(server.url, name, passwords[name]) for name in SERVICES}
    return admin, services, server


async def _init_bus(url: str, settings: BaseServiceSettings) -> None:
    nc = await connect(url, "zuofeng-launcher")
    try:
        await init_bus(nc.jetstream(), max_deliver=settings.max_deliver, ack_wait=settings.ack_wait)
    finally:
        await nc.close()


def _wait_ready(started: float, banner: str) -> None:
    pending = {service: _settings(service).port for service in SERVICES}
    while pending and time.monotonic() - started < 300:
        for service, port in list(pending.items()):
            url = f"http://127.0.0.1:{port}/readyz"
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    del pending[service]
        time.sleep(0.3)
    state = "all services ready" if not pending else f"NOT ready: {', '.join(pending)}"
    print(f"\n{banner}\n  {state} after {time.monotonic() - started:.1f}s\n", flush=True)


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
        "    (unit ids: GET http://127.0.0.1:8002/api/v1/units)",
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


def launch() -> int:
    started = time.monotonic()
    cli = _settings("cli")
    var = cli.var_dir.resolve()
    var.mkdir(parents=True, exist_ok=True)
    _check_ports_free()
    url, service_urls, server = _start_bus(var)
    try:
        asyncio.run(_init_bus(url, cli))
        for service in SERVICES:
            database_url = _settings(service).database_url
            assert database_url is not None
            migrate.upgrade(service, database_url)
        # honcho watches each service from a child process of its own; forked, each would map
        # this launcher's whole memory (alembic, every service's migrations and settings, about
        # 90 MB RSS each); started fresh, each holds honcho and little else.
        multiprocessing.set_start_method("forkserver", force=True)
        manager = Manager()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "ZUOFENG_LAUNCHER_PID": str(os.getpid())}
        # Each service has its own port here: pages link to each other by absolute address
        # (one session cookie serves them all: cookies do not depend on the port).
        env.setdefault("ZUOFENG_PAGE_ORIGINS", _page_origins())
        for service in SERVICES:
            # Each service connects as its own NATS user (the fenced bus).
            own = {**env, "ZUOFENG_NATS_URL": service_urls[service]}
            command = f"'{sys.executable}' -m services.cli serve {service}"
            manager.add_process(service, command, env=own)
        banner = _banner(server.url if server else url, cli, _demo_accounts())
        threading.Thread(target=_wait_ready, args=(started, banner), daemon=True).start()
        manager.loop()
        # Ctrl-C or SIGTERM is how a user stops it: a clean stop, not an error.
        return 0 if manager.returncode in (130, 143) else int(manager.returncode or 0)
    finally:
        if server is not None:
            server.stop()
            (var / "nats.pid").unlink(missing_ok=True)
            (var / "nats.url").unlink(missing_ok=True)
