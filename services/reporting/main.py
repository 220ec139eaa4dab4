"""Composition of the reporting service."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from services.reporting import handlers
from services.reporting.context import Context
from services.reporting.metrics.refresh import refresher
from services.reporting.programmes import projection as programmes
from services.reporting.programmes import routes as programme_routes
from services.reporting.routes import (
    alerts,
    exports,
    figures,
    pages,
    pages_alert,
    pages_programmes,
    scorecards,
)
from services.reporting.scorecards.board import thresholds
from services.reporting.settings import ReportingSettings
from services.reporting.supervision import projection as supervision
from services.reporting.supervision import routes as supervision_routes
from shared import http_errors, http_limits, officials, openapi_contract
from shared.bus import document_publishers
from shared.events.audit import AuditAlertDecided, AuditExported
from shared.events.reporting import AlertDecided, AlertFrequentProblems
from shared.runtime import Runtime, build_app, build_runtime
from shared.streams import (
    LINGER,
    REPORTING_CASES,
    REPORTING_DATAREQUESTS,
    REPORTING_FEDERATION,
    REPORTING_INSPECTIONS,
    REPORTING_REPORTS,
    REPORTING_TASKS,
)


def create_app(settings: ReportingSettings | None = None, *, for_docs: bool = False) -> FastAPI:
    settings = settings or ReportingSettings()
    # Its events (alerts, audit anchors) go to lingering consumers and the audit stream:
    # the relay takes the commits of a third of a second in one round.
    runtime = build_runtime(settings, for_docs=for_docs, relay_settle=LINGER)
    ctx = Context.build(settings, runtime.db)
    _subscribe(runtime, ctx)
    runtime.registry.register(ctx.metrics)
    limits, every = thresholds(ctx), settings.metrics_interval
    runtime.background.append(refresher(ctx.db, runtime.js, ctx.metrics, every, limits, ctx.clock))
    app = build_app(runtime, title="Zuofeng reporting", description="Where the campaign stands.")
    app.state.context = ctx
    http_errors.install(app)
    openapi_contract.install(app)
    http_limits.install(app, http_limits.fixed_limit(settings.max_body_bytes))
    # In this order: the OpenAPI document lists the paths as the routers are included.
    officials.mount(app)  # the officials' pages' style sheet (the alert page)
    routers: tuple[APIRouter, ...] = (figures.router, scorecards.router, alerts.router)
    routers += (exports.router, supervision_routes.router, programme_routes.router)
    routers += (pages.root, pages.router)
    for router in (*routers, pages_alert.router, pages_programmes.router):
        app.include_router(router)
    return app


def _subscribe(runtime: Runtime, ctx: Context) -> None:
    runtime.consumers.batched(REPORTING_REPORTS, handlers.when_report_received_count_it(ctx))
    runtime.consumers.batched(REPORTING_CASES, handlers.when_case_changes_update_facts(ctx))
    # The campaign's supervision (issue 22): tasks, inspections, data requests.
    for cdef in (REPORTING_TASKS, REPORTING_INSPECTIONS, REPORTING_DATAREQUESTS):
        runtime.consumers.batched(cdef, supervision.when_supervision_changes(ctx, cdef.durable))
    # The Women's Federation's programmes (issue 23), per county.
    durable = REPORTING_FEDERATION.durable
    runtime.consumers.batched(REPORTING_FEDERATION, programmes.when_programmes_change(ctx, durable))
    document_publishers(
        runtime.broker, [AlertFrequentProblems, AlertDecided, AuditExported, AuditAlertDecided]
    )
