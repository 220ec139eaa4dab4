"""Composition of the notify service."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from services.notify import applicants, handlers
from services.notify.contacts import load_contacts
from services.notify.context import Context
from services.notify.delivery.worker import DeliveryWorker
from services.notify.metrics import build_metrics
from services.notify.routes import catchup, letters, notices, pages_inbox, webhooks
from services.notify.settings import NotifySettings
from services.notify.supervision.handler import when_supervised_tell_the_units
from shared import http_errors, http_limits, officials, openapi_contract
from shared.bus import document_publishers
from shared.directory import load_directory
from shared.events.audit import AuditLetterOpened, AuditWebhookChanged
from shared.events.notify import NotificationDelivered, NotificationFailed
from shared.runtime import build_app, build_runtime
from shared.streams import (
    LINGER,
    NOTIFY_ALERTS,
    NOTIFY_CASES,
    NOTIFY_FEDERATION,
    NOTIFY_INSPECTIONS,
    NOTIFY_REPORTS,
    NOTIFY_TASKS,
)

log = logging.getLogger("zuofeng.notify")


def create_app(settings: NotifySettings | None = None, *, for_docs: bool = False) -> FastAPI:
    settings = settings or NotifySettings()
    # Its events (notices told, deliveries done) feed no one waiting by the millisecond:
    # the relay takes the commits of a third of a second in one round.
    runtime = build_runtime(settings, for_docs=for_docs, relay_settle=LINGER)
    ctx = Context(
        settings=settings,
        db=runtime.db,
        directory=load_directory(),
        contacts=load_contacts(settings.resolved_contacts_file),
        metrics=build_metrics(runtime.registry, channels_of(settings)),
    )
    for durable, handler in (
        (NOTIFY_REPORTS, handlers.when_report_received_keep_the_contact(ctx)),
        (NOTIFY_CASES, handlers.when_case_changes_tell_the_people(ctx)),
        (NOTIFY_ALERTS, handlers.when_alert_raised_tell_integrators(ctx)),
        (NOTIFY_TASKS, when_supervised_tell_the_units(ctx, NOTIFY_TASKS)),
        (NOTIFY_INSPECTIONS, when_supervised_tell_the_units(ctx, NOTIFY_INSPECTIONS)),
        (NOTIFY_FEDERATION, applicants.when_aid_moves_tell_the_applicant(ctx)),
    ):
        runtime.consumers.batched(durable, handler)
    document_publishers(
        runtime.broker,
        [NotificationDelivered, NotificationFailed, AuditWebhookChanged, AuditLetterOpened],
    )
    runtime.background.append(DeliveryWorker(ctx).run)
    app = build_app(runtime, title="Zuofeng notify", description="The right people told, once.")
    app.state.context = ctx
    http_errors.install(app)
    openapi_contract.install(app)
    http_limits.install(app, http_limits.fixed_limit(settings.max_body_bytes))
    app.include_router(notices.router)
    app.include_router(webhooks.router)
    app.include_router(catchup.router)
    app.include_router(pages_inbox.router)
    app.include_router(letters.router)  # 书面告知's print queue (issue 22)
    officials.mount(app)  # the officials' pages' style sheet (the inbox)
    if not for_docs:
        _say_which_channels(settings)
    return app


def channels_of(settings: NotifySettings) -> list[str]:
    channels = ["inbox", "webhook"]
    channels += ["email"] if settings.email_enabled else []
    channels += ["sms"] if settings.sms_enabled else []
    return channels


def _say_which_channels(settings: NotifySettings) -> None:
    log.info("notify channels: %s", ", ".join(channels_of(settings)))
