"""`zuofeng run` (NATS and the services) and `zuofeng serve <service>` (one of them)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from services.catalog import PORTS, app_factory, settings_class
from services.cli.config import refuse_broken
from services.cli.movable_clock import MovableClock
from shared.settings import BaseServiceSettings


def run() -> None:
    """Start NATS and the services (what `make run` does); Ctrl-C stops everything."""
    from services.launcher import launch

    raise typer.Exit(launch())


def serve(
    service: Annotated[
        str, typer.Argument(help="intake | cases | notify | reporting | federation")
    ],
) -> None:
    """Serve one service with uvicorn on its configured port."""
    _without_unused_extras()
    import uvicorn

    from shared.observability import configure_logging

    if service not in PORTS:
        typer.echo(f"unknown service {service!r}; one of {', '.join(PORTS)}", err=True)
        raise typer.Exit(2)
    settings = _safe_settings(service)
    refuse_broken(f"zuofeng serve {service}", settings.config_dir)
    configure_logging(settings.log_level, settings.resolved_log_format, service)
    _exit_with_launcher()
    uvicorn.run(
        _app(service, settings),
        host=settings.host,
        port=settings.port or settings.default_port,
        log_config=None,
        # Paths carry tracking codes (a reporter's key to their report): no access log. Latency
        # and status per route template are on /metrics.
        access_log=False,
        # uvicorn's default trusts X-Forwarded-For from 127.0.0.1, so any local client could pick
        # its address (and dodge intake's rate limits); a service trusts forwarding headers only
        # from the proxies its own settings name (ZUOFENG_INTAKE_TRUSTED_PROXIES).
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )


# Imported by a library only when installed, and never used by a served service: nats-py's
# websocket transport (aiohttp, about 8 MB per service with yarl, multidict and attrs). It is a
# dev dependency (the bench's load generator, the fault suite), not in the production image, so
# a service served from the dev venv would hold memory a deployed one does not.
UNUSED_EXTRAS = ("aiohttp",)


def _without_unused_extras() -> None:
    """A None in sys.modules makes `import aiohttp` raise ImportError, which nats-py takes as
    "not installed" (its websocket transport then says so, were it ever asked for)."""
    for name in UNUSED_EXTRAS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def _app(service: str, settings: BaseServiceSettings) -> Any:
    """The service's app; outside production its clock is the one `zuofeng demo` moves (the
    services whose times the figures count: intake's receipt, cases' steps and deadlines,
    reporting's decisions)."""
    factory = app_factory(service)
    if settings.environment == "production":
        return factory(settings)
    clock = MovableClock(settings.var_dir)
    if service == "intake":
        return factory(settings, clock=clock)
    if service == "cases":
        return factory(settings, now=clock)
    app = factory(settings)
    if service == "reporting":
        app.state.context.clock = clock
    return app


def _safe_settings(service: str) -> BaseServiceSettings:
    """The service's own settings, or exit 2 saying which variables are unsafe (production
    refuses to start with them) - one line per problem, no traceback."""
    try:
        return settings_class(service)()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error.get("loc", ()))
            for problem in str(error.get("msg", "")).removeprefix("Value error, ").split("; "):
                typer.echo(
                    f"zuofeng serve {service}: {field + ': ' if field else ''}{problem}", err=True
                )
        raise typer.Exit(2) from None


def _exit_with_launcher() -> None:
    """Under `make run`, stop when the launcher is gone (even killed with -9): no orphans."""
    parent = int(os.environ.get("ZUOFENG_LAUNCHER_PID", "0"))
    if not parent:
        return

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown
                return

    threading.Thread(target=watch, name="launcher-watch", daemon=True).start()
