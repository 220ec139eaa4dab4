"""Composition of the reporting service."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting import api, export_api, handlers, metrics, pages
from services.reporting.alerts import AlertRule
from services.reporting.handlers import Projector
from services.reporting.periods import load_phases
from services.reporting.settings import ReportingSettings
from shared import http_errors, http_limits
from shared.bus import document_publishers
from shared.directory import load_directory
from shared.events.audit import AuditAlertDecided, AuditExported
from shared.events.reporting import AlertDecided, AlertFrequentProblems
from shared.runtime import Runtime, build_app, build_runtime
from shared.streams import REPORTING_CASES, REPORTING_REPORTS
from shared.taxonomy import load_taxonomy


def create_app(settings: ReportingSettings | None = None, *, for_docs: bool = False) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = build_runtime(settings, for_docs=for_docs)
    directory = load_directory()
    rule = AlertRule(settings.alert_threshold, settings.alert_window_days)
    _subscribe(runtime, settings, handlers.Projector(runtime.db, directory, rule))
    business = metrics.BusinessMetrics()
    runtime.registry.register(business)
    runtime.background.append(
        metrics.refresher(runtime.db, runtime.js, business, settings.metrics_interval)
    )
    app = build_app(runtime, title="Zuofeng reporting", description="Where the campaign stands.")
    app.state.directory = directory
    app.state.taxonomy = load_taxonomy()
    app.state.phases = load_phases(settings.phases_file)
    http_errors.install(app)
    http_limits.install(app, http_limits.fixed_limit(settings.max_body_bytes))
    app.include_router(api.router)
    app.include_router(export_api.router)
    app.include_router(pages.router)
    return app


def _subscribe(runtime: Runtime, settings: ReportingSettings, projector: Projector) -> None:
    runtime.consumers.batched(REPORTING_REPORTS, handlers.when_report_received_count_it(projector))
    runtime.consumers.batched(REPORTING_CASES, handlers.when_case_changes_update_facts(projector))
    document_publishers(
        runtime.broker, [AlertFrequentProblems, AlertDecided, AuditExported, AuditAlertDecided]
    )
