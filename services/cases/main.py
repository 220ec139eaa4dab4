"""Composition of the cases service: one Context, the bus handler, the background loops (the
deadline sweeper, the audit anchors) and the HTTP routers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from services.cases import handlers, metrics, sweeper
from services.cases.audit import anchor, trail
from services.cases.classifier.model import default_model
from services.cases.context import Context, build_context, utc_now
from services.cases.datarequests import routes as datarequest_routes
from services.cases.inspections import routes as inspection_routes
from services.cases.routes import (
    audit,
    case_actions,
    case_list,
    cases,
    directory,
    discipline,
    pages_audit,
    pages_case,
    pages_lists,
    pages_workbench,
)
from services.cases.routing.rules import check_rules, load_rules
from services.cases.settings import CasesSettings
from services.cases.signin import flow as signin_flow
from services.cases.signin import oidc_routes, totp_routes
from services.cases.signin import routes as signin_routes
from services.cases.signin.lockout import AddressLimiter
from services.cases.tasks import routes as task_routes
from shared import http_errors, http_limits, officials, openapi_contract
from shared.bus import document_publishers, js_of
from shared.events import REGISTRY
from shared.runtime import Runtime, build_app, build_runtime
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
    ctx = build_context(settings, runtime.db, now=now, audit_key=settings.resolved_audit_key())
    # Rules naming a unit the directory lacks would send cases nowhere anyone looks: refused at
    # start, naming the rule (as `zuofeng config check` does before a deployment).
    check_rules(load_rules(), ctx.directory)
    runtime.consumers.batched(CASES_REPORTS, handlers.when_reports_arrive(ctx))
    document_publishers(
        runtime.broker,
        [
            m
            for (t, _), m in sorted(REGISTRY.items())
            if t.startswith(("case.", "task.", "inspection.", "datarequest."))
            or t in ("audit.anchored", "audit.signin", "audit.account_changed")
        ],
    )
    if not for_docs:
        _background(runtime, ctx)
        default_model()  # fitted now: a broken corpus fails the start, not the first report
    app = build_app(
        runtime, title="Zuofeng cases", description="Cases from report to verified end."
    )
    app.state.context = ctx
    http_errors.install(app)
    openapi_contract.install(app)
    http_limits.install(app, http_limits.fixed_limit(settings.max_body_bytes))
    for routes in (directory, case_list, cases, audit, case_actions, discipline):  # docs' order
        app.include_router(routes.router)
    # The campaign's supervision (issue 22): tasks, inspections, the data-request register.
    for supervision in (task_routes, inspection_routes, datarequest_routes):
        app.include_router(supervision.router)
    # The officials' pages (issue 17), not in the API docs.
    for pages in (pages_workbench, pages_case, pages_lists, pages_audit):
        app.include_router(pages.router)
    # Officials' sign-in pages (issue 17): the one place every service's pages send people.
    for pages in (signin_routes, totp_routes, oidc_routes):
        app.include_router(pages.router)
    app.state.signin_limiter = AddressLimiter(signin_flow.policy(ctx))
    officials.mount(app)
    app.add_middleware(trail.RequestSource)
    return app


def _background(runtime: Runtime, ctx: Context) -> None:
    """Every replica sweeps deadlines (when configured), recomputes its deadline gauges and
    anchors the audit chain."""
    settings = ctx.settings
    if settings.sweeper:
        interval = settings.sweep_interval
        swept = sweeper.SweepMetrics(runtime.registry)
        runtime.background.append(lambda: sweeper.run_forever(ctx, interval, swept))
    gauges = metrics.DeadlineMetrics()
    runtime.registry.register(gauges)
    runtime.background.append(metrics.refresher(ctx.db, gauges, settings.metrics_interval))
    anchors = runtime.broker
    runtime.background.append(
        lambda: anchor.anchor_forever(ctx, settings.audit_anchor_interval, lambda: js_of(anchors))
    )
