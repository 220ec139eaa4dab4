"""What every service's `create_app` builds: broker, database, outbox relay, health, metrics.

The broker connects in the background with retries, so a service whose NATS is not up yet
still answers `/healthz` and says "not ready" on `/readyz` instead of crashing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from fastapi import FastAPI
from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from prometheus_client import CollectorRegistry

from shared import configdir
from shared.apikeys import ApiKeyVerifier
from shared.bus import js_of, server_list
from shared.consumer import ConsumerMetrics
from shared.db import Database
from shared.db.pool import PoolMetrics
from shared.headers import SecurityHeaders
from shared.natsauth import connect_options
from shared.observability import RequestLatency, broker_connected, health_router
from shared.outbox import OutboxRelay
from shared.settings import BaseServiceSettings
from shared.subscriptions import Consumers
from shared.tasks import stop_tasks
from shared.websession import KvSessionStore, WebSessions
from shared.websession import install as install_websession

log = logging.getLogger("zuofeng.runtime")
DOCS_NATS_URL = "nats://nats.zuofeng.example:4222"  # shown in generated docs only


@dataclass
class Runtime:
    """A service's connections and background work; one per `create_app` call."""

    settings: BaseServiceSettings
    broker: NatsBroker
    db: Database
    registry: CollectorRegistry
    relay: OutboxRelay
    consumers: Consumers
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)

    def js(self) -> JetStreamContext:
        return js_of(self.broker)


def build_runtime(
    settings: BaseServiceSettings,
    *,
    for_docs: bool = False,
    dlq_mover: bool = True,
    relay_settle: float = 0.0,
) -> Runtime:
    """No FastStream metrics middleware: the durable consumers are our own pull loops
    (zuofeng_consumer_*), the outbox publishes through nats-py (zuofeng_outbox_*) and intake's
    request-reply has its own histogram, so most `faststream_*` families never got a sample.
    `dlq_mover=False` for a service at a county's leaf (shared.natsauth.county says why);
    `relay_settle` for one whose events no one waits on by the millisecond (shared.outbox)."""
    configdir.activate(settings.config_dir)  # the county's files for every loader here
    registry = CollectorRegistry()
    url = DOCS_NATS_URL if for_docs else settings.resolved_nats_url()
    broker = NatsBroker(
        server_list(url),  # a cluster's nodes, comma separated: another takes over from a lost one
        name=f"zuofeng-{settings.service}",
        max_reconnect_attempts=-1,  # once connected, ride out NATS restarts and node losses
        # FastStream's own loggers print coloured text past our handler: through ours instead
        # (JSON lines in production); its per-message access lines only at DEBUG.
        logger=logging.getLogger("zuofeng.bus.faststream"),
        log_level=logging.DEBUG,
        **connect_options(url),  # its private inbox on the fenced bus
    )
    assert settings.database_url is not None
    db = Database(settings.database_url)
    registry.register(PoolMetrics(settings.service, db.engine))
    relay = OutboxRelay(
        db, lambda: js_of(broker), settings.outbox_poll_interval, registry, settle=relay_settle
    )
    consumers = Consumers(broker, settings, for_docs=for_docs, metrics=ConsumerMetrics(registry))
    if dlq_mover:
        consumers.dlq_mover()
    background = [] if for_docs else [consumers.bus_metrics]
    return Runtime(
        settings=settings,
        broker=broker,
        db=db,
        registry=registry,
        relay=relay,
        consumers=consumers,
        background=background,
    )


async def _start_broker(broker: NatsBroker) -> None:
    delay = 0.5
    while True:
        try:
            await broker.start()
            return
        except Exception as exc:  # noqa: BLE001 - keep trying; /readyz tells the operator
            log.warning("cannot reach NATS yet (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def build_app(runtime: Runtime, *, title: str, description: str) -> FastAPI:
    """A FastAPI app whose lifespan starts and stops the runtime."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        starter = asyncio.create_task(_start_broker(runtime.broker))
        runtime.relay.start()
        tasks = [asyncio.create_task(job()) for job in runtime.background]
        tasks += runtime.consumers.start()
        try:
            yield
        finally:
            runtime.consumers.stop()
            await stop_tasks([starter, *tasks])
            await runtime.relay.stop()
            if broker_connected(runtime.broker):
                await runtime.broker.stop()
            await runtime.db.dispose()

    app = FastAPI(title=title, description=description, version="1", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.settings = runtime.settings
    settings = runtime.settings
    app.state.jwt_secret = settings.resolved_jwt_secret()
    app.state.jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
    app.state.jwt_audience, app.state.jwt_issuer = settings.jwt_audience, settings.jwt_issuer
    app.state.apikeys = ApiKeyVerifier(
        runtime.js, settings.resolved_apikey_secret(), cache_size=settings.apikey_cache_size
    )
    # Officials' page sessions, the same on every service (the SESSIONS bucket on the bus).
    install_websession(app, WebSessions(settings, KvSessionStore(runtime.js)))
    app.include_router(health_router(runtime.broker, runtime.db, runtime.registry))
    app.add_middleware(
        SecurityHeaders,
        hsts=settings.environment == "production",
        form_origins=tuple(sorted(set(settings.page_origins.values()))),
        on_start=RequestLatency(runtime.registry, runtime.settings.service),
    )
    return app
