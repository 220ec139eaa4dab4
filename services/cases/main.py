"""Composition of the cases service."""

from __future__ import annotations

from fastapi import FastAPI

from services.cases import api, handlers
from services.cases.settings import CasesSettings
from shared import errors
from shared.bus import document_publishers, subscribe_durable
from shared.deadlines import load_profiles
from shared.directory import load_directory
from shared.events import REGISTRY
from shared.runtime import build_app, build_runtime
from shared.streams import consumer


def create_app(settings: CasesSettings | None = None, *, for_docs: bool = False) -> FastAPI:
    settings = settings or CasesSettings()
    runtime = build_runtime(settings, for_docs=for_docs)
    directory = load_directory()
    handler = handlers.when_report_received_open_case(runtime.db, directory, load_profiles())
    subscribe_durable(runtime.broker, consumer(handlers.CONSUMER), handler, settings)
    document_publishers(
        runtime.broker, [m for (t, _), m in sorted(REGISTRY.items()) if t.startswith("case.")]
    )
    app = build_app(
        runtime, title="Zuofeng cases", description="Cases from report to verified end."
    )
    app.state.directory = directory
    errors.install(app)
    app.include_router(api.router)
    return app
