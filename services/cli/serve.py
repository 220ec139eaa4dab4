"""`zuofeng run` (NATS and the services) and `zuofeng serve <service>` (one of them)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
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
    import uvicorn

    if service not in PORTS:
        typer.echo(f"unknown service {service!r}; one of {', '.join(PORTS)}", err=True)
        raise typer.Exit(2)
    with _leaving_out(UNUSED_EXTRAS):
        from shared.observability import configure_logging  # imports the bus (nats-py)

        settings = _safe_settings(service)
        refuse_broken(f"zuofeng serve {service}", settings.config_dir)
        configure_logging(settings.log_level, settings.resolved_log_format, service)
        _exit_with_launcher()
        app = _app(service, settings)
    uvicorn.run(
        app,
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


# Imported by a library at its own import only when installed, and never used by a served
# service: nats-py's websocket transport (aiohttp, about 8 MB per service with yarl, multidict
# and attrs; a dev dependency, for the bench's load generator and the fault suite, not in the
# production image) and httpx's command-line tool (`httpx` in a terminal: rich and pygments,
# 3 MB in notify, whose delivery worker imports httpx at start). Issue 27: RSS per service.
UNUSED_EXTRAS = ("aiohttp", "pygments")


@contextlib.contextmanager
def _leaving_out(names: tuple[str, ...]) -> Iterator[None]:
    """While the service's code is imported, `import <name>` raises ImportError (a None in
    sys.modules), which both libraries take as "not installed". Lifted afterwards, so anything
    that wants one of them later (typer's error formatting wants pygments) imports it as usual."""
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if sys.modules.get(name, "") is None:
                del sys.modules[name]


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
