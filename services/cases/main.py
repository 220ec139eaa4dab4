"""Composition of the cases service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from services.cases import api, api_actions, audit, handlers, sweeper
from services.cases.service import CasesService, utc_now
from services.cases.settings import CasesSettings
from shared import errors, http_limits
from shared.bus import document_publishers, js_of, subscribe_durable
from shared.deadlines import load_profiles
from shared.directory import load_directory
from shared.events import REGISTRY
from shared.runtime import build_app, build_runtime
from shared.settings import BaseServiceSettings
from shared.streams import consumer


def create_app(
    settings: BaseServiceSettings | None = None,
    *,
    for_docs: bool = False,
    now: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """The cases app; `now` is the clock every use case and the sweeper read (tests set it)."""
    if not isinstance(settings, CasesSettings):  # e.g. the generic settings `zuofeng docs` uses
        settings = CasesSettings(**settings.model_dump()) if settings else CasesSettings()
    runtime = build_runtime(settings, for_docs=for_docs)
    service = CasesService(
        db=runtime.db,
        directory=load_directory(),
        profiles=load_profiles(),
        keys_dir=settings.resolved_keys_dir,
        now=now,
        audit_key=settings.resolved_audit_key(),
    )
    handler = handlers.when_a_report_arrives(service)
    subscribe_durable(runtime.broker, consumer(handlers.CONSUMER), handler, settings)
    document_publishers(
        runtime.broker,
        [
            m
            for (t, _), m in sorted(REGISTRY.items())
            if t.startswith("case.") or t == "audit.anchored"
        ],
    )
    if settings.sweeper and not for_docs:
        runtime.background.append(lambda: sweeper.run_forever(service, settings.sweep_interval))
    if not for_docs:
        interval = settings.audit_anchor_interval
        anchors = runtime.broker
        runtime.background.append(
            lambda: audit.anchor_forever(service, interval, lambda: js_of(anchors))
        )
    app = build_app(
        runtime, title="Zuofeng cases", description="Cases from report to verified end."
    )
    app.state.cases = service
    app.state.directory = service.directory
    errors.install(app)
    http_limits.install(app, http_limits.fixed_limit(settings.max_body_bytes))
    app.include_router(api.router)
    api_actions.install(app)
    app.add_middleware(audit.RequestSource)
    return app
