"""Composition of the federation service."""

from __future__ import annotations

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.federation import sweeper
from services.federation.context import Context
from services.federation.metrics import build_metrics
from services.federation.routes import aid, children, homes, pages, programmes
from services.federation.settings import FederationSettings
from shared import http_errors, http_limits, officials, openapi_contract
from shared.bus import document_publishers
from shared.directory import load_directory
from shared.events import REGISTRY
from shared.ratelimit import RateLimiter, proxy_hosts
from shared.runtime import build_app, build_runtime

# The public routes, rate limited per client (routes/aid.py): 429 in their OpenAPI answers.
THROTTLED = ("/api/v1/aid/applications", "/api/v1/aid/status")


def create_app(settings: FederationSettings | None = None, *, for_docs: bool = False) -> FastAPI:
    settings = settings or FederationSettings()
    runtime = build_runtime(settings, for_docs=for_docs)
    ctx = Context(
        settings=settings,
        db=runtime.db,
        directory=load_directory(),
        metrics=build_metrics(runtime.registry),
        public=RateLimiter(settings.public_submit_rate, settings.public_submit_burst),
        lookups=RateLimiter(settings.lookup_rate, settings.lookup_burst),
    )
    document_publishers(
        runtime.broker, [model for (kind, _), model in REGISTRY.items() if _is_ours(kind)]
    )
    if not for_docs:
        runtime.background.append(lambda: sweeper.run_forever(ctx))
    app = build_app(
        runtime,
        title="Zuofeng federation",
        description="市妇联 programmes: 两癌 aid, 四点半学校, 妇儿家园, 精神扶贫.",
    )
    app.state.context = ctx
    http_errors.install(app)
    openapi_contract.install(app, throttled=THROTTLED)
    if settings.trusted_proxies:
        # The client as the trusted proxy saw it (its rate limit's key); from any other peer
        # the forwarding headers are ignored.
        app.add_middleware(
            ProxyHeadersMiddleware, trusted_hosts=proxy_hosts(settings.trusted_proxies)
        )
    http_limits.install(app, http_limits.fixed_limit(settings.max_body_bytes))
    for router in (programmes.router, aid.router, children.router, homes.router, pages.router):
        app.include_router(router)
    officials.mount(app)  # the officials' pages' style sheet (the federation's pages)
    return app


def _is_ours(event_type: str) -> bool:
    return event_type.startswith("federation.")
