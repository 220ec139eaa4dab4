"""Composition of the reporting service."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting import api, handlers
from services.reporting.settings import ReportingSettings
from shared import errors
from shared.bus import document_publishers, subscribe_durable
from shared.events.reporting import AlertFrequentProblems
from shared.runtime import build_app, build_runtime
from shared.streams import consumer


def create_app(settings: ReportingSettings | None = None, *, for_docs: bool = False) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = build_runtime(settings, for_docs=for_docs)
    subscribe_durable(
        runtime.broker,
        consumer(handlers.REPORTS),
        handlers.when_report_received_count_it(runtime.db),
        settings,
    )
    subscribe_durable(
        runtime.broker,
        consumer(handlers.CASES),
        handlers.when_case_changes_update_facts(runtime.db),
        settings,
    )
    document_publishers(runtime.broker, [AlertFrequentProblems])
    app = build_app(runtime, title="Zuofeng reporting", description="Where the campaign stands.")
    errors.install(app)
    app.include_router(api.router)
    return app
