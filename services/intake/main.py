"""Composition of the intake service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.intake import handlers
from services.intake.attachments import sweep
from services.intake.context import Context, build_context, utcnow
from services.intake.limits.body import BodyLimit, body_limits
from services.intake.limits.clients import proxy_hosts
from services.intake.open311.answers import open311_errors
from services.intake.pages.rendering import HERE
from services.intake.requestreply.subscription import subscribe_submit
from services.intake.routes import (
    attachments,
    forms,
    imports,
    open311,
    pages_desk,
    pages_exposures,
    pages_report,
    pages_track,
    reports,
)
from services.intake.routes.refusals import http_refusals
from services.intake.settings import IntakeSettings
from shared import http_errors, http_limits, officials, openapi_contract
from shared.bus import document_publishers
from shared.events.intake import ReportReceived, ReportReviewRequested
from shared.runtime import build_app, build_runtime
from shared.streams import INTAKE_CASES, county_consumer


def create_app(
    settings: IntakeSettings | None = None,
    *,
    for_docs: bool = False,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    settings = settings or IntakeSettings()
    # At a county's leaf: the county's own durable, and the city's services move its dead
    # letters (shared.natsauth.county).
    county = settings.county
    runtime = build_runtime(settings, for_docs=for_docs, dlq_mover=county is None)
    ctx = build_context(settings, runtime, clock)
    cases = county_consumer(INTAKE_CASES, county) if county else INTAKE_CASES
    runtime.consumers.batched(cases, handlers.when_case_changes_update_public_status(ctx, cases))
    if not for_docs:
        runtime.background.append(
            lambda: sweep.sweep_forever(
                runtime.db,
                settings.resolved_attachments_dir,
                ctx.clock,
                settings.attachment_unused_ttl,
                settings.attachment_sweep_interval,
            )
        )
    app = build_app(runtime, title="Zuofeng intake", description="Reports in from every channel.")
    subscribe_submit(runtime.broker, ctx, lambda: app, settings.submit_workers)
    document_publishers(runtime.broker, [ReportReceived, ReportReviewRequested])
    app.state.context = ctx
    http_errors.install(app)
    openapi_contract.install(app, throttled=("/api/v1/reports", "/api/v1/attachments", "/open311/"))
    http_refusals(app, ctx)
    _count_invalid_bodies(app, ctx)
    app.add_exception_handler(HTTPException, open311_errors)
    # Inside the security headers (added innermost, as the guard below): its 413 answers get
    # them too and are timed on /metrics like any other answer.
    app.user_middleware.append(
        Middleware(
            BodyLimit,
            limit_for=body_limits(settings),
            on_reject=lambda: ctx.metrics.rejected("too_large"),
        )
    )
    if settings.trusted_proxies:
        # The client (and scheme) as the trusted proxy saw it; from any other peer the
        # forwarding headers are ignored.
        app.add_middleware(
            ProxyHeadersMiddleware, trusted_hosts=proxy_hosts(settings.trusted_proxies)
        )
    http_limits.install(app, None)  # credentials before bodies; BodyLimit above bounds sizes
    for router in (
        reports.router,
        forms.router,
        attachments.router,
        imports.router,
        open311.router,
        pages_report.router,
        pages_track.router,
        pages_exposures.router,
        pages_desk.router,
    ):
        app.include_router(router)
    # The pages' script and style, served by intake itself (the pages' CSP allows only 'self').
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    officials.mount(app)  # the officials' pages' style sheet (the desk)
    return app


def _count_invalid_bodies(app: FastAPI, ctx: Context) -> None:
    """Count schema rejections by field, then answer as shared.errors does."""
    answer = app.exception_handlers[RequestValidationError]

    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        ctx.metrics.invalid([list(error.get("loc", ())) for error in exc.errors()])
        return await answer(request, exc)  # type: ignore[misc,no-any-return]

    app.add_exception_handler(RequestValidationError, on_invalid)
