"""Composition of the intake service."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake import api, handlers
from services.intake.service import Context
from services.intake.settings import IntakeSettings
from shared import errors
from shared.bus import document_publishers, subscribe_durable
from shared.directory import load_directory
from shared.events.intake import ReportReceived, ReportReviewRequested
from shared.runtime import build_app, build_runtime
from shared.streams import consumer
from shared.taxonomy import load_taxonomy


def create_app(settings: IntakeSettings | None = None, *, for_docs: bool = False) -> FastAPI:
    settings = settings or IntakeSettings()
    runtime = build_runtime(settings, for_docs=for_docs)
    ctx = Context(
        settings=settings, db=runtime.db, directory=load_directory(), taxonomy=load_taxonomy()
    )
    subscribe_durable(
        runtime.broker,
        consumer(handlers.CONSUMER),
        handlers.when_case_changes_update_public_status(ctx),
        settings,
    )
    document_publishers(runtime.broker, [ReportReceived, ReportReviewRequested])
    app = build_app(runtime, title="Zuofeng intake", description="Reports in from every channel.")
    app.state.intake = ctx
    errors.install(app)
    app.include_router(api.router)
    return app
