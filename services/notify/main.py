"""Composition of the notify service."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from services.notify import api, handlers, webhooks
from services.notify.contacts import load_contacts
from services.notify.context import Notify
from services.notify.metrics import build_metrics
from services.notify.settings import NotifySettings
from services.notify.worker import DeliveryWorker
from shared import http_errors, http_limits
from shared.bus import document_publishers
from shared.directory import load_directory
from shared.events.audit import AuditWebhookChanged
from shared.events.notify import NotificationDelivered, NotificationFailed
from shared.runtime import build_app, build_runtime
from shared.streams import NOTIFY_CASES, NOTIFY_REPORTS

log = logging.getLogger("zuofeng.notify")


def create_app(settings: NotifySettings | None = None, *, for_docs: bool = False) -> FastAPI:
    settings = settings or NotifySettings()
    runtime = build_runtime(settings, for_docs=for_docs)
    n = Notify(
        settings=settings,
        db=runtime.db,
        directory=load_directory(),
        contacts=load_contacts(settings.resolved_contacts_file),
        metrics=build_metrics(runtime.registry),
    )
    for durable, handler in (
        (NOTIFY_REPORTS, handlers.when_report_received_keep_the_contact(n)),
        (NOTIFY_CASES, handlers.when_case_changes_tell_the_people(n)),
    ):
        runtime.consumers.batched(durable, handler)
    document_publishers(
        runtime.broker, [NotificationDelivered, NotificationFailed, AuditWebhookChanged]
    )
    runtime.background.append(DeliveryWorker(n).run)
    app = build_app(runtime, title="Zuofeng notify", description="The right people told, once.")
    app.state.notify = n
    http_errors.install(app)
    http_limits.install(app, http_limits.fixed_limit(settings.max_body_bytes))
    app.include_router(api.router)
    app.include_router(webhooks.router)
    if not for_docs:
        _say_which_channels(settings)
    return app


def _say_which_channels(settings: NotifySettings) -> None:
    channels = ["inbox", "webhook"]
    channels += ["email"] if settings.email_enabled else []
    channels += ["sms"] if settings.sms_enabled else []
    log.info("notify channels: %s", ", ".join(channels))
