"""Composition of the notify service."""

from __future__ import annotations

from fastapi import FastAPI

from services.notify import api, handlers
from services.notify.settings import NotifySettings
from shared import errors
from shared.bus import document_publishers, subscribe_durable
from shared.events.notify import NotificationDelivered, NotificationFailed
from shared.runtime import build_app, build_runtime
from shared.streams import consumer


def create_app(settings: NotifySettings | None = None, *, for_docs: bool = False) -> FastAPI:
    settings = settings or NotifySettings()
    runtime = build_runtime(settings, for_docs=for_docs)
    subscribe_durable(
        runtime.broker,
        consumer(handlers.CONSUMER),
        handlers.when_case_changes_tell_the_units(runtime.db),
        settings,
    )
    document_publishers(runtime.broker, [NotificationDelivered, NotificationFailed])
    app = build_app(runtime, title="Zuofeng notify", description="The right people told, once.")
    errors.install(app)
    app.include_router(api.router)
    return app
