"""Composition of the cases service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from services.cases import api, api_actions, audit, handlers, sweeper
from services.cases.service import CasesService, utc_now
from services.cases.settings import CasesSettings
from shared import http_errors, http_limits
from shared.bus import document_publishers, js_of
from shared.deadlines import load_profiles
from shared.directory import load_directory
from shared.events import REGISTRY
from shared.runtime import build_app, build_runtime
from shared.streams import CASES_REPORTS


def create_app(
    settings: CasesSettings | None = None,
    *,
    for_docs: bool = False,
    now: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """The cases app; `now` is the clock every use case and the sweeper read (tests set it)."""
    settings = settings or CasesSettings()
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
    runtime.consumers.durable(CASES_REPORTS, handler)
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
    http_errors.install(app)
    http_limits.install(app, http_limits.fixed_limit(settings.max_body_bytes))
    app.include_router(api.router)
    api_actions.install(app)
    app.add_middleware(audit.RequestSource)
    return app
